import { type Kysely, sql } from 'kysely';

// An export running (GET /admin/export) holds a lease here, renewed while it streams: while any lease is live,
// no blob is deleted (a deletion or a replacement leaves its blob for the next collection), so that every blob the
// export's snapshot references is still there when the export reaches it. Operational state, never exported or
// rebuilt; a lease whose export died runs out by itself.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('export_leases')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('started_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('export_leases').execute();
}
