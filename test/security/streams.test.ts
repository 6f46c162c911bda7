import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { ADMIN_TOKEN } from '../helpers/api.ts';
import { givenContext, givenModel, givenPrincipal, type Served, serveTestApi } from '../helpers/fixtures.ts';
import { MODEL_EVENTS, sseReader } from '../helpers/sse.ts';

// Finding 3 (a stream outlives its token or role), 5 (one token opens thousands of streams) and the positions of 7.

const LIMIT = 3;
let s: Served;
let bystander: { close(): void } | undefined;
beforeAll(async () => {
  s = await serveTestApi({ env: { CAIRN_MAX_SUBSCRIPTIONS_PER_TOKEN: String(LIMIT) } });
  // Another subscriber open throughout, reading everything, as on a busy server: the streams under test
  // share the feed's reads with it.
  const other = await subscribe(ADMIN_TOKEN, {});
  void (async () => {
    for (;;) await other.next();
  })().catch(() => {});
  bystander = other;
});
afterAll(async () => {
  bystander?.close();
  await s?.close();
});

type Stream = Awaited<ReturnType<typeof subscribe>>;

/** A subscription over real HTTP (SSE) as `token`; its response has arrived, so the server has subscribed. */
async function subscribe(token: string, variables: Record<string, unknown>, context?: string) {
  const abort = new AbortController();
  const response = await fetch(`${s.url}/graphql`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'text/event-stream',
      authorization: `Bearer ${token}`,
      ...(context && { 'x-cairn-context': context }),
    },
    body: JSON.stringify({ query: MODEL_EVENTS, variables }),
    signal: abort.signal,
  });
  const reader = sseReader(response.body!);
  return {
    response,
    next: (timeoutMs?: number) => reader.next(timeoutMs),
    close: () => {
      void reader.cancel();
      abort.abort();
    },
  };
}

/** A subscription through Yoga in this process: closing it returns once the server has let go of it. */
async function subscribeInProcess(token: string, variables: Record<string, unknown> = {}) {
  const response = await s.api.app.yoga.fetch('http://cairn.test/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: MODEL_EVENTS, variables }),
  });
  const reader = response.body!.getReader();
  // Its first bytes (a ping, or the refusal): the server has started the stream, as it does at once over HTTP.
  await reader.read();
  return { status: response.status, close: () => reader.cancel() };
}

const createVersion = (modelId: string, context?: string) =>
  s.asAdmin('mutation ($id: ID!) { createVersion(input: { modelId: $id }) { __typename } }', { id: modelId }, context);

/**
 * The stream's next event past its model's creation. "Now" for a new subscription is the end of the final part
 * of the log (see FeedCursor): while another transaction on the server is in flight, the model's creation may not
 * be final yet, and a stream opened just after it starts before it.
 */
async function nextAfterCreation(stream: Stream) {
  for (;;) {
    const message = await stream.next();
    if (message.data?.modelEvents?.type !== 'ModelCreated') return message;
  }
}

/** What a stream sends until it ends: its events' types (past the model's creation), then the error it ended with, then whether it completed. */
async function untilEnd(stream: Stream) {
  const events: string[] = [];
  for (;;) {
    const message = await stream.next();
    if (message.errors) {
      const done = await stream.next();
      return { events, error: message.errors[0], completed: done.complete === true };
    }
    // The model's creation may come first (see nextAfterCreation); it was appended before anything under test.
    if (message.data.modelEvents.type !== 'ModelCreated') events.push(message.data.modelEvents.type);
  }
}

describe('an open stream whose caller loses access', () => {
  it('ends with UNAUTHENTICATED when its token is revoked, and never sends an event appended after the revocation', async () => {
    s.api.config.streamRecheckMs = 60_000; // only the check before each event can end it
    const viewer = await givenPrincipal(s, 'viewer');
    const model = await givenModel(s);
    const stream = await subscribe(viewer.secret, { modelId: model.id });
    try {
      await createVersion(model.id);
      expect((await nextAfterCreation(stream)).data.modelEvents.type).toBe('VersionCreated');
      const revoked = await s.asAdmin('mutation ($id: ID!) { revokeToken(id: $id) { __typename } }', { id: viewer.tokenId });
      expect(revoked.revokeToken.__typename).toBe('RevokeTokenSuccess');
      await createVersion(model.id);
      const end = await untilEnd(stream);
      expect(end.events).toEqual([]);
      expect(end.error.extensions.code).toBe('UNAUTHENTICATED');
      expect(end.completed).toBe(true);
    } finally {
      stream.close();
    }
  });

  it('ends with NOT_FOUND when the principal loses its role in the context, and never sends an event appended after', async () => {
    s.api.config.streamRecheckMs = 60_000;
    const ctx = await givenContext(s);
    const viewer = await givenPrincipal(s, 'viewer', { context: ctx.name });
    const model = await givenModel(s, { context: ctx.name });
    const stream = await subscribe(viewer.secret, {}, ctx.name);
    try {
      await createVersion(model.id, ctx.name);
      expect((await nextAfterCreation(stream)).data.modelEvents.type).toBe('VersionCreated');
      const revoked = await s.asAdmin('mutation ($i: RoleGrantInput!) { revokeRole(input: $i) { __typename } }', { i: { role: 'viewer', principalId: viewer.id } }, ctx.name);
      expect(revoked.revokeRole.__typename).toBe('RevokeRoleSuccess');
      await createVersion(model.id, ctx.name);
      const end = await untilEnd(stream);
      expect(end.events).toEqual([]);
      expect(end.error.extensions.code).toBe('NOT_FOUND');
      expect(end.completed).toBe(true);
    } finally {
      stream.close();
    }
  });

  it('ends an idle stream too, on its timer, when nothing is appended after the revocation', async () => {
    s.api.config.streamRecheckMs = 100;
    const viewer = await givenPrincipal(s, 'viewer');
    const model = await givenModel(s);
    const stream = await subscribe(viewer.secret, { modelId: model.id });
    try {
      await s.asAdmin('mutation ($id: ID!) { revokeToken(id: $id) { __typename } }', { id: viewer.tokenId });
      const end = await untilEnd(stream);
      expect(end.events).toEqual([]);
      expect(end.error.extensions.code).toBe('UNAUTHENTICATED');
    } finally {
      stream.close();
      s.api.config.streamRecheckMs = 60_000;
    }
  });

  it('keeps streaming while the token and the role stay, through its timer', async () => {
    s.api.config.streamRecheckMs = 20;
    const viewer = await givenPrincipal(s, 'viewer');
    const model = await givenModel(s);
    const stream = await subscribe(viewer.secret, { modelId: model.id });
    try {
      // The rechecks run every 20 ms meanwhile; the stream stays open and gets what comes next.
      await s.asAdmin('{ me { principal { id } } }');
      await createVersion(model.id);
      expect((await nextAfterCreation(stream)).data.modelEvents.type).toBe('VersionCreated');
    } finally {
      stream.close();
      s.api.config.streamRecheckMs = 60_000;
    }
  });

  it("sends a model's deletion, then ends with NOT_FOUND", async () => {
    const viewer = await givenPrincipal(s, 'viewer');
    const model = await givenModel(s);
    const stream = await subscribe(viewer.secret, { modelId: model.id });
    try {
      const deleted = await s.asAdmin('mutation ($id: ID!) { deleteModel(id: $id) { __typename } }', { id: model.id });
      expect(deleted.deleteModel.__typename).toBe('DeleteModelSuccess');
      const end = await untilEnd(stream);
      expect(end.events).toEqual(['ModelDeleted']);
      expect(end.error.extensions.code).toBe('NOT_FOUND');
    } finally {
      stream.close();
    }
  });

  it('is refused from the start with a revoked token or none, before its body is read', async () => {
    const viewer = await givenPrincipal(s, 'viewer');
    await s.asAdmin('mutation ($id: ID!) { revokeToken(id: $id) { __typename } }', { id: viewer.tokenId });
    for (const authorization of [`Bearer ${viewer.secret}`, undefined]) {
      const response = await fetch(`${s.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...(authorization && { authorization }) },
        body: JSON.stringify({ query: MODEL_EVENTS, variables: {} }),
      });
      expect(response.status).toBe(401);
      expect(((await response.json()) as any).errors[0].extensions.code).toBe('UNAUTHENTICATED');
    }
  });
});

describe('subscriptions per token', () => {
  it('are 20 by default', () => {
    expect(loadConfig({}).maxSubscriptionsPerToken).toBe(20);
    expect(() => loadConfig({ CAIRN_MAX_SUBSCRIPTIONS_PER_TOKEN: '0' })).toThrow(/CAIRN_MAX_SUBSCRIPTIONS_PER_TOKEN/);
  });

  it('beyond the limit are refused with 429, Retry-After and TOO_MANY_REQUESTS; a closed one frees its slot', async () => {
    const viewer = await givenPrincipal(s, 'viewer');
    const other = await givenPrincipal(s, 'viewer');
    const open = [];
    for (let i = 0; i < LIMIT; i++) open.push(await subscribeInProcess(viewer.secret));
    expect(open.map((o) => o.status)).toEqual(Array(LIMIT).fill(200));
    const refused = await subscribe(viewer.secret, {});
    expect(refused.response.status).toBe(429);
    expect(refused.response.headers.get('retry-after')).toMatch(/^\d+$/);
    expect((await refused.next()).errors[0].extensions.code).toBe('TOO_MANY_REQUESTS');
    refused.close();
    // Another token of the same kind is not held back by this one's streams.
    const elsewhere = await subscribeInProcess(other.secret);
    expect(elsewhere.status).toBe(200);
    await elsewhere.close();
    await open.pop()!.close();
    const again = await subscribeInProcess(viewer.secret);
    expect(again.status).toBe(200);
    open.push(again);
    for (const o of open) await o.close();
  });

  it('are not taken by a refused subscription (a bad position)', async () => {
    const viewer = await givenPrincipal(s, 'viewer');
    for (let i = 0; i < LIMIT + 2; i++) {
      const bad = await subscribe(viewer.secret, { after: '-1' });
      expect((await bad.next()).errors[0].extensions.code).toBe('VALIDATION');
      bad.close();
    }
    const ok = await subscribeInProcess(viewer.secret);
    expect(ok.status).toBe(200);
    await ok.close();
  });
});

describe('positions', () => {
  // "0" is the beginning (test/api/subscriptions.test.ts); no other spelling of it is.
  const hostile = ['99999999999999999999', '9223372036854775808', '9999999999999999999', '-1', '00', '1e3', ' 1', '1\u0000', '\u0000', '\ud800', '1\udfff'];

  it.each(hostile)('refuses `after: %j` with VALIDATION', async (after) => {
    const stream = await subscribe(ADMIN_TOKEN, { after });
    try {
      const message = await stream.next();
      expect(message.errors[0].extensions.code).toBe('VALIDATION');
    } finally {
      stream.close();
    }
  });

  it.each(hostile)('refuses the history cursor %j with VALIDATION, both ways', async (cursor) => {
    const model = await givenModel(s, { versions: 1 });
    for (const bound of ['after', 'before']) {
      const { body } = await s.gql(ADMIN_TOKEN, `query ($id: ID!, $c: String) { model(id: $id) { history(${bound}: $c) { edges { node { position } } } } }`, { id: model.id, c: cursor });
      expect(body.errors?.[0]?.extensions?.code, JSON.stringify(body)).toBe('VALIDATION');
    }
  });

  it('accepts the largest position: an empty page, and a subscription told no such event', async () => {
    const model = await givenModel(s, { versions: 1 });
    const max = '9223372036854775807';
    const { body } = await s.gql(ADMIN_TOKEN, 'query ($id: ID!, $c: String) { model(id: $id) { history(after: $c) { edges { node { position } } } } }', { id: model.id, c: max });
    expect(body.data.model.history.edges).toEqual([]);
    const stream = await subscribe(ADMIN_TOKEN, { after: max });
    expect((await stream.next()).errors[0].extensions.code).toBe('NOT_FOUND');
    stream.close();
  });
});
