import { type Kysely, sql } from 'kysely';

// Frozen in time: never edit after it has shipped; add a new migration instead.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('contexts')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await sql`insert into contexts (name) values ('default')`.execute(db);

  await db.schema
    .createTable('events')
    .addColumn('position', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('stream_id', 'uuid', (c) => c.notNull())
    .addColumn('stream_version', 'integer', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('data', 'jsonb', (c) => c.notNull())
    .addColumn('metadata', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    // Milliseconds, as a JavaScript Date holds them: an as-of read at an event's own time must include it.
    .addColumn('recorded_at', sql`timestamptz(3)`, (c) => c.notNull().defaultTo(sql`now()`))
    // Lets readers that follow the log by position skip past transactions still in flight (see eventLog.ts).
    .addColumn('transaction_id', sql`xid8`, (c) => c.notNull().defaultTo(sql`pg_current_xact_id()`))
    .addUniqueConstraint('events_stream_version_key', ['stream_id', 'stream_version'])
    .execute();
  await db.schema.createIndex('events_recorded_at_idx').on('events').column('recorded_at').execute();

  // The log is the audit history: the database itself refuses to change or remove it.
  await sql`
    create function cairn_events_append_only() returns trigger language plpgsql as $$
    begin
      raise exception 'the event log is append-only: % is not allowed', tg_op using errcode = 'insufficient_privilege';
    end $$`.execute(db);
  await sql`create trigger events_no_update_delete before update or delete on events
    for each row execute function cairn_events_append_only()`.execute(db);
  await sql`create trigger events_no_truncate before truncate on events
    for each statement execute function cairn_events_append_only()`.execute(db);

  // Read models, rebuilt from the log by `npm run rebuild`.
  await db.schema
    .createTable('models')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('context_id', 'uuid', (c) => c.notNull().references('contexts.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('tags', sql`text[]`, (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('created_by', 'text')
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .addColumn('version_count', 'integer', (c) => c.notNull())
    .addColumn('highest_number', 'integer', (c) => c.notNull())
    .addColumn('stream_version', 'integer', (c) => c.notNull())
    .execute();
  // The cross-stream rule "names are unique in a context, case-insensitively" is held by this index.
  await sql`create unique index models_context_name_key on models (context_id, lower(name))`.execute(db);
  await db.schema.createIndex('models_created_at_idx').on('models').columns(['created_at', 'id']).execute();
  await db.schema.createIndex('models_updated_at_idx').on('models').columns(['updated_at', 'id']).execute();

  await db.schema
    .createTable('versions')
    .addColumn('model_id', 'uuid', (c) => c.notNull().references('models.id').onDelete('cascade'))
    .addColumn('number', 'integer', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('tags', sql`text[]`, (c) => c.notNull())
    .addColumn('hyperparameters', 'jsonb', (c) => c.notNull())
    .addColumn('config', 'jsonb', (c) => c.notNull())
    .addColumn('records', 'jsonb', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('created_by', 'text')
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .addColumn('published_at', 'timestamptz')
    .addColumn('published_by', 'text')
    .addPrimaryKeyConstraint('versions_pkey', ['model_id', 'number'])
    .execute();

  await db.schema
    .createTable('formats')
    .addColumn('model_id', 'uuid', (c) => c.notNull())
    .addColumn('number', 'integer', (c) => c.notNull())
    .addColumn('format', 'text', (c) => c.notNull())
    .addColumn('filename', 'text', (c) => c.notNull())
    .addColumn('size', 'bigint', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('content_type', 'text', (c) => c.notNull())
    .addColumn('uploaded_at', 'timestamptz', (c) => c.notNull())
    .addColumn('uploaded_by', 'text')
    .addPrimaryKeyConstraint('formats_pkey', ['model_id', 'number', 'format'])
    .addForeignKeyConstraint('formats_version_fkey', ['model_id', 'number'], 'versions', ['model_id', 'number'], (c) => c.onDelete('cascade'))
    .execute();
  await db.schema.createIndex('formats_sha256_idx').on('formats').column('sha256').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['formats', 'versions', 'models', 'events', 'contexts']) await db.schema.dropTable(t).execute();
  await sql`drop function cairn_events_append_only()`.execute(db);
}
