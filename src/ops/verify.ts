// `npm run verify`: checks that the blob of every format is in the blob store, whole (its recorded size and
// sha256). Prints one line per problem on stdout and exits 1; or a one-line summary and exits 0. Read-only:
// on PostgreSQL it runs beside the servers; on PGlite it needs the data directory, so the server must be stopped.
import { loadConfig } from '../config.ts';
import { describeProblem, verifyBlobs } from '../files/blobReferences.ts';
import { openBlobStore } from '../files/openBlobStore.ts';
import { openStore } from '../store/open.ts';
import { OperationFailed, runOperation } from './runOperation.ts';

const mebibytes = (bytes: number) => `${(bytes / 1024 ** 2).toFixed(1)} MiB`;

await runOperation(async () => {
  const config = loadConfig();
  const store = await openStore(config, { readOnly: true });
  try {
    // Each problem as soon as it is found: a long run shows its findings as it goes.
    const found = await verifyBlobs(store.db, await openBlobStore(config), (ref, problem) => console.log(describeProblem(ref, problem)));
    const checked = `${found.formats} formats (${found.blobs} blobs, ${mebibytes(found.bytes)} read)`;
    if (found.problems > 0) throw new OperationFailed(`${found.problems} of ${checked} have a missing or damaged blob.`);
    return `All ${checked} have their blob, whole.`;
  } finally {
    await store.close();
  }
});
