import { type Compilable, sql } from 'kysely';
import type { DomainEvent, EventMetadata, Recorded, StreamRef, StreamType } from '../domain/envelope.ts';
import type { ModelEvent, RecordedEvent } from '../domain/model/events.ts';
import type { Executor } from './database.ts';
import { isUniqueViolation } from './pgErrors.ts';
import { currentSchemaVersion, upcast } from './upcast.ts';

/** Another writer appended to the stream after we read it. Only the command handler sees this: it retries. */
export class StreamVersionConflict extends Error {
  constructor(
    readonly streamId: string,
    readonly expectedVersion: number,
  ) {
    super(`Stream ${streamId} is no longer at version ${expectedVersion}`);
  }
}

/** An event's row as stored (what every reader selects). */
export interface EventRow {
  position: string;
  event_id: string;
  stream_id: string;
  stream_type: StreamType;
  context_id: string | null;
  stream_version: number;
  type: string;
  schema_version: number;
  data: unknown;
  private_data: unknown;
  metadata: Record<string, string | null>;
  recorded_at: Date;
}

/** The columns every reader selects (toRecorded reads them). */
export const eventColumns = [
  'position',
  'event_id',
  'stream_id',
  'stream_type',
  'context_id',
  'stream_version',
  'type',
  'schema_version',
  'data',
  'private_data',
  'metadata',
  'recorded_at',
] as const;
/** The same columns, for statements written in SQL. */
const columnList = sql.raw(eventColumns.map((c) => (c === 'position' ? 'position::text' : c)).join(', '));

/**
 * A stored row as every reader sees it: the payload upcast to its type's current schema version (the one
 * upcast path: fold, feed, rebuild and history all read through here).
 */
export function toRecorded<E extends DomainEvent>(row: EventRow): Recorded<E> {
  return {
    type: row.type,
    data: upcast(row.type, row.schema_version, row.data),
    eventId: row.event_id,
    schemaVersion: currentSchemaVersion(row.type),
    streamId: row.stream_id,
    streamType: row.stream_type,
    contextId: row.context_id,
    streamVersion: row.stream_version,
    position: String(row.position),
    recordedAt: row.recorded_at,
    metadata: { actor: null, requestId: null, ...row.metadata },
    privateData: row.private_data ?? null,
  } as Recorded<E>;
}

/** A model stream's row (readers that ask for model streams only). */
export const toRecordedEvent = (row: EventRow): RecordedEvent => toRecorded<ModelEvent>(row);

export interface StreamBound {
  /** Only events at or before this global position. */
  position?: string;
  /**
   * The stream as it stood at this time: every event up to the last one (in stream order) recorded at or
   * before it. Always a prefix of the stream, a state that existed, even if the clock once stepped back.
   */
  time?: Date;
}

/** A stream's events in order, optionally only up to a point in the past (for as-of reads). */
export async function readStream(db: Executor, streamId: string, upTo: StreamBound = {}): Promise<RecordedEvent[]> {
  let q = db.selectFrom('events').select(eventColumns).where('stream_id', '=', streamId);
  if (upTo.position !== undefined) q = q.where('position', '<=', upTo.position);
  const { time } = upTo;
  if (time !== undefined) {
    // By stream version, not by each event's own time: a filter on recorded_at alone could skip an event
    // and keep a later one (a non-prefix) wherever the times are not in stream order.
    q = q.where('stream_version', '<=', (eb) =>
      eb.selectFrom('events').select((e) => e.fn.max('stream_version').as('last')).where('stream_id', '=', streamId).where('recorded_at', '<=', time),
    );
  }
  const rows = await q.orderBy('stream_version').execute();
  return rows.map(toRecordedEvent);
}

/** A stream's events in order, of whatever type (access-control streams: contexts, groups, principals). */
export async function readStreamOf<E extends DomainEvent>(db: Executor, streamId: string): Promise<Recorded<E>[]> {
  const rows = await db.selectFrom('events').select(eventColumns).where('stream_id', '=', streamId).orderBy('stream_version').execute();
  return rows.map((row) => toRecorded<E>(row));
}

/** The events of several streams, each stream's in order (one statement, however many streams). */
export async function readStreams(db: Executor, streamIds: readonly string[]): Promise<RecordedEvent[]> {
  if (streamIds.length === 0) return [];
  const rows = await db
    .selectFrom('events')
    .select(eventColumns)
    .where(sql<boolean>`stream_id = any(${[...streamIds]}::uuid[])`)
    .orderBy('stream_id')
    .orderBy('stream_version')
    .execute();
  return rows.map(toRecordedEvent);
}

/** A page of one stream's events between positions (exclusive), at or before `upTo`, in either direction. */
export async function readStreamPage(
  db: Executor,
  streamId: string,
  page: { after?: string; before?: string; upTo?: string; limit: number; descending: boolean },
): Promise<RecordedEvent[]> {
  let q = db.selectFrom('events').select(eventColumns).where('stream_id', '=', streamId);
  if (page.after !== undefined) q = q.where('position', '>', page.after);
  if (page.before !== undefined) q = q.where('position', '<', page.before);
  if (page.upTo !== undefined) q = q.where('position', '<=', page.upTo);
  const rows = await q.orderBy('position', page.descending ? 'desc' : 'asc').limit(page.limit).execute();
  return rows.map(toRecordedEvent);
}

/** Events of every stream type (or of the types given) with a position greater than `after`, in position order, at most `limit`. */
export async function readAll(db: Executor, after: string, limit: number, streamType?: StreamType | readonly StreamType[]): Promise<Recorded<DomainEvent>[]> {
  let q = db.selectFrom('events').select(eventColumns).where('position', '>', after);
  if (typeof streamType === 'string') q = q.where('stream_type', '=', streamType);
  else if (streamType !== undefined) q = q.where('stream_type', 'in', [...streamType]);
  const rows = await q.orderBy('position').limit(limit).execute();
  return rows.map((row) => toRecorded<DomainEvent>(row));
}

/**
 * Where a follower of the whole log stands. Positions come from a sequence, so a transaction that took a
 * lower position can commit after one that took a higher one: a reader going by position alone would step
 * past an event about to appear. Followers therefore read in (transaction id, position) order and only
 * below the oldest transaction still in flight (the snapshot's xmin): that part of the log is final, so
 * the order is gapless and the same on every read.
 */
export interface FeedCursor {
  transactionId: string;
  position: string;
}

export const FEED_START: FeedCursor = { transactionId: '0', position: '0' };

/** The cursor just after a known event (to resume after it), or null when there is no such event. */
export async function feedCursorAt(db: Executor, position: string): Promise<FeedCursor | null> {
  if (!/^\d{1,19}$/.test(position)) return null;
  const row = await db.selectFrom('events').select(['transaction_id', 'position']).where('position', '=', position).executeTakeFirst();
  return row ? { transactionId: String(row.transaction_id), position: String(row.position) } : null;
}

// The ORDER BY clauses below name the table's columns (events.x): a bare name would sort by the ::text
// output column of the same name, and "991" sorts after "1009".

/** The end of the final part of the log now: following from here yields only what comes next. */
export async function feedHead(db: Executor): Promise<FeedCursor> {
  const { rows } = await sql<{ transaction_id: string; position: string }>`
    select transaction_id::text, position::text from events
    where transaction_id < pg_snapshot_xmin(pg_current_snapshot())
    order by events.transaction_id desc, events.position desc limit 1`.execute(db);
  return rows[0] ? { transactionId: rows[0].transaction_id, position: rows[0].position } : FEED_START;
}

/** The next model events after a cursor, in feed order, within the final part of the log. */
export async function readFeed(db: Executor, after: FeedCursor, limit: number, streamId?: string): Promise<{ event: RecordedEvent; cursor: FeedCursor }[]> {
  const { rows } = await sql<EventRow & { transaction_id: string }>`
    select ${columnList}, transaction_id::text
    from events
    where (transaction_id, position) > (${after.transactionId}::xid8, ${after.position}::bigint)
      and transaction_id < pg_snapshot_xmin(pg_current_snapshot())
      and stream_type = 'model'
      ${streamId === undefined ? sql`` : sql`and stream_id = ${streamId}::uuid`}
    order by events.transaction_id, events.position
    limit ${limit}`.execute(db);
  return rows.map((row) => ({ event: toRecordedEvent(row), cursor: { transactionId: row.transaction_id, position: row.position } }));
}

/**
 * Like readFeed (model events only), and also where the final part of the log ended when it read: when fewer than `limit` events
 * came back, the reader has seen everything before `final` (the snapshot's xmin, position 0: every event of a
 * transaction older than the oldest one in flight) and may move its cursor there, even past events it filtered
 * out or when nothing came back at all. `heldBack` says that committed events lie beyond that point, held
 * back by a transaction still in flight (any transaction on the server, in any database, holds back the
 * snapshot's xmin): they become final when it ends, and nothing notifies anyone then. One statement.
 */
export async function readFeedPage(
  db: Executor,
  after: FeedCursor,
  limit: number,
  streamId?: string,
): Promise<{ entries: { event: RecordedEvent; cursor: FeedCursor }[]; final: FeedCursor; heldBack: boolean }> {
  const { rows } = await sql<Partial<EventRow> & { transaction_id: string | null; xmin: string; held_back: boolean }>`
    with s as (select pg_snapshot_xmin(pg_current_snapshot()) as xmin),
    -- Asked once for the page, not once per row.
    h as (
      select exists (
        select 1 from events, s
        where events.transaction_id >= s.xmin
          and (events.transaction_id, events.position) > (${after.transactionId}::xid8, ${after.position}::bigint)
          ${streamId === undefined ? sql`` : sql`and events.stream_id = ${streamId}::uuid`}
      ) as held_back
    )
    select s.xmin::text as xmin, e.position::text, e.event_id, e.stream_id, e.stream_type, e.context_id, e.stream_version, e.type,
      e.schema_version, e.data, e.private_data, e.metadata, e.recorded_at, e.transaction_id::text, h.held_back
    from s cross join h left join lateral (
      select * from events
      where (transaction_id, position) > (${after.transactionId}::xid8, ${after.position}::bigint)
        and transaction_id < s.xmin
        and stream_type = 'model'
        ${streamId === undefined ? sql`` : sql`and stream_id = ${streamId}::uuid`}
      order by events.transaction_id, events.position
      limit ${limit}
    ) e on true
    order by e.transaction_id, e.position`.execute(db);
  const entries = rows
    .filter((row) => row.transaction_id !== null && row.transaction_id !== undefined)
    .map((row) => ({ event: toRecordedEvent(row as EventRow), cursor: { transactionId: row.transaction_id!, position: row.position! } }));
  return { entries, final: { transactionId: rows[0]!.xmin, position: '0' }, heldBack: rows[0]!.held_back };
}

/** Feed order: -1, 0 or 1 as `a` comes before, at or after `b`. */
export function compareFeedCursors(a: FeedCursor, b: FeedCursor): number {
  const ta = BigInt(a.transactionId);
  const tb = BigInt(b.transactionId);
  if (ta !== tb) return ta < tb ? -1 : 1;
  const pa = BigInt(a.position);
  const pb = BigInt(b.position);
  return pa === pb ? 0 : pa < pb ? -1 : 1;
}

/**
 * Makes the caller the only writer of a stream until its transaction ends: concurrent commands on one model
 * queue here instead of failing their appends in turn.
 */
export async function lockStream(trx: Executor, streamId: string): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtextextended(${streamId}, 0))`.execute(trx);
}

const eventValues = (stream: StreamRef, expectedVersion: number, events: readonly DomainEvent[], metadata: EventMetadata) =>
  events.map((e, i) => ({
    stream_id: stream.id,
    stream_type: stream.type,
    context_id: stream.contextId,
    stream_version: expectedVersion + i + 1,
    type: e.type,
    schema_version: currentSchemaVersion(e.type),
    data: JSON.stringify(e.data),
    private_data: e.privateData === undefined ? null : JSON.stringify(e.privateData),
    metadata: JSON.stringify(metadata),
  }));

/** The unique (stream_id, stream_version) constraint refused an append: another writer got there first. */
function conflictOr(error: unknown, stream: StreamRef, expectedVersion: number): unknown {
  return isUniqueViolation(error, 'events_stream_version_key') ? new StreamVersionConflict(stream.id, expectedVersion) : error;
}

/**
 * Appends events to a stream that the caller read at `expectedVersion` (0: the stream must not exist yet).
 * The unique (stream_id, stream_version) constraint is the guard: a concurrent append of the same version
 * fails here with StreamVersionConflict, and the surrounding transaction must be abandoned.
 */
export async function appendToStream<E extends DomainEvent>(
  trx: Executor,
  stream: StreamRef,
  expectedVersion: number,
  events: readonly E[],
  metadata: EventMetadata,
): Promise<Recorded<E>[]> {
  if (events.length === 0) return [];
  try {
    const rows = await trx
      .insertInto('events')
      .values(
        eventValues(stream, expectedVersion, events, metadata).map((row) => ({
          ...row,
          // The time of the append itself, taken under the stream's lock (the caller holds it): so times follow
          // stream order. now() would be the transaction's start, which may come before an earlier event's.
          recorded_at: sql<Date>`clock_timestamp()`,
        })),
      )
      .returning(eventColumns)
      .execute();
    return rows.map((row) => toRecorded<E>(row)).sort((a, b) => a.streamVersion - b.streamVersion);
  } catch (error) {
    throw conflictOr(error, stream, expectedVersion);
  }
}

/**
 * Appends events as appendToStream does, and runs `writes` (the read models' rows, a snapshot, an
 * idempotency record) in the same statement, as data-modifying CTEs: one round trip, atomic by itself, so
 * that it needs no transaction around it. The events' insert is the statement's primary part and runs
 * first, so a version conflict is what a concurrent append meets (not a read model's key).
 *
 * `recordedAt` is the clock of the statement that read the stream at `expectedVersion` (loadState): that
 * statement saw the previous event committed, so its time comes after that event's, and times follow
 * stream order without a lock.
 */
export async function appendToStreamWith<E extends DomainEvent>(
  db: Executor,
  stream: StreamRef,
  expectedVersion: number,
  events: readonly E[],
  metadata: EventMetadata,
  options: { recordedAt: Date; writes: readonly Compilable[] },
): Promise<Recorded<E>[]> {
  if (events.length === 0) return [];
  const insert = db
    .insertInto('events')
    .values(eventValues(stream, expectedVersion, events, metadata).map((row) => ({ ...row, recorded_at: options.recordedAt })))
    .returning(eventColumns);
  try {
    const { rows } =
      options.writes.length === 0
        ? { rows: await insert.execute() }
        : // The events' insert first: its lock on `events` is taken before the read models' (as a transaction's
          // first INSERT takes it), the order the rebuild's swap also takes them in, so that they never deadlock.
          await sql<EventRow>`with appended as (${insert}), ${sql.join(options.writes.map((w, i) => sql`${sql.id(`write_${i}`)} as (${w})`))}
            select * from appended`.execute(db);
    return rows.map((row) => toRecorded<E>(row)).sort((a, b) => a.streamVersion - b.streamVersion);
  } catch (error) {
    throw conflictOr(error, stream, expectedVersion);
  }
}
