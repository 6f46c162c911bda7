import { type Kysely, sql } from 'kysely';

// Principals (people and service accounts), their API tokens (hashed), groups, and role grants per context.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('principals')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('user', 'service')`))
    // The bootstrap administrator: may create contexts and administer every context.
    .addColumn('superuser', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await sql`create unique index principals_name_key on principals (lower(name))`.execute(db);

  await db.schema
    .createTable('tokens')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('principal_id', 'uuid', (c) => c.notNull().references('principals.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    // sha256 of the secret; the secret itself is shown once and never stored.
    .addColumn('secret_hash', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('expires_at', 'timestamptz')
    .addColumn('revoked_at', 'timestamptz')
    .execute();

  await db.schema
    .createTable('groups')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('context_id', 'uuid', (c) => c.notNull().references('contexts.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await sql`create unique index groups_context_name_key on groups (context_id, lower(name))`.execute(db);

  await db.schema
    .createTable('group_members')
    .addColumn('group_id', 'uuid', (c) => c.notNull().references('groups.id').onDelete('cascade'))
    .addColumn('principal_id', 'uuid', (c) => c.notNull().references('principals.id').onDelete('cascade'))
    .addPrimaryKeyConstraint('group_members_pkey', ['group_id', 'principal_id'])
    .execute();

  await db.schema
    .createTable('role_grants')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('context_id', 'uuid', (c) => c.notNull().references('contexts.id').onDelete('cascade'))
    .addColumn('role', 'text', (c) => c.notNull().check(sql`role in ('viewer', 'editor', 'admin')`))
    .addColumn('principal_id', 'uuid', (c) => c.references('principals.id').onDelete('cascade'))
    .addColumn('group_id', 'uuid', (c) => c.references('groups.id').onDelete('cascade'))
    .addCheckConstraint('role_grants_one_grantee', sql`(principal_id is null) <> (group_id is null)`)
    .execute();
  await sql`create unique index role_grants_key on role_grants (context_id, role, coalesce(principal_id, group_id))`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['role_grants', 'group_members', 'groups', 'tokens', 'principals']) await db.schema.dropTable(t).execute();
}
