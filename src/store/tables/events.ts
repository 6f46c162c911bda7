import type { ColumnType, Generated } from 'kysely';

/** The streams the log holds: a model's, and the access-control aggregates'. */
export type StreamType = 'model' | 'context' | 'group' | 'principal';

export interface EventsTable {
  /** int8: a decimal string on both drivers (PGlite is given pg's parser for type 20). */
  position: Generated<string>;
  /** The event's own id; given by the database unless an import brings the original one. */
  event_id: Generated<string>;
  stream_id: string;
  stream_type: StreamType;
  /** The context the stream lives in: a model's, a group's, a context's own id; a principal's home (or null). */
  context_id: string | null;
  stream_version: number;
  type: string;
  /** The payload's schema version as written; reads upcast it (src/store/upcast.ts). */
  schema_version: number;
  data: ColumnType<unknown, string, never>;
  /** What only projections read (a token's hash); never in a public shape. */
  private_data: ColumnType<unknown, string | null, never>;
  metadata: ColumnType<Record<string, string | null>, string, never>;
  /** Set by appendToStream under the stream's lock (see there). */
  recorded_at: ColumnType<Date, Date | undefined, never>;
  transaction_id: ColumnType<string, never, never>;
}
