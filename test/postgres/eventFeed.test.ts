import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
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

it('delivers an event held back by a transaction still in flight as soon as that transaction ends, with no NOTIFY and no poll', async () => {
  const contextId = await defaultContextId(t.db);
  // No poll for the test's lifetime: only the feed's own look-again can deliver the event.
  let heldBack!: () => void;
  const sawHeldBack = new Promise<void>((resolve) => (heldBack = resolve));
  const quiet = await createEventFeed(t.store, { pollMs: 3_600_000, observer: { heldBack: () => heldBack() } });
  const holder = t.connect(1);
  try {
    const id = randomUUID();
    const abort = new AbortController();
    // A transaction with an id, as any writer's on the server (another database's too): it holds back the feed's final point.
    const held = await holder.startTransaction().execute();
    await sql`select pg_current_xact_id()`.execute(held);
    const first = (async () => {
      for await (const e of quiet.follow({ from: await quiet.cursor(), signal: abort.signal })) if (e.streamId === id) return e;
      return null;
    })();
    await handleCommand(t.db, id, { type: 'CreateModel', data: { modelId: id, contextId, name: `held-${id}` } }, { limits, metadata: { actor: null, requestId: null } });
    // The NOTIFY of that commit woke the follower, which found the event committed but not yet final.
    await sawHeldBack;
    await held.rollback().execute();
    const event = await first;
    abort.abort();
    expect(event?.type).toBe('ModelCreated');
  } finally {
    await quiet.close();
    await holder.destroy();
  }
}, 30_000);
