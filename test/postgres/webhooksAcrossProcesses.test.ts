import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { adminHeaders } from '../helpers/api.ts';
import { openTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { type Started, startServer } from '../helpers/processes.ts';
import { type Behaviour, type Received, type Receiver, startReceiver } from '../helpers/webhookReceiver.ts';

// Webhooks delivered by Cairn processes on one PostgreSQL (and one data directory for their files, as the
// processes behind a load balancer share a blob store): what one process leaves when it is SIGKILLed, pending
// or mid-attempt, another delivers; and two processes running side by side deliver each event once.
let t: TestDatabase;
let dataDir: string;
const servers: Started[] = [];
const receivers: Receiver[] = [];

beforeAll(async () => {
  t = await openTestDatabase('postgres');
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-webhook-procs-'));
});
afterEach(async () => {
  for (const s of servers.splice(0)) {
    if (s.child.exitCode === null && s.child.signalCode === null) s.child.kill('SIGTERM');
    await s.exited;
  }
  for (const r of receivers.splice(0)) await r.close();
});
afterAll(async () => {
  await t?.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

/** A Cairn process on the test database, logging each webhook attempt (debug) so that the test can wait for it. */
async function cairn(env: Record<string, string>): Promise<{ server: Started; url: string }> {
  const started = await startServer({
    DATABASE_URL: t.url!,
    DATABASE_POOL_SIZE: '5',
    CAIRN_DATA_DIR: dataDir,
    CAIRN_BLOB_STORE: '',
    LOG_LEVEL: 'debug',
    CAIRN_WEBHOOK_ALLOW_PRIVATE: 'true',
    ...env,
  });
  servers.push(started.server);
  return started;
}

async function receiver(behaviour?: Behaviour): Promise<Receiver> {
  const r = await startReceiver(behaviour);
  receivers.push(r);
  return r;
}

/** A GraphQL request as the administrator in a context; fails the test on any top-level error, returns `data`. */
async function gql(url: string, query: string, variables: Record<string, unknown> = {}, context?: string): Promise<any> {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...adminHeaders, ...(context && { 'x-cairn-context': context }) },
    body: JSON.stringify({ query, variables }),
  });
  const body = await response.json();
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data;
}

async function givenContext(url: string, name: string): Promise<string> {
  const data = await gql(url, 'mutation ($n: String!) { createContext(name: $n) { ... on CreateContextSuccess { context { id } } ... on Error { code message } } }', { n: name });
  if (!data.createContext.context) throw new Error(JSON.stringify(data));
  return data.createContext.context.id;
}

async function createWebhook(url: string, context: string, target: string): Promise<string> {
  const data = await gql(
    url,
    'mutation ($input: CreateWebhookInput!) { createWebhook(input: $input) { __typename ... on CreateWebhookSuccess { webhook { id } } ... on Error { code message } } }',
    { input: { url: target } },
    context,
  );
  expect(data.createWebhook.__typename, JSON.stringify(data)).toBe('CreateWebhookSuccess');
  return data.createWebhook.webhook.id;
}

async function createModel(url: string, context: string, name: string): Promise<string> {
  const data = await gql(url, 'mutation ($n: String!) { createModel(input: { name: $n }) { ... on CreateModelSuccess { model { id } } ... on Error { code message } } }', { n: name }, context);
  if (!data.createModel.model) throw new Error(JSON.stringify(data));
  return data.createModel.model.id;
}

/** The requests so far once `done` holds for them, looked at again as each new one arrives. */
async function receivedUntil(r: Receiver, done: (requests: Received[]) => boolean): Promise<Received[]> {
  for (let n = r.requests.length; ; n++) {
    const got = await r.received(n);
    if (done(got)) return got;
  }
}

/** The delivery ids of the webhook attempts the processes have logged so far (debug: "webhook attempt"). */
function attemptsLogged(...processes: Started[]): string[] {
  const ids: string[] = [];
  for (const p of processes) {
    for (const line of p.output().split('\n')) {
      if (!line.includes('"webhook attempt"')) continue;
      const parsed = JSON.parse(line);
      if (parsed.msg === 'webhook attempt') ids.push(parsed.delivery);
    }
  }
  return ids;
}

/** Resolves once the processes' logged attempts satisfy `done`, looked at again as each prints; rejects if one exits first. */
function attemptsLoggedUntil(processes: Started[], done: (ids: string[]) => boolean): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const check = () => {
      const ids = attemptsLogged(...processes);
      if (!done(ids)) return;
      stop();
      resolve(ids);
    };
    const stop = () => {
      for (const p of processes) {
        p.child.stdout!.off('data', check);
        p.child.stderr!.off('data', check);
      }
    };
    for (const p of processes) {
      p.child.stdout!.on('data', check);
      p.child.stderr!.on('data', check);
      void p.closed.then(() => {
        stop();
        reject(new Error(`process exited before the attempts awaited were logged: ${p.output()}`));
      });
    }
    check();
  });
}

const deliveryOf = (r: Received) => r.headers['cairn-delivery'] as string;
const eventOf = (r: Received) => JSON.parse(r.body).id as string;

it("delivers what a SIGKILLed process left: its pending deliveries, and the one it was attempting once that attempt's lease has run out", async () => {
  // While A runs the receiver fails every delivery (500), except VersionPublished's, which it never answers.
  let phase: 'A' | 'B' = 'A';
  const answeredInB: Received[] = [];
  const r = await receiver((_, request) => {
    if (phase === 'B') {
      answeredInB.push(request);
      return { status: 200 };
    }
    return request.headers['cairn-event'] === 'VersionPublished' ? 'hang' : { status: 500 };
  });
  // A would retry in 16-24 s (backoff 20 s x 0.8-1.2; B retries then), and gives a silent receiver 8 s: time to kill it
  // mid-attempt. Its leases last that 8 s and 2 s more.
  const a = await cairn({ CAIRN_WEBHOOK_BACKOFF_MS: '20000', CAIRN_WEBHOOK_TIMEOUT_MS: '8000', CAIRN_WEBHOOK_MAX_ATTEMPTS: '5', CAIRN_WEBHOOK_LEASE_MARGIN_MS: '2000' });
  const context = await givenContext(a.url, 'killed');
  const webhookId = await createWebhook(a.url, context, r.url);
  const modelId = await createModel(a.url, context, 'left-behind');
  for (let i = 0; i < 4; i++) await gql(a.url, 'mutation ($id: ID!) { createVersion(input: { modelId: $id }) { __typename } }', { id: modelId }, context);
  await gql(a.url, 'mutation ($id: ID!) { publishVersion(modelId: $id, number: 1) { __typename } }', { id: modelId }, context);
  // Six events: ModelCreated, 4 x VersionCreated, VersionPublished.
  const events = await t.db.selectFrom('events').select(['event_id', 'type']).where('stream_id', '=', modelId).execute();
  expect(events).toHaveLength(6);

  // A has asked about every event: five answered 500 and recorded (PENDING, due again in 16-24 s),
  // and VersionPublished's attempt still waiting for its answer.
  const asked = await receivedUntil(r, (got) => new Set(got.map(eventOf)).size === 6);
  const hanging = asked.find((q) => q.headers['cairn-event'] === 'VersionPublished')!;
  const failed = new Set(asked.filter((q) => q !== hanging).map(deliveryOf));
  expect(failed.size).toBe(5);
  await attemptsLoggedUntil([a.server], (ids) => [...failed].every((id) => ids.includes(id)));
  expect(attemptsLogged(a.server)).not.toContain(deliveryOf(hanging));
  a.server.child.kill('SIGKILL');
  await a.server.exited;

  // What A left: five deliveries pending with one attempt recorded each, and one leased to an attempt that
  // will never be recorded.
  const left = await t.db
    .selectFrom('webhook_deliveries')
    .select(['id', 'event_id', 'status', 'attempts', 'leased_until', sql<boolean>`leased_until > now()`.as('leased')])
    .where('webhook_id', '=', webhookId)
    .execute();
  expect(left).toHaveLength(6);
  expect(new Set(left.map((d) => d.event_id))).toEqual(new Set(events.map((e) => e.event_id)));
  expect(left.every((d) => d.status === 'PENDING' && d.attempts === 1)).toBe(true);
  const inFlight = left.find((d) => d.id === deliveryOf(hanging))!;
  expect(inFlight.leased).toBe(true);
  const recorded = await t.db.selectFrom('webhook_attempts').select(['delivery_id', 'response_status']).where('delivery_id', 'in', left.map((d) => d.id)).execute();
  expect(recorded.map((x) => x.delivery_id).sort()).toEqual([...failed].sort());
  expect(recorded.every((x) => x.response_status === 500)).toBe(true);

  // B, with a short backoff, and a receiver that now answers 200.
  phase = 'B';
  const b = await cairn({ CAIRN_WEBHOOK_BACKOFF_MS: '100', CAIRN_WEBHOOK_TIMEOUT_MS: '1000', CAIRN_WEBHOOK_MAX_ATTEMPTS: '5' });
  await receivedUntil(r, () => new Set(answeredInB.map(deliveryOf)).size === 6);
  // Every event arrived, each under the delivery id A had used for it: none lost, none doubled.
  expect(new Set(answeredInB.map(deliveryOf))).toEqual(new Set(left.map((d) => d.id)));
  expect(new Set(answeredInB.map(eventOf))).toEqual(new Set(events.map((e) => e.event_id)));
  expect(answeredInB).toHaveLength(6);
  // The one A was attempting was not taken again before its lease ran out (A's timeout + its 2 s margin).
  const again = answeredInB.find((q) => deliveryOf(q) === inFlight.id)!;
  expect(again.at).toBeGreaterThanOrEqual(inFlight.leased_until!.getTime());
  expect(again.body).toBe(hanging.body);

  await attemptsLoggedUntil([b.server], (ids) => new Set(ids).size === 6);
  const done = await t.db.selectFrom('webhook_deliveries').select(['id', 'status', 'attempts', 'last_response_status']).where('webhook_id', '=', webhookId).execute();
  expect(done.every((d) => d.status === 'SUCCEEDED' && d.attempts === 2 && d.last_response_status === 200)).toBe(true);
  // A's interrupted attempt left no record; B's is attempt 2.
  const ofInFlight = await t.db.selectFrom('webhook_attempts').select(['attempt', 'response_status']).where('delivery_id', '=', inFlight.id).execute();
  expect(ofInFlight).toEqual([{ attempt: 2, response_status: 200 }]);
}, 180_000);

it('delivers each of 50 events exactly once with two processes running', async () => {
  const r = await receiver();
  const [p, q] = await Promise.all([cairn({ CAIRN_WEBHOOK_BACKOFF_MS: '100' }), cairn({ CAIRN_WEBHOOK_BACKOFF_MS: '100' })]);
  const context = await givenContext(p.url, 'shared');
  const webhookId = await createWebhook(q.url, context, r.url);
  // 50 models created at once, half through each process: 50 ModelCreated events.
  const models = await Promise.all(Array.from({ length: 50 }, (_, i) => createModel(i % 2 ? q.url : p.url, context, `once-${i}`)));
  const events = await t.db.selectFrom('events').select('event_id').where('stream_id', 'in', models).execute();
  expect(events).toHaveLength(50);

  await r.received(50);
  // Every attempt recorded, by one process or the other: 50 deliveries SUCCEEDED at their first attempt
  // (counted when it is claimed), so no other attempt is under way or to come.
  await attemptsLoggedUntil([p.server, q.server], (ids) => ids.length >= 50);
  const rows = await t.db.selectFrom('webhook_deliveries').select(['id', 'status', 'attempts']).where('webhook_id', '=', webhookId).execute();
  expect(rows).toHaveLength(50);
  expect(rows.filter((d) => d.status !== 'SUCCEEDED' || d.attempts !== 1)).toEqual([]);
  expect(attemptsLogged(p.server, q.server).sort()).toEqual(rows.map((d) => d.id).sort());

  expect(r.requests).toHaveLength(50);
  expect(new Set(r.requests.map(deliveryOf))).toEqual(new Set(rows.map((d) => d.id)));
  expect(new Set(r.requests.map(eventOf))).toEqual(new Set(events.map((e) => e.event_id)));
}, 120_000);
