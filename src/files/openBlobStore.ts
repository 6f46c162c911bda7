import path from 'node:path';
import type { Config } from '../config.ts';
import type { BlobStore } from './blobStore.ts';
import { createFileSystemBlobStore } from './fileSystemBlobStore.ts';

/** The configured blob store: an S3 bucket when CAIRN_BLOB_STORE is set, else files under the data directory. */
export async function openBlobStore(config: Pick<Config, 'blobStore' | 'dataDir'>): Promise<BlobStore> {
  if (!config.blobStore) return createFileSystemBlobStore(path.join(config.dataDir, 'blobs'));
  // The SDK warns on every start that releases after January 2027 will need Node 22; the version in
  // package-lock.json is pinned, and the README says so once instead.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  // Loaded only when used: the AWS SDK adds a noticeable start-up cost.
  const { createS3BlobStore } = await import('./s3BlobStore.ts');
  return createS3BlobStore(config.blobStore);
}
