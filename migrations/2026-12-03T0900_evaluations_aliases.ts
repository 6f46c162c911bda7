import { type Kysely, sql } from 'kysely';

// Evaluations: a version's results on datasets, one row each (a version may keep up to 1,000; writing one
// appends a row instead of rewriting the version's). They go with their version (on delete cascade), as
// its files do. Aliases: at most 10 a model, each a name and a number, kept on the model's row, so that a
// download by alias reads one row for the model and its aliases.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table models add column aliases jsonb not null default '[]'`.execute(db);
  await db.schema
    .createTable('evaluations')
    .addColumn('id', 'uuid', (c) => c.notNull())
    .addColumn('model_id', 'uuid', (c) => c.notNull())
    .addColumn('number', 'integer', (c) => c.notNull())
    .addColumn('stream_version', 'integer', (c) => c.notNull())
    .addColumn('dataset_uri', 'text', (c) => c.notNull())
    .addColumn('dataset_name', 'text')
    .addColumn('metrics', 'jsonb', (c) => c.notNull())
    .addColumn('notes', 'text')
    .addColumn('recorded_at', 'timestamptz', (c) => c.notNull())
    .addColumn('recorded_by', 'text')
    .addPrimaryKeyConstraint('evaluations_pkey', ['id'])
    .addForeignKeyConstraint('evaluations_version_fkey', ['model_id', 'number'], 'versions', ['model_id', 'number'], (c) => c.onDelete('cascade'))
    .execute();
  // A model's evaluations in the order recorded: by the stream version of the event that recorded each (times can tie).
  await db.schema.createIndex('evaluations_model_idx').on('evaluations').columns(['model_id', 'stream_version']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('evaluations').execute();
  await sql`alter table models drop column aliases`.execute(db);
}
