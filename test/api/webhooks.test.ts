import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { ADMIN_TOKEN } from '../helpers/api.ts';
import { givenContext, givenModel, givenPrincipal, type Served, serveTestApi } from '../helpers/fixtures.ts';
import { type Receiver, signatureValid, useReceivers } from '../helpers/webhookReceiver.ts';
import { nextDueAt } from '../../src/store/webhooks.ts';

// Webhooks on a server whose targets may be on this machine (the receivers are), with a short backoff so that
// retries come within the test: 100 ms, then 200, 400 ... (x 0.8-1.2); 2 s for an answer, ample on a loaded machine.
let s: Served;
beforeAll(async () => {
  s = await serveTestApi({
    env: { CAIRN_WEBHOOK_ALLOW_PRIVATE: 'true', CAIRN_WEBHOOK_BACKOFF_MS: '100', CAIRN_WEBHOOK_TIMEOUT_MS: '2000', CAIRN_WEBHOOK_MAX_ATTEMPTS: '3' },
  });
});
afterAll(() => s?.close());

const receiver = useReceivers();

const WEBHOOK = 'id url eventTypes modelId description active createdAt createdBy';
const DELIVERY = 'id eventId eventType position status attempts lastResponseStatus lastError lastAttemptAt nextAttemptAt';
const CREATE = `mutation ($input: CreateWebhookInput!) { createWebhook(input: $input) {
  __typename ... on CreateWebhookSuccess { secret webhook { ${WEBHOOK} } } ... on Error { code message } ... on ValidationError { field } } }`;

async function createWebhook(input: Record<string, unknown>, context?: string): Promise<{ secret: string; webhook: any }> {
  const data = await s.asAdmin(CREATE, { input }, context);
  expect(data.createWebhook.__typename, JSON.stringify(data)).toBe('CreateWebhookSuccess');
  return data.createWebhook;
}

async function deliveries(webhookId: string, context?: string, status?: string): Promise<any[]> {
  const data = await s.asAdmin(
    `query ($status: DeliveryStatus) { webhooks { id deliveries(first: 100, status: $status) { edges { node { ${DELIVERY} } } } } }`,
    { status },
    context,
  );
  return data.webhooks.find((w: any) => w.id === webhookId).deliveries.edges.map((e: any) => e.node);
}

/** Resolves once the webhook's deliveries satisfy `done`, read again after each attempt the worker records. */
async function deliveriesWhen(webhookId: string, done: (d: any[]) => boolean, context?: string): Promise<any[]> {
  for (;;) {
    // Asked for before the read: an attempt recorded while it runs is not missed.
    const attempted = s.api.app.webhooks.attempted();
    const found = await deliveries(webhookId, context);
    if (done(found)) return found;
    await attempted;
  }
}

const publish = async (context?: string) => {
  const model = await givenModel(s, { context, versions: 1 });
  await s.asAdmin('mutation ($id: ID!) { publishVersion(modelId: $id, number: 1) { __typename } }', { id: model.id }, context);
  return model;
};

describe('delivery', () => {
  it("POSTs each of the context's events, signed, with its public shape, its type and a delivery id in the headers", async () => {
    const context = await givenContext(s);
    const r = await receiver();
    const { secret, webhook } = await createWebhook({ url: r.url, description: 'ci' }, context.name);
    expect(secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    expect(webhook).toMatchObject({ url: r.url, eventTypes: [], modelId: null, description: 'ci', active: true, createdBy: 'admin' });
    const model = await publish(context.name);
    // Attempts run side by side: a receiver orders by position, as the README says.
    const got = (await r.received(3)).sort((a, b) => Number(JSON.parse(a.body).position) - Number(JSON.parse(b.body).position));
    expect(got.map((g) => g.headers['cairn-event'])).toEqual(['ModelCreated', 'VersionCreated', 'VersionPublished']);
    for (const g of got) {
      expect(g.headers['content-type']).toBe('application/json');
      expect(signatureValid(secret, g.headers['cairn-signature'] as string, g.body)).toBe(true);
      expect(signatureValid(`${secret}x`, g.headers['cairn-signature'] as string, g.body)).toBe(false);
    }
    const bodies = got.map((g) => JSON.parse(g.body));
    expect(bodies[2]).toMatchObject({ type: 'VersionPublished', modelId: model.id, contextId: context.id, actor: 'admin', data: { number: 1 } });
    expect(Object.keys(bodies[2]).sort()).toEqual(['actor', 'contextId', 'data', 'id', 'modelId', 'position', 'recordedAt', 'type']);
    expect(BigInt(bodies[0].position) < BigInt(bodies[1].position) && BigInt(bodies[1].position) < BigInt(bodies[2].position)).toBe(true);
    const listed = await deliveriesWhen(webhook.id, (d) => d.length === 3 && d.every((x) => x.status === 'SUCCEEDED'), context.name);
    expect(listed.map((d) => d.eventType)).toEqual(['VersionPublished', 'VersionCreated', 'ModelCreated']);
    expect(new Set(got.map((g) => g.headers['cairn-delivery']))).toEqual(new Set(listed.map((d) => d.id)));
    expect(listed.map((d) => d.eventId)).toEqual(bodies.map((b) => b.id).reverse());
    expect(listed[0]).toMatchObject({ attempts: 1, lastResponseStatus: 204, lastError: null, nextAttemptAt: null });
  });

  it('filters by model and by event type, and never sends another context its events', async () => {
    const context = await givenContext(s);
    const other = await givenContext(s);
    const mine = await givenModel(s, { context: context.name });
    const all = await receiver();
    const one = await receiver();
    const published = await receiver();
    await createWebhook({ url: all.url }, context.name);
    await createWebhook({ url: one.url, modelId: mine.id }, context.name);
    await createWebhook({ url: published.url, eventTypes: ['VersionPublished', 'AliasSet'] }, context.name);
    await publish(other.name);
    const second = await publish(context.name);
    await s.asAdmin('mutation ($id: ID!) { createVersion(input: { modelId: $id }) { __typename } }', { id: mine.id }, context.name);
    await all.received(4);
    await one.received(1);
    await published.received(1);
    // The last event of all: once it is in, every earlier one of this context would have been too.
    await s.asAdmin('mutation ($id: ID!) { publishVersion(modelId: $id, number: 1) { __typename } }', { id: mine.id }, context.name);
    await all.received(5);
    await one.received(2);
    await published.received(2);
    const ids = (r: Receiver) => r.requests.map((q) => JSON.parse(q.body).modelId);
    expect(new Set(ids(all))).toEqual(new Set([second.id, mine.id]));
    expect(all.requests.every((q) => JSON.parse(q.body).contextId === context.id)).toBe(true);
    expect(new Set(ids(one))).toEqual(new Set([mine.id]));
    expect(one.requests.map((q) => q.headers['cairn-event']).sort()).toEqual(['VersionCreated', 'VersionPublished']);
    expect(published.requests.map((q) => q.headers['cairn-event'])).toEqual(['VersionPublished', 'VersionPublished']);
  });

  it('retries failures with a doubling backoff, records every attempt, and gives up after the last', async () => {
    const context = await givenContext(s);
    // 500, then a redirect (not followed), then 200: three attempts, the third succeeds.
    const target = await receiver();
    const r = await receiver((i) => (i === 0 ? { status: 500 } : i === 1 ? { status: 302, headers: { location: target.url } } : { status: 200 }));
    const { webhook } = await createWebhook({ url: r.url, eventTypes: ['ModelCreated'] }, context.name);
    await givenModel(s, { context: context.name });
    const got = await r.received(3);
    expect(new Set(got.map((g) => g.headers['cairn-delivery'])).size).toBe(1);
    const gaps = [got[1]!.at - got[0]!.at, got[2]!.at - got[1]!.at];
    expect(gaps[0]).toBeGreaterThanOrEqual(80);
    expect(gaps[1]).toBeGreaterThanOrEqual(160);
    expect(target.requests).toHaveLength(0);
    const [done] = await deliveriesWhen(webhook.id, (d) => d[0]?.status === 'SUCCEEDED', context.name);
    expect(done).toMatchObject({ attempts: 3, lastResponseStatus: 200, lastError: null });
    const attempts = await s.api.t.db.selectFrom('webhook_attempts').select(['attempt', 'response_status', 'error']).where('delivery_id', '=', done.id).orderBy('attempt').execute();
    expect(attempts.map((a) => a.response_status)).toEqual([500, 302, 200]);
    expect(attempts[1]!.error).toMatch(/redirect/i);

    // Always failing: FAILED after 3 attempts; redelivered, it is attempted again and can succeed.
    let failing = true;
    const down = await receiver(() => (failing ? { status: 503 } : { status: 200 }));
    const dead = await createWebhook({ url: down.url, eventTypes: ['ModelCreated'] }, context.name);
    await givenModel(s, { context: context.name });
    const [failed] = await deliveriesWhen(dead.webhook.id, (d) => d[0]?.status === 'FAILED', context.name);
    expect(failed).toMatchObject({ attempts: 3, lastResponseStatus: 503, nextAttemptAt: null });
    expect(down.requests).toHaveLength(3);
    failing = false;
    const again = await s.asAdmin(`mutation ($id: ID!) { redeliverWebhook(deliveryId: $id) { __typename ... on RedeliverWebhookSuccess { delivery { ${DELIVERY} } } } }`, { id: failed.id }, context.name);
    expect(again.redeliverWebhook.delivery.status).toBe('PENDING');
    const [redelivered] = await deliveriesWhen(dead.webhook.id, (d) => d[0]?.status === 'SUCCEEDED', context.name);
    expect(redelivered.attempts).toBe(4);
    expect(down.requests).toHaveLength(4);
  });

  it('fails an attempt that gets no answer within the timeout', async () => {
    const context = await givenContext(s);
    const r = await receiver((i) => (i === 0 ? 'hang' : { status: 200 }));
    const { webhook } = await createWebhook({ url: r.url, eventTypes: ['ModelCreated'] }, context.name);
    await givenModel(s, { context: context.name });
    await r.received(2);
    const [done] = await deliveriesWhen(webhook.id, (d) => d[0]?.status === 'SUCCEEDED', context.name);
    const [first] = await s.api.t.db.selectFrom('webhook_attempts').select(['response_status', 'error', 'duration_ms']).where('delivery_id', '=', done.id).orderBy('attempt').execute();
    expect(first).toMatchObject({ response_status: null });
    expect(first!.error).toMatch(/timed out after 2000 ms/);
    expect(first!.duration_ms).toBeGreaterThanOrEqual(1990);
  });
});

describe('management', () => {
  it('keeps the secret only encrypted: not in the log, the table or a repeat of the request', async () => {
    const context = await givenContext(s);
    const r = await receiver();
    const { secret, webhook } = await createWebhook({ url: r.url }, context.name);
    const { rows } = await sql<{ n: string }>`select count(*)::text as n from events where data::text like ${`%${secret}%`} or private_data::text like ${`%${secret}%`}`.execute(s.api.t.db);
    expect(rows[0]!.n).toBe('0');
    const stored = await s.api.t.db.selectFrom('webhooks').select('secret_ciphertext').where('id', '=', webhook.id).executeTakeFirstOrThrow();
    expect(stored.secret_ciphertext).not.toContain(secret);
    expect(stored.secret_ciphertext).toMatch(/^v1\./);
    const keyed = { 'idempotency-key': `webhook-${webhook.id}` };
    const first = await s.gql(ADMIN_TOKEN, CREATE, { input: { url: r.url } }, context.name, keyed);
    expect(first.body.data.createWebhook.secret).toMatch(/^whsec_/);
    const repeat = await s.gql(ADMIN_TOKEN, CREATE, { input: { url: r.url } }, context.name, keyed);
    expect(repeat.body.errors[0].extensions.code).toBe('SECRET_NOT_KEPT');
    const audit = await s.asAdmin('{ auditLog(first: 100) { edges { node { type data } } } }', {}, context.name);
    const created = audit.auditLog.edges.map((e: any) => e.node).filter((n: any) => n.type === 'WebhookCreated');
    expect(created).toHaveLength(2);
    expect(created[0].data).toMatchObject({ webhookId: webhook.id, url: r.url });
    expect(JSON.stringify(audit)).not.toContain(secret);
  });

  it('updates, pauses and deletes; the audit view names each change', async () => {
    const context = await givenContext(s);
    const r = await receiver();
    const { webhook } = await createWebhook({ url: r.url, eventTypes: ['ModelCreated'] }, context.name);
    const update = `mutation ($input: UpdateWebhookInput!) { updateWebhook(input: $input) { __typename ... on UpdateWebhookSuccess { webhook { ${WEBHOOK} } } ... on Error { code message } } }`;
    const paused = await s.asAdmin(update, { input: { id: webhook.id, active: false, description: 'paused', eventTypes: null } }, context.name);
    expect(paused.updateWebhook.webhook).toMatchObject({ active: false, description: 'paused', eventTypes: [] });
    // A second webhook, active, sees the same events in the same dispatch: once it has one, so has the paused one.
    const witness = await receiver();
    const seen = await createWebhook({ url: witness.url, eventTypes: ['ModelCreated'] }, context.name);
    const meanwhile = await givenModel(s, { context: context.name });
    await witness.received(1);
    const waiting = await deliveries(webhook.id, context.name);
    expect(waiting.map((d) => [d.eventType, d.status, d.attempts])).toEqual([['ModelCreated', 'PENDING', 0]]);
    expect(r.requests).toHaveLength(0);
    // Nothing is due for the worker: the paused webhook's delivery waits (were it counted due, the worker
    // would wake for it at once, again and again).
    const due = await nextDueAt(s.api.t.db);
    expect(due === null || due.getTime() > Date.now()).toBe(true);
    await s.asAdmin(update, { input: { id: webhook.id, active: true } }, context.name);
    const got = await r.received(1);
    expect(JSON.parse(got[0]!.body)).toMatchObject({ type: 'ModelCreated', modelId: meanwhile.id });
    const del = await s.asAdmin(`mutation ($id: ID!) { deleteWebhook(id: $id) { __typename ... on DeleteWebhookSuccess { webhook { id } } } }`, { id: webhook.id }, context.name);
    expect(del.deleteWebhook.__typename).toBe('DeleteWebhookSuccess');
    expect((await s.asAdmin('{ webhooks { id } }', {}, context.name)).webhooks).toEqual([{ id: seen.webhook.id }]);
    const rows = await s.api.t.db.selectFrom('webhook_deliveries').select('id').where('webhook_id', '=', webhook.id).execute();
    expect(rows).toEqual([]);
    const types = await s.api.t.db.selectFrom('events').select('type').where('stream_id', '=', context.id).where('type', 'like', 'Webhook%').orderBy('position').execute();
    expect(types.map((t) => t.type)).toEqual(['WebhookCreated', 'WebhookUpdated', 'WebhookCreated', 'WebhookUpdated', 'WebhookDeleted']);
  });

  it('refuses hostile settings with a typed error and records nothing', async () => {
    const context = await givenContext(s);
    const foreign = await givenModel(s, { context: (await givenContext(s)).name });
    const before = await s.api.t.db.selectFrom('events').select((eb) => eb.fn.countAll<string>().as('n')).where('stream_id', '=', context.id).executeTakeFirstOrThrow();
    const refused = async (input: Record<string, unknown>) => {
      const { body } = await s.gql(ADMIN_TOKEN, CREATE, { input }, context.name);
      return body.data?.createWebhook ?? body.errors[0].extensions;
    };
    for (const url of ['ftp://example.org/', 'javascript:alert(1)', 'http://user:pw@example.org/', 'http://example.org/\u0000', `http://example.org/${'a'.repeat(3000)}`, 'not a url', 'http://example.org/#frag']) {
      expect((await refused({ url })).code, url).toBe('VALIDATION');
    }
    // A lone surrogate cannot be sent in JSON text as UTF-8: JSON.stringify escapes it, and the server finds it.
    expect((await refused({ url: 'http://example.org/\ud800' })).code).toBe('VALIDATION');
    expect(await refused({ url: 'http://example.org/', eventTypes: ['ModelCreated', 'NoSuchEvent'] })).toMatchObject({ code: 'VALIDATION', field: 'eventTypes' });
    expect((await refused({ url: 'http://example.org/', modelId: foreign.id })).code).toBe('NOT_FOUND');
    expect((await refused({ url: 'http://example.org/', description: 'x'.repeat(1001) })).code).toBe('VALIDATION');
    expect((await refused({ url: 'http://example.org/', eventTypes: Array.from({ length: 10_000 }, (_, i) => `Type${i}`) })).code).toBe('VALIDATION');
    const after = await s.api.t.db.selectFrom('events').select((eb) => eb.fn.countAll<string>().as('n')).where('stream_id', '=', context.id).executeTakeFirstOrThrow();
    expect(after.n).toBe(before.n);

    // The same on a change, and with another context's webhook; a cursor that is not one of ours.
    const r = await receiver();
    const theirs = await givenContext(s);
    const foreignHook = (await createWebhook({ url: r.url, eventTypes: ['AliasSet'] }, theirs.name)).webhook;
    const mine = (await createWebhook({ url: r.url, eventTypes: ['AliasSet'] }, context.name)).webhook;
    const update = 'mutation ($input: UpdateWebhookInput!) { updateWebhook(input: $input) { __typename ... on Error { code } } }';
    expect((await s.asAdmin(update, { input: { id: foreignHook.id, active: false } }, context.name)).updateWebhook.code).toBe('NOT_FOUND');
    expect((await s.asAdmin(update, { input: { id: 'not-an-id', active: false } }, context.name)).updateWebhook.code).toBe('NOT_FOUND');
    expect((await s.asAdmin(update, { input: { id: mine.id, url: 'http://example.org/\u0000' } }, context.name)).updateWebhook.code).toBe('VALIDATION');
    expect((await s.asAdmin(update, { input: { id: mine.id, eventTypes: ['VersionPublished', 'Nope'] } }, context.name)).updateWebhook.code).toBe('VALIDATION');
    const page = await s.gql(ADMIN_TOKEN, '{ webhooks { deliveries(after: "garbage") { edges { cursor } } } }', {}, context.name);
    expect(page.body.errors[0].extensions).toMatchObject({ code: 'VALIDATION', field: 'after' });
    expect((await s.asAdmin('{ webhooks { id url eventTypes active } }', {}, theirs.name)).webhooks).toEqual([{ id: foreignHook.id, url: r.url, eventTypes: ['AliasSet'], active: true }]);
  });

  it('is for context administrators: an editor is FORBIDDEN, no token and a revoked one are refused', async () => {
    const context = await givenContext(s);
    const editor = await givenPrincipal(s, 'editor', { context: context.name });
    const asEditor = await s.gql(editor.secret, CREATE, { input: { url: 'http://example.org/' } }, context.name);
    expect(asEditor.body.data.createWebhook.code).toBe('FORBIDDEN');
    const listing = await s.gql(editor.secret, '{ webhooks { id } }', {}, context.name);
    expect(listing.body.errors[0].extensions.code).toBe('FORBIDDEN');
    const none = await s.gql(null, CREATE, { input: { url: 'http://example.org/' } }, context.name);
    expect(none.status).toBe(401);
    const admin = await givenPrincipal(s, 'admin', { context: context.name });
    await s.asAdmin('mutation ($id: ID!) { revokeToken(id: $id) { __typename } }', { id: admin.tokenId }, context.name);
    const revoked = await s.gql(admin.secret, CREATE, { input: { url: 'http://example.org/' } }, context.name);
    expect(revoked.status).toBe(401);
    // Another context's webhook and delivery ids find nothing here.
    const r = await receiver();
    const theirs = await givenContext(s);
    const { webhook } = await createWebhook({ url: r.url, eventTypes: ['ModelCreated'] }, theirs.name);
    await givenModel(s, { context: theirs.name });
    const [delivery] = await deliveriesWhen(webhook.id, (d) => d.length === 1, theirs.name);
    const one = 'query ($id: ID!) { webhook(id: $id) { id url } }';
    expect((await s.asAdmin(one, { id: webhook.id }, theirs.name)).webhook).toEqual({ id: webhook.id, url: r.url });
    expect((await s.asAdmin(one, { id: webhook.id }, context.name)).webhook).toBeNull();
    expect((await s.asAdmin(one, { id: 'not-an-id' }, context.name)).webhook).toBeNull();
    expect((await s.gql(ADMIN_TOKEN, one, { id: 'x\u0000' }, context.name)).body.errors[0].extensions).toMatchObject({ code: 'VALIDATION', field: 'id' });
    expect((await s.gql(editor.secret, one, { id: webhook.id }, context.name)).body.errors[0].extensions.code).toBe('FORBIDDEN');
    const del = await s.asAdmin('mutation ($id: ID!) { deleteWebhook(id: $id) { __typename ... on Error { code } } }', { id: webhook.id }, context.name);
    expect(del.deleteWebhook.code).toBe('NOT_FOUND');
    const redo = await s.asAdmin('mutation ($id: ID!) { redeliverWebhook(deliveryId: $id) { __typename ... on Error { code } } }', { id: delivery.id }, context.name);
    expect(redo.redeliverWebhook.code).toBe('NOT_FOUND');
  });
});

describe('the address guard', () => {
  it('refuses a target on this machine unless CAIRN_WEBHOOK_ALLOW_PRIVATE, by name and by address', async () => {
    const guarded = await serveTestApi();
    try {
      for (const url of ['http://localhost:8080/', 'http://127.0.0.1/', 'http://[::1]/', 'http://169.254.169.254/latest/meta-data/', 'http://10.0.0.1/', 'http://2130706433/']) {
        const { body } = await guarded.gql(ADMIN_TOKEN, CREATE, { input: { url } });
        expect(body.data.createWebhook, url).toMatchObject({ code: 'VALIDATION', field: 'url' });
      }
    } finally {
      await guarded.close();
    }
  });
});
