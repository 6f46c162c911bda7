// A server is bound before its database is open, and answers meanwhile: /health 200 `starting`, 503 with
// Retry-After for the rest. Shown on PostgreSQL, where the test can hold the opening (a TCP relay in front
// of the database that lets the server's connections through only when told to); then the same process
// becomes ready on the same port.
import { once } from 'node:events';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ADMIN_TOKEN, adminHeaders } from '../helpers/api.ts';
import { openTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { postGraphQL, type Started, startCairn, waitForOutput } from '../helpers/processes.ts';

/** A relay to PostgreSQL that holds every connection until released; resolves `connected` at the first one. */
async function holdingRelay(target: URL) {
  const sockets: net.Socket[] = [];
  const held: net.Socket[] = [];
  let released = false;
  let firstConnection!: () => void;
  const connected = new Promise<void>((resolve) => (firstConnection = resolve));
  const forward = (socket: net.Socket) => {
    const upstream = net.connect(Number(target.port || 5432), target.hostname);
    sockets.push(upstream);
    socket.on('error', () => upstream.destroy());
    upstream.on('error', () => socket.destroy());
    // What the server sent meanwhile (its start-up message) waits in the socket's buffer and goes first.
    socket.pipe(upstream).pipe(socket);
  };
  const relay = net.createServer((socket) => {
    sockets.push(socket);
    firstConnection();
    if (released) forward(socket);
    else held.push(socket);
  });
  await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
  const url = new URL(target);
  url.host = `127.0.0.1:${(relay.address() as net.AddressInfo).port}`;
  return {
    url: url.toString(),
    connected,
    release() {
      released = true;
      held.splice(0).forEach(forward);
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => relay.close(resolve));
    },
  };
}

let database: TestDatabase;
let relay: Awaited<ReturnType<typeof holdingRelay>>;
let cairn: Started | undefined;
/** Where the server keeps its files (blobs, the admin token): the database is PostgreSQL. */
let dataDir: string;

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-startup-'));
  database = await openTestDatabase('postgres', { migrated: false });
  relay = await holdingRelay(new URL(database.url!));
});
afterAll(async () => {
  cairn?.child.kill('SIGTERM');
  await cairn?.exited;
  await relay?.close();
  await database?.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

it('answers while the database opens, 503 with Retry-After but /health, then serves on the same port once it is open', { timeout: 180_000 }, async () => {
  cairn = startCairn('src/main.ts', { CAIRN_BOOTSTRAP_TOKEN: ADMIN_TOKEN, DATABASE_URL: relay.url, CAIRN_DATA_DIR: dataDir, CAIRN_BLOB_STORE: '', PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info' });
  const [output] = await Promise.all([waitForOutput(cairn, /"listening":\d+/), relay.connected]);
  const url = `http://127.0.0.1:${/"listening":(\d+)/.exec(output)![1]}`;

  // The database is being opened now, and stays so until released.
  const health = await fetch(`${url}/health`);
  expect([health.status, await health.json()]).toEqual([200, { status: 'starting' }]);
  const ready = await fetch(`${url}/ready`);
  expect([ready.status, ready.headers.get('retry-after'), await ready.json()]).toEqual([503, '1', { status: 'starting' }]);
  const graphql = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...adminHeaders },
    body: JSON.stringify({ query: '{ formats }' }),
  });
  expect([graphql.status, graphql.headers.get('retry-after'), await graphql.json()]).toEqual([
    503,
    '1',
    { errors: [{ message: 'Cairn is starting: the database is being opened; try again shortly', extensions: { code: 'SERVICE_UNAVAILABLE', retryable: true } }] },
  ]);
  // A large body is not read, only drained: the answer reaches a client that writes it all before reading.
  const large = await fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', ...adminHeaders }, body: 'x'.repeat(1024 * 1024) });
  expect([large.status, (await large.json()).errors[0].extensions.code]).toEqual([503, 'SERVICE_UNAVAILABLE']);
  // A client that asks first (`Expect: 100-continue`) is answered at once, never told to send its body.
  const asked = http.request(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'multipart/form-data; boundary=b', expect: '100-continue', ...adminHeaders } });
  asked.flushHeaders();
  const first = await Promise.race([once(asked, 'continue').then(() => 'continue'), once(asked, 'response').then(([r]) => (r as http.IncomingMessage).statusCode)]);
  asked.destroy();
  expect(first).toBe(503);
  const download = await fetch(`${url}/files/m/1/pkl`, { headers: adminHeaders });
  expect([download.status, download.headers.get('retry-after'), (await download.json()).code]).toEqual([503, '1', 'SERVICE_UNAVAILABLE']);
  expect(cairn.output()).not.toMatch(/"port":\d+/);
  expect(cairn.child.exitCode).toBeNull();
  // Nothing has reached the database yet, nor the data directory (the admin token is written once it is open).
  expect(fs.readdirSync(dataDir)).toEqual([]);
  const tables = await sql<{ n: number }>`select count(*)::int as n from information_schema.tables where table_schema = 'public'`.execute(database.db);
  expect(tables.rows[0]!.n).toBe(0);

  relay.release();
  const readyLine = await waitForOutput(cairn, /"port":\d+/);
  expect(/"port":(\d+)/.exec(readyLine)![1]).toBe(new URL(url).port);
  const readyNow = await fetch(`${url}/ready`);
  expect([readyNow.status, await readyNow.json()]).toEqual([200, { status: 'ready' }]);
  expect(await (await fetch(`${url}/health`)).json()).toEqual({ status: 'ok' });
  const { status, body } = await postGraphQL(url, '{ formats }');
  expect([status, body]).toEqual([200, { data: { formats: ['pkl', 'rda', 'pmml'] } }]);
});
