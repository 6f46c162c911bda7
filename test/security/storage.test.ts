// A full disk or database, as an attacker (or a busy day) makes it: STORAGE_FULL, retryable, nothing partial kept.
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable, Writable } from 'node:stream';
import { GraphQLError } from 'graphql';
import { sql } from 'kysely';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, PGliteDialect } from 'kysely';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type App, createApp } from '../../src/app.ts';
import { createFileSystemBlobStore } from '../../src/files/fileSystemBlobStore.ts';
import { createLogger } from '../../src/logger.ts';
import type { Database } from '../../src/store/database.ts';
import { PGLITE_PARSERS, type Store } from '../../src/store/open.ts';
import { isStorageFull, storageFullCode } from '../../src/store/pgErrors.ts';
import { adminHeaders, listen, testConfig } from '../helpers/api.ts';
import { openTestDatabase, type TestDatabase, testDatabaseKind } from '../helpers/database.ts';
import { givenModel, type Served, serveTestApi } from '../helpers/fixtures.ts';
import { type FilePart, multipartBody } from '../helpers/multipart.ts';

const MiB = 1024 * 1024;
const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');
const bytes = (n: number) => new Uint8Array(randomBytes(n));

describe('what counts as a full disk or database', () => {
  it("recognises PostgreSQL's disk_full, a file system's ENOSPC and EDQUOT, and an object store's refusal, through causes", () => {
    const enospc = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', errno: -28, syscall: 'write' });
    expect(storageFullCode(Object.assign(new Error('could not extend file "base/5/16384": No space left on device'), { code: '53100' }))).toBe('53100');
    expect(storageFullCode(enospc)).toBe('ENOSPC');
    expect(storageFullCode(new Error('upload failed', { cause: new Error('stage failed', { cause: enospc }) }))).toBe('ENOSPC');
    expect(storageFullCode(new GraphQLError('wrapped', { originalError: new Error('outer', { cause: enospc }) }))).toBe('ENOSPC');
    expect(storageFullCode(Object.assign(new Error('Disk quota exceeded'), { code: 'EDQUOT' }))).toBe('EDQUOT');
    expect(storageFullCode(Object.assign(new Error('Storage backend has reached its minimum free drive threshold'), { name: 'XMinioStorageFull', $metadata: { httpStatusCode: 507 } }))).toBe('XMinioStorageFull');
    expect(storageFullCode(Object.assign(new Error('Insufficient Storage'), { name: 'Unknown', $metadata: { httpStatusCode: 507 } }))).toBe('HTTP 507');
  });

  it('does not mistake other failures for a full disk, and stops on a cycle of causes', () => {
    const cyclic: { message: string; cause?: unknown } = { message: 'loop' };
    cyclic.cause = cyclic;
    for (const error of [
      Object.assign(new Error('out of memory'), { code: '53200' }),
      Object.assign(new Error('too many connections'), { code: '53300' }),
      Object.assign(new Error('duplicate key'), { code: '23505' }),
      Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }),
      Object.assign(new Error('File too large'), { code: 'EFBIG' }),
      Object.assign(new Error('Access Denied'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } }),
      new Error('No space left on device'),
      cyclic,
      'ENOSPC',
      53100,
      null,
      undefined,
    ]) {
      expect(isStorageFull(error)).toBe(false);
    }
  });
});

/**
 * A tmpfs of `size` bytes mounted on a new directory, or why one cannot be mounted here (not root, no
 * mount(8), a container without CAP_SYS_ADMIN).
 */
function mountTmpfs(size: number): { dir: string; reason: string | null } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-full-disk-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size},mode=0700`, 'tmpfs', dir], { stdio: 'pipe' });
    return { dir, reason: null };
  } catch (error) {
    const stderr = String((error as { stderr?: unknown }).stderr ?? '').trim();
    return { dir, reason: `cannot mount a tmpfs on ${dir}: ${stderr || (error as Error).message}` };
  }
}

function unmount(dir: string, mounted: boolean): void {
  if (mounted) execFileSync('umount', [dir], { stdio: 'pipe' });
  fs.rmSync(dir, { recursive: true, force: true });
}

const UPLOAD = `mutation ($input: UploadFormatInput!) {
  uploadFormat(input: $input) { __typename ... on UploadFormatSuccess { format { sha256 size } } ... on Error { code message } }
}`;
const CREATE_WITH_FILES = `mutation ($input: CreateVersionInput!) {
  createVersion(input: $input) { __typename ... on Error { code message } }
}`;
const DELETE_FORMAT = `mutation ($id: ID!, $n: Int!, $f: String!) { deleteFormat(modelId: $id, number: $n, format: $f) { __typename ... on Error { code message } } }`;

describe('a disk that fills up during uploads', () => {
  const DISK = 6 * MiB;
  const FILE = MiB;
  const lines: { level: number; msg: string; code?: string }[] = [];
  let mount: { dir: string; reason: string | null };
  let s: Served;
  let app: App;
  let server: Awaited<ReturnType<typeof listen>>;

  beforeAll(async () => {
    mount = mountTmpfs(DISK);
    if (mount.reason) return;
    s = await serveTestApi({ env: { CAIRN_DATA_DIR: mount.dir } });
    // The app under test logs into `lines`, its blobs on the tmpfs (the fixtures' app shares the database and the directory).
    const destination = new Writable({
      write(chunk, _encoding, callback) {
        for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
        callback();
      },
    });
    app = await createApp(s.api.config, s.api.t.store, createLogger('info', destination));
    server = await listen(app);
  });
  afterAll(async () => {
    await server?.close();
    await app?.close();
    await s?.close();
    if (mount) unmount(mount.dir, !mount.reason);
  });

  /** Never silently: the reason is printed, and vitest reports the test as skipped with it. */
  function skipUnlessMounted(skip: (note: string) => void): void {
    if (!mount.reason) return;
    console.warn(`SKIPPED (full-disk test): ${mount.reason}`);
    skip(mount.reason);
  }

  const blobsDir = () => path.join(mount.dir, 'blobs');
  const stagingFiles = () => fs.readdirSync(path.join(blobsDir(), 'staging'));
  const storedBlobs = () =>
    (fs.readdirSync(path.join(blobsDir(), 'sha256'), { recursive: true }) as string[])
      .filter((f) => /[0-9a-f]{64}$/.test(f))
      .map((f) => path.basename(f))
      .sort();
  const lastPosition = async () => String((await sql<{ p: string | null }>`select max(position)::text as p from events`.execute(s.api.t.db)).rows[0]!.p);
  const freeBytes = () => {
    const f = fs.statfsSync(mount.dir);
    return f.bavail * f.bsize;
  };

  async function post(query: string, variables: Record<string, unknown>, files: FilePart[]) {
    const response = await fetch(`${server.url}/graphql`, { method: 'POST', body: multipartBody(query, variables, files), headers: { ...adminHeaders } });
    return { status: response.status, headers: response.headers, body: (await response.json()) as any };
  }
  const upload = (modelId: string, number: number, format: string, data: Uint8Array<ArrayBuffer>) =>
    post(UPLOAD, { input: { modelId, number, format, file: null } }, [{ path: 'variables.input.file', data, name: `m.${format}` }]);

  function expectStorageFull(r: { status: number; headers: Headers; body: any }, field: string) {
    expect(r.status).toBe(507);
    expect(r.headers.get('retry-after')).toBe('60');
    expect(r.body.data?.[field] ?? null).toBeNull();
    expect(r.body.errors).toHaveLength(1);
    expect(r.body.errors[0].extensions).toEqual({ code: 'STORAGE_FULL', retryable: true });
    // Nothing of the server's side reaches the client: no errno, no path.
    expect(JSON.stringify(r.body)).not.toMatch(/ENOSPC|no space|\/tmp|cairn-full-disk/i);
  }

  it('refuses the upload that finds the disk full with STORAGE_FULL, keeps no part of it, records no event, and takes it once room is made', async ({ skip }) => {
    skipUnlessMounted(skip);
    const model = await givenModel(s, { versions: 4 });
    const slots = [1, 2, 3, 4].flatMap((n) => ['pkl', 'rda', 'pmml'].map((format) => ({ n, format })));
    const stored: { n: number; format: string; sha256: string }[] = [];
    let refused: { status: number; headers: Headers; body: any } | undefined;
    let data = bytes(FILE);
    const logged = lines.length;
    let before = '';
    for (const { n, format } of slots) {
      data = bytes(FILE);
      before = await lastPosition();
      const r = await upload(model.id, n, format, data);
      if (r.body.data?.uploadFormat?.__typename === 'UploadFormatSuccess') {
        stored.push({ n, format, sha256: sha256(data) });
        continue;
      }
      refused = { ...r, body: { ...r.body, slot: { n, format } } };
      break;
    }
    // The disk filled after a few files, not at once and not never.
    expect(stored.length).toBeGreaterThanOrEqual(3);
    expect(refused, 'the disk never filled').toBeDefined();
    expectStorageFull(refused!, 'uploadFormat');
    expect(stagingFiles()).toEqual([]);
    expect(storedBlobs()).toEqual(stored.map((f) => f.sha256).sort());
    expect(await lastPosition()).toBe(before);
    // Said once, at warn, with the errno and no stack; nothing at error level.
    const since = lines.slice(logged);
    expect(since.filter((l) => l.level === 40)).toEqual([expect.objectContaining({ code: 'ENOSPC', msg: expect.stringContaining('STORAGE_FULL') })]);
    expect(since.filter((l) => l.level >= 50)).toEqual([]);
    expect(JSON.stringify(since)).not.toContain('"stack"');

    // Room is made by deleting a format; the refused upload, sent again, now succeeds.
    const { n, format } = refused!.body.slot;
    const dropped = stored[0]!;
    const deleted = await s.asAdmin(DELETE_FORMAT, { id: model.id, n: dropped.n, f: dropped.format });
    expect(deleted.deleteFormat.__typename).toBe('DeleteFormatSuccess');
    const again = await upload(model.id, n, format, data);
    expect(again.status).toBe(200);
    expect(again.body.data.uploadFormat).toMatchObject({ __typename: 'UploadFormatSuccess', format: { sha256: sha256(data), size: FILE } });
    expect(storedBlobs()).toEqual([...stored.slice(1).map((f) => f.sha256), sha256(data)].sort());
    expect(stagingFiles()).toEqual([]);
  });

  it('creates no version when the second of its files finds the disk full, and keeps neither file', async ({ skip }) => {
    skipUnlessMounted(skip);
    const model = await givenModel(s);
    const blobs = storedBlobs();
    const before = await lastPosition();
    const small = bytes(64 * 1024);
    // The second file is as large as the room left: with the first, it cannot fit.
    const large = bytes(Math.max(freeBytes(), 64 * 1024));
    const r = await post(CREATE_WITH_FILES, { input: { modelId: model.id, formats: [{ format: 'pkl', file: null }, { format: 'rda', file: null }] } }, [
      { path: 'variables.input.formats.0.file', data: small, name: 'm.pkl' },
      { path: 'variables.input.formats.1.file', data: large, name: 'm.rda' },
    ]);
    expectStorageFull(r, 'createVersion');
    expect(await lastPosition()).toBe(before);
    expect(storedBlobs()).toEqual(blobs);
    expect(stagingFiles()).toEqual([]);
    const after = await s.asAdmin('query ($id: ID!) { model(id: $id) { versionCount } }', { id: model.id });
    expect(after.model.versionCount).toBe(0);
  });

  it('never keeps a file the disk took only part of: a short write is finished or ends in ENOSPC', async ({ skip }) => {
    skipUnlessMounted(skip);
    const store = createFileSystemBlobStore(blobsDir());
    // One chunk a little larger than the room left: the disk takes what fits and says so only by a short count.
    const data = Buffer.from(randomBytes(freeBytes() + 64 * 1024));
    const staged = store.stage(Readable.from([data]), { maxBytes: 64 * MiB });
    await expect(staged).rejects.toMatchObject({ code: 'ENOSPC' });
    expect(stagingFiles()).toEqual([]);
  });
});

describe('a database that fills up', () => {
  const lines: { level: number; msg: string; code?: string }[] = [];
  let mount: { dir: string; reason: string | null };
  let store: Store;
  let t: TestDatabase | undefined;
  let tablespace: string | undefined;
  let app: App;
  let server: Awaited<ReturnType<typeof listen>>;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-full-db-'));
  const filler = () => path.join(mount.dir, 'filler');

  beforeAll(async () => {
    // PGlite keeps its whole data directory on the tmpfs; PostgreSQL gets a tablespace there and moves this
    // test database's tables and indexes into it (its catalogs and WAL stay where they are).
    mount = mountTmpfs(testDatabaseKind === 'pglite' ? 96 * MiB : 16 * MiB);
    if (mount.reason) return;
    if (testDatabaseKind === 'pglite') {
      const snapshot = await fs.promises.readFile(inject('pgliteSnapshot'));
      const pglite = await PGlite.create({ dataDir: path.join(mount.dir, 'pglite'), loadDataDir: new Blob([snapshot]), parsers: PGLITE_PARSERS });
      const db = new Kysely<Database>({ dialect: new PGliteDialect({ pglite }) });
      store = { db, kind: 'pglite', listen: (channel, onNotify) => pglite.listen(channel, onNotify), close: () => db.destroy() };
    } else {
      const owner = Number(execFileSync('id', ['-u', 'postgres']).toString());
      fs.chownSync(mount.dir, owner, owner);
      t = await openTestDatabase();
      tablespace = `cairn_full_${randomBytes(4).toString('hex')}`;
      await sql.raw(`create tablespace ${tablespace} location '${mount.dir}'`).execute(t.db);
      await sql.raw(`alter table all in tablespace pg_default set tablespace ${tablespace}`).execute(t.db);
      await sql.raw(`alter index all in tablespace pg_default set tablespace ${tablespace}`).execute(t.db);
      store = t.store;
    }
    const destination = new Writable({
      write(chunk, _encoding, callback) {
        for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
        callback();
      },
    });
    app = await createApp(testConfig({ CAIRN_DATA_DIR: dataDir }), store, createLogger('info', destination));
    server = await listen(app);
  });
  afterAll(async () => {
    await server?.close();
    await app?.close();
    if (t) {
      await t.close();
      if (tablespace) {
        const admin = await openTestDatabase();
        await sql.raw(`drop tablespace if exists ${tablespace}`).execute(admin.db);
        await admin.close();
      }
    } else await store?.close();
    if (mount) unmount(mount.dir, !mount.reason);
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  const createModel = async (name: string) => {
    const response = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...adminHeaders },
      body: JSON.stringify({ query: 'mutation ($n: String!, $d: String) { createModel(input: { name: $n, description: $d }) { __typename } }', variables: { n: name, d: 'x'.repeat(2000) } }),
    });
    return { status: response.status, headers: response.headers, body: (await response.json()) as any };
  };
  const lastPosition = async () => String((await sql<{ p: string | null }>`select max(position)::text as p from events`.execute(store.db)).rows[0]!.p);
  const modelsNamed = async (name: string) => (await store.db.selectFrom('models').select('id').where('name', '=', name).execute()).length;

  it('answers STORAGE_FULL (507, retryable) when the database has no room, records nothing, and works again once room is made', async ({ skip }) => {
    if (mount.reason) {
      console.warn(`SKIPPED (full-database test): ${mount.reason}`);
      skip(mount.reason);
    }
    expect((await createModel('before-the-disk-fills')).body.data.createModel.__typename).toBe('CreateModelSuccess');
    // Everything the database may still take, taken: the next pages it needs cannot be had.
    const free = fs.statfsSync(mount.dir);
    fs.writeFileSync(filler(), Buffer.alloc(free.bavail * free.bsize));
    const logged = lines.length;
    let refused: Awaited<ReturnType<typeof createModel>> | undefined;
    let name = '';
    let before = '';
    // Pages the tables already have take a few more rows; the first that needs a new page is refused.
    for (let i = 0; i < 2000 && !refused; i++) {
      name = `filling-${i}`;
      before = await lastPosition();
      const r = await createModel(name);
      if (r.body.data?.createModel?.__typename !== 'CreateModelSuccess') refused = r;
    }
    expect(refused, 'the database never filled').toBeDefined();
    expect(refused!.status).toBe(507);
    expect(refused!.headers.get('retry-after')).toBe('60');
    expect(refused!.body.errors).toEqual([expect.objectContaining({ extensions: { code: 'STORAGE_FULL', retryable: true } })]);
    expect(JSON.stringify(refused!.body)).not.toMatch(/53100|could not extend|base\/|No space/i);
    expect(await lastPosition()).toBe(before);
    expect(await modelsNamed(name)).toBe(0);
    const since = lines.slice(logged);
    expect(since.filter((l) => l.level === 40)).toEqual([expect.objectContaining({ code: '53100' })]);
    expect(since.filter((l) => l.level >= 50)).toEqual([]);

    fs.rmSync(filler());
    const again = await createModel(name);
    expect(again.status).toBe(200);
    expect(again.body.data.createModel.__typename).toBe('CreateModelSuccess');
    expect(await modelsNamed(name)).toBe(1);
  });
});
