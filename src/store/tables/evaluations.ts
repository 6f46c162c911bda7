import type { ColumnType } from 'kysely';

export interface EvaluationsTable {
  id: string;
  model_id: string;
  number: number;
  stream_version: number;
  dataset_uri: string;
  dataset_name: string | null;
  metrics: ColumnType<Record<string, number>, string, string>;
  notes: string | null;
  recorded_at: Date;
  recorded_by: string | null;
}
