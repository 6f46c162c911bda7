// `npm run import -- backup.tar`: loads an archive made by GET /admin/export (`cairn export`) into the database
// that DATABASE_URL or CAIRN_DATA_DIR names and the blob store that CAIRN_BLOB_STORE or CAIRN_DATA_DIR names.
// The database must be empty (new); the server must not run on it meanwhile. `--check` reads the archive
// through and checks it whole (manifest, every event, every blob's sha256) and writes nothing anywhere.
import fs from 'node:fs';
import { Readable } from 'node:stream';
import { importArchive, ImportRefused } from '../archive/import.ts';
import { ArchiveRefused } from '../archive/format.ts';
import { type ArchiveSummary, readArchive } from '../archive/read.ts';
import { loadConfig } from '../config.ts';
import { openBlobStore } from '../files/openBlobStore.ts';
import { openStore } from '../store/open.ts';
import { OperationFailed, runOperation } from './runOperation.ts';

const mebibytes = (bytes: number) => `${(bytes / 1024 ** 2).toFixed(1)} MiB`;

function described(s: ArchiveSummary): string {
  const { model, context, group, principal } = s.streams;
  return `${s.events} events (${model} on ${s.models} models, deleted ones included; ${context + group + principal} of access control) and ${s.blobs} blobs (${mebibytes(s.blobBytes)})`;
}

/**
 * Reads the archive's file, saying how far it has got on stderr at each tenth. Read only as the import pulls
 * (no 'data' listener: that would set the file flowing at once, and whatever it read before the import began to
 * read the archive, while it was still looking at the database, would be lost).
 */
function archiveFile(file: string): Readable {
  const size = fs.statSync(file).size;
  async function* counted(): AsyncGenerator<Buffer> {
    let read = 0;
    let tenth = 0;
    for await (const chunk of fs.createReadStream(file, { highWaterMark: 1024 * 1024 }) as AsyncIterable<Buffer>) {
      read += chunk.length;
      const now = Math.floor((read / size) * 10);
      if (now > tenth && now < 10) console.error(`read ${now * 10}% (${mebibytes(read)} of ${mebibytes(size)})`);
      tenth = Math.max(tenth, now);
      yield chunk;
    }
  }
  return Readable.from(counted(), { objectMode: false });
}

await runOperation(async () => {
  const args = process.argv.slice(2);
  const check = args.includes('--check');
  const files = args.filter((a) => a !== '--check');
  if (files.length !== 1 || files[0]!.startsWith('-')) throw new OperationFailed('Usage: npm run import -- [--check] <archive.tar> (an archive from cairn export or GET /admin/export)');
  const file = files[0]!;
  if (!fs.existsSync(file) || !fs.statSync(file).isFile()) throw new OperationFailed(`No archive file ${file}`);
  const started = performance.now();
  const seconds = () => ((performance.now() - started) / 1000).toFixed(1);
  try {
    if (check) {
      const summary = await readArchive(archiveFile(file));
      return `${file} is whole: ${described(summary)}, exported by Cairn ${summary.manifest.cairnVersion} at ${summary.manifest.exportedAt}; checked in ${seconds()} s. Nothing was written.`;
    }
    const config = loadConfig();
    const store = await openStore(config);
    try {
      const summary = await importArchive(store, await openBlobStore(config), archiveFile(file));
      const where = store.kind === 'postgres' ? 'PostgreSQL (DATABASE_URL)' : `the embedded database in ${config.dataDir}`;
      return `Imported ${described(summary)} into ${where} in ${seconds()} s, and rebuilt the read models. Start Cairn on it; npm run verify checks every format's file.`;
    } finally {
      await store.close();
    }
  } catch (error) {
    if (error instanceof ArchiveRefused) throw new OperationFailed(`Refused ${file}: ${error.message}. ${check ? 'It cannot be imported.' : 'Nothing was imported: the database and the blob store are as they were.'}`);
    if (error instanceof ImportRefused) throw new OperationFailed(`Refused: ${error.message}`);
    throw error;
  }
});
