import type { ColumnType, Generated } from 'kysely';

export interface ContextsTable {
  id: Generated<string>;
  name: string;
  created_at: ColumnType<Date, never, never>;
}
