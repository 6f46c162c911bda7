import type { ColumnType } from 'kysely';
import type { DatasetRecord, JsonObject } from '../../domain/rules.ts';

type Json<T> = ColumnType<T, string, string>;

export interface VersionsTable {
  model_id: string;
  number: number;
  status: 'DRAFT' | 'PUBLISHED';
  description: string | null;
  tags: string[];
  hyperparameters: Json<JsonObject>;
  config: Json<JsonObject>;
  records: Json<DatasetRecord[]>;
  created_at: Date;
  created_by: string | null;
  updated_at: Date;
  published_at: Date | null;
  published_by: string | null;
}
