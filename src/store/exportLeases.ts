import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Db, Executor } from './database.ts';

// While an export runs, it holds a lease (migrations/2026-12-05T0900_export_leases.ts) and no blob is deleted:
// the export's snapshot may reference a blob that a later deletion dropped. The lease is taken before the
// snapshot, so a deleter that did not see it had its deletion committed before the snapshot was taken.

/** Takes a lease for `ms`; returns its id. */
export async function takeExportLease(db: Db, ms: number): Promise<string> {
  const id = randomUUID();
  await db.insertInto('export_leases').values({ id, expires_at: sql<Date>`now() + ${`${ms} milliseconds`}::interval` }).execute();
  return id;
}

export async function renewExportLease(db: Db, id: string, ms: number): Promise<void> {
  await db.updateTable('export_leases').set({ expires_at: sql<Date>`now() + ${`${ms} milliseconds`}::interval` }).where('id', '=', id).execute();
}

/** Ends a lease, and forgets those that ran out (their exports died). */
export async function endExportLease(db: Db, id: string): Promise<void> {
  await db.deleteFrom('export_leases').where((eb) => eb.or([eb('id', '=', id), eb('expires_at', '<', sql<Date>`now()`)])).execute();
}

/** Whether an export runs now, in any process: blobs stay while it does. */
export async function exportRunning(db: Executor): Promise<boolean> {
  return (await db.selectFrom('export_leases').select('id').where('expires_at', '>', sql<Date>`now()`).limit(1).executeTakeFirst()) !== undefined;
}
