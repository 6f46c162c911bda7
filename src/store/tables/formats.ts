import type { ColumnType } from 'kysely';

export interface FormatsTable {
  model_id: string;
  number: number;
  format: string;
  filename: string;
  /** int8 comes back as a string; sizes stay below 2^53 and are converted where read. */
  size: ColumnType<string, number, number>;
  sha256: string;
  content_type: string;
  uploaded_at: Date;
  uploaded_by: string | null;
}
