import { Readable } from 'node:stream';
import type { BlobStore } from '../files/blobStore.ts';
import { clearFreshDatabase, finishImport, importTarget, inImportTransaction, insertArchivedEvents, putServerSecrets } from '../store/archive.ts';
import type { Store } from '../store/open.ts';
import { rebuildProjections } from '../store/rebuild.ts';
import { ArchiveRefused, BLOB_PREFIX } from './format.ts';
import { type ArchiveSummary, readArchive } from './read.ts';
import { liveBlobs } from './write.ts';

/** The target is not an empty database: an import never merges into a log that has a history of its own. */
export class ImportRefused extends Error {}

/**
 * Imports an archive into an empty database and its blob store: the events with their own positions, ids, times
 * and actors, the server's secrets, every blob (checked against its sha256 as it streams), then the read models
 * rebuilt from the log. The database's writes are one transaction, committed only once the whole archive has
 * proved sound; anything wrong with it rolls them back and removes the blobs this import added, so the target is
 * left as empty as it was.
 */
export async function importArchive(store: Store, blobs: BlobStore, source: Readable): Promise<ArchiveSummary> {
  const notEmpty = (events: number) => {
    source.destroy();
    return new ImportRefused(
      `The database already holds ${events} events: an import goes into a new, empty database (a new CAIRN_DATA_DIR, or a database made with createdb for DATABASE_URL), never over an installation's own history.`,
    );
  };
  const target = await importTarget(store.db);
  if (!target.fresh) throw notEmpty(target.events);
  const added: string[] = [];
  let summary: ArchiveSummary;
  try {
    summary = await inImportTransaction(store.db, async (trx) => {
      // Another import may have filled it since: the same refusal.
      const cleared = await clearFreshDatabase(trx);
      if (!cleared.fresh) throw notEmpty(cleared.events);
      const read = await readArchive(source, {
        secrets: (secrets) => putServerSecrets(trx, secrets),
        events: (rows) => insertArchivedEvents(trx, rows),
        async blob(sha256, size, content) {
          const existed = (await blobs.stat(sha256)) !== null;
          const staged = await blobs.stage(Readable.from(content), { maxBytes: size });
          return {
            async commit() {
              await staged.commit();
              if (!existed) added.push(sha256);
            },
            discard: () => staged.discard(),
          };
        },
      });
      // A manifest can be whole and still leave out a file the log needs: every live format's blob must have come.
      const members = new Set(read.manifest.members.map((m) => m.name));
      for (const sha256 of (await liveBlobs(trx, null)).blobs.keys()) {
        if (!members.has(`${BLOB_PREFIX}${sha256}`)) throw new ArchiveRefused(`${BLOB_PREFIX}${sha256}`, 'missing: a live format in events.ndjson has this file, and the archive does not hold it');
      }
      await finishImport(trx);
      return read;
    });
  } catch (error) {
    for (const sha256 of added) await blobs.delete(sha256).catch(() => {});
    throw error;
  }
  await rebuildProjections(store);
  return summary;
}
