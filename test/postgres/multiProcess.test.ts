import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { rebuildProjections } from '../../src/store/rebuild.ts';
import { adminHeaders } from '../helpers/api.ts';
import { openTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { postGraphQL, type Started, startServer } from '../helpers/processes.ts';
import { allEvents, readModelRows } from '../helpers/readModels.ts';
import { sseReader } from '../helpers/sse.ts';

// Three Cairn processes on one PostgreSQL, as behind a load balancer: nothing that matters lives in a
// process's memory, so 300 concurrent createVersion calls spread over them number every model's versions
// once and without gaps, and a subscriber on one process sees what the other two append.
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

const headers = { 'content-type': 'application/json', ...adminHeaders };
const post = postGraphQL;

/**
 * createVersion as a client sends it: with an idempotency key, and again with the same key after a 503 that
 * says it may be retried (100 requests at once on a process with 10 connections: on a loaded machine some
 * wait past the pool's 5 s for one, and are refused before anything was done). Anything else is the answer.
 */
async function createVersionAsAClientWould(url: string, modelId: string): Promise<{ status: number; body: any }> {
  const key = randomUUID();
  for (;;) {
    const response = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { ...headers, 'idempotency-key': key },
      body: JSON.stringify({
        query: 'mutation ($modelId: ID!) { createVersion(input: { modelId: $modelId }) { __typename ... on CreateVersionSuccess { version { number } } ... on Error { code } } }',
        variables: { modelId },
      }),
    });
    const body = await response.json();
    const retryable = response.status === 503 && body.errors?.length > 0 && body.errors.every((e: any) => e.extensions?.retryable === true);
    if (!retryable) return { status: response.status, body };
    // The client's pause that Retry-After asks for, not synchronisation.
    await new Promise((resolve) => setTimeout(resolve, Number(response.headers.get('retry-after') ?? 1) * 1000));
  }
}

it('numbers 300 concurrent createVersion calls over 3 processes and 10 models once each, with no gaps', async () => {
  const urls = await Promise.all(
    [0, 1, 2].map(async () => {
      const { server, url } = await startServer({ DATABASE_URL: t.url!, DATABASE_POOL_SIZE: '10', CAIRN_MAX_VERSIONS: '100' });
      servers.push(server);
      return url;
    }),
  );

  const models: string[] = [];
  for (let i = 0; i < 10; i++) {
    const { body } = await post(urls[i % 3]!, 'mutation ($name: String!) { createModel(input: { name: $name }) { ... on CreateModelSuccess { model { id } } } }', {
      name: `spread-${i}`,
    });
    models.push(body.data.createModel.model.id);
  }

  // A subscriber on the first process, from the log's current end.
  const abort = new AbortController();
  const stream = await fetch(`${urls[0]!}/graphql`, {
    method: 'POST',
    headers: { ...headers, accept: 'text/event-stream' },
    body: JSON.stringify({ query: 'subscription { modelEvents { type modelId data } }' }),
    signal: abort.signal,
  });
  const events = sseReader(stream.body!);

  const calls = Array.from({ length: 300 }, (_, i) => ({ url: urls[i % 3]!, modelId: models[Math.floor(i / 3) % 10]! }));
  const results = await Promise.all(calls.map(({ url, modelId }) => createVersionAsAClientWould(url, modelId)));
  // Whole answers compared, so that a failure says what came back.
  for (const r of results) expect({ status: r.status, errors: r.body.errors }).toEqual({ status: 200, errors: undefined });
  const successes = results.filter((r) => r.body.data.createVersion.__typename === 'CreateVersionSuccess');
  // With the limit raised to 100 every call is within the rules.
  expect(successes).toHaveLength(300);

  const byModel = new Map<string, number[]>();
  results.forEach((r, i) => byModel.set(calls[i]!.modelId, [...(byModel.get(calls[i]!.modelId) ?? []), r.body.data.createVersion.version.number]));
  for (const numbers of byModel.values()) expect(numbers.sort((a, b) => a - b)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));

  const log = await allEvents(t.db);
  expect(log.filter((e) => e.type === 'VersionCreated')).toHaveLength(successes.length);
  expect(log.filter((e) => e.type === 'ModelCreated')).toHaveLength(10);

  // The subscriber on process 1 received all 300, including the 200 appended through processes 2 and 3.
  const received: any[] = [];
  while (received.length < 300) received.push((await events.next()).data.modelEvents);
  abort.abort();
  await events.cancel();
  expect(received.every((e) => e.type === 'VersionCreated')).toBe(true);
  const seen = new Set(received.map((e) => `${e.modelId}/${e.data.number}`));
  expect(seen.size).toBe(300);

  // The projections the three processes wrote are what a rebuild from the log makes.
  const live = await readModelRows(t.db);
  await rebuildProjections(t);
  expect(await readModelRows(t.db)).toEqual(live);
}, 120_000);
