// `npm run verify`, `npm run gc` and `npm run rebuild` run as an operator runs them: as scripts, in processes
// of their own, against the database and blob store a Cairn server uses. On PostgreSQL beside the running
// server; on PGlite once it has stopped (the data directory is the server's while it runs).
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { createS3BlobStore } from '../../src/files/s3BlobStore.ts';
import { lockDataDir } from '../../src/store/dataDirLock.ts';
import { openStore } from '../../src/store/open.ts';
import { ADMIN_TOKEN, adminHeaders } from '../helpers/api.ts';
import { openTestDatabase, type TestDatabase, testDatabaseKind } from '../helpers/database.ts';
import { postMultipart } from '../helpers/multipart.ts';
import { postGraphQL, runScript, type ScriptRun, type Started, startCairn, waitForOutput } from '../helpers/processes.ts';
import { readModelRows } from '../helpers/readModels.ts';
import { type LocalS3, startLocalS3 } from '../helpers/s3.ts';

const onPostgres = testDatabaseKind === 'postgres';
/** A server start on a fresh PGlite (initdb) and a few uploads, with both cores busy: a bound, not a target. */
const SETUP_MS = 180_000;

const lines = (text: string) => text.split('\n').filter(Boolean);
const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');

/** A Cairn server process on a database of its own (PostgreSQL, or PGlite in `dataDir`) and the environment that points the scripts at it. */
async function givenInstallation(extraEnv: Record<string, string> = {}) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-ops-'));
  const database: TestDatabase | null = onPostgres ? await openTestDatabase('postgres') : null;
  // Set explicitly: nothing of the test runner's own environment may point the scripts elsewhere.
  const env = { DATABASE_URL: database?.url ?? '', CAIRN_DATA_DIR: dataDir, CAIRN_BLOB_STORE: '', ...extraEnv };
  // No deadline of its own: the hook's SETUP_MS bounds the wait (initdb with both cores busy is slow).
  const server = startCairn('src/main.ts', { CAIRN_BOOTSTRAP_TOKEN: ADMIN_TOKEN, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env });
  const url = `http://127.0.0.1:${/"port":(\d+)/.exec(await waitForOutput(server, /"port":\d+/))![1]}`;
  let running: Started | null = server;
  return {
    dataDir,
    env,
    url,
    blobPath: (sha: string) => path.join(dataDir, 'blobs', 'sha256', sha.slice(0, 2), sha),
    /** The database as the server sees it, opened in this process (PGlite: only while the server is stopped). */
    async withStore<T>(use: (db: Awaited<ReturnType<typeof openStore>>['db']) => Promise<T>): Promise<T> {
      const store = await openStore(loadConfig(env));
      try {
        return await use(store.db);
      } finally {
        await store.close();
      }
    },
    async stopServer() {
      if (!running) return;
      const stopping = running;
      running = null;
      stopping.child.kill('SIGTERM');
      await stopping.exited;
    },
    async close() {
      await this.stopServer();
      await database?.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
type Installation = Awaited<ReturnType<typeof givenInstallation>>;

const UPLOAD = `mutation ($input: UploadFormatInput!) {
  uploadFormat(input: $input) { __typename ... on UploadFormatSuccess { format { sha256 downloadUrl } } ... on Error { code message } } }`;

async function givenVersion(url: string, name: string): Promise<string> {
  const m = await postGraphQL(url, 'mutation ($n: String!) { createModel(input: { name: $n }) { ... on CreateModelSuccess { model { id } } } }', { n: name });
  const id = m.body.data.createModel.model.id as string;
  const v = await postGraphQL(url, 'mutation ($id: ID!) { createVersion(input: { modelId: $id }) { __typename } }', { id });
  expect(v.body.data.createVersion.__typename).toBe('CreateVersionSuccess');
  return id;
}

async function upload(url: string, modelId: string, format: string, data: Uint8Array<ArrayBuffer>): Promise<string> {
  const { body } = await postMultipart(`${url}/graphql`, UPLOAD, { input: { modelId, number: 1, format, file: null, sha256: sha256(data) } }, [
    { path: 'variables.input.file', data, name: `model.${format}` },
  ]);
  expect(body.data.uploadFormat.__typename).toBe('UploadFormatSuccess');
  return body.data.uploadFormat.format.downloadUrl;
}

/**
 * Three models: `first` with a pkl and an rda, `second` with a pkl, `third` with a pkl of the same bytes as
 * first's (one blob, two formats). Returns the models and the four files.
 */
async function givenModels(url: string) {
  const files = { shared: new Uint8Array(randomBytes(40_000)), rda: new Uint8Array(randomBytes(30_000)), second: new Uint8Array(randomBytes(20_000)) };
  const first = await givenVersion(url, 'ops-first');
  const second = await givenVersion(url, 'ops-second');
  const third = await givenVersion(url, 'ops-third');
  const sharedUrl = await upload(url, first, 'pkl', files.shared);
  await upload(url, first, 'rda', files.rda);
  await upload(url, second, 'pkl', files.second);
  await upload(url, third, 'pkl', files.shared);
  return { first, second, third, files, sharedUrl };
}

/** One line of `npm run verify` for this format: `model <id> version <n> format <f>: <what>`. */
const problemLine = (modelId: string, format: string, what: string) => new RegExp(`^model ${modelId} version 1 format ${format}: ${what}\\b`);

/** What verify says once the first model's rda blob is gone and the second's pkl has other bytes: exit 1, those two lines alone. */
function expectMissingAndDamaged(run: ScriptRun, given: { first: string; second: string }): void {
  expect(run.code).toBe(1);
  const found = lines(run.stdout);
  expect(found).toHaveLength(2);
  expect(found.find((l) => l.includes(given.first))).toMatch(problemLine(given.first, 'rda', 'missing'));
  expect(found.find((l) => l.includes(given.second))).toMatch(problemLine(given.second, 'pkl', 'wrong sha256'));
}

describe(`the operations scripts on ${testDatabaseKind}, file-system blob store`, { timeout: SETUP_MS }, () => {
  let cairn: Installation;
  let given: Awaited<ReturnType<typeof givenModels>>;

  beforeAll(async () => {
    cairn = await givenInstallation();
    given = await givenModels(cairn.url);
  }, SETUP_MS);
  afterAll(async () => {
    await cairn?.close();
  });

  if (onPostgres) {
    it('verify runs beside the running server, without the data directory lock, and finds every blob whole: exit 0, one summary line', async () => {
      // Held by this process for the whole run: a verify that took it would be refused.
      const lock = lockDataDir(cairn.dataDir);
      let run: ScriptRun;
      try {
        run = await runScript('verify', cairn.env);
      } finally {
        lock.release();
      }
      expect(run).toMatchObject({ code: 0, stderr: '' });
      expect(lines(run.stdout)).toEqual([expect.stringMatching(/^All 4 formats \(3 blobs, [\d.]+ MiB read\)/)]);
      // The server served throughout.
      expect((await fetch(`${cairn.url}${given.sharedUrl}`, { headers: adminHeaders })).status).toBe(200);
    });
  } else {
    it('verify refuses to open the data directory while the server runs, saying why, then finds every blob whole once it has stopped', async () => {
      const refused = await runScript('verify', cairn.env);
      expect(refused.code).toBe(1);
      expect(refused.stdout).toBe('');
      expect(lines(refused.stderr)).toEqual([expect.stringContaining(cairn.dataDir)]);
      expect(refused.stderr).toMatch(/stop/i);

      await cairn.stopServer();
      const run = await runScript('verify', cairn.env);
      expect(run).toMatchObject({ code: 0, stderr: '' });
      expect(lines(run.stdout)).toEqual([expect.stringMatching(/^All 4 formats \(3 blobs, [\d.]+ MiB read\)/)]);
    });
  }

  it('verify opens the database read-only: the database itself refuses any write', async () => {
    const store = await openStore(loadConfig(cairn.env), { readOnly: true });
    try {
      await expect(store.db.selectFrom('formats').select('sha256').execute()).resolves.toHaveLength(4);
      await expect(store.db.insertInto('contexts').values({ name: 'written-by-verify' } as never).execute()).rejects.toThrow(/read-only transaction/);
    } finally {
      await store.close();
    }
  });

  it('verify names each format whose blob is missing or damaged, one line each, and exits 1', async () => {
    fs.rmSync(cairn.blobPath(sha256(given.files.rda)));
    // The same size, other bytes: only the hash can tell.
    fs.writeFileSync(cairn.blobPath(sha256(given.files.second)), randomBytes(given.files.second.length));
    const run = await runScript('verify', cairn.env);
    expectMissingAndDamaged(run, given);
    expect(lines(run.stderr)).toEqual([expect.stringMatching(/^2 of 4 formats/)]);
  });

  it('verify tells a blob of the wrong size from one with the wrong bytes', async () => {
    fs.appendFileSync(cairn.blobPath(sha256(given.files.second)), 'x');
    const run = await runScript('verify', cairn.env);
    expect(run.code).toBe(1);
    expect(lines(run.stdout).find((l) => l.includes(given.second))).toMatch(
      problemLine(given.second, 'pkl', `wrong size: the blob store has ${given.files.second.length + 1} bytes, the format records ${given.files.second.length}`),
    );
  });

  it('gc removes a blob no format references, says so, and keeps the referenced ones', async () => {
    const stray = new Uint8Array(randomBytes(1000));
    fs.mkdirSync(path.dirname(cairn.blobPath(sha256(stray))), { recursive: true });
    fs.writeFileSync(cairn.blobPath(sha256(stray)), stray);
    const run = await runScript('gc', cairn.env);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(lines(run.stdout)).toEqual([expect.stringMatching(/ 1 unreferenced blobs\.$/)]);
    expect(fs.existsSync(cairn.blobPath(sha256(stray)))).toBe(false);
    expect(fs.existsSync(cairn.blobPath(sha256(given.files.shared)))).toBe(true);
    expect(fs.existsSync(cairn.blobPath(sha256(given.files.second)))).toBe(true);
  });

  it('rebuild replays every event and leaves the read models as they were', async () => {
    const before = await cairn.withStore(async (db) => ({
      rows: await readModelRows(db),
      events: Number((await db.selectFrom('events').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n),
    }));
    expect(before.rows.formats).toHaveLength(4);
    const run = await runScript('rebuild', cairn.env);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(lines(run.stdout)).toEqual([expect.stringMatching(new RegExp(`^Rebuilt the read models from ${before.events} events`))]);
    expect(await cairn.withStore(readModelRows)).toEqual(before.rows);
  });
});

describe(`verify on ${testDatabaseKind} with the S3 blob store`, { timeout: SETUP_MS }, () => {
  let s3: LocalS3;
  let cairn: Installation;
  let given: Awaited<ReturnType<typeof givenModels>>;

  beforeAll(async () => {
    s3 = await startLocalS3();
    cairn = await givenInstallation(s3.env);
    given = await givenModels(cairn.url);
    if (!onPostgres) await cairn.stopServer();
  }, SETUP_MS);
  afterAll(async () => {
    await cairn?.close();
    await s3?.close();
  });

  it('finds every blob in the bucket whole, then names the one deleted and the one overwritten', async () => {
    const clean = await runScript('verify', cairn.env);
    expect(clean).toMatchObject({ code: 0, stderr: '' });
    expect(lines(clean.stdout)).toEqual([expect.stringMatching(/^All 4 formats \(3 blobs/)]);

    const store = createS3BlobStore({ url: s3.env.CAIRN_BLOB_STORE!, endpoint: s3.endpoint, region: 'us-east-1' });
    await store.delete(sha256(given.files.rda));
    const second = sha256(given.files.second);
    // Where the store keeps a blob: <prefix>/sha256/<first two hex digits>/<sha256>.
    await store.client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: `blobs/sha256/${second.slice(0, 2)}/${second}`, Body: randomBytes(given.files.second.length) }));
    const run = await runScript('verify', cairn.env);
    expectMissingAndDamaged(run, given);
  });
});
