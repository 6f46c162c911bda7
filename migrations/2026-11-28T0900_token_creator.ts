import { type Kysely, sql } from 'kysely';

// Who created each principal and each token, and the context a principal was created in: its home. A
// context's administrators manage the tokens of the principals homed in their context, and of no others.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('principals')
    // Null: the bootstrap superuser, or a principal from before this migration with roles in several contexts or none.
    .addColumn('home_context_id', 'uuid', (c) => c.references('contexts.id').onDelete('set null'))
    .addColumn('created_by', 'uuid', (c) => c.references('principals.id').onDelete('set null'))
    .execute();
  await db.schema.createIndex('principals_home_context_id').on('principals').column('home_context_id').execute();
  // Null for the bootstrap token and for tokens made before this migration.
  await db.schema
    .alterTable('tokens')
    .addColumn('created_by', 'uuid', (c) => c.references('principals.id').onDelete('set null'))
    .execute();

  // Existing principals are homed in the one context they hold roles in (directly or through its groups);
  // one with roles in several contexts, or none, is homed nowhere, and only a superuser manages its tokens.
  await sql`
    update principals p set home_context_id = homes.context_id
    from (
      select r.principal_id, min(r.context_id::text)::uuid as context_id
      from (
        select g.principal_id, g.context_id from role_grants g where g.principal_id is not null
        union
        select m.principal_id, g.context_id from role_grants g join group_members m on m.group_id = g.group_id
      ) r
      group by r.principal_id
      having count(distinct r.context_id) = 1
    ) homes
    where homes.principal_id = p.id and not p.superuser`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('tokens').dropColumn('created_by').execute();
  await db.schema.dropIndex('principals_home_context_id').execute();
  await db.schema.alterTable('principals').dropColumn('home_context_id').dropColumn('created_by').execute();
}
