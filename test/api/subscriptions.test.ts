import { afterAll, beforeAll, expect, it } from 'vitest';
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
