import { sql } from 'kysely';
import type { EventMetadata, ModelEvent, RecordedEvent } from '../domain/model/events.ts';
import type { Executor } from './database.ts';
import { isUniqueViolation } from './pgErrors.ts';

/** Another writer appended to the stream after we read it. Only the command handler sees this: it retries. */
export class StreamVersionConflict extends Error {
  constructor(
    readonly streamId: string,
    readonly expectedVersion: number,
  ) {
    super(`Stream ${streamId} is no longer at version ${expectedVersion}`);
  }
}

interface EventRow {
  position: string;
  stream_id: string;
  stream_version: number;
  type: string;
  data: unknown;
  metadata: Record<string, string | null>;
  recorded_at: Date;
}

const columns = ['position', 'stream_id', 'stream_version', 'type', 'data', 'metadata', 'recorded_at'] as const;

export function toRecordedEvent(row: EventRow): RecordedEvent {
  return {
    type: row.type,
    data: row.data,
    streamId: row.stream_id,
    streamVersion: row.stream_version,
    position: String(row.position),
    recordedAt: row.recorded_at,
    metadata: { actor: null, requestId: null, ...row.metadata },
  } as RecordedEvent;
}

export interface StreamBound {
  /** Only events at or before this global position. */
  position?: string;
  /** Only events recorded at or before this time. */
  time?: Date;
}

/** A stream's events in order, optionally only up to a point in the past (for as-of reads). */
export async function readStream(db: Executor, streamId: string, upTo: StreamBound = {}): Promise<RecordedEvent[]> {
  let q = db.selectFrom('events').select(columns).where('stream_id', '=', streamId);
  if (upTo.position !== undefined) q = q.where('position', '<=', upTo.position);
  if (upTo.time !== undefined) q = q.where('recorded_at', '<=', upTo.time);
  const rows = await q.orderBy('stream_version').execute();
  return rows.map(toRecordedEvent);
}

/** Events with a position greater than `after`, in position order, at most `limit`. */
export async function readAll(db: Executor, after: string, limit: number, streamId?: string): Promise<RecordedEvent[]> {
  let q = db.selectFrom('events').select(columns).where('position', '>', after);
  if (streamId !== undefined) q = q.where('stream_id', '=', streamId);
  const rows = await q.orderBy('position').limit(limit).execute();
  return rows.map(toRecordedEvent);
}

/**
 * Positions come from a sequence, so a transaction that began earlier can commit a lower position later.
 * A reader that follows the log by position must stop below the oldest transaction still in flight, or it
 * would step past an event that is about to appear. This is the highest position it is safe to read to.
 */
export async function safeReadPosition(db: Executor): Promise<string | null> {
  const { rows } = await sql<{ position: string | null }>`
    select max(position)::text as position from events
    where transaction_id < pg_snapshot_xmin(pg_current_snapshot())`.execute(db);
  return rows[0]?.position ?? null;
}

/**
 * Appends events to a stream that the caller read at `expectedVersion` (0: the stream must not exist yet).
 * The unique (stream_id, stream_version) constraint is the guard: a concurrent append of the same version
 * fails here with StreamVersionConflict, and the surrounding transaction must be abandoned.
 */
export async function appendToStream(
  trx: Executor,
  streamId: string,
  expectedVersion: number,
  events: readonly ModelEvent[],
  metadata: EventMetadata,
): Promise<RecordedEvent[]> {
  if (events.length === 0) return [];
  try {
    const rows = await trx
      .insertInto('events')
      .values(
        events.map((e, i) => ({
          stream_id: streamId,
          stream_version: expectedVersion + i + 1,
          type: e.type,
          data: JSON.stringify(e.data),
          metadata: JSON.stringify(metadata),
        })),
      )
      .returning(columns)
      .execute();
    return rows.map(toRecordedEvent).sort((a, b) => a.streamVersion - b.streamVersion);
  } catch (error) {
    if (isUniqueViolation(error, 'events_stream_version_key')) throw new StreamVersionConflict(streamId, expectedVersion);
    throw error;
  }
}
