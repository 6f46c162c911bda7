import { type Kysely, sql } from 'kysely';

// Secrets the server keeps for itself (the key that signs download links), one row a purpose. Not a read
// model and not in the log: made by the first process that needs one (`insert ... on conflict do nothing`,
// so that every process on the database ends up with the same), never rebuilt, never shown.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('server_secrets')
    .addColumn('name', 'text', (c) => c.primaryKey())
    // base64url text: the same on PGlite and pg, whose bytea parsers differ.
    .addColumn('secret', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('server_secrets').execute();
}
