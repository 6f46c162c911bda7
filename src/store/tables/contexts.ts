import type { ColumnType, Generated } from 'kysely';

export interface ContextsTable {
  id: Generated<string>;
  name: string;
  /** When ContextCreated happened. */
  created_at: ColumnType<Date, string | undefined, never>;
}
