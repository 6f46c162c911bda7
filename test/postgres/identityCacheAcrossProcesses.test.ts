import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ADMIN_TOKEN } from '../helpers/api.ts';
import { openTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { countOutput, postGraphQL, type Started, startServer, waitForOutput, waitForOutputCount } from '../helpers/processes.ts';

// Two Cairn processes on one PostgreSQL, each with its own identity cache: a token revoked through A is
// refused by B on the next request after the NOTIFY of A's transaction has reached B. The test waits for
// exactly that, B's "identity cache emptied" line (logged at debug level as it happens): a fixed delay would
// be slow or flaky, and a request made before the notification arrives may still be answered from B's
// cache (the documented window: the NOTIFY latency).
let t: TestDatabase;
const servers: Started[] = [];
let a: string;
let b: string;
/** B's process, whose output says when its cache is emptied. */
let bProcess: Started;
/** B's /metrics, on a listener of its own that takes no token: reading it looks up no identity, so it cannot
 * move the lookup counters it reads (through the main port, the administrator's token would be looked up,
 * a miss whenever its cache entry had just reached its 30 s age: seen on a loaded machine). */
let bMetrics: string;

beforeAll(async () => {
  t = await openTestDatabase('postgres');
  // In the order asked, not the order they came up in: B's output and metrics must be B's.
  const started = await Promise.all(
    [0, 1].map(async () => {
      const { server, url } = await startServer({ DATABASE_URL: t.url!, DATABASE_POOL_SIZE: '4', LOG_LEVEL: 'debug', CAIRN_METRICS_PORT: '0' });
      servers.push(server);
      return { server, url };
    }),
  );
  [a, b] = [started[0]!.url, started[1]!.url];
  bProcess = started[1]!.server;
  const port = /"metricsPort":(\d+)/.exec(await waitForOutput(bProcess, /"metricsPort":\d+/))![1];
  bMetrics = `http://127.0.0.1:${port}`;
}, 120_000);
afterAll(async () => {
  for (const s of servers) s.child.kill('SIGTERM');
  await Promise.all(servers.map((s) => s.exited));
  await t?.close();
});

const LOOKUPS = 'cairn_identity_lookups_total';

/** A counter of B's /metrics, by its labels. */
async function counter(name: string, labels: Record<string, string>): Promise<number> {
  const text = await (await fetch(`${bMetrics}/metrics`)).text();
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && wanted.every((w) => l.includes(w)));
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
}

/** B's log lines saying its cache was emptied for this cause (src/app.ts logs each at debug level). */
const emptied = (cause: 'notify' | 'listener-lost') => new RegExp(`"cause":"${cause}"[^\\n]*"msg":"identity cache emptied"`, 'g');
const emptiedOnB = (cause: 'notify' | 'listener-lost') => countOutput(bProcess, emptied(cause));
/** Resolves once B has said `count` emptyings for this cause in all. */
const untilEmptiedOnB = (cause: 'notify' | 'listener-lost', count: number) => waitForOutputCount(bProcess, emptied(cause), count);

const as = async (url: string, secret: string) =>
  (await fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${secret}` }, body: JSON.stringify({ query: '{ me { principal { name } } }' }) })).status;

/**
 * A new viewer's token, made through A in three commands; resolves once B has heard their three NOTIFYs
 * (each would empty B's cache, and one arriving late would make a warm request look cold).
 */
async function viewerToken(): Promise<{ secret: string; tokenId: string }> {
  const heard = emptiedOnB('notify');
  const p = await postGraphQL(a, 'mutation ($n: String!) { createPrincipal(name: $n, kind: SERVICE) { ... on CreatePrincipalSuccess { principal { id } } } }', { n: `p-${Math.random()}` });
  const id = p.body.data.createPrincipal.principal.id;
  await postGraphQL(a, 'mutation ($i: RoleGrantInput!) { grantRole(input: $i) { __typename } }', { i: { role: 'viewer', principalId: id } });
  const token = await postGraphQL(a, 'mutation ($i: CreateTokenInput!) { createToken(input: $i) { ... on CreateTokenSuccess { secret token { id } } } }', { i: { principalId: id, name: 't' } });
  await untilEmptiedOnB('notify', heard + 3);
  return { secret: token.body.data.createToken.secret, tokenId: token.body.data.createToken.token.id };
}

it('refuses on B, with 401, a token that A revoked, once A\'s NOTIFY has reached B', { timeout: 60_000 }, async () => {
  const token = await viewerToken();
  // B caches the token: its second request is answered without a statement (a hit, no miss).
  expect(await as(b, token.secret)).toBe(200);
  const misses = await counter(LOOKUPS, { cache: 'miss' });
  // The first was a miss, counted on B's metrics (which are B's, and read).
  expect(misses).toBeGreaterThan(0);
  expect(await as(b, token.secret)).toBe(200);
  expect(await counter(LOOKUPS, { cache: 'miss' })).toBe(misses);

  const heard = emptiedOnB('notify');
  const revoked = await postGraphQL(a, 'mutation ($id: ID!) { revokeToken(id: $id) { __typename } }', { id: token.tokenId });
  expect(revoked.body.data.revokeToken.__typename).toBe('RevokeTokenSuccess');
  await untilEmptiedOnB('notify', heard + 1);
  expect(await as(b, token.secret)).toBe(401);
  // A, which revoked it, refused it at once (its own command emptied its cache before answering).
  expect(await as(a, token.secret)).toBe(401);
});

it('forgets on B what changed while its listener was down, and caches again once it is back', { timeout: 60_000 }, async () => {
  const token = await viewerToken();
  expect(await as(b, token.secret)).toBe(200);
  const lost = emptiedOnB('listener-lost');
  const heard = emptiedOnB('notify');
  // Both processes' listening connections are cut (nothing tells them apart in pg_stat_activity); A revokes
  // the token meanwhile, and its NOTIFY may reach nobody.
  const admin = new pg.Client({ connectionString: t.url });
  await admin.connect();
  try {
    const { rows } = await admin.query(`select pg_terminate_backend(pid) as done from pg_stat_activity where datname = current_database() and query = 'listen "cairn_access"'`);
    expect(rows.length).toBe(2);
  } finally {
    await admin.end();
  }
  await postGraphQL(a, 'mutation ($id: ID!) { revokeToken(id: $id) { __typename } }', { id: token.tokenId });
  // B noticed the loss (and stopped caching), then reconnected (which empties it again and resumes caching).
  await untilEmptiedOnB('listener-lost', lost + 1);
  await untilEmptiedOnB('notify', heard + 1);
  expect(await as(b, token.secret)).toBe(401);
  // Caching again: of three requests of the administrator's, one is a hit. Three, not two: the emptying
  // waited for may be the reconnection's, and A's NOTIFY of the revocation, if B was listening again by
  // then, empties the cache once more, possibly between two of them.
  const hits = await counter(LOOKUPS, { cache: 'hit' });
  for (let i = 0; i < 3; i++) expect(await as(b, ADMIN_TOKEN)).toBe(200);
  expect(await counter(LOOKUPS, { cache: 'hit' })).toBeGreaterThan(hits);
});
