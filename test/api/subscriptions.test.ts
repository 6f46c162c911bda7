import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { parse } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminHeaders, openTestApi, type TestApi } from '../helpers/api.ts';
import { MODEL_EVENTS, sseReader } from '../helpers/sse.ts';
import { CreateModel, CreateVersion, ModelById, PublishVersion } from './operations.ts';

let api: TestApi;
beforeAll(async () => {
  api = await openTestApi();
});
afterAll(() => api?.close());

async function subscribe(variables: Record<string, unknown>) {
  const abort = new AbortController();
  const response = await api.app.yoga.fetch('http://cairn.test/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...adminHeaders },
    body: JSON.stringify({ query: MODEL_EVENTS, variables }),
    signal: abort.signal,
  });
  expect(response.headers.get('content-type')).toMatch(/text\/event-stream/);
  const reader = sseReader(response.body!);
  return {
    next: async () => (await reader.next()).data?.modelEvents,
    nextRaw: () => reader.next(),
    close: () => {
      void reader.cancel();
      abort.abort();
    },
  };
}

async function createModel(name: string) {
  const r = (await api.ok(CreateModel, { input: { name } })).createModel;
  if (r.__typename !== 'CreateModelSuccess') throw new Error(JSON.stringify(r));
  return r.model.id;
}

it("streams a model's new events as they are appended", async () => {
  const id = await createModel('live');
  const sub = await subscribe({ modelId: id });
  try {
    await api.ok(CreateVersion, { input: { modelId: id } });
    await api.ok(PublishVersion, { modelId: id, number: 1 });
    const first = await sub.next();
    const second = await sub.next();
    expect([first.type, second.type]).toEqual(['VersionCreated', 'VersionPublished']);
    expect(first.modelId).toBe(id);
    expect(second.data).toEqual({ number: 1 });
  } finally {
    sub.close();
  }
});

it('resumes after a position: replays what came after it, then goes on live, with no gap and no duplicate', async () => {
  const id = await createModel('resume');
  const created = [];
  for (let i = 0; i < 3; i++) created.push(await api.ok(CreateVersion, { input: { modelId: id } }));
  const history = await api.ok(ModelById, { id });
  const positions = history.model!.history.edges.map((e) => e.node.position);
  expect(positions).toHaveLength(4);
  // The client saw up to the second event and lost its connection.
  const sub = await subscribe({ modelId: id, after: positions[1] });
  try {
    const replayed = [await sub.next(), await sub.next()];
    expect(replayed.map((e) => e.position)).toEqual(positions.slice(2));
    await api.ok(PublishVersion, { modelId: id, number: 3 });
    const live = await sub.next();
    expect(live.type).toBe('VersionPublished');
    expect(BigInt(live.position)).toBeGreaterThan(BigInt(positions[3]!));
  } finally {
    sub.close();
  }
});

it("streams every model's events when no model is named", async () => {
  const sub = await subscribe({});
  try {
    const id = await createModel('anywhere');
    const event = await sub.next();
    expect(event).toMatchObject({ type: 'ModelCreated', modelId: id });
  } finally {
    sub.close();
  }
});

it('ends with an error for an unknown model or an unknown position', async () => {
  const missing = await subscribe({ modelId: '00000000-0000-4000-8000-000000000000' });
  expect((await missing.nextRaw()).errors[0].message).toMatch(/No such model/);
  missing.close();
  const unknown = await subscribe({ after: '999999999' });
  expect((await unknown.nextRaw()).errors[0].message).toMatch(/No event has position 999999999/);
  unknown.close();
});

describe('from the beginning: `after: "0"`', () => {
  const HISTORY = parse(`query ($id: ID!, $after: String, $before: String, $first: Int) {
    model(id: $id) { history(after: $after, before: $before, first: $first) { totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { cursor node { position type data } } } }
  }`) as TypedDocumentNode<any, Record<string, unknown>>;
  const OLDEST_MODEL = parse('{ models(first: 1, orderBy: { field: CREATED_AT, direction: ASC }) { edges { node { id history(first: 1) { edges { node { position type } } } } } } }') as TypedDocumentNode<any, Record<string, unknown>>;

  it("replays a model's events from its ModelCreated, in order, then goes on live", async () => {
    const id = await createModel('from-the-beginning');
    await api.ok(CreateVersion, { input: { modelId: id } });
    // Another model's events, between this one's: not in this model's stream.
    await createModel('another-one');
    await api.ok(CreateVersion, { input: { modelId: id } });
    const history = (await api.ok(ModelById, { id })).model!.history.edges.map((e) => e.node);
    expect(history.map((e) => e.type)).toEqual(['ModelCreated', 'VersionCreated', 'VersionCreated']);
    const sub = await subscribe({ modelId: id, after: '0' });
    try {
      const replayed = [await sub.next(), await sub.next(), await sub.next()];
      expect(replayed.map((e) => [e.position, e.type, e.modelId])).toEqual(history.map((e) => [e.position, e.type, id]));
      expect(replayed[0].data).toMatchObject({ name: 'from-the-beginning' });
      await api.ok(PublishVersion, { modelId: id, number: 2 });
      const live = await sub.next();
      expect([live.type, live.data]).toEqual(['VersionPublished', { number: 2 }]);
      expect(BigInt(live.position)).toBeGreaterThan(BigInt(history[2]!.position));
    } finally {
      sub.close();
    }
  });

  it("without a model: the context's log from its first event, the oldest model's ModelCreated", async () => {
    await createModel('one-of-many');
    const oldest = (await api.ok(OLDEST_MODEL)).models.edges[0].node;
    const sub = await subscribe({ after: '0' });
    try {
      const first = await sub.next();
      expect([first.modelId, first.type, first.position]).toEqual([oldest.id, 'ModelCreated', oldest.history.edges[0].node.position]);
      expect(BigInt((await sub.next()).position)).toBeGreaterThan(BigInt(first.position));
    } finally {
      sub.close();
    }
  });

  it('history(after: "0") is history without `after`, page by page', async () => {
    const id = await createModel('history-from-0');
    for (let i = 0; i < 3; i++) await api.ok(CreateVersion, { input: { modelId: id } });
    for (const first of [undefined, 2, 100]) {
      const without = await api.run(HISTORY, { id, first });
      const fromZero = await api.run(HISTORY, { id, first, after: '0' });
      expect(without.errors).toBeUndefined();
      expect(fromZero).toEqual(without);
    }
    expect((await api.run(HISTORY, { id })).data.model.history.edges.map((e: any) => e.node.type)).toEqual(['ModelCreated', 'VersionCreated', 'VersionCreated', 'VersionCreated']);
  });

  // Only "0" itself means the beginning; every other spelling of zero (or of nothing) is refused as before,
  // a NUL or lone surrogate by the input rules that every argument passes first.
  const refusal = (after: string, positionMessage: string) => (after.includes('\u0000') || /[\ud800-\udfff]/.test(after) ? /^`after` may not contain (a NUL|a lone UTF-16 surrogate)/ : positionMessage);
  const notZero = ['-1', '00', '000', ' 0', '0 ', '-0', '+0', '0x0', '0e0', '0.0', '0\u0000', '\u0000', '\ud800', '0\udfff', '\u0660', '\uff10', '99999999999999999999', '9223372036854775808'];

  it.each(notZero)('refuses the subscription `after: %j` with VALIDATION alone, then ends', async (after) => {
    const id = await createModel(`refused-${notZero.indexOf(after)}`);
    for (const variables of [{ after }, { modelId: id, after }]) {
      const sub = await subscribe(variables);
      try {
        const message = await sub.nextRaw();
        expect(Object.keys(message)).toEqual(['errors']);
        expect(message.errors).toHaveLength(1);
        expect(message.errors[0]).toMatchObject({ message: refusal(after, '`after` is a position (a whole number from 1 to 9223372036854775807), or "0" for the beginning'), extensions: { code: 'VALIDATION' } });
        expect(await sub.nextRaw()).toEqual({ complete: true });
      } finally {
        sub.close();
      }
    }
  });

  it.each(notZero)('refuses history(after: %j) with VALIDATION alone', async (after) => {
    const id = await createModel(`refused-history-${notZero.indexOf(after)}`);
    const result = await api.run(HISTORY, { id, after });
    expect(result.errors).toHaveLength(1);
    expect(result.errors![0]).toMatchObject({ message: refusal(after, 'The cursor is not one this list gave out'), extensions: { code: 'VALIDATION' } });
    expect(result.data).toEqual({ model: null });
  });

  it('`before: "0"` stays refused: there is nothing before the beginning', async () => {
    const id = await createModel('before-0');
    const result = await api.run(HISTORY, { id, before: '0' });
    expect(result.errors?.map((e) => e.extensions?.code)).toEqual(['VALIDATION']);
  });
});
