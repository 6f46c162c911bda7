import { type Kysely, sql } from 'kysely';

// Webhooks. `webhooks` is a read model of the context streams' Webhook* events (rebuilt like the other
// access-control tables). The rest is delivery state derived from the log, kept across restarts and shared by
// every process, never rebuilt: `webhook_dispatch` is the one cursor (in feed order) up to which model events
// have been turned into deliveries, `webhook_deliveries` one row per (webhook, event), leased by the process
// attempting it, `webhook_attempts` every attempt made. No foreign key to `webhooks`: a rebuild swaps that
// table, and deliveries of a webhook deleted since are dropped by the dispatcher.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('webhooks')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('context_id', 'uuid', (c) => c.notNull())
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('event_types', 'jsonb', (c) => c.notNull())
    .addColumn('model_id', 'uuid')
    .addColumn('description', 'text')
    .addColumn('active', 'boolean', (c) => c.notNull())
    .addColumn('secret_ciphertext', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('created_by', 'text')
    .addColumn('created_position', 'int8', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('webhooks_context_idx').on('webhooks').columns(['context_id', 'created_position']).execute();

  await db.schema
    .createTable('webhook_dispatch')
    .addColumn('id', 'int4', (c) => c.primaryKey().check(sql`id = 1`))
    .addColumn('transaction_id', sql`xid8`, (c) => c.notNull())
    .addColumn('position', 'int8', (c) => c.notNull())
    .execute();
  await sql`insert into webhook_dispatch (id, transaction_id, position) values (1, '0', 0)`.execute(db);

  await db.schema
    .createTable('webhook_deliveries')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('webhook_id', 'uuid', (c) => c.notNull())
    .addColumn('context_id', 'uuid', (c) => c.notNull())
    .addColumn('event_id', 'uuid', (c) => c.notNull())
    .addColumn('event_position', 'int8', (c) => c.notNull())
    .addColumn('event_type', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('PENDING', 'SUCCEEDED', 'FAILED')`))
    .addColumn('attempts', 'int4', (c) => c.notNull().defaultTo(0))
    // The attempts made before the last redelivery: the limit counts from there.
    .addColumn('attempts_base', 'int4', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', 'timestamptz')
    .addColumn('leased_until', 'timestamptz')
    .addColumn('last_response_status', 'int4')
    .addColumn('last_error', 'text')
    .addColumn('last_attempt_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('webhook_deliveries_webhook_event_key', ['webhook_id', 'event_id'])
    .execute();
  await sql`create index webhook_deliveries_due_idx on webhook_deliveries (next_attempt_at) where status = 'PENDING'`.execute(db);
  await db.schema.createIndex('webhook_deliveries_webhook_idx').on('webhook_deliveries').columns(['webhook_id', 'event_position']).execute();

  await db.schema
    .createTable('webhook_attempts')
    .addColumn('delivery_id', 'uuid', (c) => c.notNull().references('webhook_deliveries.id').onDelete('cascade'))
    .addColumn('attempt', 'int4', (c) => c.notNull())
    .addColumn('at', 'timestamptz', (c) => c.notNull())
    .addColumn('response_status', 'int4')
    .addColumn('error', 'text')
    .addColumn('duration_ms', 'int4', (c) => c.notNull())
    .addPrimaryKeyConstraint('webhook_attempts_pkey', ['delivery_id', 'attempt'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['webhook_attempts', 'webhook_deliveries', 'webhook_dispatch', 'webhooks']) await db.schema.dropTable(table).execute();
}
