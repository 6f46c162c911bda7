// node --import tsx bench/streams.ts: what open subscriptions cost the writers (issue 12, finding 5).
// N subscribers stay open (half on the whole context, half on the model being written) while one writer
// creates versions one after another; for each N: the createVersion latency (median, p95), the time until
// every subscriber has the event, and the statements the server sent per event beyond the write itself.
// On PostgreSQL when DATABASE_URL is set (a database of its own, dropped after), else PGlite.
// BENCH_SUBSCRIBERS (0,500,3000), BENCH_WRITES (40). A benchmark: it asserts nothing.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { KyselyPlugin } from 'kysely';
import pg from 'pg';
import { createApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { createLogger } from '../src/logger.ts';
import { openStore } from '../src/store/open.ts';

const TOKEN = 'cairn_bench_admin_token_0123456789';
const COUNTS = (process.env.BENCH_SUBSCRIBERS ?? '0,500,3000').split(',').map(Number);
const WRITES = Number(process.env.BENCH_WRITES ?? 40);

let statements = 0;
const counter: KyselyPlugin = {
  transformQuery(args) {
    statements++;
    return args.node;
  },
  transformResult: async (args) => args.result,
};

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-bench-streams-'));
const serverUrl = process.env.DATABASE_URL;
let databaseUrl: string | undefined;
const name = `cairn_bench_streams_${process.pid}`;
if (serverUrl) {
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const u = new URL(serverUrl);
  u.pathname = `/${name}`;
  databaseUrl = u.toString();
}
const config = loadConfig({
  LOG_LEVEL: 'silent',
  CAIRN_BOOTSTRAP_TOKEN: TOKEN,
  CAIRN_DATA_DIR: dataDir,
  CAIRN_MAX_SUBSCRIPTIONS_PER_TOKEN: '100000',
  CAIRN_MAX_VERSIONS: '100000',
  ...(databaseUrl && { DATABASE_URL: databaseUrl }),
});
const store = await openStore(config);
const app = await createApp(config, { ...store, db: store.db.withPlugin(counter) }, createLogger('silent'));
const headers = { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` };

async function gql(query: string, variables: Record<string, unknown> = {}) {
  const r = await app.yoga.fetch('http://cairn.test/graphql', { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
  const body = (await r.json()) as { data: any; errors?: unknown };
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data;
}

let received = 0;
let ended = 0;
let onReceived = () => {};
/** Resolves once the server has made the subscription (its response has come); then reads it in the background. */
async function subscribe(variables: Record<string, unknown>) {
  const abort = new AbortController();
  const r = await app.yoga.fetch('http://cairn.test/graphql', {
    method: 'POST',
    headers: { ...headers, accept: 'text/event-stream' },
    body: JSON.stringify({ query: 'subscription ($m: ID) { modelEvents(modelId: $m) { position } }', variables }),
    signal: abort.signal,
  });
  void (async () => {
    const decoder = new TextDecoder();
    const reader = r.body!.getReader();
    for (;;) {
      const chunk = await reader.read().catch(() => ({ done: true as const, value: undefined }));
      if (chunk.done) {
        if (!abort.signal.aborted) ended++;
        return;
      }
      received += decoder.decode(chunk.value).split('event: next').length - 1;
      onReceived();
    }
  })();
  return () => abort.abort();
}

const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))]!;
const model = (await gql('mutation { createModel(input: { name: "bench" }) { ... on CreateModelSuccess { model { id } } } }')).createModel.model.id;
const write = async () => {
  const r = await gql('mutation ($id: ID!) { createVersion(input: { modelId: $id }) { __typename } }', { id: model });
  if (r.createVersion.__typename !== 'CreateVersionSuccess') throw new Error(r.createVersion.__typename);
};

/** Until each of `n` subscribers has the event, or 60 s (a stream the server ended never gets it: counted). */
const everyoneHas = (n: number) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(() => {
      console.error(`only ${received} of ${n} delivered within 60 s; ${ended} streams ended`);
      resolve();
    }, 60_000);
    onReceived = () => {
      if (received >= n) {
        clearTimeout(timer);
        resolve();
      }
    };
    onReceived();
  });

const rows: string[] = [];
for (const n of COUNTS) {
  const closers = await Promise.all(Array.from({ length: n }, (_, i) => subscribe(i % 2 === 0 ? {} : { m: model })));
  // Every subscription is made: a first event reaches all of them.
  received = 0;
  await write();
  await everyoneHas(n);
  const writeMs: number[] = [];
  const deliverMs: number[] = [];
  statements = 0;
  let writeStatements = 0;
  for (let i = 0; i < WRITES; i++) {
    received = 0;
    const t0 = performance.now();
    const before = statements;
    await write();
    writeMs.push(performance.now() - t0);
    writeStatements += statements - before;
    await everyoneHas(n);
    deliverMs.push(performance.now() - t0);
  }
  // The write's own statements, measured with no subscriber, are subtracted below.
  const total = statements;
  for (const close of closers) close();
  if (ended > 0) console.error(`${ended} of ${n} streams ended early`);
  ended = 0;
  rows.push(`${n}|${quantile(writeMs, 0.5).toFixed(1)}|${quantile(writeMs, 0.95).toFixed(1)}|${quantile(deliverMs, 0.5).toFixed(1)}|${quantile(deliverMs, 0.95).toFixed(1)}|${(total / WRITES).toFixed(1)}|${(writeStatements / WRITES).toFixed(1)}`);
  console.error(rows.at(-1));
}
const base = Number(rows[0]!.split('|')[5]);
console.log(`\n${serverUrl ? 'PostgreSQL' : 'PGlite'}, ${WRITES} createVersion each, subscribers half context-wide, half on the model written`);
console.log('| subscribers | createVersion median ms | p95 ms | all delivered median ms | p95 ms | statements per event (all) | beyond the write, per event |');
console.log('| --- | --- | --- | --- | --- | --- | --- |');
for (const r of rows) {
  const c = r.split('|');
  console.log(`| ${c[0]} | ${c[1]} | ${c[2]} | ${c[3]} | ${c[4]} | ${c[5]} | ${(Number(c[5]) - base).toFixed(1)} |`);
}
await app.close();
await store.close();
if (serverUrl) {
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`drop database if exists ${name} with (force)`);
  await admin.end();
}
fs.rmSync(dataDir, { recursive: true, force: true });
process.exit(0);
