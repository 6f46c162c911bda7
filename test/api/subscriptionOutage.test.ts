import { afterAll, beforeAll, expect, it } from 'vitest';
import { adminHeaders } from '../helpers/api.ts';
import { withStatementFaults } from '../helpers/faults.ts';
import { givenModel, type Served, serveTestApi } from '../helpers/fixtures.ts';
import { MODEL_EVENTS, sseReader } from '../helpers/sse.ts';

// A whole-context subscription looks up the context of a model whose first event it did not see. That lookup
// meets the database going away (a connection lost under it, injected into the real database connection):
// the stream waits it out, as the feed itself does, and goes on from the event it held.
let s: Served;
/** How many of the next context lookups lose their connection; and how many did. */
let lookupsToLose = 0;
let lookupsLost = 0;

// The lookup is the one statement that reads a model's first event for its contextId (modelContextFromLog).
const isContextLookup = (sql: string) => sql.includes(`'contextId'`) && sql.includes('"stream_version" =');

beforeAll(async () => {
  s = await serveTestApi({
    store: (t) => ({
      ...t.store,
      db: withStatementFaults(t.db, (sql) => {
        if (!isContextLookup(sql) || lookupsToLose === 0) return undefined;
        lookupsToLose--;
        lookupsLost++;
        return 'lost';
      }),
    }),
  });
});
afterAll(() => s?.close());

const CREATE_VERSION = 'mutation ($id: ID!) { createVersion(input: { modelId: $id }) { __typename ... on Error { code message } } }';
const PUBLISH = 'mutation ($id: ID!, $n: Int!) { publishVersion(modelId: $id, number: $n) { __typename ... on Error { code message } } }';

it('keeps a whole-context subscription through a lost connection during its context lookup: every event, in order, once', async () => {
  // Created before the subscription, so the subscriber never sees its ModelCreated and must look its context up.
  const model = await givenModel(s);
  const abort = new AbortController();
  const response = await fetch(`${s.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...adminHeaders },
    body: JSON.stringify({ query: MODEL_EVENTS, variables: {} }),
    signal: abort.signal,
  });
  expect(response.headers.get('content-type')).toMatch(/text\/event-stream/);
  const events = sseReader(response.body!);
  try {
    lookupsToLose = 1;
    for (let i = 0; i < 3; i++) expect((await s.asAdmin(CREATE_VERSION, { id: model.id })).createVersion.__typename).toBe('CreateVersionSuccess');

    const received = [];
    for (let i = 0; i < 3; i++) received.push(await events.next());
    // The lookup did meet the fault: the stream did not get past the first event without it.
    expect(lookupsLost).toBe(1);
    // What comes next is the next event: nothing held back by the outage is sent again.
    expect((await s.asAdmin(PUBLISH, { id: model.id, n: 2 })).publishVersion.__typename).toBe('PublishVersionSuccess');
    received.push(await events.next());

    for (const r of received) expect(r.errors).toBeUndefined();
    const delivered = received.map((r) => r.data.modelEvents);
    expect(delivered.map((e) => [e.modelId, e.type, e.data.number])).toEqual([
      [model.id, 'VersionCreated', 1],
      [model.id, 'VersionCreated', 2],
      [model.id, 'VersionCreated', 3],
      [model.id, 'VersionPublished', 2],
    ]);
    const positions = delivered.map((e) => BigInt(e.position));
    expect(positions).toEqual([...positions].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
    expect(new Set(positions).size).toBe(4);
  } finally {
    abort.abort();
    await events.cancel();
  }
});
