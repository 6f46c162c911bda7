// `npm run gc`: removes abandoned upload staging files and blobs that no live format references.
import { loadConfig } from '../config.ts';
import { collectGarbage } from '../files/blobReferences.ts';
import { openBlobStore } from '../files/openBlobStore.ts';
import { openStore } from '../store/open.ts';
import { runOperation } from './runOperation.ts';

await runOperation(async () => {
  const config = loadConfig();
  const store = await openStore(config);
  try {
    const removed = await collectGarbage(store.db, await openBlobStore(config));
    return `Removed ${removed.staging} abandoned staging files and ${removed.blobs} unreferenced blobs.`;
  } finally {
    await store.close();
  }
});
