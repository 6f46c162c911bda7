import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminHeaders } from '../helpers/api.ts';
import { givenContext, givenModel, type Served, serveTestApi } from '../helpers/fixtures.ts';
import { useReceivers } from '../helpers/webhookReceiver.ts';
import { sample } from '../helpers/metrics.ts';

// The webhook metrics on /metrics: deliveries by status and the age of the oldest pending one (asked of the
// database at each scrape), attempts by outcome and their durations (counted by this process).

const receiver = useReceivers();

interface Scrape {
  deliveries: Record<'PENDING' | 'SUCCEEDED' | 'FAILED', number | undefined>;
  attempts: Record<'PENDING' | 'SUCCEEDED' | 'FAILED', number>;
  durations: number;
  oldestPending: number | undefined;
}

async function scrape(s: Served): Promise<Scrape> {
  const response = await fetch(`${s.url}/metrics`, { headers: adminHeaders });
  expect(response.status).toBe(200);
  const text = await response.text();
  const statuses = ['PENDING', 'SUCCEEDED', 'FAILED'] as const;
  return {
    deliveries: Object.fromEntries(statuses.map((status) => [status, sample(text, 'cairn_webhook_deliveries', { status })])) as Scrape['deliveries'],
    // A counter has no sample for an outcome that has not happened yet.
    attempts: Object.fromEntries(statuses.map((outcome) => [outcome, sample(text, 'cairn_webhook_attempts_total', { outcome }) ?? 0])) as Scrape['attempts'],
    durations: sample(text, 'cairn_webhook_attempt_duration_seconds_count') ?? 0,
    oldestPending: sample(text, 'cairn_webhook_oldest_pending_seconds'),
  };
}

/** Every delivery of the server's webhooks by status, as the API lists them. */
async function listedByStatus(s: Served, contexts: string[]): Promise<Record<string, number>> {
  const counts: Record<string, number> = { PENDING: 0, SUCCEEDED: 0, FAILED: 0 };
  for (const context of contexts) {
    const data = await s.asAdmin('{ webhooks { deliveries(first: 100) { edges { node { status } } } } }', {}, context);
    for (const w of data.webhooks) for (const e of w.deliveries.edges) counts[e.node.status] = (counts[e.node.status] ?? 0) + 1;
  }
  return counts;
}

const CREATE = `mutation ($input: CreateWebhookInput!) { createWebhook(input: $input) {
  __typename ... on CreateWebhookSuccess { webhook { id } } ... on Error { code message } } }`;

async function createWebhook(s: Served, url: string, context: string): Promise<string> {
  const data = await s.asAdmin(CREATE, { input: { url, eventTypes: ['ModelCreated'] } }, context);
  expect(data.createWebhook.__typename, JSON.stringify(data)).toBe('CreateWebhookSuccess');
  return data.createWebhook.webhook.id;
}

/** The webhook's deliveries once `done` holds for them, read again after each attempt the server records. */
async function deliveriesWhen(s: Served, webhookId: string, context: string, done: (d: { id: string; status: string; attempts: number; lastResponseStatus: number | null }[]) => boolean) {
  for (;;) {
    const attempted = s.api.app.webhooks.attempted();
    const data = await s.asAdmin('{ webhooks { id deliveries(first: 100) { edges { node { id status attempts lastResponseStatus } } } } }', {}, context);
    const found = data.webhooks.find((w: any) => w.id === webhookId).deliveries.edges.map((e: any) => e.node);
    if (done(found)) return found;
    await attempted;
  }
}

describe('with retries (a backoff of 10 minutes: a failed delivery stays pending)', () => {
  let s: Served;
  beforeAll(async () => {
    s = await serveTestApi({
      env: { CAIRN_WEBHOOK_ALLOW_PRIVATE: 'true', CAIRN_WEBHOOK_BACKOFF_MS: '600000', CAIRN_WEBHOOK_TIMEOUT_MS: '2000', CAIRN_WEBHOOK_MAX_ATTEMPTS: '3' },
    });
  });
  afterAll(() => s?.close());

  it('counts deliveries by status, attempts by outcome with their durations, and the age of the oldest pending one', async () => {
    const before = await scrape(s);
    expect(before.deliveries).toEqual({ PENDING: 0, SUCCEEDED: 0, FAILED: 0 });
    expect(before.oldestPending).toBe(0);

    // Three deliveries that succeed at once.
    const ok = await givenContext(s);
    const okHook = await createWebhook(s, (await receiver()).url, ok.name);
    for (let i = 0; i < 3; i++) await givenModel(s, { context: ok.name });
    await deliveriesWhen(s, okHook, ok.name, (d) => d.length === 3 && d.every((x) => x.status === 'SUCCEEDED'));
    const delivered = await scrape(s);
    expect(delivered.deliveries).toEqual({ PENDING: 0, SUCCEEDED: 3, FAILED: 0 });
    expect(delivered.deliveries).toEqual(await listedByStatus(s, [ok.name]));
    expect(delivered.attempts).toEqual({ PENDING: before.attempts.PENDING, SUCCEEDED: before.attempts.SUCCEEDED + 3, FAILED: before.attempts.FAILED });
    expect(delivered.durations).toBe(before.durations + 3);
    expect(delivered.oldestPending).toBe(0);

    // One that fails (500) and waits 8-12 minutes for its next attempt.
    let failing = true;
    const down = await givenContext(s);
    const downHook = await createWebhook(s, (await receiver(() => ({ status: failing ? 500 : 200 }))).url, down.name);
    await givenModel(s, { context: down.name });
    // Its attempt recorded (the attempt is counted when it is claimed, the answer when it is recorded).
    const [pending] = await deliveriesWhen(s, downHook, down.name, (d) => d[0]?.lastResponseStatus === 500);
    expect(pending).toMatchObject({ status: 'PENDING', attempts: 1 });
    const waiting = await scrape(s);
    expect(waiting.deliveries).toEqual({ PENDING: 1, SUCCEEDED: 3, FAILED: 0 });
    expect(waiting.deliveries).toEqual(await listedByStatus(s, [ok.name, down.name]));
    expect(waiting.attempts).toEqual({ ...delivered.attempts, PENDING: delivered.attempts.PENDING + 1 });
    expect(waiting.durations).toBe(delivered.durations + 1);
    expect(waiting.oldestPending).toBeGreaterThan(0);
    expect(waiting.oldestPending).toBeLessThan(600);
    // It grows while the delivery waits (read again after an attempt of another webhook's).
    await givenModel(s, { context: ok.name });
    await deliveriesWhen(s, okHook, ok.name, (d) => d.length === 4 && d.every((x) => x.status === 'SUCCEEDED'));
    const later = await scrape(s);
    expect(later.oldestPending).toBeGreaterThan(waiting.oldestPending!);
    expect(later.deliveries).toEqual({ PENDING: 1, SUCCEEDED: 4, FAILED: 0 });

    // Redelivered to a receiver that now answers 200: nothing pending, the gauge back to 0.
    failing = false;
    const again = await s.asAdmin('mutation ($id: ID!) { redeliverWebhook(deliveryId: $id) { __typename } }', { id: pending.id }, down.name);
    expect(again.redeliverWebhook.__typename).toBe('RedeliverWebhookSuccess');
    await deliveriesWhen(s, downHook, down.name, (d) => d[0]?.status === 'SUCCEEDED');
    const after = await scrape(s);
    expect(after.deliveries).toEqual({ PENDING: 0, SUCCEEDED: 5, FAILED: 0 });
    expect(after.deliveries).toEqual(await listedByStatus(s, [ok.name, down.name]));
    expect(after.attempts).toEqual({ PENDING: waiting.attempts.PENDING, SUCCEEDED: waiting.attempts.SUCCEEDED + 2, FAILED: 0 });
    expect(after.durations).toBe(waiting.durations + 2);
    expect(after.oldestPending).toBe(0);
  });
});

describe('with one attempt allowed', () => {
  let s: Served;
  beforeAll(async () => {
    s = await serveTestApi({ env: { CAIRN_WEBHOOK_ALLOW_PRIVATE: 'true', CAIRN_WEBHOOK_TIMEOUT_MS: '2000', CAIRN_WEBHOOK_MAX_ATTEMPTS: '1' } });
  });
  afterAll(() => s?.close());

  it('counts a delivery that failed for good as FAILED, and its attempt by that outcome', async () => {
    const before = await scrape(s);
    const context = await givenContext(s);
    const hook = await createWebhook(s, (await receiver(() => ({ status: 503 }))).url, context.name);
    await givenModel(s, { context: context.name });
    await givenModel(s, { context: context.name });
    await deliveriesWhen(s, hook, context.name, (d) => d.length === 2 && d.every((x) => x.status === 'FAILED'));
    const after = await scrape(s);
    expect(after.deliveries).toEqual({ PENDING: 0, SUCCEEDED: 0, FAILED: 2 });
    expect(after.deliveries).toEqual(await listedByStatus(s, [context.name]));
    expect(after.attempts).toEqual({ PENDING: before.attempts.PENDING, SUCCEEDED: before.attempts.SUCCEEDED, FAILED: before.attempts.FAILED + 2 });
    expect(after.durations).toBe(before.durations + 2);
    expect(after.oldestPending).toBe(0);
  });
});
