import { type Kysely, sql } from 'kysely';

// A model's state at a stream version, so that a command folds only the events after it instead of its
// whole stream. A cache of the fold, not a read model: written in the command's own transaction, never
// rebuilt, and any row may be dropped at any time (the next command then folds from the start). A row
// whose state_version is not the code's current one is ignored, so a change to the state's shape needs a
// new number in code, not a migration.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('snapshots')
    .addColumn('stream_id', 'uuid', (c) => c.primaryKey())
    .addColumn('stream_version', 'integer', (c) => c.notNull())
    .addColumn('state_version', 'integer', (c) => c.notNull())
    .addColumn('state', 'jsonb', (c) => c.notNull())
    .addColumn('taken_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('snapshots').execute();
}
