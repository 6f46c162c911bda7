// GET /admin/export before hostile and careless callers, one field of the request at a time (no token, a bad,
// revoked or unprivileged one, another context, other methods and paths), two at once, one that goes away
// mid-archive; and the archive's consistency while writers run beside it: one snapshot, every blob it
// references present, whatever was deleted meanwhile.
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import fs from 'node:fs';
import http, { type IncomingMessage } from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BLOB_PREFIX, EVENTS } from '../../src/archive/format.ts';
import { importArchive } from '../../src/archive/import.ts';
import { readArchive } from '../../src/archive/read.ts';
import { collectGarbage, verifyBlobs } from '../../src/files/blobReferences.ts';
import { createFileSystemBlobStore } from '../../src/files/fileSystemBlobStore.ts';
import { createLogger } from '../../src/logger.ts';
import type { RecordedEvent } from '../../src/domain/model/events.ts';
import type { ArchivedEventRow } from '../../src/store/archive.ts';
import { toRecordedEvent } from '../../src/store/eventLog.ts';
import { exportRunning } from '../../src/store/exportLeases.ts';
import { ADMIN_TOKEN } from '../helpers/api.ts';
import { openTestDatabase } from '../helpers/database.ts';
import { givenContext, givenFormat, givenModel, givenPrincipal, type Served, serveTestApi } from '../helpers/fixtures.ts';
import { readModelRows, rowsFromFold } from '../helpers/readModels.ts';

/** Log lines of the served app, each handed to whoever waits for one like it. */
const logWaiters: { pattern: RegExp; resolve: (line: string) => void }[] = [];
const logger = createLogger('info', {
  write(line: string) {
    for (const w of [...logWaiters]) {
      if (!w.pattern.test(line)) continue;
      logWaiters.splice(logWaiters.indexOf(w), 1);
      w.resolve(line);
    }
  },
});
/** The next log line matching `pattern`, from now on: ask before causing it. */
const nextLog = (pattern: RegExp) => new Promise<string>((resolve) => logWaiters.push({ pattern, resolve }));

let s: Served;
/** A blob far larger than the sockets' buffers: an export of it is still being written when its first bytes arrive. */
let bigSha: string;

beforeAll(async () => {
  // A client paused for a while (the writers below run meanwhile) is not taken for one that stopped reading.
  s = await serveTestApi({ logger, env: { CAIRN_BODY_TIMEOUT_MS: '300000' } });
  const big = await givenModel(s, { versions: 1 });
  bigSha = await givenFormat(s, big, 1, new Uint8Array(randomBytes(24 * 1024 * 1024)));
}, 120_000);
afterAll(() => s?.close());

const exportUrl = (suffix = '') => `${s.url}/admin/export${suffix}`;
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** What no answer to a caller may hold: a stack frame, SQL, or a path of this machine's. */
function expectNothingLeaked(body: string): void {
  expect(body).not.toMatch(/\bat .+:\d+:\d+/);
  expect(body).not.toMatch(/\.ts\b|node_modules/);
  expect(body).not.toMatch(/\b(select|insert into|delete from|update \w+ set)\b/i);
  expect(body).not.toContain(process.cwd());
  expect(body).not.toContain(os.tmpdir());
}

/** A refusal's answer: JSON with an error and a code, nothing leaked, and never a tar. */
async function refusal(response: Response): Promise<{ status: number; error: string; code: string }> {
  expect(response.headers.get('content-type')).not.toBe('application/x-tar');
  const text = await response.text();
  expectNothingLeaked(text);
  const body = JSON.parse(text) as { error: string; code: string };
  expect(typeof body.error).toBe('string');
  expect(body.error.length).toBeGreaterThan(0);
  return { status: response.status, error: body.error, code: body.code };
}

/** An export asked for with node:http: resolves at its first chunk, then paused; the rest is read on demand. */
async function startExport(headers: Record<string, string> = bearer(ADMIN_TOKEN)) {
  const request = http.get(exportUrl(), { headers });
  const [res] = (await once(request, 'response')) as [IncomingMessage];
  const first = await new Promise<Buffer>((resolve, reject) => {
    res.once('data', (chunk: Buffer) => {
      res.pause();
      resolve(chunk);
    });
    res.once('error', reject);
  });
  return {
    res,
    first,
    /** Reads the archive to its end; the whole of it, the first chunk included. */
    async rest(): Promise<Buffer> {
      const chunks = [first];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      const ended = once(res, 'end');
      res.resume();
      await ended;
      return Buffer.concat(chunks);
    },
    /** Goes away: the connection closes mid-archive. */
    abort: () => request.destroy(),
  };
}

describe('who may export', () => {
  it('no token: 401 with a body that says so, and a challenge', async () => {
    const response = await fetch(exportUrl());
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toMatch(/^Bearer/);
    const r = await refusal(response);
    expect(r.code).toBe('UNAUTHENTICATED');
  });

  it('a token no one was given: 401', async () => {
    expect((await refusal(await fetch(exportUrl(), { headers: bearer('cairn_not_a_token_of_anyone_0000000000') }))).status).toBe(401);
    // Not a bearer token at all.
    expect((await refusal(await fetch(exportUrl(), { headers: { authorization: 'Basic YWRtaW46YWRtaW4=' } }))).status).toBe(401);
  });

  it("a superuser's token revoked through GraphQL is refused 401 at once", async () => {
    const me = await s.asAdmin('{ me { principal { id } } }');
    const made = await s.asAdmin('mutation ($i: CreateTokenInput!) { createToken(input: $i) { ... on CreateTokenSuccess { secret token { id } } ... on Error { code message } } }', {
      i: { principalId: me.me.principal.id, name: 'export-then-revoked' },
    });
    const { secret, token } = made.createToken;
    // It exports while it is live (the archive itself is not wanted here).
    const before = await fetch(exportUrl(), { headers: bearer(secret) });
    expect(before.status).toBe(200);
    expect(before.headers.get('content-type')).toBe('application/x-tar');
    const finished = nextLog(/"msg":"export (finished|stopped)/);
    await before.body!.cancel();
    await finished;
    const revoked = await s.asAdmin('mutation ($id: ID!) { revokeToken(id: $id) { __typename ... on Error { code message } } }', { id: token.id });
    expect(revoked.revokeToken.__typename).toBe('RevokeTokenSuccess');
    expect((await refusal(await fetch(exportUrl(), { headers: bearer(secret) }))).status).toBe(401);
  });

  it("a context's administrator who is no superuser: 403, in the context they administer and without one", async () => {
    const context = await givenContext(s);
    const admin = await givenPrincipal(s, 'admin', { context: context.name });
    // An administrator indeed: they may manage principals there.
    const { body } = await s.gql(admin.secret, '{ me { roles } }', {}, context.name);
    expect(JSON.stringify(body.data.me.roles)).toMatch(/admin/i);
    for (const headers of [bearer(admin.secret), { ...bearer(admin.secret), 'x-cairn-context': context.name }, { ...bearer(admin.secret), 'x-cairn-context': context.id }]) {
      const r = await refusal(await fetch(exportUrl(), { headers }));
      expect(r).toMatchObject({ status: 403, code: 'FORBIDDEN' });
      expect(r.error).toMatch(/superuser/);
    }
  });

  it('X-Cairn-Context naming another or an unknown context, as a non-superuser: no archive', async () => {
    const mine = await givenContext(s);
    const theirs = await givenContext(s);
    const editor = await givenPrincipal(s, 'admin', { context: mine.name });
    for (const context of [theirs.name, theirs.id, 'no-such-context', '00000000-0000-4000-8000-000000000000', '../default', 'x'.repeat(10_000)]) {
      const r = await refusal(await fetch(exportUrl(), { headers: { ...bearer(editor.secret), 'x-cairn-context': context } }));
      expect(r.status).toBeGreaterThanOrEqual(400);
      expect(r.status).toBeLessThan(500);
    }
  });

  it('query junk changes nothing: an administrator gets the archive, anyone else the same refusal', async () => {
    const junk = '?superuser=true&context=default&format=../../etc/passwd&__proto__[x]=1&%ff=%00';
    const viewer = await givenPrincipal(s, 'viewer');
    const plain = await refusal(await fetch(exportUrl(), { headers: bearer(viewer.secret) }));
    expect(plain.status).toBe(403);
    expect(await refusal(await fetch(exportUrl(junk), { headers: bearer(viewer.secret) }))).toEqual(plain);
    expect(await refusal(await fetch(exportUrl(junk)))).toEqual(await refusal(await fetch(exportUrl())));
    const finished = nextLog(/"msg":"export finished/);
    const response = await fetch(exportUrl(junk), { headers: bearer(ADMIN_TOKEN) });
    expect(response.status).toBe(200);
    const archive = Buffer.from(await response.arrayBuffer());
    await finished;
    const summary = await readArchive(Readable.from([archive]));
    expect(summary.blobs).toBeGreaterThanOrEqual(1);
  });
});

describe('methods and paths', () => {
  it('POST, PUT and HEAD: 405 with allow: GET', async () => {
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH']) {
      const response = await fetch(exportUrl(), { method, headers: bearer(ADMIN_TOKEN) });
      expect(response.status, method).toBe(405);
      expect(response.headers.get('allow')).toBe('GET');
      expect((await refusal(response)).code).toBe('METHOD_NOT_ALLOWED');
    }
    const head = await fetch(exportUrl(), { method: 'HEAD', headers: bearer(ADMIN_TOKEN) });
    expect(head.status).toBe(405);
    expect(head.headers.get('allow')).toBe('GET');
  });

  it('a POST with a body still gets its answer (the body is drained), and so does the next request on its connection', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const body = randomBytes(1024 * 1024);
      const answer = await new Promise<{ status: number; allow: string | undefined; text: string }>((resolve, reject) => {
        const request = http.request(exportUrl(), { method: 'POST', agent, headers: { ...bearer(ADMIN_TOKEN), 'content-type': 'application/octet-stream', 'content-length': body.length } }, (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (d: string) => (text += d));
          res.on('end', () => resolve({ status: res.statusCode!, allow: res.headers.allow, text }));
        });
        request.on('error', reject);
        request.end(body);
      });
      expect(answer).toMatchObject({ status: 405, allow: 'GET' });
      expectNothingLeaked(answer.text);
      const next = await new Promise<number>((resolve, reject) => {
        http.get(`${s.url}/health`, { agent }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode!));
        }).on('error', reject);
      });
      expect(next).toBe(200);
    } finally {
      agent.destroy();
    }
  });

  it('/admin/export%00: 400; /admin/export/ and /admin/Export: 404', async () => {
    expect((await refusal(await fetch(exportUrl('%00'), { headers: bearer(ADMIN_TOKEN) }))).status).toBe(400);
    for (const p of ['/admin/export/', '/admin/Export', '/ADMIN/EXPORT', '/admin/export.tar', '/admin//export']) {
      const response = await fetch(`${s.url}${p}`, { headers: bearer(ADMIN_TOKEN) });
      expect(response.status, p).toBe(404);
      expect(response.headers.get('content-type'), p).not.toBe('application/x-tar');
      expectNothingLeaked(await response.text());
    }
  });
});

describe('the answer', () => {
  it('application/x-tar, no-store, and a Content-Length that is exactly the bytes sent', async () => {
    const finished = nextLog(/"msg":"export finished/);
    const response = await fetch(exportUrl(), { headers: bearer(ADMIN_TOKEN) });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/x-tar');
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('content-disposition')).toMatch(/^attachment; filename="cairn-export-[0-9TZ-]+\.tar"$/);
    const archive = Buffer.from(await response.arrayBuffer());
    await finished;
    expect(archive.length).toBe(Number(response.headers.get('content-length')));
    const summary = await readArchive(Readable.from([archive]));
    expect(summary.manifest.members.map((m) => m.name)).toContain(`${BLOB_PREFIX}${bigSha}`);
  });
});

describe('one export at a time, and a client that goes away', () => {
  it('a second export while one streams: 429 with retry-after; the first completes whole', async () => {
    const first = await startExport();
    expect(first.res.statusCode).toBe(200);
    const second = await fetch(exportUrl(), { headers: bearer(ADMIN_TOKEN) });
    expect(second.status).toBe(429);
    expect(second.headers.get('retry-after')).toMatch(/^\d+$/);
    expect((await refusal(second)).code).toBe('TOO_MANY_REQUESTS');
    const finished = nextLog(/"msg":"export finished/);
    const archive = await first.rest();
    await finished;
    expect(archive.length).toBe(Number(first.res.headers['content-length']));
    expect((await readArchive(Readable.from([archive]))).blobs).toBeGreaterThanOrEqual(1);
  });

  it('a client gone mid-export: the lease is given back, the server still serves, and the next export runs', async () => {
    const running = await startExport();
    // While it streams, it holds a lease.
    expect(await exportRunning(s.api.t.db)).toBe(true);
    const stopped = nextLog(/"msg":"export stopped: the client went away/);
    running.abort();
    await stopped;
    expect(await exportRunning(s.api.t.db)).toBe(false);
    expect(await s.api.t.db.selectFrom('export_leases').select('id').execute()).toEqual([]);
    const answered = await s.asAdmin('{ models(first: 5) { edges { node { id } } } }');
    expect(answered.models.edges.length).toBeGreaterThanOrEqual(1);
    // Not 429: the slot was given back with the lease.
    const finished = nextLog(/"msg":"export finished/);
    const next = await fetch(exportUrl(), { headers: bearer(ADMIN_TOKEN) });
    expect(next.status).toBe(200);
    expect(Buffer.from(await next.arrayBuffer()).length).toBe(Number(next.headers.get('content-length')));
    await finished;
  });
  it('a client gone as soon as it has asked (before the archive begins): the export stops and gives its lease back', async () => {
    const { port, hostname } = new URL(s.url);
    const socket = net.connect(Number(port), hostname);
    await once(socket, 'connect');
    const stopped = nextLog(/"msg":"export stopped: the client went away/);
    socket.end(`GET /admin/export HTTP/1.1\r\nhost: cairn.test\r\nauthorization: Bearer ${ADMIN_TOKEN}\r\n\r\n`);
    socket.destroy();
    await stopped;
    expect(await exportRunning(s.api.t.db)).toBe(false);
    const finished = nextLog(/"msg":"export finished/);
    const next = await fetch(exportUrl(), { headers: bearer(ADMIN_TOKEN) });
    expect(next.status).toBe(200);
    await next.arrayBuffer();
    await finished;
  });
});

describe('consistency while writers run', () => {
  const DELETE_VERSION = 'mutation ($id: ID!, $n: Int!) { deleteVersion(modelId: $id, number: $n) { __typename ... on Error { code message } } }';
  const write = async (query: string, variables: Record<string, unknown>) => {
    const data = await s.asAdmin(query, variables);
    const result = Object.values(data)[0] as { __typename: string; message?: string };
    expect(result.__typename, JSON.stringify(result)).toMatch(/Success$/);
  };
  const createVersion = (id: string) => write('mutation ($id: ID!) { createVersion(input: { modelId: $id }) { __typename ... on Error { code message } } }', { id });
  const deleteVersion = (id: string, n: number) => write(DELETE_VERSION, { id, n });
  const deleteModel = (id: string) => write('mutation ($id: ID!) { deleteModel(id: $id) { __typename ... on Error { code message } } }', { id });
  const bytes = (n: number) => new Uint8Array(randomBytes(n));

  let targetDir: string;
  afterAll(() => targetDir && fs.rmSync(targetDir, { recursive: true, force: true }));

  it('the archive is one snapshot with every blob it references, and a deletion meanwhile leaves its blob to the next collection', async () => {
    const kept = await givenModel(s, { versions: 2 });
    const keptShas = [await givenFormat(s, kept, 1, bytes(50_000)), await givenFormat(s, kept, 2, bytes(40_000))];
    const doomed = await givenModel(s, { versions: 1 });
    const doomedSha = await givenFormat(s, doomed, 1, bytes(60_000));
    const replacedModel = await givenModel(s, { versions: 1 });
    const replacedSha = await givenFormat(s, replacedModel, 1, bytes(30_000));

    const running = await startExport();
    // The snapshot is taken before the first byte: what follows is after it. While the archive is held back:
    await deleteModel(doomed.id);
    await deleteVersion(kept.id, 2);
    const replacement = await givenFormat(s, replacedModel, 1, bytes(30_000));
    await createVersion(kept.id);
    await givenFormat(s, kept, 3, bytes(20_000));
    // The deleted model's blob, and the replaced format's old one, are still in the store: the export holds its lease.
    for (const sha of [doomedSha, replacedSha, keptShas[1]!]) expect(await s.api.app.blobs.stat(sha), sha).not.toBeNull();

    // And while it streams, writers on every side of it.
    const writer = async (round: number) => {
      for (let i = 0; i < 3; i++) {
        const m = await givenModel(s, { versions: 2 });
        await givenFormat(s, m, 1, bytes(10_000 + round * 100 + i));
        await givenFormat(s, m, 2, bytes(12_000 + round * 100 + i));
        await givenFormat(s, m, 1, bytes(11_000 + round * 100 + i));
        await deleteVersion(m.id, 2);
        if (i % 2 === 1) await deleteModel(m.id);
      }
    };
    const [archive] = await Promise.all([running.rest(), writer(1), writer(2), writer(3)]);
    expect(archive.length).toBe(Number(running.res.headers['content-length']));

    // It reads whole, with every blob the snapshot's live formats referenced, those deleted since included.
    const events: ArchivedEventRow[] = [];
    const summary = await readArchive(Readable.from([archive]), { events: async (rows) => void events.push(...rows) });
    const members = new Set(summary.manifest.members.map((m) => m.name));
    for (const sha of [doomedSha, replacedSha, ...keptShas]) expect(members.has(`${BLOB_PREFIX}${sha}`), sha).toBe(true);
    expect(members.has(`${BLOB_PREFIX}${replacement}`)).toBe(false);
    expect(members.has(EVENTS)).toBe(true);

    // Imported into a new database, every live format has its blob, and the models are the fold of the archive's events.
    const target = await openTestDatabase();
    targetDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-export-target-'));
    const targetBlobs = createFileSystemBlobStore(path.join(targetDir, 'blobs'));
    try {
      const imported = await importArchive(target.store, targetBlobs, Readable.from([archive]));
      expect(imported.events).toBe(summary.events);
      const problems: string[] = [];
      const verified = await verifyBlobs(target.db, targetBlobs, (ref) => problems.push(`${ref.modelId} ${ref.number} ${ref.format}`));
      expect(problems).toEqual([]);
      expect(verified.problems).toBe(0);
      expect(verified.formats).toBeGreaterThanOrEqual(4);
      const modelEvents: RecordedEvent[] = events.filter((e) => e.stream_type === 'model').map((e) => toRecordedEvent({ ...e, recorded_at: new Date(e.recorded_at) } as never));
      const rows = await readModelRows(target.db);
      expect(rows).toEqual(rowsFromFold(modelEvents));
      expect(rows.models.map((m) => m.id)).toContain(doomed.id);
    } finally {
      await target.close();
    }

    // The lease is gone with the export: the next collection takes the blobs deleted meanwhile.
    expect(await exportRunning(s.api.t.db)).toBe(false);
    expect(await s.api.app.blobs.stat(doomedSha)).not.toBeNull();
    const collected = await collectGarbage(s.api.t.db, s.api.app.blobs);
    expect(collected.blobs).toBeGreaterThanOrEqual(3);
    for (const sha of [doomedSha, replacedSha, keptShas[1]!]) expect(await s.api.app.blobs.stat(sha), sha).toBeNull();
    expect(await s.api.app.blobs.stat(keptShas[0]!)).not.toBeNull();
    expect(await s.api.app.blobs.stat(replacement)).not.toBeNull();
  }, 180_000);
});
