// npm run bench:commands: what a command costs on a model with a long stream beside one on a new model
// (issue 15, "commands at constant cost"). On PostgreSQL when DATABASE_URL is set (in a database of its own,
// created and dropped on that server), else on embedded PGlite in a temporary directory. Prints one table and
// writes it to bench/RESULTS.md, in this database's section. A benchmark, not a test: it asserts nothing.
//
// Three models take the same commands in alternating rounds, each round a createVersion, an updateVersion
// of it and a deleteVersion (so that every model keeps the same 10 live versions, under the version limit):
// - new: a model of 11 events (created, 10 versions), replaced by a fresh one every 10 rounds, so its stream
//   stays between 11 and 41 events: the ceiling, measured in the same run;
// - long: a model of BENCH_LONG_EVENTS (3,000) events, with snapshots as the server takes them;
// - long, full fold: a model as long, with its snapshot removed and none written again (snapshotEvery:
//   Infinity), so that each command folds the whole stream, as every command did before snapshots.
// The commands go through handleCommand itself (lock, load, decide, append, project, commit), with the
// server's limits; an API request adds the same HTTP and GraphQL work to each of the three.
//
// Environment: BENCH_LONG_EVENTS (3000), BENCH_ROUNDS (300, after 20 rounds of warm-up).
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import pg from 'pg';
import { loadConfig } from '../src/config.ts';
import type { ModelCommand } from '../src/domain/model/commands.ts';
import type { Db } from '../src/store/database.ts';
import { handleCommand, type HandleOptions } from '../src/store/handleCommand.ts';
import { openStore, type Store } from '../src/store/open.ts';
import { SNAPSHOT_EVERY } from '../src/store/snapshots.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const LONG_EVENTS = env('BENCH_LONG_EVENTS', 3000);
const ROUNDS = env('BENCH_ROUNDS', 300);
const WARM_UP = 20;
const LIVE_VERSIONS = 10;
const NEW_MODEL_ROUNDS = 10;

const log = (message: string) => console.error(`[bench:commands ${new Date().toISOString().slice(11, 19)}] ${message}`);

// ---------------------------------------------------------------------------------------------------
// The database: a fresh one of the benchmark's own.

async function benchDatabase(): Promise<{ kind: 'postgres' | 'pglite'; store: Store; drop(): Promise<void> }> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-bench-commands-'));
  const serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) {
    const store = await openStore({ databaseUrl: undefined, databasePoolSize: 10, dataDir });
    return {
      kind: 'pglite',
      store,
      drop: async () => {
        await store.close();
        fs.rmSync(dataDir, { recursive: true, force: true });
      },
    };
  }
  const name = `cairn_bench_commands_${process.pid}_${Date.now()}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const store = await openStore({ databaseUrl: url.toString(), databasePoolSize: 10, dataDir });
  return {
    kind: 'postgres',
    store,
    async drop() {
      await store.close();
      const c = new pg.Client({ connectionString: serverUrl });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

// ---------------------------------------------------------------------------------------------------

const config = loadConfig({});
const metadata = { actor: 'bench', requestId: null, principalId: null, tokenId: null };
const settings = { description: 'A version', tags: ['bench'], hyperparameters: { lr: 0.01, depth: 6 }, config: { image: 'cairn/serve:1' }, records: [{ uri: 's3://data/train.csv', name: 'train' }] };

interface Model {
  id: string;
  /** Options of every command on it (the full-fold model's turn snapshots off). */
  options: Partial<HandleOptions>;
  /** Live version numbers, oldest first. */
  live: number[];
  next: number;
}

/** Milliseconds of the commands that wrote a snapshot (on a model that takes them). */
const snapshotWrites = new Map<Model, number[]>();

async function command(db: Db, model: Model, c: ModelCommand): Promise<number> {
  const t0 = performance.now();
  // Without the process's state cache: this measures what a command loads from the database (snapshot and tail, or the whole stream).
  const result = await handleCommand(db, model.id, c, { limits: config.limits, metadata, cache: false, ...model.options });
  const ms = performance.now() - t0;
  const every = model.options.snapshotEvery ?? SNAPSHOT_EVERY;
  if (Math.floor(result.state.streamVersion / every) > Math.floor(result.previous.streamVersion / every)) snapshotWrites.get(model)?.push(ms);
  return ms;
}

async function newModel(db: Db, contextId: string, options: Partial<HandleOptions> = {}): Promise<Model> {
  const model: Model = { id: randomUUID(), options, live: [], next: 1 };
  await command(db, model, { type: 'CreateModel', data: { modelId: model.id, contextId, name: `bench-${model.id}` } });
  for (let i = 0; i < LIVE_VERSIONS; i++) {
    await command(db, model, { type: 'CreateVersion', data: settings });
    model.live.push(model.next++);
  }
  return model;
}

/** Milliseconds each command of a round took. */
interface Round {
  create: number;
  update: number;
  remove: number;
}

/** One round: a version created and updated, and the oldest live version deleted. */
async function round(db: Db, model: Model): Promise<Round> {
  const number = model.next++;
  const create = await command(db, model, { type: 'CreateVersion', data: settings });
  const update = await command(db, model, { type: 'UpdateVersion', data: { number, description: `Version ${number}, updated`, config: { image: `cairn/serve:${number}` } } });
  model.live.push(number);
  const remove = await command(db, model, { type: 'DeleteVersion', data: { number: model.live.shift()! } });
  return { create, update, remove };
}

async function streamLength(db: Db, id: string): Promise<number> {
  const row = await db.selectFrom('events').select((e) => e.fn.max('stream_version').as('n')).where('stream_id', '=', id).executeTakeFirstOrThrow();
  return Number(row.n);
}

const database = await benchDatabase();
const label = database.kind === 'postgres' ? 'PostgreSQL' : 'embedded PGlite';
const db = database.store.db;
try {
  const contextId = (await db.selectFrom('contexts').select('id').where('name', '=', 'default').executeTakeFirstOrThrow()).id;

  log(`seeding two models of ${LONG_EVENTS} events on ${label}`);
  const seed0 = performance.now();
  const long = await newModel(db, contextId);
  const fullFold = await newModel(db, contextId);
  for (const model of [long, fullFold]) {
    while ((await streamLength(db, model.id)) + 3 <= LONG_EVENTS) await round(db, model);
  }
  // From here on the full-fold model has no snapshot and takes none: every command on it folds its whole stream.
  await db.deleteFrom('snapshots').where('stream_id', '=', fullFold.id).execute();
  fullFold.options = { snapshotEvery: Number.POSITIVE_INFINITY };
  const lengths = { long: await streamLength(db, long.id), fullFold: await streamLength(db, fullFold.id) };
  log(`seeded in ${((performance.now() - seed0) / 1000).toFixed(1)} s: ${lengths.long} and ${lengths.fullFold} events`);

  const samples: Record<'fresh' | 'long' | 'fullFold', Round[]> = { fresh: [], long: [], fullFold: [] };
  const longWrites: number[] = [];
  let fresh = await newModel(db, contextId);
  const freshLengths: number[] = [];
  for (let r = 0; r < WARM_UP + ROUNDS; r++) {
    if (r % NEW_MODEL_ROUNDS === 0) fresh = await newModel(db, contextId);
    freshLengths.push(await streamLength(db, fresh.id));
    // The order within a round turns, so that none of the three always runs right after another.
    const order = [
      ['fresh', fresh],
      ['long', long],
      ['fullFold', fullFold],
    ] as const;
    for (let i = 0; i < order.length; i++) {
      const [name, model] = order[(i + r) % order.length]!;
      if (r === WARM_UP && model === long) snapshotWrites.set(long, longWrites);
      const took = await round(db, model);
      if (r >= WARM_UP) samples[name].push(took);
    }
    if ((r + 1) % 100 === 0) log(`round ${r + 1} of ${WARM_UP + ROUNDS}`);
  }
  const end = { long: await streamLength(db, long.id), fullFold: await streamLength(db, fullFold.id) };
  const { rows: snapshotRows } = await sql<{ stream_version: number; bytes: number; text: number }>`
    select stream_version, pg_column_size(state) as bytes, length(state::text) as text from snapshots where stream_id = ${long.id}`.execute(db);
  const snapshot = snapshotRows[0]!;

  const quantile = (xs: number[], q: number) => {
    const sorted = [...xs].sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))]!;
  };
  const ms = (x: number) => `${x.toFixed(2)} ms`;
  const pct = (a: number, b: number) => `${((a / b) * 100).toFixed(0)}%`;
  const rows: string[][] = [];
  for (const [op, pick] of [
    ['createVersion', (s: Round) => s.create],
    ['updateVersion', (s: Round) => s.update],
    ['deleteVersion', (s: Round) => s.remove],
  ] as const) {
    const base = samples.fresh.map(pick);
    const ceiling = `new model: p50 ${ms(quantile(base, 0.5))}, p95 ${ms(quantile(base, 0.95))}`;
    for (const [name, label, target] of [
      ['long', `${op}, model of ${lengths.long}-${end.long} events, snapshots`, '≈ 100%'],
      ['fullFold', `${op}, model of ${lengths.fullFold}-${end.fullFold} events, full fold (as before)`, ''],
    ] as const) {
      const xs = samples[name].map(pick);
      rows.push([label, `p50 ${ms(quantile(xs, 0.5))}, p95 ${ms(quantile(xs, 0.95))}`, ceiling, pct(quantile(xs, 0.5), quantile(base, 0.5)), target]);
    }
  }

  const machine = `${os.cpus().length} × ${os.cpus()[0]?.model.trim() ?? 'cpu'}, ${(os.totalmem() / 1024 ** 3).toFixed(0)} GiB, Node ${process.version}, ${os.type()} ${os.release()}`;
  const load = os.loadavg()[0]!.toFixed(1);
  const table = [
    `### Commands on ${label}`,
    '',
    `\`${database.kind === 'postgres' ? 'DATABASE_URL=… ' : ''}npm run bench:commands\` on ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC. Machine: ${machine}; load average ${load} at the end.`,
    `${ROUNDS} rounds after ${WARM_UP} of warm-up, alternating between the models; each round a createVersion, an updateVersion and a deleteVersion through handleCommand. ` +
      `New models: ${Math.min(...freshLengths)}-${Math.max(...freshLengths) + 3} events. Snapshots every ${SNAPSHOT_EVERY} events; the long model's last at ${snapshot.stream_version}. Ratio: p50 on the long stream / p50 on the new one.`,
    '',
    '| measure | Cairn | ceiling, same run | ratio | target |',
    '| --- | --- | --- | --- | --- |',
    ...rows.map((cells) => `| ${cells.join(' | ')} |`),
    '',
    `- The long model's commands that wrote a snapshot (${longWrites.length} of ${samples.long.length * 3}, included above): p50 ${ms(quantile(longWrites, 0.5))}, p95 ${ms(quantile(longWrites, 0.95))}. ` +
      `Its snapshot (${LIVE_VERSIONS} live versions) holds ${snapshot.text} characters of JSON, ${snapshot.bytes} bytes stored.`,
  ].join('\n');
  console.log(`\n${table}\n`);

  // Into bench/RESULTS.md, replacing this database's previous section.
  const resultsFile = path.join(ROOT, 'bench/RESULTS.md');
  const start = `<!-- bench:commands-${database.kind} -->`;
  const stop = `<!-- /bench:commands-${database.kind} -->`;
  let text = fs.existsSync(resultsFile) ? fs.readFileSync(resultsFile, 'utf8') : '# Benchmark results\n';
  const block = `${start}\n${table}\n${stop}`;
  text = text.includes(start) ? text.replace(new RegExp(`${start}[\\s\\S]*?${stop}`), () => block) : `${text.trimEnd()}\n\n${block}\n`;
  fs.writeFileSync(resultsFile, text);
  log(`written to ${path.relative(ROOT, resultsFile)}`);
} finally {
  await database.drop();
}
