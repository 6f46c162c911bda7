import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Db } from '../../src/store/database.ts';
import { openStore } from '../../src/store/open.ts';
import { rebuildProjections } from '../../src/store/rebuild.ts';
import { adminHeaders } from '../helpers/api.ts';
import { openTestDatabase, type TestDatabase, testDatabaseKind } from '../helpers/database.ts';
import { postGraphQL, type Started, startServer, waitForOutput } from '../helpers/processes.ts';
import { readModelRows } from '../helpers/readModels.ts';
import { untilFiles } from '../helpers/staging.ts';

let t: TestDatabase | undefined;
let dataDir: string;
const running: Started[] = [];

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-crash-'));
  if (testDatabaseKind === 'postgres') t = await openTestDatabase('postgres');
});
afterAll(async () => {
  for (const s of running) s.child.kill('SIGKILL');
  await t?.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

async function start(): Promise<{ server: Started; url: string }> {
  const started = await startServer({ CAIRN_DATA_DIR: dataDir, DATABASE_URL: t?.url ?? '' });
  running.push(started.server);
  return started;
}

const gql = async (url: string, query: string) => (await postGraphQL(url, query)).body;

const files = (dir: string) => (fs.existsSync(dir) ? (fs.readdirSync(dir, { recursive: true }) as string[]).filter((f) => fs.statSync(path.join(dir, f)).isFile()) : []);

it('leaves no format, blob or staging file when the server is killed mid-upload, and the read models still rebuild equal', async () => {
  const first = await start();
  const created = await gql(first.url, 'mutation { createModel(input: { name: "crash" }) { ... on CreateModelSuccess { model { id } } } }');
  const id = created.data.createModel.model.id;
  await gql(first.url, `mutation { createVersion(input: { modelId: "${id}" }) { __typename } }`);

  // A multipart upload whose file part is still arriving when the process dies.
  const boundary = 'cairnboundary';
  const operations = JSON.stringify({
    query: 'mutation ($file: Upload!) { uploadFormat(input: { modelId: "' + id + '", number: 1, format: "pkl", file: $file }) { __typename } }',
    variables: { file: null },
  });
  const head =
    `--${boundary}\r\nContent-Disposition: form-data; name="operations"\r\n\r\n${operations}\r\n` +
    `--${boundary}\r\nContent-Disposition: form-data; name="map"\r\n\r\n{"0":["variables.file"]}\r\n` +
    `--${boundary}\r\nContent-Disposition: form-data; name="0"; filename="big.pkl"\r\nContent-Type: application/octet-stream\r\n\r\n`;
  const request = http.request(`${first.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}`, ...adminHeaders },
  });
  request.on('error', () => {});
  request.write(head);
  request.write(Buffer.alloc(4 * 1024 * 1024, 7));
  const staging = path.join(dataDir, 'blobs', 'staging');
  // The server is writing the file when it dies: a staging file with bytes in it.
  await untilFiles(staging, (names) => names.some((f) => fs.statSync(path.join(staging, f)).size > 0));

  first.server.child.kill('SIGKILL');
  await first.server.exited;
  request.destroy();
  expect(files(staging).length).toBe(1);

  const second = await start();
  const after = await gql(second.url, `{ model(id: "${id}") { versions { edges { node { number formats { id } } } } } }`);
  expect(after.data.model.versions.edges).toEqual([{ node: { number: 1, formats: [] } }]);
  // Its start-up clean-up says what it removed once it has: the leftover staging file.
  await waitForOutput(second.server, /"staging":1,.*"msg":"removed abandoned files"/);
  expect(files(staging)).toEqual([]);
  expect(files(path.join(dataDir, 'blobs', 'sha256'))).toEqual([]);

  second.server.child.kill('SIGTERM');
  expect(await second.server.exited).toBe(0);

  // The log alone rebuilds exactly the read models the processes left.
  const store = t ? { db: t.db as Db, kind: t.kind, close: async () => {} } : await openStore({ databaseUrl: undefined, databasePoolSize: 1, dataDir });
  try {
    const live = await readModelRows(store.db);
    expect(live.versions.some((v) => v.model_id === id)).toBe(true);
    await rebuildProjections(store);
    expect(await readModelRows(store.db)).toEqual(live);
  } finally {
    await store.close();
  }
}, 90_000);
