import { type Kysely, sql } from 'kysely';

// Processes cache who a token is (src/auth/identityCache.ts) and must forget it when access control
// changes: every event of a context, group or principal stream says so on the `cairn_access` channel, on
// commit (never for a rollback), whichever process or tool appended it. A row trigger with a WHEN
// condition: a model event, the hot path, is only tested against it and calls no function.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create function cairn_access_notify() returns trigger language plpgsql as $$
    begin
      perform pg_notify('cairn_access', '');
      return null;
    end $$`.execute(db);
  await sql`create trigger events_access_notify after insert on events
    for each row when (new.stream_type <> 'model') execute function cairn_access_notify()`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop trigger events_access_notify on events`.execute(db);
  await sql`drop function cairn_access_notify()`.execute(db);
}
