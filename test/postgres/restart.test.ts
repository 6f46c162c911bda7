import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { adminHeaders } from '../helpers/api.ts';
import { type PrivatePostgres, startPrivatePostgres } from '../helpers/privatePostgres.ts';
import { type Started, startServer } from '../helpers/processes.ts';
import { sseReader } from '../helpers/sse.ts';

// PostgreSQL restarted under load (a server of this test's own, so no other test is disturbed): requests
// during the outage fail cleanly and retryably, the pool recovers by itself, nothing acknowledged is lost,
// and a subscription survives the outage.
let database: PrivatePostgres;
let cairn: Started;
let url: string;

beforeAll(async () => {
  database = await startPrivatePostgres();
  ({ server: cairn, url } = await startServer({ DATABASE_URL: database.url, DATABASE_POOL_SIZE: '5', CAIRN_MAX_VERSIONS: '100000' }));
}, 90_000);
afterAll(async () => {
  cairn?.child.kill('SIGTERM');
  await cairn?.exited;
  database?.stop();
});

const headers = { 'content-type': 'application/json', ...adminHeaders };
async function post(query: string, variables: Record<string, unknown> = {}, idempotencyKey?: string) {
  try {
    const response = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { ...headers, ...(idempotencyKey && { 'idempotency-key': idempotencyKey }) },
      body: JSON.stringify({ query, variables }),
    });
    return { status: response.status, retryAfter: response.headers.get('retry-after'), body: (await response.json()) as any };
  } catch (error) {
    return { status: 0, retryAfter: null, body: { transport: String(error) } };
  }
}

const CREATE_VERSION =
  'mutation ($modelId: ID!) { createVersion(input: { modelId: $modelId }) { __typename ... on CreateVersionSuccess { version { number } } ... on Error { code } } }';

it('answers requests during a PostgreSQL restart with a retryable error, recovers by itself, and loses nothing acknowledged', async () => {
  const models: string[] = [];
  for (const name of ['restart-a', 'restart-b']) {
    const { body } = await post('mutation ($name: String!) { createModel(input: { name: $name }) { ... on CreateModelSuccess { model { id } } } }', { name });
    models.push(body.data.createModel.model.id);
  }
  const abort = new AbortController();
  const stream = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { ...headers, accept: 'text/event-stream' },
    body: JSON.stringify({ query: 'subscription { modelEvents { type modelId data } }' }),
    signal: abort.signal,
  });
  const events = sseReader(stream.body!);

  // A connection lost during COMMIT leaves the outcome unknown (OUTCOME_UNKNOWN, not retryable by itself):
  // each create is sent with an idempotency key and repeated under it until it has an answer, as the clients do.
  type Outcome = { kind: 'ok'; modelId: string; number: number } | { kind: 'unavailable' } | { kind: 'unknown' } | { kind: 'other'; detail: unknown };
  const outcomes: Outcome[] = [];
  let restarted = false;
  let ok = 0;
  let okAfterRestart = 0;
  const acks = new EventEmitter();
  /** Resolves once `n` creates in all have been acknowledged. */
  const acknowledgedCount = (n: number) =>
    new Promise<void>((resolve) => {
      const check = () => {
        if (ok < n) return;
        acks.off('ok', check);
        resolve();
      };
      acks.on('ok', check);
      check();
    });
  const worker = async (w: number) => {
    for (let i = 0; okAfterRestart < 20 && i < 5000; i++) {
      const modelId = models[(w + i) % 2]!;
      const key = randomUUID();
      // Asked again until answered; a create that never is makes the test time out.
      for (;;) {
        const r = await post(CREATE_VERSION, { modelId }, key);
        const result = r.body?.data?.createVersion;
        const errors: any[] = r.body?.errors ?? [];
        const codes = errors.map((e) => e.extensions?.code);
        if (r.status === 200 && result?.__typename === 'CreateVersionSuccess') {
          outcomes.push({ kind: 'ok', modelId, number: result.version.number });
          ok++;
          if (restarted) okAfterRestart++;
          acks.emit('ok');
          break;
        }
        if ((r.status === 503 || r.status === 200) && codes.length > 0 && codes.every((c) => c === 'SERVICE_UNAVAILABLE')) {
          outcomes.push({ kind: 'unavailable' });
          if (r.status === 503) expect(r.retryAfter).toBe('1');
          expect(errors.every((e) => e.extensions.retryable === true)).toBe(true);
        } else if (r.status === 503 && codes.length > 0 && codes.every((c) => c === 'OUTCOME_UNKNOWN')) {
          outcomes.push({ kind: 'unknown' });
          expect(errors.every((e) => e.extensions.retryable === false && e.extensions.outcomeUnknown === true)).toBe(true);
        } else if (r.status === 409 && codes.every((c) => c === 'CONFLICT')) {
          // The first attempt under this key still holds it: ask again.
        } else {
          outcomes.push({ kind: 'other', detail: { status: r.status, body: r.body } });
          break;
        }
        // A client's pause before asking again, not synchronisation: without it four workers would spin
        // through the outage as fast as refusals come back.
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
  };
  const load = Promise.all([0, 1, 2, 3].map(worker));
  // Once the load is running (ten creates acknowledged; or it ended, which the checks below explain), restart
  // the server under it.
  await Promise.race([acknowledgedCount(10), load]);
  const okBeforeRestart = ok;
  await database.restart();
  restarted = true;
  await load;

  const other = outcomes.filter((o) => o.kind === "other");
  if (other.length) console.log(cairn.output().slice(-3000));
  expect(other, JSON.stringify(other.slice(0, 3))).toEqual([]);
  expect(okBeforeRestart).toBeGreaterThanOrEqual(10);
  expect(outcomes.some((o) => o.kind === 'unavailable')).toBe(true);
  // It recovered by itself: 20 successes after the restart, with no restart of Cairn.
  expect(okAfterRestart).toBeGreaterThanOrEqual(20);
  expect(cairn.child.exitCode).toBeNull();
  expect((await fetch(`${url}/ready`)).status).toBe(200);

  // Every acknowledged version is in the log, and each model's numbers are consecutive from 1.
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  const { rows } = await client.query<{ stream_id: string; number: number }>(
    `select stream_id, (data->>'number')::int as number from events where type = 'VersionCreated' order by stream_id, number`,
  );
  await client.end();
  const logged = new Set(rows.map((r) => `${r.stream_id}/${r.number}`));
  const acknowledged = outcomes.filter((o): o is Extract<Outcome, { kind: 'ok' }> => o.kind === 'ok');
  for (const a of acknowledged) expect(logged.has(`${a.modelId}/${a.number}`)).toBe(true);
  // And nothing twice: a create whose outcome was unknown and was repeated under its key made one version.
  expect(rows.length).toBe(acknowledged.length);
  for (const modelId of models) {
    const numbers = rows.filter((r) => r.stream_id === modelId).map((r) => r.number);
    expect(numbers).toEqual(numbers.map((_, i) => i + 1));
  }

  // The subscription stayed open through the outage and delivered every version, the ones after it too.
  const seen = new Set<string>();
  while (seen.size < rows.length) {
    const e = (await events.next()).data.modelEvents;
    if (e.type === 'VersionCreated') seen.add(`${e.modelId}/${e.data.number}`);
  }
  expect(seen).toEqual(logged);
  abort.abort();
  await events.cancel();
}, 120_000);
