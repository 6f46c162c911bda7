import { type Kysely, sql } from 'kysely';

// An event's time is the moment of its append, not its transaction's start: a transaction that began before
// another command committed, and then waited for the stream's lock, would otherwise carry an earlier time
// than the event before it. appendToStream sets it so itself; the default says the same for any other writer.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table events alter column recorded_at set default clock_timestamp()`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table events alter column recorded_at set default now()`.execute(db);
}
