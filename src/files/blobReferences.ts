import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { LiveModel, ModelState } from '../domain/model/evolve.ts';
import type { Db } from '../store/database.ts';
import { exportRunning } from '../store/exportLeases.ts';
import { type FormatReference, formatReferencesAfter, isBlobReferenced, referencedBlobs, stillRecords, withBlobLocked } from '../store/formatBlobs.ts';
import { BlobMissingError, type BlobStore } from './blobStore.ts';

/** The sha256 of every file of a model's live versions. */
export function blobsOf(state: ModelState): Set<string> {
  if (state.status !== 'live') return new Set();
  return new Set((state as LiveModel).versions.flatMap((v) => v.formats.map((f) => f.sha256)));
}

/**
 * Deletes each blob no live format references any more, under the blob's lock (see store/formatBlobs.ts: lockBlob).
 * None while an export runs (store/exportLeases.ts): its snapshot may still reference them; the next collection
 * (start-up, `npm run gc`) takes them.
 */
export async function releaseBlobs(db: Db, blobs: BlobStore, candidates: Iterable<string>): Promise<number> {
  let deleted = 0;
  for (const sha256 of candidates) {
    const gone = await withBlobLocked(db, sha256, async (trx) => {
      if ((await isBlobReferenced(trx, sha256)) || (await exportRunning(trx))) return false;
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
  const referenced = await referencedBlobs(db);
  const candidates: string[] = [];
  for await (const sha256 of blobs.list()) if (!referenced.has(sha256)) candidates.push(sha256);
  // Each candidate is checked again under its lock: an upload may have referenced it since.
  return { staging, blobs: await releaseBlobs(db, blobs, candidates) };
}

/** How a blob differs from what a format records about it. */
export type BlobProblem = { kind: 'missing' } | { kind: 'size'; stored: number } | { kind: 'sha256'; stored: string };

/** Compares what the store holds under a sha256 with the size recorded for it, reading and hashing it whole. */
export async function checkBlob(blobs: BlobStore, sha256: string, size: number): Promise<{ problem: BlobProblem | null; bytesRead: number }> {
  const stat = await blobs.stat(sha256);
  if (!stat) return { problem: { kind: 'missing' }, bytesRead: 0 };
  if (stat.size !== size) return { problem: { kind: 'size', stored: stat.size }, bytesRead: 0 };
  let stream;
  try {
    stream = await blobs.read(sha256);
  } catch (error) {
    if (error instanceof BlobMissingError) return { problem: { kind: 'missing' }, bytesRead: 0 };
    throw error;
  }
  const hash = createHash('sha256');
  let bytesRead = 0;
  // One chunk at a time (the store's stream is paused between them): memory stays flat whatever the size.
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    hash.update(chunk);
    bytesRead += chunk.length;
  }
  if (bytesRead !== size) return { problem: { kind: 'size', stored: bytesRead }, bytesRead };
  const stored = hash.digest('hex');
  return { problem: stored === sha256 ? null : { kind: 'sha256', stored }, bytesRead };
}

/** One problem, as `npm run verify` prints it. */
export function describeProblem(ref: FormatReference, problem: BlobProblem): string {
  const where = `model ${ref.modelId} version ${ref.number} format ${ref.format}`;
  switch (problem.kind) {
    case 'missing':
      return `${where}: missing from the blob store (sha256 ${ref.sha256})`;
    case 'size':
      return `${where}: wrong size: the blob store has ${problem.stored} bytes, the format records ${ref.size}`;
    case 'sha256':
      return `${where}: wrong sha256: the blob store's bytes hash to ${problem.stored}, the format records ${ref.sha256}`;
    default: {
      const never: never = problem;
      return never;
    }
  }
}

const PAGE = 500;

/**
 * Checks the blob of every format (`npm run verify`): there, of its recorded size, with its recorded sha256.
 * Reads the formats a page at a time in key order and hashes one blob at a time, so memory stays flat; a
 * blob shared by several formats is read once (while it is among the last few thousand checked).
 *
 * It may run beside servers that upload and delete: a problem is reported only when it is still there
 * under the blob's lock with the format still recording it, as the uploader and the deleter hold that lock
 * while they change a blob and its references. A format added meanwhile may or may not be checked.
 */
export async function verifyBlobs(
  db: Db,
  blobs: BlobStore,
  onProblem: (ref: FormatReference, problem: BlobProblem) => void,
): Promise<{ formats: number; blobs: number; bytes: number; problems: number }> {
  const checked = new LRUCache<string, { problem: BlobProblem | null }>({ max: 10_000 });
  const totals = { formats: 0, blobs: 0, bytes: 0, problems: 0 };
  let after: FormatReference | null = null;
  for (;;) {
    const page = await formatReferencesAfter(db, after, PAGE);
    for (const ref of page) {
      totals.formats++;
      const key = `${ref.sha256}:${ref.size}`;
      let result = checked.get(key);
      if (!result) {
        const { problem, bytesRead } = await checkBlob(blobs, ref.sha256, ref.size);
        totals.blobs++;
        totals.bytes += bytesRead;
        result = { problem };
        checked.set(key, result);
      }
      if (!result.problem) continue;
      const confirmed = await confirmProblem(db, blobs, ref);
      if (confirmed) {
        totals.problems++;
        onProblem(ref, confirmed);
      }
    }
    if (page.length < PAGE) return totals;
    after = page[page.length - 1]!;
  }
}

/** The problem again, under the blob's lock, if the format still records this blob: else null (it changed meanwhile). */
async function confirmProblem(db: Db, blobs: BlobStore, ref: FormatReference): Promise<BlobProblem | null> {
  return withBlobLocked(db, ref.sha256, async (trx) => ((await stillRecords(trx, ref)) ? (await checkBlob(blobs, ref.sha256, ref.size)).problem : null));
}
