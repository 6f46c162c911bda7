import type { ColumnType } from 'kysely';

/** A model's state at a stream version, kept so that a command need not fold the whole stream (see snapshots.ts). */
export interface SnapshotsTable {
  stream_id: string;
  /** The stream version the state is at: the events after it are folded onto it. */
  stream_version: number;
  /** SNAPSHOT_STATE_VERSION when written; a row of any other version is ignored. */
  state_version: number;
  state: ColumnType<unknown, string, string>;
  taken_at: ColumnType<Date, Date | string | undefined, Date | string>;
}
