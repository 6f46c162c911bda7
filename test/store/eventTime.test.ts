import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { ModelCommand } from '../../src/domain/model/commands.ts';
import { decide } from '../../src/domain/model/decide.ts';
import { fold } from '../../src/domain/model/evolve.ts';
import { readStream } from '../../src/store/eventLog.ts';
import { handleCommand } from '../../src/store/handleCommand.ts';
import { claimKey, type KeyScope } from '../../src/store/idempotency.ts';
import { modelAsOf } from '../../src/store/modelHistory.ts';
import { currentSchemaVersion } from '../../src/store/upcast.ts';
import { openTestApi, rawQuery, type TestApi } from '../helpers/api.ts';
import { defaultContextId, testDatabaseKind } from '../helpers/database.ts';
import { limits } from '../helpers/modelSpecification.ts';

// An event's recorded_at and as-of reads by time. As-of by time is a prefix of the stream: every event up to
// the last one (in stream order) recorded at or before the time, so a read never returns a state that never
// existed, whatever the times say.
let api: TestApi;
let contextId: string;

beforeAll(async () => {
  api = await openTestApi();
  contextId = await defaultContextId(api.t.db);
});
afterAll(() => api?.close());

const metadata = { actor: 'alice', requestId: null };
const run = (modelId: string, command: ModelCommand, idempotency?: { scope: KeyScope; ordinal: number }) =>
  handleCommand(api.t.db, modelId, command, { limits, metadata, idempotency });

/**
 * Appends what `command` decides as a writer whose clock says `time` would: a server whose clock was stepped
 * back writes exactly such rows.
 */
async function appendAt(modelId: string, command: ModelCommand, time: string): Promise<void> {
  const state = fold(await readStream(api.t.db, modelId));
  const events = decide(command, state, limits);
  await api.t.db
    .insertInto('events')
    .values(
      events.map((e, i) => ({
        stream_id: modelId,
        stream_type: 'model' as const,
        context_id: command.type === 'CreateModel' ? command.data.contextId : state.status === 'live' ? state.contextId : null,
        stream_version: state.streamVersion + i + 1,
        type: e.type,
        schema_version: currentSchemaVersion(e.type),
        data: JSON.stringify(e.data),
        metadata: JSON.stringify(metadata),
        recorded_at: new Date(time),
      })),
    )
    .execute();
}

/**
 * For each event's time (and the millisecond before it): the store's as-of read and the API's `model(asOf:)`
 * give the fold of the stream's prefix up to the last event recorded at or before that time.
 */
async function expectAsOfIsPrefix(modelId: string): Promise<number> {
  const stream = await readStream(api.t.db, modelId);
  const times = stream.flatMap((e) => [e.recordedAt.getTime() - 1, e.recordedAt.getTime()]);
  for (const ms of times) {
    const time = new Date(ms);
    let k = 0;
    stream.forEach((e, i) => {
      if (e.recordedAt.getTime() <= ms) k = i + 1;
    });
    const prefix = stream.slice(0, k);
    const expected = fold(prefix);
    expect(await modelAsOf(api.t.db, modelId, { time }), `as of ${time.toISOString()}`).toEqual({ state: expected, position: prefix.at(-1)?.position ?? null });

    const { body } = await rawQuery(
      api.app,
      `{ model(id: "${modelId}", asOf: "${time.toISOString()}") { versionCount versions { edges { node { number } } } history { edges { node { position } } } } }`,
    );
    expect(body.errors).toBeUndefined();
    const seen = body.data.model;
    if (expected.status !== 'live') expect(seen).toBeNull();
    else {
      expect(seen, `model(asOf: ${time.toISOString()})`).toEqual({
        versionCount: expected.versions.length,
        versions: { edges: expected.versions.map((v) => ({ node: { number: v.number } })) },
        history: { edges: prefix.map((e) => ({ node: { position: e.position } })) },
      });
    }
  }
  return times.length;
}

it('reads as of a time as a prefix of the stream, even where a stepped-back clock put times out of stream order', async () => {
  const id = randomUUID();
  await appendAt(id, { type: 'CreateModel', data: { modelId: id, contextId, name: 'clock-skew' } }, '2026-01-01T10:00:00.000Z');
  await appendAt(id, { type: 'CreateVersion', data: {} }, '2026-01-01T10:00:02.000Z');
  // The clock stepped back one second: version 2 carries a time before version 1's.
  await appendAt(id, { type: 'CreateVersion', data: {} }, '2026-01-01T10:00:01.000Z');
  await appendAt(id, { type: 'UpdateModel', data: { description: 'after' } }, '2026-01-01T10:00:03.000Z');

  // At 10:00:01 the model is as it was after its third event, versions 1 and 2: never version 2 without 1.
  const at = await modelAsOf(api.t.db, id, { time: new Date('2026-01-01T10:00:01.000Z') });
  expect(at.state.status === 'live' && at.state.versions.map((v) => v.number)).toEqual([1, 2]);
  expect(await expectAsOfIsPrefix(id)).toBe(8);
});

it('gives each appended event its own time, in stream order', async () => {
  const id = randomUUID();
  await run(id, { type: 'CreateModel', data: { modelId: id, contextId, name: 'in-order' } });
  for (let i = 0; i < 3; i++) await run(id, { type: 'CreateVersion', data: {} });
  const times = (await readStream(api.t.db, id)).map((e) => e.recordedAt.getTime());
  expect(times).toEqual([...times].sort((a, b) => a - b));
  await expectAsOfIsPrefix(id);
});

/** Waits until the database's clock, at the column's precision (ms), is past `time`: the next instant it takes is later. */
async function untilDatabaseClockPasses(time: Date): Promise<void> {
  for (;;) {
    const { rows } = await sql<{ passed: boolean }>`select clock_timestamp()::timestamptz(3) > ${time}::timestamptz(3) as passed`.execute(api.t.db);
    if (rows[0]!.passed) return;
  }
}

// Two connections: PGlite has one, so only PostgreSQL can hold a command's transaction open while another commits.
// Registered only there, rather than reported as skipped on PGlite.
if (testDatabaseKind === 'postgres') it(
  'gives a command whose transaction began before another one committed, and then took the stream lock, the later time',
  async () => {
    const id = randomUUID();
    await run(id, { type: 'CreateModel', data: { modelId: id, contextId, name: 'late-writer' } });

    // The late command waits, its transaction begun, to lock its idempotency key's row (the table is locked
    // here) before it takes the stream's lock: as a command whose BEGIN came first but whose lock came second
    // would. A table lock, not a row lock: it takes no transaction id, so it holds back no other test's feed.
    const scope: KeyScope = { principalId: randomUUID(), contextId, key: 'late' };
    expect(await claimKey(api.t.db, scope, 'fingerprint', randomUUID())).toEqual({ kind: 'run' });
    const holder = await api.t.db.startTransaction().execute();
    try {
      await sql`lock table idempotency_keys in exclusive mode`.execute(holder);
      const late = run(id, { type: 'CreateVersion', data: { description: 'late' } }, { scope, ordinal: 0 });
      let lateBegan: Date | undefined;
      while (!lateBegan) {
        const { rows } = await sql<{ xact_start: Date }>`select xact_start from pg_stat_activity
          where datname = current_database() and wait_event_type = 'Lock' and query like '%idempotency_keys%'`.execute(api.t.db);
        lateBegan = rows[0]?.xact_start;
      }
      await untilDatabaseClockPasses(lateBegan);
      const other = await run(id, { type: 'CreateVersion', data: { description: 'other' } });
      const otherEvent = other.events[0]!;
      expect(otherEvent.streamVersion).toBe(2);
      expect(otherEvent.recordedAt.getTime()).toBeGreaterThan(lateBegan.getTime());
      await untilDatabaseClockPasses(otherEvent.recordedAt);
      await holder.commit().execute();

      const lateEvent = (await late).events[0]!;
      expect(lateEvent.streamVersion).toBe(3);
      // With the transaction's start as its time, the late event would carry a time before version 2's.
      expect(lateEvent.recordedAt.getTime()).toBeGreaterThan(otherEvent.recordedAt.getTime());
    } finally {
      if (!holder.isCommitted) await holder.rollback().execute();
    }
    const times = (await readStream(api.t.db, id)).map((e) => e.recordedAt.getTime());
    expect(times).toEqual([...times].sort((a, b) => a - b));
    await expectAsOfIsPrefix(id);
  },
);
