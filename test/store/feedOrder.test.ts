import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { FEED_START, feedHead, readFeed } from '../../src/store/eventLog.ts';
import { defaultContextId, openTestDatabase, type TestDatabase } from '../helpers/database.ts';

let t: TestDatabase;
beforeAll(async () => {
  t = await openTestDatabase();
});
afterAll(() => t?.close());

it('follows the log in transaction order, comparing transaction ids as numbers, not as text', async () => {
  const stream = randomUUID();
  // Written by hand with old transaction ids on either side of a digit boundary ("99" > "100" as text).
  const context = await defaultContextId(t.db);
  await sql`insert into events (stream_id, stream_type, context_id, stream_version, type, schema_version, data, transaction_id)
    values (${stream}, 'model', ${context}, 1, 'Probe', 1, '{}', '100'::xid8), (${stream}, 'model', ${context}, 2, 'Probe', 1, '{}', '99'::xid8)`.execute(t.db);
  const feed = await readFeed(t.db, FEED_START, 100, stream);
  expect(feed.map((f) => f.cursor.transactionId)).toEqual(['99', '100']);
  const head = await feedHead(t.db);
  expect(BigInt(head.transactionId)).toBeGreaterThanOrEqual(100n);
  const after = await readFeed(t.db, feed[0]!.cursor, 100, stream);
  expect(after.map((f) => f.event.streamVersion)).toEqual([1]);
});
