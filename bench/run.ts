// npm run bench: Cairn's reads, writes, rebuild and files, each beside a ceiling measured in the same run.
// On PostgreSQL when DATABASE_URL is set (in a database of its own, created and dropped on that server),
// else on embedded PGlite in a temporary directory. Prints one table and writes it to bench/RESULTS.md.
// A benchmark, not a test: it asserts nothing, and its figures depend on the machine.
//
// Sizes (environment): BENCH_MODELS (10,000), BENCH_VERSIONS_PER_MODEL (10), BENCH_REBUILD_EVENTS
// (1,000,000), BENCH_SECONDS per load point (10), BENCH_UPLOAD_BYTES (1 GiB), BENCH_ROUNDS (3);
// BENCH_KEEP_DATABASE=1 keeps the seeded database for a closer look.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { type Kysely, sql } from 'kysely';
import pg from 'pg';
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

async function startServer(entry: string, extraEnv: Record<string, string>): Promise<{ child: ChildProcess; url: string }> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, entry)], {
    cwd: ROOT,
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', ...extraEnv },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 600; i++) {
    if (child.exitCode !== null) throw new Error(`${entry} exited with ${child.exitCode}`);
    try {
      // Cairn listens before its database is open, and answers 503 until it is.
      const response = await fetch(`${url}/graphql`, { method: 'GET', signal: AbortSignal.timeout(1000) });
      await response.body?.cancel();
      if (response.status !== 503) return { child, url };
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

async function readPoints(url: string): Promise<Record<number, Load>> {
  // Warm up: JIT, caches, the pool's connections.
  await load({ url: `${url}/graphql`, body: READ_QUERY, connections: 8, duration: 3 });
  const points: Record<number, Load> = {};
  for (const connections of [1, 8, 32]) points[connections] = await load({ url: `${url}/graphql`, body: READ_QUERY, connections });
  return points;
}

// ---------------------------------------------------------------------------------------------------

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
const rows: string[][] = [];
const notes: string[] = [];
const pct = (a: number, b: number) => `${((a / b) * 100).toFixed(0)}%`;

try {
  // Seed: the read data set and the models the writes go to.
  log(`seeding ${MODELS} models with ${VERSIONS} versions each on ${label}`);
  let store = await database.open();
  const contextId = (await store.db.selectFrom('contexts').select('id').where('name', '=', 'default').executeTakeFirstOrThrow()).id;
  let seq = 0;
  await fillLog(store.db, contextId, 'bench', MODELS, () => Array.from({ length: VERSIONS }, (_, v) => versionEvents(v + 1, seq++)).flat());
  await fillLog(store.db, contextId, 'write-target', WRITE_MODELS, () => []);
  const seeded = await countEvents(store.db);
  const seededAt = performance.now();
  await rebuildProjections(store);
  log(`seeded ${seeded} events; projected in ${((performance.now() - seededAt) / 1000).toFixed(1)} s`);
  await sql`vacuum analyze`.execute(store.db);
  const writeModels = (await store.db.selectFrom('models').select('id').where('name', 'like', 'write-target-%').execute()).map((m) => m.id);
  const eventSample = await store.db.selectFrom('events').select(['data', 'metadata']).where('type', '=', 'VersionCreated').limit(1).executeTakeFirstOrThrow();
  await store.close();

  // Reads and writes through a Cairn process.
  log('reads: Cairn');
  const cairn = await startServer('src/main.ts', cairnEnv);
  const cairnReads = await readPoints(cairn.url);
  log('writes: Cairn createVersion');
  let next = 0;
  const CREATE = 'mutation ($modelId: ID!) { createVersion(input: { modelId: $modelId, description: "Version", tags: ["bench"], hyperparameters: { lr: 0.01, depth: 6 }, config: { image: "cairn/serve:1" }, records: [{ uri: "s3://data/train.csv", name: "train" }] }) { __typename } }';
  const writeLoad = (connections: number) =>
    load({
      url: `${cairn.url}/graphql`,
      connections,
      requests: [{ setupRequest: (req) => ({ ...req, body: JSON.stringify({ query: CREATE, variables: { modelId: writeModels[next++ % writeModels.length] } }) }) }],
    });
  await writeLoad(4); // warm-up
  const cairnWrites: Record<number, Load> = { 1: await writeLoad(1), 8: await writeLoad(8) };
  await stopServer(cairn.child);

  log('reads: bare Yoga');
  const bare = await startServer('bench/bareYoga.ts', {});
  const bareReads = await readPoints(bare.url);
  await stopServer(bare.child);

  // Every acknowledged createVersion is one event.
  store = await database.open();
  const written = Number(
    (await sql<{ n: string }>`select count(*)::text as n from events where type = 'VersionCreated' and stream_id in (${sql.join(writeModels)})`.execute(store.db)).rows[0]!.n,
  );
  const acknowledged = Object.values(cairnWrites).reduce((n, w) => n + w.requests - w.non2xx, 0);
  notes.push(`writes: ${written} VersionCreated events in the log for the write models after warm-up and both points (${acknowledged} acknowledged in the measured points; the rest were the warm-up).`);

  // The write ceiling: single-row INSERTs of the same event through a pool like Cairn's.
  log('writes: raw INSERTs');
  await sql`create table bench_raw_events (position bigint generated always as identity primary key, stream_id uuid not null, stream_version int not null, type text not null, data jsonb not null, metadata jsonb not null, recorded_at timestamptz(3) not null default now())`.execute(store.db);
  const rawRow = { stream_id: writeModels[0]!, stream_version: 1, type: 'VersionCreated', data: JSON.stringify(eventSample.data), metadata: JSON.stringify(eventSample.metadata) };
  const rawInserts = async (concurrency: number): Promise<Load> => {
    const latencies: number[] = [];
    const deadline = performance.now() + SECONDS * 1000;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (performance.now() < deadline) {
          const t0 = performance.now();
          await sql`insert into bench_raw_events (stream_id, stream_version, type, data, metadata) values (${rawRow.stream_id}, ${rawRow.stream_version}, ${rawRow.type}, ${rawRow.data}::jsonb, ${rawRow.metadata}::jsonb)`.execute(store.db);
          latencies.push(performance.now() - t0);
        }
      }),
    );
    latencies.sort((a, b) => a - b);
    return { rps: latencies.length / SECONDS, p50: latencies[Math.floor(latencies.length / 2)]!, p99: latencies[Math.floor(latencies.length * 0.99)]!, requests: latencies.length, non2xx: 0, errors: 0 };
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

  // The table.
  const ms = (x: number) => x.toFixed(1);
  const r = (x: number) => x.toFixed(0);
  for (const c of [1, 8, 32]) {
    const a = cairnReads[c]!;
    const b = bareReads[c]!;
    rows.push([`reads, ${c} client${c > 1 ? 's' : ''}`, `${r(a.rps)} req/s, p50 ${ms(a.p50)} ms, p99 ${ms(a.p99)} ms`, `bare Yoga ${r(b.rps)} req/s, p50 ${ms(b.p50)} ms, p99 ${ms(b.p99)} ms`, pct(a.rps, b.rps), c === 8 ? `≥ 40%, p99 < 50 ms` : '']);
  }
  for (const c of [1, 8]) {
    const a = cairnWrites[c]!;
    const b = raw[c]!;
    rows.push([`writes, ${c} client${c > 1 ? 's' : ''}`, `${r(a.rps)} createVersion/s, p50 ${ms(a.p50)} ms, p99 ${ms(a.p99)} ms`, `raw INSERT ${r(b.rps)}/s, p50 ${ms(b.p50)} ms`, pct(a.rps, b.rps), '≥ 50%']);
  }
  rows.push([`rebuild, ${rebuilt.events} events`, `${r(rebuilt.events / rebuildSeconds)} events/s (${rebuildSeconds.toFixed(1)} s)`, `plain SELECT ${r(select.n / select.seconds)} rows/s (${select.seconds.toFixed(1)} s)`, pct(rebuilt.events / rebuildSeconds, select.n / select.seconds), '≥ 25%']);
  const mib = (b: number) => `${(b / 1024 / 1024).toFixed(0)} MiB`;
  rows.push([`upload, ${mib(UPLOAD_BYTES)}`, `${r(files.ours.uploadMBs)} MB/s, peak +${mib(files.ours.uploadPeak)}`, `pipe ${r(files.base.uploadMBs)} MB/s, peak +${mib(files.base.uploadPeak)}`, pct(files.ours.uploadMBs, files.base.uploadMBs), '']);
  rows.push([`download, ${mib(UPLOAD_BYTES)}`, `${r(files.ours.downloadMBs)} MB/s, peak +${mib(files.ours.downloadPeak)}`, `pipe ${r(files.base.downloadMBs)} MB/s, peak +${mib(files.base.downloadPeak)}`, pct(files.ours.downloadMBs, files.base.downloadMBs), '']);
  for (const [name, points] of [['Cairn reads', cairnReads], ['bare reads', bareReads], ['Cairn writes', cairnWrites]] as const) {
    for (const [c, p] of Object.entries(points)) if (p.non2xx || p.errors) notes.push(`${name} at ${c}: ${p.non2xx} non-2xx, ${p.errors} errors or timeouts`);
  }

  const machine = `${os.cpus().length} × ${os.cpus()[0]?.model.trim() ?? 'cpu'}, ${(os.totalmem() / 1024 ** 3).toFixed(0)} GiB, Node ${process.version}, ${os.type()} ${os.release()}`;
  const table = [
    `### ${label}`,
    '',
    `\`${database.kind === 'postgres' ? 'DATABASE_URL=… ' : ''}npm run bench\` on ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC. Machine: ${machine}.`,
    `Data: ${MODELS} models × ${VERSIONS} versions (with a file each) for reads; ${SECONDS} s per load point (autocannon in the benchmark's process); pool size ${POOL}; Cairn at LOG_LEVEL=warn.`,
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
  if (process.env.BENCH_KEEP_DATABASE) log(`kept the database: ${database.databaseUrl ?? database.dataDir}`);
  else await database.drop();
}
