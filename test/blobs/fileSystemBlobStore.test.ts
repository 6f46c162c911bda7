import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createFileSystemBlobStore } from '../../src/files/fileSystemBlobStore.ts';
import { describeBlobStore } from './blobStoreSuite.ts';

describeBlobStore('file system', async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-blobs-'));
  return {
    store: createFileSystemBlobStore(root),
    stagingCount: async () => fs.readdirSync(path.join(root, 'staging')).length,
    close: async () => fs.rmSync(root, { recursive: true, force: true }),
  };
});
