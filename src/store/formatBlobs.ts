import { sql, type Transaction } from 'kysely';
import type { Database, Db, Executor } from './database.ts';

// The formats' side of blob references (files/blobReferences.ts decides what to delete): which blobs the formats
// table records, and the lock an upload and a deleter both take.

/**
 * Blobs are shared by content, so one is deleted only when no live format references it, and only after
 * the event that dropped its last reference has committed. An upload that commits a blob and the deleter
 * that removes one both hold this transaction lock on the sha256, so neither can act on a stale view of
 * the other: an upload re-places its blob and commits its reference under the lock; the deleter checks
 * the committed references under the lock.
 */
export async function lockBlob(trx: Executor, sha256: string): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtextextended(${`blob:${sha256}`}, 0))`.execute(trx);
}

/** Runs `work` in a transaction that holds the blob's lock: what it reads of the blob's references holds until it ends. */
export function withBlobLocked<T>(db: Db, sha256: string, work: (trx: Transaction<Database>) => Promise<T>): Promise<T> {
  return db.transaction().execute(async (trx) => {
    await lockBlob(trx, sha256);
    return work(trx);
  });
}

/** Whether any live format records this blob. */
export async function isBlobReferenced(db: Executor, sha256: string): Promise<boolean> {
  return (await db.selectFrom('formats').select('sha256').where('sha256', '=', sha256).limit(1).executeTakeFirst()) !== undefined;
}

/** The sha256 of every blob a live format records. */
export async function referencedBlobs(db: Executor): Promise<Set<string>> {
  return new Set((await db.selectFrom('formats').select('sha256').distinct().execute()).map((r) => r.sha256));
}

/** A format's record of its file: which blob, of how many bytes. */
export interface FormatReference {
  modelId: string;
  number: number;
  format: string;
  sha256: string;
  size: number;
}

/** Up to `limit` formats in key order (model, version, format), after `after` (null: from the first). */
export async function formatReferencesAfter(db: Executor, after: FormatReference | null, limit: number): Promise<FormatReference[]> {
  let query = db.selectFrom('formats').select(['model_id', 'number', 'format', 'sha256', 'size']);
  if (after) query = query.where(({ eb, refTuple, tuple }) => eb(refTuple('model_id', 'number', 'format'), '>', tuple(after.modelId, after.number, after.format)));
  const rows = await query.orderBy('model_id').orderBy('number').orderBy('format').limit(limit).execute();
  return rows.map((r) => ({ modelId: r.model_id, number: r.number, format: r.format, sha256: r.sha256, size: Number(r.size) }));
}

/** Whether the format still records this blob, of this size (it may have been replaced or deleted since it was read). */
export async function stillRecords(db: Executor, ref: FormatReference): Promise<boolean> {
  const row = await db
    .selectFrom('formats')
    .select(['sha256', 'size'])
    .where('model_id', '=', ref.modelId)
    .where('number', '=', ref.number)
    .where('format', '=', ref.format)
    .executeTakeFirst();
  return row !== undefined && row.sha256 === ref.sha256 && Number(row.size) === ref.size;
}
