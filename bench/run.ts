// npm run bench: Cairn's reads, writes, rebuild, files, memory and CLI start-up, each beside a ceiling
// measured in the same run. On PostgreSQL when DATABASE_URL is set (in a database of its own, created and
// dropped on that server), else on embedded PGlite in a temporary directory. Prints one table and writes it
// to bench/RESULTS.md. A benchmark, not a test: it asserts nothing, and its figures depend on the machine.
//
// Reads and writes go to a Cairn process and to bench/bareYoga.ts (the same request text, the same
// autocannon client), alternating load points; the writes' ceiling is the bare server's createVersion,
// one INSERT of the same event row through a store opened as Cairn opens its own.
//
// Sizes (environment): BENCH_MODELS (10,000), BENCH_VERSIONS_PER_MODEL (10), BENCH_REBUILD_EVENTS
// (1,000,000), BENCH_SECONDS per load point (10), BENCH_UPLOAD_BYTES (1 GiB), BENCH_ROUNDS (3, of files),
// BENCH_LONG_EVENTS (1,000: the long model's events), BENCH_LONG_ROUNDS (200: createVersion on it and on a
// fresh model each); BENCH_KEEP_DATABASE=1 keeps the seeded database for a closer look.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import autocannon from 'autocannon';
import { type Kysely, sql } from 'kysely';
import pg from 'pg';
import { createFileSystemBlobStore } from '../src/files/fileSystemBlobStore.ts';
import type { ModelEvent } from '../src/domain/model/events.ts';
import type { Database } from '../src/store/database.ts';
import { openStore, type Store } from '../src/store/open.ts';
import { rebuildProjections } from '../src/store/rebuild.ts';
import { currentSchemaVersion } from '../src/store/upcast.ts';
import { runFilesBench } from './files.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const TOKEN = 'cairn_bench_admin_token_0123456789';
const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const MODELS = env('BENCH_MODELS', 10_000);
const VERSIONS = env('BENCH_VERSIONS_PER_MODEL', 10);
const REBUILD_EVENTS = env('BENCH_REBUILD_EVENTS', 1_000_000);
const SECONDS = env('BENCH_SECONDS', 10);
const UPLOAD_BYTES = env('BENCH_UPLOAD_BYTES', 1024 ** 3);
const ROUNDS = env('BENCH_ROUNDS', 3);
const POOL = env('DATABASE_POOL_SIZE', 10);
const WRITE_MODELS = 100;
const LONG_EVENTS = env('BENCH_LONG_EVENTS', 1000);
const LONG_ROUNDS = env('BENCH_LONG_ROUNDS', 200);
const LONG_WARM_UP = 20;
const FRESH_MODELS = 20;
const LIVE_VERSIONS = 10;
const CLI_ROUNDS = 10;
const RSS_TARGET = 450 * 1024 * 1024;

const log = (message: string) => console.error(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}`);

// ---------------------------------------------------------------------------------------------------
// The database: a fresh one of the benchmark's own.

interface BenchDatabase {
  kind: 'postgres' | 'pglite';
  databaseUrl: string | undefined;
  dataDir: string;
  open(): Promise<Store>;
  drop(): Promise<void>;
}

async function benchDatabase(): Promise<BenchDatabase> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-bench-'));
  const serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) {
    return {
      kind: 'pglite',
      databaseUrl: undefined,
      dataDir,
      open: () => openStore({ databaseUrl: undefined, databasePoolSize: POOL, dataDir }),
      drop: async () => fs.rmSync(dataDir, { recursive: true, force: true }),
    };
  }
  const name = `cairn_bench_${process.pid}_${Date.now()}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    kind: 'postgres',
    databaseUrl: url.toString(),
    dataDir,
    open: () => openStore({ databaseUrl: url.toString(), databasePoolSize: POOL, dataDir }),
    async drop() {
      const c = new pg.Client({ connectionString: serverUrl });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

// ---------------------------------------------------------------------------------------------------
// Seeding: events written straight into the log in large batches, then projected by a rebuild.

const SHA = (i: number) => i.toString(16).padStart(64, '0');
const metadata = JSON.stringify({ actor: 'bench', requestId: null, principalId: null, tokenId: null });

interface Row {
  stream_id: string;
  stream_type: 'model';
  context_id: string;
  stream_version: number;
  type: string;
  schema_version: number;
  data: string;
  metadata: string;
}

function versionEvents(number: number, i: number): ModelEvent[] {
  return [
    {
      type: 'VersionCreated',
      data: { number, description: `Version ${number}`, tags: ['bench'], hyperparameters: { lr: 0.01, depth: 6 }, config: { image: 'cairn/serve:1' }, records: [{ uri: 's3://data/train.csv', name: 'train' }] },
    },
    { type: 'FormatUploaded', data: { number, format: 'pkl', sha256: SHA(i), size: 1000 + number, contentType: 'application/octet-stream', filename: 'model.pkl', replaced: false } },
  ];
}

function modelStream(contextId: string, name: string, events: (modelId: string) => ModelEvent[]): Row[] {
  const modelId = randomUUID();
  const all: ModelEvent[] = [{ type: 'ModelCreated', data: { name, description: `The ${name} model`, tags: ['bench'] } }, ...events(modelId)];
  return all.map((e, i) => ({
    stream_id: modelId,
    stream_type: 'model',
    context_id: contextId,
    stream_version: i + 1,
    type: e.type,
    schema_version: currentSchemaVersion(e.type),
    data: JSON.stringify(e.data),
    metadata,
  }));
}

async function insertRows(db: Kysely<Database>, rows: Row[]): Promise<void> {
  for (let i = 0; i < rows.length; i += 2000) await db.insertInto('events').values(rows.slice(i, i + 2000)).execute();
}

async function countEvents(db: Kysely<Database>): Promise<number> {
  return Number((await sql<{ n: string }>`select count(*)::text as n from events`.execute(db)).rows[0]!.n);
}

/** Appends model streams, generated `perModel` events at a time, until the log holds `target` events. */
async function fillLog(db: Kysely<Database>, contextId: string, prefix: string, count: number, perModel: (modelId: string, m: number) => ModelEvent[]) {
  let rows: Row[] = [];
  for (let m = 0; m < count; m++) {
    rows.push(...modelStream(contextId, `${prefix}-${m}`, (id) => perModel(id, m)));
    if (rows.length >= 20_000) {
      await insertRows(db, rows);
      rows = [];
    }
  }
  await insertRows(db, rows);
}

// ---------------------------------------------------------------------------------------------------
// Processes and load.

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

// Cairn starts as `npm start` starts it: with the Node.js flags of package.json's start script.
const startScript = (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts.start ?? '';
const cairnNodeFlags = (/\bnode\s+(.*?)\s*src\/main\.ts/.exec(startScript)?.[1] ?? '--import tsx').split(/\s+/).filter(Boolean);

interface Server {
  child: ChildProcess;
  url: string;
}

async function startServer(entry: string, nodeFlags: string[], extraEnv: Record<string, string>): Promise<Server> {
  const port = await freePort();
  const child = spawn(process.execPath, [...nodeFlags, path.join(ROOT, entry)], {
    cwd: ROOT,
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', ...extraEnv },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 1200; i++) {
    if (child.exitCode !== null) throw new Error(`${entry} exited with ${child.exitCode}`);
    try {
      // Cairn listens before its database is open, and answers 503 until it is; /ready says 200 once it
      // serves. The bare server listens once its database is open, and has no /ready (404).
      const response = await fetch(`${url}/ready`, { signal: AbortSignal.timeout(1000) });
      await response.body?.cancel();
      if (response.status === 200 || response.status === 404) return { child, url };
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${entry} did not start`);
}

async function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

// ---------------------------------------------------------------------------------------------------
// Memory: /proc/<pid>/status of a process and of its descendants (Cairn starts none today; counted if it does).

function descendants(pid: number): number[] {
  const read = (file: string) => {
    try {
      return fs.readFileSync(file, 'utf8');
    } catch {
      return '';
    }
  };
  let tasks: string[];
  try {
    tasks = fs.readdirSync(`/proc/${pid}/task`);
  } catch {
    return [];
  }
  const children = tasks.flatMap((task) => read(`/proc/${pid}/task/${task}/children`).split(/\s+/).filter(Boolean).map(Number));
  return children.flatMap((c) => [c, ...descendants(c)]);
}

/** A status field in bytes (VmRSS, VmHWM), 0 when the process is gone. */
function statusBytes(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  try {
    const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** Proportional set size (shared pages divided among the processes that map them), 0 when unreadable. */
function pssBytes(pid: number): number {
  try {
    const m = /^Pss:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

const treeRss = (pid: number) => [pid, ...descendants(pid)].reduce((n, p) => n + statusBytes(p, 'VmRSS'), 0);
const treeHwm = (pid: number) => [pid, ...descendants(pid)].reduce((n, p) => n + statusBytes(p, 'VmHWM'), 0);
const mib = (b: number) => `${(b / 1024 / 1024).toFixed(0)} MiB`;

/** The resident size a little after the moment asked (a process that has just served settles within a second or two). */
async function idleRss(pid: number, settleMs = 3000): Promise<number> {
  await new Promise((r) => setTimeout(r, settleMs));
  return treeRss(pid);
}

/** Samples a process tree's resident size every 50 ms until stopped; returns the highest sum seen. */
function rssSampler(pid: number): { stop(): number } {
  let peak = treeRss(pid);
  const timer = setInterval(() => {
    peak = Math.max(peak, treeRss(pid));
  }, 50);
  return {
    stop() {
      clearInterval(timer);
      return Math.max(peak, treeRss(pid));
    },
  };
}

/** PostgreSQL's client backends serving Cairn on the bench database (not the bare server's, nor this one's). */
async function backendMemory(client: pg.Client, datname: string): Promise<{ count: number; rss: number; pss: number }> {
  const { rows } = await client.query<{ pid: number }>(
    `select pid from pg_stat_activity where datname = $1 and backend_type = 'client backend' and pid <> pg_backend_pid() and application_name <> $2`,
    [datname, BARE_APP_NAME],
  );
  return { count: rows.length, rss: rows.reduce((n, r) => n + statusBytes(r.pid, 'VmRSS'), 0), pss: rows.reduce((n, r) => n + pssBytes(r.pid), 0) };
}

/** Samples backendMemory every 250 ms until stopped; returns the highest sums seen. */
function backendSampler(client: pg.Client | undefined, datname: string) {
  const peak = { count: 0, rss: 0, pss: 0 };
  let running = Promise.resolve();
  const sample = () => {
    if (!client) return;
    running = running.then(async () => {
      const m = await backendMemory(client, datname);
      peak.count = Math.max(peak.count, m.count);
      peak.rss = Math.max(peak.rss, m.rss);
      peak.pss = Math.max(peak.pss, m.pss);
    });
  };
  sample();
  const timer = setInterval(sample, 250);
  return {
    async stop() {
      clearInterval(timer);
      sample();
      await running;
      return peak;
    },
  };
}

// ---------------------------------------------------------------------------------------------------
// Load.

const headers = { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` };

interface Load {
  rps: number;
  p50: number;
  p99: number;
  requests: number;
  non2xx: number;
  errors: number;
}

async function load(options: autocannon.Options): Promise<Load> {
  const result = await autocannon({ method: 'POST', headers, duration: SECONDS, ...options });
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    requests: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
  };
}

const READ_QUERY = JSON.stringify({
  query: '{ models(first: 50) { edges { node { id name versions(first: 10) { edges { node { number status formats { id size sha256 } } } } } } } }',
});
const readLoad = (url: string, connections: number, duration = SECONDS) => load({ url: `${url}/graphql`, body: READ_QUERY, connections, duration });

// The same text goes to Cairn and to the bare server.
const CREATE =
  'mutation ($modelId: ID!) { createVersion(input: { modelId: $modelId, description: "Version", tags: ["bench"], hyperparameters: { lr: 0.01, depth: 6 }, config: { image: "cairn/serve:1" }, records: [{ uri: "s3://data/train.csv", name: "train" }] }) { __typename } }';

function writeLoad(url: string, connections: number, modelIds: string[], duration = SECONDS): Promise<Load> {
  let next = 0;
  return load({
    url: `${url}/graphql`,
    connections,
    duration,
    requests: [{ setupRequest: (req) => ({ ...req, body: JSON.stringify({ query: CREATE, variables: { modelId: modelIds[next++ % modelIds.length] } }) }) }],
  });
}

/** One request through fetch, timed; throws unless the mutation's result is of the type expected. */
async function mutate(url: string, query: string, variables: Record<string, unknown>, field: string, success: string): Promise<number> {
  const t0 = performance.now();
  const response = await fetch(`${url}/graphql`, { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
  const body = (await response.json()) as { data?: Record<string, { __typename: string } | undefined>; errors?: unknown };
  const ms = performance.now() - t0;
  if (body.data?.[field]?.__typename !== success) throw new Error(`${field} ${JSON.stringify(variables)}: ${response.status} ${JSON.stringify(body)}`);
  return ms;
}
const DELETE = 'mutation ($modelId: ID!, $number: Int!) { deleteVersion(modelId: $modelId, number: $number) { __typename } }';
const createVersionOnce = (url: string, modelId: string) => mutate(url, CREATE, { modelId }, 'createVersion', 'CreateVersionSuccess');
const deleteVersionOnce = (url: string, modelId: string, number: number) => mutate(url, DELETE, { modelId, number }, 'deleteVersion', 'DeleteVersionSuccess');

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(s.length * q))]!;
};
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

// ---------------------------------------------------------------------------------------------------
// Targets: each says whether it was met, and by how much it was missed.

const pct = (a: number, b: number) => `${((a / b) * 100).toFixed(0)}%`;
const atLeast = (ratio: number, target: number) => (ratio >= target ? 'met' : `missed by ${((target - ratio) * 100).toFixed(0)} points`);
const withinMs = (value: number, limit: number) => (value <= limit ? 'met' : `missed by ${(value - limit).toFixed(0)} ms`);

// ---------------------------------------------------------------------------------------------------

const BARE_APP_NAME = 'cairn-bench-bare';
const database = await benchDatabase();
const label = database.kind === 'postgres' ? 'PostgreSQL' : 'embedded PGlite';
const cairnEnv = {
  DATABASE_URL: database.databaseUrl ?? '',
  CAIRN_DATA_DIR: database.dataDir,
  CAIRN_BOOTSTRAP_TOKEN: TOKEN,
  CAIRN_MAX_VERSIONS: '1000000',
  DATABASE_POOL_SIZE: String(POOL),
  LOG_LEVEL: 'warn',
};
const bareDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-bench-bare-'));
// On PostgreSQL the bare server's pool opens the bench database too, named so that the memory notes leave it out.
const bareEnv = { DATABASE_URL: database.databaseUrl ?? '', DATABASE_POOL_SIZE: String(POOL), BENCH_BARE_DATA_DIR: bareDataDir, PGAPPNAME: BARE_APP_NAME };
const datname = database.databaseUrl ? new URL(database.databaseUrl).pathname.slice(1) : '';
const rows: string[][] = [];
const notes: string[] = [];
const ms = (x: number) => x.toFixed(1);
const r = (x: number) => x.toFixed(0);
const plural = (c: number) => `${c} client${c > 1 ? 's' : ''}`;
let monitor: pg.Client | undefined;

try {
  if (database.databaseUrl) {
    monitor = new pg.Client({ connectionString: database.databaseUrl, application_name: 'cairn-bench-monitor' });
    await monitor.connect();
  }

  // Memory at start on a fresh, empty database: what `npm start` costs before anything is stored.
  log(`memory: Cairn on an empty ${label} database`);
  const empty = await startServer('src/main.ts', cairnNodeFlags, cairnEnv);
  const idleEmpty = await idleRss(empty.child.pid!);
  const idleEmptyHwm = treeHwm(empty.child.pid!);
  const emptyBackends = monitor ? await backendMemory(monitor, datname) : undefined;
  await stopServer(empty.child);
  // Started again on the same, still empty database: the first start also created it (PGlite's initdb).
  const again = await startServer('src/main.ts', cairnNodeFlags, cairnEnv);
  const idleRestarted = await idleRss(again.child.pid!);
  await stopServer(again.child);

  // Seed: the read data set, the models the writes go to, the long model's first event and the fresh models.
  log(`seeding ${MODELS} models with ${VERSIONS} versions each on ${label}`);
  let store = await database.open();
  const contextId = (await store.db.selectFrom('contexts').select('id').where('name', '=', 'default').executeTakeFirstOrThrow()).id;
  let seq = 0;
  await fillLog(store.db, contextId, 'bench', MODELS, () => Array.from({ length: VERSIONS }, (_, v) => versionEvents(v + 1, seq++)).flat());
  await fillLog(store.db, contextId, 'write-target', WRITE_MODELS, () => []);
  await fillLog(store.db, contextId, 'long', 2, () => []);
  await fillLog(store.db, contextId, 'fresh', FRESH_MODELS, () => []);
  // What a deployment container polls: a published version that the alias `production` points at, with
  // its file in the blob store (the read models' other files have none: nothing downloads them).
  const pollFile = await createFileSystemBlobStore(path.join(database.dataDir, 'blobs')).stage(Readable.from([Buffer.alloc(4096, 7)]), { maxBytes: 4096 });
  await pollFile.commit();
  await fillLog(store.db, contextId, 'poll', 1, () => [
    versionEvents(1, seq++)[0]!,
    { type: 'FormatUploaded', data: { number: 1, format: 'pkl', sha256: pollFile.sha256, size: pollFile.size, contentType: 'application/octet-stream', filename: 'model.pkl', replaced: false } },
    { type: 'VersionPublished', data: { number: 1 } },
    { type: 'AliasSet', data: { alias: 'production', number: 1, previousNumber: null } },
  ]);
  const seeded = await countEvents(store.db);
  const seededAt = performance.now();
  await rebuildProjections(store);
  log(`seeded ${seeded} events; projected in ${((performance.now() - seededAt) / 1000).toFixed(1)} s`);
  await sql`vacuum analyze`.execute(store.db);
  const idsOf = async (prefix: string) => (await store.db.selectFrom('models').select('id').where('name', 'like', `${prefix}-%`).orderBy('name').execute()).map((m) => m.id);
  const writeModels = await idsOf('write-target');
  const longModels = await idsOf('long');
  const freshModels = await idsOf('fresh');
  await store.close();

  // Cairn and the bare server side by side; each load point runs on one, then on the other.
  log('starting Cairn and the bare Yoga server');
  const cairn = await startServer('src/main.ts', cairnNodeFlags, cairnEnv);
  const bare = await startServer('bench/bareYoga.ts', ['--import', 'tsx'], bareEnv);
  const cairnPid = cairn.child.pid!;
  const idleSeeded = await idleRss(cairnPid);
  const bareIdle = treeRss(bare.child.pid!);
  const seededBackends = monitor ? await backendMemory(monitor, datname) : undefined;
  const rssPeak = rssSampler(cairnPid);
  const backendPeak = backendSampler(monitor, datname);

  log('reads: Cairn and bare Yoga, alternating');
  await readLoad(cairn.url, 8, 3); // warm-up: JIT, caches, the pool's connections
  await readLoad(bare.url, 8, 3);
  const cairnReads: Record<number, Load> = {};
  const bareReads: Record<number, Load> = {};
  for (const c of [1, 8, 32]) {
    cairnReads[c] = await readLoad(cairn.url, c);
    bareReads[c] = await readLoad(bare.url, c);
  }

  // A container polling its model by name and alias with the ETag it holds: 304 each time, beside the bare
  // server's read at the same concurrency (the simplest GraphQL read of one statement), alternating.
  log('polling: GET /files/poll-0/production/pkl with If-None-Match, beside bare Yoga reads');
  const pollUrl = `${cairn.url}/files/poll-0/production/pkl`;
  const first = await fetch(pollUrl, { headers: { authorization: `Bearer ${TOKEN}` }, method: 'HEAD' });
  const etag = first.headers.get('etag');
  const polled = await fetch(pollUrl, { headers: { authorization: `Bearer ${TOKEN}`, 'if-none-match': etag ?? '' } });
  if (first.status !== 200 || polled.status !== 304) throw new Error(`polling: HEAD ${first.status}, then ${polled.status} with its ETag`);
  const pollLoad = (connections: number, duration = SECONDS) => load({ url: pollUrl, method: 'GET', headers: { authorization: `Bearer ${TOKEN}`, 'if-none-match': etag! }, connections, duration });
  await pollLoad(8, 3); // warm-up
  const cairnPolls: Record<number, Load> = {};
  const barePollReads: Record<number, Load> = {};
  for (const c of [1, 8]) {
    cairnPolls[c] = await pollLoad(c);
    barePollReads[c] = await readLoad(bare.url, c);
  }

  log('writes: Cairn createVersion and the bare Yoga mutation, alternating');
  const cairnWarmUp = await writeLoad(cairn.url, 4, writeModels, 3);
  const bareWarmUp = await writeLoad(bare.url, 4, writeModels, 3);
  const cairnWrites: Record<number, Load> = {};
  const bareWrites: Record<number, Load> = {};
  for (const c of [1, 8]) {
    cairnWrites[c] = await writeLoad(cairn.url, c, writeModels);
    bareWrites[c] = await writeLoad(bare.url, c, writeModels);
  }

  // Two models of LONG_EVENTS events, made through the API as a user makes one, so that Cairn takes its
  // snapshots as it goes (a stream seeded straight into the log has none, and rebuild writes none: its
  // first command would fold it all):
  // - all kept: LONG_EVENTS - 1 createVersion after its ModelCreated (the issue's 1,000 calls on one
  //   model), so its state holds every version;
  // - 9-10 live: 10 createVersion, then deleteVersion of the oldest and createVersion in turn, so its state
  //   holds 9 or 10 versions; in the measured rounds each createVersion on it is followed by an untimed delete.
  log(`long models: ${2 * (LONG_EVENTS - 1)} commands through the API`);
  const [keptModel, liveModel] = longModels as [string, string];
  const building: number[] = [];
  for (let i = 1; i < LONG_EVENTS; i++) building.push(await createVersionOnce(cairn.url, keptModel));
  let created = 0;
  let deleted = 0;
  for (let i = 1; i < LONG_EVENTS; i++) {
    if (created - deleted < LIVE_VERSIONS) {
      await createVersionOnce(cairn.url, liveModel);
      created++;
    } else await deleteVersionOnce(cairn.url, liveModel, ++deleted);
  }
  log(`long models vs fresh models: ${LONG_ROUNDS} rounds`);
  const timed = { kept: [] as number[], live: [] as number[], fresh: [] as number[] };
  for (let i = 0; i < LONG_WARM_UP + LONG_ROUNDS; i++) {
    const fresh = freshModels[i % freshModels.length]!;
    const steps: [keyof typeof timed, () => Promise<number>][] = [
      ['kept', () => createVersionOnce(cairn.url, keptModel)],
      [
        'live',
        async () => {
          const t = await createVersionOnce(cairn.url, liveModel);
          created++;
          await deleteVersionOnce(cairn.url, liveModel, ++deleted);
          return t;
        },
      ],
      ['fresh', () => createVersionOnce(cairn.url, fresh)],
    ];
    // Each round in another order, so that none always follows another.
    for (let k = 0; k < steps.length; k++) {
      const [which, step] = steps[(i + k) % steps.length]!;
      const t = await step();
      if (i >= LONG_WARM_UP) timed[which].push(t);
    }
  }

  const peak = rssPeak.stop();
  const backendsPeak = await backendPeak.stop();
  const idleAfter = await idleRss(cairnPid);
  const hwm = treeHwm(cairnPid);
  await stopServer(cairn.child);
  await stopServer(bare.child);

  store = await database.open();
  // Every acknowledged createVersion is one event.
  const written = Number(
    (await sql<{ n: string }>`select count(*)::text as n from events where type = 'VersionCreated' and stream_id in (${sql.join(writeModels)})`.execute(store.db)).rows[0]!.n,
  );
  const acknowledged = (points: Load[]) => points.reduce((n, w) => n + w.requests - w.non2xx, 0);
  notes.push(`writes: ${written} VersionCreated events in the log for the write models, for ${acknowledged([cairnWarmUp, ...Object.values(cairnWrites)])} requests answered 2xx (warm-up and both points; a request still in flight when a point ends, at most one a connection, is stored but not counted).`);
  const streamLength = async (ids: string[]) =>
    Number((await sql<{ n: string }>`select max(stream_version)::text as n from events where stream_id in (${sql.join(ids)})`.execute(store.db)).rows[0]!.n);
  const keptEvents = await streamLength([keptModel]);
  const liveEvents = await streamLength([liveModel]);
  const freshEvents = await streamLength(freshModels);
  const snapshotOf = async (id: string, events: number) => {
    const s = (await sql<{ stream_version: number; chars: number; bytes: number }>`select stream_version, length(state::text) as chars, pg_column_size(state) as bytes from snapshots where stream_id = ${id}::uuid`.execute(store.db)).rows[0];
    return s ? `snapshot at stream version ${s.stream_version} of ${events}, ${s.chars} characters of JSON (${s.bytes} bytes stored)` : `no snapshot (${events} events)`;
  };
  notes.push(
    `long models, made through the API: "all versions kept" by ${LONG_EVENTS - 1} createVersion after its ModelCreated (first 100 p50 ${ms(median(building.slice(0, 100)))} ms, last 100 p50 ${ms(median(building.slice(-100)))} ms), "${LIVE_VERSIONS - 1}-${LIVE_VERSIONS} live versions" by ${LIVE_VERSIONS} createVersion, then deleteVersion of the oldest and createVersion in turn (each measured createVersion on it is followed by an untimed deleteVersion); then ${LONG_ROUNDS} rounds after ${LONG_WARM_UP} of warm-up, each a createVersion on both and on a fresh model (${FRESH_MODELS} of them in turn), in rotating order, one request at a time. ` +
      `At the end: all kept, ${await snapshotOf(keptModel, keptEvents)}; ${LIVE_VERSIONS - 1}-${LIVE_VERSIONS} live, ${await snapshotOf(liveModel, liveEvents)}.`,
  );

  // Every bare createVersion answered is one row (a failed INSERT would be a GraphQL error, status 200, and not counted here).
  const bareStore = database.kind === 'postgres' ? store : await openStore({ databaseUrl: undefined, databasePoolSize: POOL, dataDir: bareDataDir });
  const bareRows = Number((await sql<{ n: string }>`select count(*)::text as n from bench_bare_events`.execute(bareStore.db)).rows[0]!.n);
  await sql`drop table bench_bare_events`.execute(bareStore.db);
  if (bareStore !== store) await bareStore.close();
  notes.push(`bare writes: ${bareRows} rows in its table, for ${acknowledged([bareWarmUp, ...Object.values(bareWrites)])} requests answered 2xx (warm-up and both points; a request still in flight when a point ends, at most one a connection, is stored but not counted).`);

  // The raw INSERT: the same event row into a table made LIKE events, from this process through the store's own connection(s).
  log('writes: raw INSERTs');
  await sql`create table bench_raw_events (like events including all)`.execute(store.db);
  const rawData = JSON.stringify({ number: 1, description: 'Version', tags: ['bench'], hyperparameters: { lr: 0.01, depth: 6 }, config: { image: 'cairn/serve:1' }, records: [{ uri: 's3://data/train.csv', name: 'train' }] });
  const rawMetadata = JSON.stringify({ actor: 'bench-admin', requestId: randomUUID(), principalId: randomUUID(), tokenId: randomUUID() });
  let rawVersion = 0;
  const rawInserts = async (concurrency: number): Promise<Load> => {
    const latencies: number[] = [];
    const deadline = performance.now() + SECONDS * 1000;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (performance.now() < deadline) {
          const t0 = performance.now();
          await sql`insert into bench_raw_events (stream_id, stream_type, context_id, stream_version, type, schema_version, data, private_data, metadata, recorded_at)
            values (${writeModels[0]}::uuid, 'model', ${contextId}::uuid, ${++rawVersion}, 'VersionCreated', 1, ${rawData}::jsonb, null, ${rawMetadata}::jsonb, clock_timestamp())`.execute(store.db);
          latencies.push(performance.now() - t0);
        }
      }),
    );
    return { rps: latencies.length / SECONDS, p50: median(latencies), p99: quantile(latencies, 0.99), requests: latencies.length, non2xx: 0, errors: 0 };
  };
  await rawInserts(4); // warm-up
  const raw: Record<number, Load> = { 1: await rawInserts(1), 8: await rawInserts(8) };
  await sql`drop table bench_raw_events`.execute(store.db);

  // Rebuild: top the log up to REBUILD_EVENTS, then replay it all, beside reading the same rows.
  const have = await countEvents(store.db);
  const perModel = 100;
  const missing = Math.max(0, REBUILD_EVENTS - have);
  log(`rebuild: adding ${missing} events to reach ${REBUILD_EVENTS}`);
  await fillLog(store.db, contextId, 'rebuild', Math.ceil(missing / perModel), () => {
    // 1 created + 33 × (version created, file uploaded, version published) = 100 events a model.
    const events: ModelEvent[] = [];
    for (let v = 1; v <= 33; v++) events.push(...versionEvents(v, seq++), { type: 'VersionPublished', data: { number: v } });
    return events;
  });
  await sql`vacuum analyze`.execute(store.db);
  const total = await countEvents(store.db);
  const selectAll = async () => {
    const t0 = performance.now();
    let after = '0';
    let n = 0;
    for (;;) {
      // Ordered by the column, not by the text alias of the same name (that would sort a million rows per page).
      const batch = await sql<{ position: string }>`select position::text, stream_id, stream_version, type, data, metadata, recorded_at from events where position > ${after} order by events.position limit 1000`.execute(store.db);
      if (batch.rows.length === 0) break;
      n += batch.rows.length;
      after = batch.rows[batch.rows.length - 1]!.position;
    }
    return { seconds: (performance.now() - t0) / 1000, n };
  };
  log(`rebuild: plain SELECT of ${total} events`);
  await selectAll(); // warm the cache
  const select = await selectAll();
  log('rebuild: replaying into the read models');
  const r0 = performance.now();
  const rebuilt = await rebuildProjections(store);
  const rebuildSeconds = (performance.now() - r0) / 1000;
  await store.close();

  // Files: through a Cairn process on this database, beside the bare pipe.
  log(`files: ${UPLOAD_BYTES} bytes, ${ROUNDS} rounds`);
  const files = await runFilesBench(UPLOAD_BYTES, ROUNDS, database.databaseUrl);

  // The CLI's start-up: `cairn --help` beside a bare Node.js start, alternating.
  log(`cli: ${CLI_ROUNDS} rounds of cairn --help and node -e ''`);
  const spawnMs = (args: string[]) => {
    const t0 = performance.now();
    const result = spawnSync(process.execPath, args, { cwd: ROOT, stdio: 'ignore' });
    if (result.status !== 0) throw new Error(`node ${args.join(' ')} exited ${result.status}`);
    return performance.now() - t0;
  };
  const helpArgs = [path.join(ROOT, 'src/cli/cairn.js'), '--help'];
  spawnMs(helpArgs); // warm-up: the file cache, the compile cache
  spawnMs(['-e', '']);
  const helpMs: number[] = [];
  const nodeMs: number[] = [];
  for (let i = 0; i < CLI_ROUNDS; i++) {
    helpMs.push(spawnMs(helpArgs));
    nodeMs.push(spawnMs(['-e', '']));
  }

  // The table.
  for (const c of [1, 8, 32]) {
    const a = cairnReads[c]!;
    const b = bareReads[c]!;
    const target = c === 8 ? `≥ 40%: ${atLeast(a.rps / b.rps, 0.4)}; p99 ≤ 1.5 × bare's (${r(1.5 * b.p99)} ms): ${withinMs(a.p99, 1.5 * b.p99)}` : '';
    rows.push([`reads, ${plural(c)}`, `${r(a.rps)} req/s, p50 ${ms(a.p50)} ms, p99 ${ms(a.p99)} ms`, `bare Yoga ${r(b.rps)} req/s, p50 ${ms(b.p50)} ms, p99 ${ms(b.p99)} ms`, pct(a.rps, b.rps), target]);
  }
  for (const c of [1, 8]) {
    const a = cairnPolls[c]!;
    const b = barePollReads[c]!;
    // Every poll is a 304 (autocannon counts them as non-2xx): anything else is a failure of the bench.
    if (a.errors > 0 || a.non2xx !== a.requests) notes.push(`Polling, ${plural(c)}: ${a.requests - a.non2xx} of ${a.requests} answers were not 304, ${a.errors} errors.`);
    rows.push([`alias poll (304), ${plural(c)}`, `${r(a.rps)} req/s, p50 ${ms(a.p50)} ms, p99 ${ms(a.p99)} ms`, `bare Yoga read ${r(b.rps)} req/s, p50 ${ms(b.p50)} ms`, pct(a.rps, b.rps), `≥ 100%: ${atLeast(a.rps / b.rps, 1)}`]);
  }
  for (const c of [1, 8]) {
    const a = cairnWrites[c]!;
    const b = bareWrites[c]!;
    let target = `≥ 50%: ${atLeast(a.rps / b.rps, 0.5)}`;
    if (c === 8 && database.kind === 'pglite') {
      // One connection: the database's part of a request cannot overlap another's, so the 8-client
      // ceiling is taken as 1.5 times the bare mutation's 1-client rate (see RESULTS.md).
      const ceiling = 1.5 * bareWrites[1]!.rps;
      target = `≥ 50% of 1.5 × bare's 1-client rate (${r(0.5 * ceiling)}/s): ${atLeast(a.rps / ceiling, 0.5)} (${pct(a.rps, ceiling)} of it)`;
    }
    rows.push([`writes, ${plural(c)}`, `${r(a.rps)} createVersion/s, p50 ${ms(a.p50)} ms, p99 ${ms(a.p99)} ms`, `bare Yoga mutation ${r(b.rps)}/s, p50 ${ms(b.p50)} ms, p99 ${ms(b.p99)} ms`, pct(a.rps, b.rps), target]);
  }
  for (const c of [1, 8]) {
    const a = cairnWrites[c]!;
    const b = raw[c]!;
    rows.push([`writes, ${plural(c)}, beside raw INSERT`, `${r(a.rps)} createVersion/s`, `raw INSERT ${r(b.rps)}/s, p50 ${ms(b.p50)} ms`, pct(a.rps, b.rps), '']);
  }
  for (const [which, shape, events] of [
    ['kept', `${LONG_EVENTS - 1}-${keptEvents - 1} versions`, keptEvents],
    ['live', `${LIVE_VERSIONS - 1}-${LIVE_VERSIONS} live versions`, liveEvents],
  ] as const) {
    const long = timed[which];
    const ratio = median(long) / median(timed.fresh);
    rows.push([
      `createVersion, model of ${LONG_EVENTS}-${events} events (${shape}), 1 client`,
      `p50 ${ms(median(long))} ms, p95 ${ms(quantile(long, 0.95))} ms`,
      `fresh models (1-${freshEvents} events): p50 ${ms(median(timed.fresh))} ms, p95 ${ms(quantile(timed.fresh, 0.95))} ms`,
      pct(median(long), median(timed.fresh)),
      `within 10%: ${Math.abs(ratio - 1) <= 0.1 ? 'met' : `missed by ${(Math.abs(ratio - 1) * 100 - 10).toFixed(0)} points`}`,
    ]);
  }
  rows.push([`rebuild, ${rebuilt.events} events`, `${r(rebuilt.events / rebuildSeconds)} events/s (${rebuildSeconds.toFixed(1)} s)`, `plain SELECT ${r(select.n / select.seconds)} rows/s (${select.seconds.toFixed(1)} s)`, pct(rebuilt.events / rebuildSeconds, select.n / select.seconds), `≥ 25%: ${atLeast(rebuilt.events / rebuildSeconds / (select.n / select.seconds), 0.25)}`]);
  rows.push([`upload, ${mib(UPLOAD_BYTES)}`, `${r(files.ours.uploadMBs)} MB/s, peak +${mib(files.ours.uploadPeak)}`, `pipe ${r(files.base.uploadMBs)} MB/s, peak +${mib(files.base.uploadPeak)}`, pct(files.ours.uploadMBs, files.base.uploadMBs), '']);
  rows.push([`download, ${mib(UPLOAD_BYTES)}`, `${r(files.ours.downloadMBs)} MB/s, peak +${mib(files.ours.downloadPeak)}`, `pipe ${r(files.base.downloadMBs)} MB/s, peak +${mib(files.base.downloadPeak)}`, pct(files.ours.downloadMBs, files.base.downloadMBs), '']);
  const rssTarget = (bytes: number) => (database.kind === 'pglite' ? `< 450 MiB: ${bytes < RSS_TARGET ? 'met' : `missed by ${mib(bytes - RSS_TARGET)}`}` : '');
  rows.push([`idle RSS, empty database, after the first start`, `${mib(idleEmpty)} (VmHWM ${mib(idleEmptyHwm)})`, `bare Yoga server (${database.kind === 'pglite' ? 'its own PGlite, also just created' : 'its pg pool'}) ${mib(bareIdle)}`, '', rssTarget(idleEmpty)]);
  rows.push([`idle RSS, empty database, after a restart`, mib(idleRestarted), '', '', '']);
  rows.push([`idle RSS, seeded data set, after start`, mib(idleSeeded), '', '', '']);
  rows.push([`peak RSS, read and write load`, `${mib(peak)} (VmHWM ${mib(hwm)}); idle after ${mib(idleAfter)}`, '', '', '']);
  {
    const t = median(helpMs);
    const base = median(nodeMs);
    rows.push([`cairn --help, start to exit`, `${r(t)} ms (+${r(t - base)} ms)`, `\`node -e ''\` ${r(base)} ms`, pct(base, t), `< 400 ms (issue 14): ${withinMs(t, 400)}`]);
  }
  if (emptyBackends && seededBackends) {
    const b = (m: { count: number; rss: number; pss: number }) => `${m.count} backends, RSS ${mib(m.rss)} summed (PSS ${mib(m.pss)})`;
    notes.push(
      `PostgreSQL's backends serving Cairn (pg_stat_activity for the bench database, /proc/<pid>: RSS counts the shared buffers each has touched, PSS shares them out): idle on the empty database ${b(emptyBackends)}; idle on the seeded one ${b(seededBackends)}; highest during the load ${b(backendsPeak)}.`,
    );
  }
  notes.push(`RSS: VmRSS of the Cairn process (and of its child processes: none), sampled every 50 ms during the load; idle figures 3 s after it answered /ready or after the last request. Cairn started with \`node ${cairnNodeFlags.join(' ')} src/main.ts\` (package.json's start script's flags).`);
  for (const [name, points] of [['Cairn reads', cairnReads], ['bare reads', bareReads], ['Cairn writes', cairnWrites], ['bare writes', bareWrites]] as const) {
    for (const [c, p] of Object.entries(points)) if (p.non2xx || p.errors) notes.push(`${name} at ${c}: ${p.non2xx} non-2xx, ${p.errors} errors or timeouts`);
  }

  const machine = `${os.cpus().length} × ${os.cpus()[0]?.model.trim() ?? 'cpu'}, ${(os.totalmem() / 1024 ** 3).toFixed(0)} GiB, Node ${process.version}, ${os.type()} ${os.release()}`;
  const table = [
    `### ${label}`,
    '',
    `\`${database.kind === 'postgres' ? 'DATABASE_URL=… ' : ''}npm run bench\` on ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC. Machine: ${machine}; load average ${os.loadavg()[0]!.toFixed(1)} at the end.`,
    `Data: ${MODELS} models × ${VERSIONS} versions (with a file each) for reads; ${SECONDS} s per load point (autocannon in the benchmark's process), Cairn and bare Yoga alternating; pool size ${POOL}; Cairn at LOG_LEVEL=warn.`,
    '',
    '| measure | Cairn | ceiling, same run | ratio | target |',
    '| --- | --- | --- | --- | --- |',
    ...rows.map((cells) => `| ${cells.join(' | ')} |`),
    '',
    ...notes.map((n) => `- ${n}`),
  ].join('\n');
  console.log(`\n${table}\n`);

  // Into bench/RESULTS.md, replacing this database's previous section.
  const resultsFile = path.join(ROOT, 'bench/RESULTS.md');
  const marker = database.kind;
  const start = `<!-- bench:${marker} -->`;
  const end = `<!-- /bench:${marker} -->`;
  let text = fs.existsSync(resultsFile) ? fs.readFileSync(resultsFile, 'utf8') : '# Benchmark results\n';
  const block = `${start}\n${table}\n${end}`;
  text = text.includes(start) ? text.replace(new RegExp(`${start}[\\s\\S]*?${end}`), () => block) : `${text.trimEnd()}\n\n${block}\n`;
  fs.writeFileSync(resultsFile, text);
  log(`written to ${path.relative(ROOT, resultsFile)}`);
} finally {
  await monitor?.end();
  fs.rmSync(bareDataDir, { recursive: true, force: true });
  if (process.env.BENCH_KEEP_DATABASE) log(`kept the database: ${database.databaseUrl ?? database.dataDir}`);
  else await database.drop();
}
