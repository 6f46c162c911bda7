import { createHash } from 'node:crypto';
import { once } from 'node:events';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { adminHeaders } from '../helpers/api.ts';
import { openTestDatabase, type TestDatabase, testDatabaseKind } from '../helpers/database.ts';
import { postGraphQL, type Started, startServer, waitForOutput } from '../helpers/processes.ts';

// SIGTERM: the process stops accepting connections, lets the requests in flight finish (an upload still
// arriving included) within its grace period, then exits 0; what they did is there after a restart.
let t: TestDatabase | undefined;
let dataDir: string;
const running: Started[] = [];

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-stop-'));
  if (testDatabaseKind === 'postgres') t = await openTestDatabase('postgres');
});
afterAll(async () => {
  for (const s of running) s.child.kill('SIGKILL');
  await t?.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

async function start(extra: Record<string, string> = {}): Promise<{ server: Started; url: string }> {
  const started = await startServer({ CAIRN_DATA_DIR: dataDir, DATABASE_URL: t?.url ?? '', ...extra });
  running.push(started.server);
  return started;
}

const gql = async (url: string, query: string) => (await postGraphQL(url, query)).body;

/**
 * A multipart upload sent slowly, by hand: the test decides when each piece goes. It asks first
 * (`Expect: 100-continue`), and resolves once the server has said "100 Continue": from then on the server
 * has the request, in flight.
 */
async function slowUpload(url: string, modelId: string) {
  const boundary = 'cairnboundary';
  const operations = JSON.stringify({
    query: `mutation ($file: Upload!) { uploadFormat(input: { modelId: "${modelId}", number: 1, format: "pkl", file: $file }) { __typename ... on UploadFormatSuccess { format { sha256 size } } ... on Error { code } } }`,
    variables: { file: null },
  });
  const request = http.request(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}`, expect: '100-continue', ...adminHeaders },
  });
  const response = new Promise<{ status: number; body: any }>((resolve, reject) => {
    request.on('response', (res) => {
      let text = '';
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(text) }));
    });
    request.on('error', reject);
  });
  request.flushHeaders();
  await Promise.race([
    once(request, 'continue'),
    response.then((r) => Promise.reject(new Error(`answered instead of continuing: ${JSON.stringify(r)}`))),
  ]);
  request.write(
    `--${boundary}\r\nContent-Disposition: form-data; name="operations"\r\n\r\n${operations}\r\n` +
      `--${boundary}\r\nContent-Disposition: form-data; name="map"\r\n\r\n{"0":["variables.file"]}\r\n` +
      `--${boundary}\r\nContent-Disposition: form-data; name="0"; filename="slow.pkl"\r\nContent-Type: application/octet-stream\r\n\r\n`,
  );
  return {
    response,
    write: (chunk: Buffer) => new Promise<void>((resolve) => request.write(chunk, () => resolve())),
    end: () => request.end(`\r\n--${boundary}--\r\n`),
  };
}

// Not synchronisation: the stall between pieces of a slow upload, which must be finished all the same.
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

it('finishes an upload in flight after SIGTERM, refuses new connections, and exits 0', async () => {
  const first = await start();
  const created = await gql(first.url, 'mutation { createModel(input: { name: "graceful" }) { ... on CreateModelSuccess { model { id } } } }');
  const id = created.data.createModel.model.id;
  await gql(first.url, `mutation { createVersion(input: { modelId: "${id}" }) { __typename } }`);

  const upload = await slowUpload(first.url, id);
  const chunk = Buffer.alloc(1024 * 1024, 3);
  const hash = createHash('sha256');
  for (let i = 0; i < 2; i++) {
    await upload.write(chunk);
    hash.update(chunk);
  }
  first.server.child.kill('SIGTERM');
  // Said once the listener is closed (not the "stopping" line, said before it is).
  await waitForOutput(first.server, /"msg":"no new connections/);

  // No new connections once stopping: refused, not answered. Asked with a new TCP connection: fetch could
  // reuse a pooled keep-alive socket the server has just closed ("other side closed"), which says nothing.
  const { hostname, port } = new URL(first.url);
  await expect(
    new Promise((resolve, reject) => net.connect(Number(port), hostname).once('connect', resolve).once('error', reject)),
  ).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  // The upload keeps arriving, slowly, for another second, and is stored.
  for (let i = 0; i < 4; i++) {
    await pause(250);
    await upload.write(chunk);
    hash.update(chunk);
  }
  upload.end();
  const { status, body } = await upload.response;
  expect(status).toBe(200);
  expect(body.data.uploadFormat).toEqual({ __typename: 'UploadFormatSuccess', format: { sha256: hash.digest('hex'), size: 6 * 1024 * 1024 } });
  expect(await first.server.exited).toBe(0);
  await first.server.closed;
  expect(first.server.output()).toMatch(/"msg":"stopped"/);

  // What the finished request did is there for the next process.
  const second = await start();
  const after = await gql(second.url, `{ model(id: "${id}") { versions { edges { node { formats { id size } } } } } }`);
  expect(after.data.model.versions.edges[0].node.formats).toEqual([{ id: 'pkl', size: 6 * 1024 * 1024 }]);
  second.server.child.kill('SIGTERM');
  expect(await second.server.exited).toBe(0);
}, 90_000);

it('cuts off what is still in flight when the grace period runs out, and still exits 0', async () => {
  const { server, url } = await start({ CAIRN_SHUTDOWN_GRACE_MS: '500' });
  const created = await gql(url, 'mutation { createModel(input: { name: "impatient" }) { ... on CreateModelSuccess { model { id } } } }');
  const id = created.data.createModel.model.id;
  await gql(url, `mutation { createVersion(input: { modelId: "${id}" }) { __typename } }`);
  const upload = await slowUpload(url, id);
  upload.response.catch(() => {});
  await upload.write(Buffer.alloc(1024 * 1024, 1));
  // The upload never ends: only the grace period (0.5 s, far below the 30 s a silent body is allowed) can end it.
  server.child.kill('SIGTERM');
  expect(await server.exited).toBe(0);
  await server.closed;
  expect(server.output()).toMatch(/the grace period ran out/);
  await expect(upload.response).rejects.toThrow();
}, 60_000);
