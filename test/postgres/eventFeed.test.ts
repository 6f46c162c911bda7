import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { RecordedEvent } from '../../src/domain/model/events.ts';
import { createEventFeed, type EventFeed } from '../../src/store/eventFeed.ts';
import { handleCommand } from '../../src/store/handleCommand.ts';
import { defaultContextId, openTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { limits } from '../helpers/modelSpecification.ts';
import { allEvents } from '../helpers/readModels.ts';

let t: TestDatabase;
let feed: EventFeed;
beforeAll(async () => {
  t = await openTestDatabase('postgres');
  feed = await createEventFeed(t.store);
});
afterAll(async () => {
  await feed?.close();
  await t?.close();
});

it('gives a follower every event of many concurrent writers exactly once, whatever order they commit in', async () => {
  const contextId = await defaultContextId(t.db);
  const abort = new AbortController();
  const seen: RecordedEvent[] = [];
  const following = (async () => {
    for await (const e of feed.follow({ from: await feed.cursor(), signal: abort.signal })) {
      seen.push(e);
      if (seen.length === 5 + 60) break;
    }
  })();
  const writers = Array.from({ length: 12 }, () => t.connect(1));
  const ids = Array.from({ length: 5 }, () => randomUUID());
  await Promise.all(ids.map((id, i) => handleCommand(writers[i]!, id, { type: 'CreateModel', data: { modelId: id, contextId, name: `feed-${i}` } }, { limits, metadata: { actor: null, requestId: null } })));
  await Promise.all(
    Array.from({ length: 60 }, (_, i) =>
      handleCommand(writers[i % writers.length]!, ids[i % ids.length]!, { type: 'CreateVersion', data: {} }, { limits, metadata: { actor: null, requestId: null } }),
    ),
  );
  // Until the follower has seen all 65: one that misses any makes the test time out.
  await following;
  abort.abort();
  const positions = seen.map((e) => e.position);
  expect(new Set(positions).size).toBe(65);
  expect([...positions].sort()).toEqual((await allEvents(t.db)).map((e) => e.position).sort());
  // Each model's events arrive in their stream order.
  for (const id of ids) {
    const versions = seen.filter((e) => e.streamId === id).map((e) => e.streamVersion);
    expect(versions).toEqual([...versions].sort((a, b) => a - b));
  }
}, 30_000);
