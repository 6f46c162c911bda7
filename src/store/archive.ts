import { sql } from 'kysely';
import type { DomainEvent, Recorded } from '../domain/envelope.ts';
import type { RecordedEvent } from '../domain/model/events.ts';
import type { Db, Executor } from './database.ts';
import { eventColumns, type EventRow, toRecorded, toRecordedEvent } from './eventLog.ts';

// The store's side of export and import (src/archive/): reading the log as one snapshot saw it, and writing an
// archive's events, with their own positions, ids and times, into an empty database.

/**
 * The log as of one moment, without holding a transaction open for the export's whole length (on PGlite that
 * would hold the one connection, and the server, until the last byte): the moment's snapshot, named, and every
 * later read filtered to the events it sees. The log is append-only and each event carries its (top-level)
 * transaction's id, so `pg_visible_in_snapshot` gives exactly the rows a REPEATABLE READ transaction begun then
 * would read, however long after it is asked.
 */
export async function takeLogSnapshot(db: Executor): Promise<string> {
  const { rows } = await sql<{ snapshot: string }>`select pg_current_snapshot()::text as snapshot`.execute(db);
  return rows[0]!.snapshot;
}

/** The rows the snapshot sees; null: every row this transaction sees (an import's, checking what it wrote). */
const visibleIn = (snapshot: string | null) => (snapshot === null ? sql<boolean>`true` : sql<boolean>`pg_visible_in_snapshot(transaction_id, ${snapshot}::pg_snapshot)`);

/** The next events the snapshot sees after `after`, in position order, every stream type, at most `limit`. */
export async function readSnapshotEvents(db: Executor, snapshot: string, after: string, limit: number): Promise<Recorded<DomainEvent>[]> {
  const rows = await db.selectFrom('events').select(eventColumns).where('position', '>', after).where(visibleIn(snapshot)).orderBy('position').limit(limit).execute();
  return rows.map((row) => toRecorded<DomainEvent>(row));
}

/** The ids of the next model streams the snapshot sees after `after`, in id order, at most `limit`. */
export async function snapshotModelStreams(db: Executor, snapshot: string | null, after: string | null, limit: number): Promise<string[]> {
  let q = db.selectFrom('events').select('stream_id').where('stream_type', '=', 'model').where('stream_version', '=', 1).where(visibleIn(snapshot));
  if (after !== null) q = q.where('stream_id', '>', after);
  return (await q.orderBy('stream_id').limit(limit).execute()).map((r) => r.stream_id);
}

/** The events of these model streams that the snapshot sees, each stream's in order. */
export async function readSnapshotStreams(db: Executor, snapshot: string | null, streamIds: readonly string[]): Promise<RecordedEvent[]> {
  if (streamIds.length === 0) return [];
  const rows = await db
    .selectFrom('events')
    .select(eventColumns)
    .where(sql<boolean>`stream_id = any(${[...streamIds]}::uuid[])`)
    .where(visibleIn(snapshot))
    .orderBy('stream_id')
    .orderBy('stream_version')
    .execute();
  return rows.map(toRecordedEvent);
}

/** Every secret of the server's own (server_secrets), by name. */
export async function allServerSecrets(db: Executor): Promise<Record<string, string>> {
  const rows = await db.selectFrom('server_secrets').select(['name', 'secret']).orderBy('name').execute();
  return Object.fromEntries(rows.map((r) => [r.name, r.secret]));
}

/** The secrets an archive brings, over whatever the target holds (it holds nothing of its own yet). */
export async function putServerSecrets(trx: Executor, secrets: Record<string, string>): Promise<void> {
  for (const [name, secret] of Object.entries(secrets)) {
    await trx
      .insertInto('server_secrets')
      .values({ name, secret })
      .onConflict((oc) => oc.column('name').doUpdateSet({ secret }))
      .execute();
  }
}

/**
 * What an import finds in its target: how many events, and whether they are only what a migration writes in an
 * empty database (its `default` context, logged by migrations/2026-12-02T0910_access_control_log.ts). An
 * import goes only into such a database.
 */
export async function importTarget(db: Executor): Promise<{ events: number; fresh: boolean }> {
  const { rows } = await sql<{ events: string; seeded: string }>`
    select count(*)::text as events,
      count(*) filter (where stream_type = 'context' and type = 'ContextCreated' and stream_version = 1 and metadata ? 'migrated')::text as seeded
    from events`.execute(db);
  const events = Number(rows[0]!.events);
  return { events, fresh: events === Number(rows[0]!.seeded) && events <= 1 };
}

/**
 * Makes way for an archive's log in a fresh database (see importTarget), in the import's transaction: the
 * migration's own `default` context goes, event and row, as the archive brings its own. The log refuses
 * deletes (its trigger): the trigger is off for this one statement, inside the transaction, which also holds
 * the log's lock from here to its end, so that nothing else writes meanwhile. Clears nothing, and says so, when
 * the database is not fresh (any longer).
 */
export async function clearFreshDatabase(trx: Executor): Promise<{ events: number; fresh: boolean }> {
  await sql`lock table events in access exclusive mode`.execute(trx);
  // Asked again under the lock: another import may have filled it since it was first asked.
  const target = await importTarget(trx);
  if (!target.fresh) return target;
  await sql`alter table events disable trigger events_no_update_delete`.execute(trx);
  await sql`delete from events`.execute(trx);
  await sql`alter table events enable trigger events_no_update_delete`.execute(trx);
  await sql`delete from contexts`.execute(trx);
  return target;
}

/** An event as an archive holds it, ready to be stored as it was: a stored row but for its time, as ISO 8601. */
export type ArchivedEventRow = Omit<EventRow, 'recorded_at'> & { recorded_at: string };

const ARCHIVED_COLUMNS =
  'position bigint, event_id uuid, stream_id uuid, stream_type text, context_id uuid, stream_version integer, type text, schema_version integer, data jsonb, private_data jsonb, metadata jsonb, recorded_at timestamptz';
const archivedNames = sql.raw(ARCHIVED_COLUMNS.split(', ').map((c) => c.split(' ')[0]).join(', '));

/**
 * Writes archived events with their own positions, ids, times and actors, as one statement (their rows as one
 * JSON parameter, as the rebuild writes read models). The position is an identity column: OVERRIDING SYSTEM
 * VALUE keeps the archive's, so that cursors and as-of reads by position mean what they meant.
 */
export async function insertArchivedEvents(trx: Executor, rows: readonly ArchivedEventRow[]): Promise<void> {
  if (rows.length === 0) return;
  await sql`insert into events (${archivedNames}) overriding system value
    select ${archivedNames} from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as r(${sql.raw(ARCHIVED_COLUMNS)})`.execute(trx);
}

/**
 * Ends an import's writes: the positions given next follow the archive's last, and the webhook dispatcher starts
 * at the end of the imported log (what it holds happened elsewhere, and was delivered there).
 */
export async function finishImport(trx: Executor): Promise<void> {
  await sql`select setval(pg_get_serial_sequence('events', 'position'), coalesce((select max(position) from events), 0) + 1, false)`.execute(trx);
  await sql`update webhook_dispatch set transaction_id = pg_current_xact_id(), position = coalesce((select max(position) from events), 0) where id = 1`.execute(trx);
}

/** Runs `work` in one transaction: an import's writes land whole or not at all. */
export function inImportTransaction<T>(db: Db, work: (trx: Executor) => Promise<T>): Promise<T> {
  return db.transaction().execute(work);
}
