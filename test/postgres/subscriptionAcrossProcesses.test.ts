import { afterAll, beforeAll, expect, it } from 'vitest';
import { adminHeaders } from '../helpers/api.ts';
import { openTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { type Started, startServer } from '../helpers/processes.ts';
import { MODEL_EVENTS, sseReader } from '../helpers/sse.ts';

let t: TestDatabase;
const servers: Started[] = [];

beforeAll(async () => {
  t = await openTestDatabase('postgres');
});
afterAll(async () => {
  for (const s of servers) s.child.kill('SIGTERM');
  await Promise.all(servers.map((s) => s.exited));
  await t?.close();
});

async function server(): Promise<string> {
  const { server, url } = await startServer({ DATABASE_URL: t.url! });
  servers.push(server);
  return `${url}/graphql`;
}

const headers = { 'content-type': 'application/json', ...adminHeaders };

it('delivers to a subscriber on one server process the events appended through another', async () => {
  const [a, b] = await Promise.all([server(), server()]);
  const abort = new AbortController();
  const response = await fetch(a, {
    method: 'POST',
    headers: { ...headers, accept: 'text/event-stream' },
    body: JSON.stringify({ query: MODEL_EVENTS, variables: {} }),
    signal: abort.signal,
  });
  expect(response.status).toBe(200);
  const events = sseReader(response.body!);
  try {
    const created = await fetch(b, {
      method: 'POST',
      headers,
      body: JSON.stringify({ query: 'mutation { createModel(input: { name: "across" }) { ... on CreateModelSuccess { model { id } } } }' }),
    });
    const id = (await created.json()).data.createModel.model.id;
    const event = await events.next();
    expect(event.data.modelEvents).toMatchObject({ type: 'ModelCreated', modelId: id });
  } finally {
    abort.abort();
    await events.cancel();
  }
}, 60_000);
