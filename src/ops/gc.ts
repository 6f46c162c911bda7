// `npm run gc`: removes abandoned upload staging files and blobs that no live format references.
import path from 'node:path';
import { loadConfig } from '../config.ts';
import { collectGarbage } from '../files/blobReferences.ts';
import { createFileSystemBlobStore } from '../files/fileSystemBlobStore.ts';
import { openStore } from '../store/open.ts';
import { runOperation } from './runOperation.ts';

await runOperation(async () => {
  const config = loadConfig();
  const store = await openStore(config);
  try {
    const removed = await collectGarbage(store.db, createFileSystemBlobStore(path.join(config.dataDir, 'blobs')));
    return `Removed ${removed.staging} abandoned staging files and ${removed.blobs} unreferenced blobs.`;
  } finally {
    await store.close();
  }
});
