import { type Kysely, sql } from 'kysely';

/**
 * The envelope: every event gets an id, the schema version its payload was written at, the type of the
 * stream it belongs to, and the context that stream lives in. Reads bring old schema versions to the
 * current shape (src/store/upcast.ts); projections and queries read these columns, never payload keys in
 * SQL. `private_data` holds what only projections may read (a token's hash): it is never in a public shape.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table events
    add column event_id uuid not null default gen_random_uuid(),
    add column schema_version integer not null default 1 check (schema_version >= 1),
    add column stream_type text not null default 'model' check (stream_type in ('model', 'context', 'group', 'principal')),
    add column context_id uuid,
    add column private_data jsonb`.execute(db);
  // Every event before this migration is a model event at version 1; from now on writers say what they write.
  await sql`alter table events alter column schema_version drop default, alter column stream_type drop default`.execute(db);
  await sql`alter table events add constraint events_event_id_key unique (event_id)`.execute(db);

  // A model's context was a payload key of its first event. The log refuses updates (its trigger): this one
  // migration fills the new column with the trigger off, in its own transaction, and changes no payload.
  await sql`alter table events disable trigger events_no_update_delete`.execute(db);
  await sql`
    update events e set context_id = (first.data->>'contextId')::uuid
    from events first
    where first.stream_id = e.stream_id and first.stream_version = 1 and first.type = 'ModelCreated'`.execute(db);
  await sql`alter table events enable trigger events_no_update_delete`.execute(db);
  await sql`alter table events add constraint events_model_context check (stream_type <> 'model' or context_id is not null)`.execute(db);
  // The audit view and a context's feed read by context, in log order.
  await db.schema.createIndex('events_context_idx').on('events').columns(['context_id', 'position']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('events_context_idx').execute();
  await sql`alter table events drop constraint events_model_context, drop constraint events_event_id_key,
    drop column event_id, drop column schema_version, drop column stream_type, drop column context_id, drop column private_data`.execute(db);
}
