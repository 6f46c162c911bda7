import { sql } from 'kysely';
import type { LiveModel, ModelState } from '../domain/model/evolve.ts';
import type { Db, Executor } from '../store/database.ts';
import type { BlobStore } from './blobStore.ts';

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

/** The sha256 of every file of a model's live versions. */
export function blobsOf(state: ModelState): Set<string> {
  if (state.status !== 'live') return new Set();
  return new Set((state as LiveModel).versions.flatMap((v) => v.formats.map((f) => f.sha256)));
}

/** Deletes each blob no live format references any more. */
export async function releaseBlobs(db: Db, blobs: BlobStore, candidates: Iterable<string>): Promise<number> {
  let deleted = 0;
  for (const sha256 of candidates) {
    const gone = await db.transaction().execute(async (trx) => {
      await lockBlob(trx, sha256);
      const used = await trx.selectFrom('formats').select('sha256').where('sha256', '=', sha256).limit(1).executeTakeFirst();
      if (used) return false;
      await blobs.delete(sha256);
      return true;
    });
    if (gone) deleted++;
  }
  return deleted;
}

/** Removes abandoned staging files and every blob no live format references (start-up and `npm run gc`). */
export async function collectGarbage(db: Db, blobs: BlobStore): Promise<{ staging: number; blobs: number }> {
  const staging = await blobs.cleanStaging();
  const referenced = new Set((await db.selectFrom('formats').select('sha256').distinct().execute()).map((r) => r.sha256));
  const candidates: string[] = [];
  for await (const sha256 of blobs.list()) if (!referenced.has(sha256)) candidates.push(sha256);
  // Each candidate is checked again under its lock: an upload may have referenced it since.
  return { staging, blobs: await releaseBlobs(db, blobs, candidates) };
}
