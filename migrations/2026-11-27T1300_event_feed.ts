import { type Kysely, sql } from 'kysely';

// Followers of the log (subscriptions) read in (transaction_id, position) order and are woken by NOTIFY.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('events_feed_idx').on('events').columns(['transaction_id', 'position']).execute();
  await sql`
    create function cairn_events_notify() returns trigger language plpgsql as $$
    begin
      perform pg_notify('cairn_events', '');
      return null;
    end $$`.execute(db);
  // One notification per appending statement, delivered on commit (and never for a rollback).
  await sql`create trigger events_notify after insert on events
    for each statement execute function cairn_events_notify()`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop trigger events_notify on events`.execute(db);
  await sql`drop function cairn_events_notify()`.execute(db);
  await db.schema.dropIndex('events_feed_idx').execute();
}
