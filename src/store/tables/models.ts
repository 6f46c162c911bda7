import type { ColumnType } from 'kysely';

/** An alias as the model's row keeps it (JSON: its time as an ISO string). */
export interface StoredAlias {
  name: string;
  number: number;
  setAt: string;
  setBy: string | null;
}

export interface ModelsTable {
  id: string;
  context_id: string;
  name: string;
  description: string | null;
  tags: string[];
  created_at: Date;
  created_by: string | null;
  updated_at: Date;
  version_count: number;
  highest_number: number;
  stream_version: number;
  /** By name. */
  aliases: ColumnType<StoredAlias[], string, string>;
}
