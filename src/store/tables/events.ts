import type { ColumnType, Generated } from 'kysely';

export interface EventsTable {
  /** int8: a decimal string on both drivers (PGlite is given pg's parser for type 20). */
  position: Generated<string>;
  stream_id: string;
  stream_version: number;
  type: string;
  data: ColumnType<unknown, string, never>;
  metadata: ColumnType<Record<string, string | null>, string, never>;
  /** Set by appendToStream under the stream's lock (see there). */
  recorded_at: ColumnType<Date, Date | undefined, never>;
  transaction_id: ColumnType<string, never, never>;
}
