import { EventEmitter, once } from 'node:events';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import type { Config } from '../../src/config.ts';
import type { BlobStore, StagedBlob } from '../../src/files/blobStore.ts';
import { parseS3Url } from '../../src/files/s3BlobStore.ts';

// What an app holds in staging, counted where it is (files under the data directory, or objects under the
// bucket's staging prefix): cleanStaging() cannot say, since it leaves alone what its own process staged.

/** The staging directory of an app on the file-system store. */
export const stagingDirectory = (config: Pick<Config, 'dataDir'>) => path.join(config.dataDir, 'blobs', 'staging');

/** Every staging file (file-system store) or staging object key (S3) of an app's blob store, now. */
export async function stagingEntries(config: Pick<Config, 'blobStore' | 'dataDir'>): Promise<string[]> {
  if (!config.blobStore) return (await fsp.readdir(stagingDirectory(config))).sort();
  const { bucket, prefix } = parseS3Url(config.blobStore.url);
  const client = new S3Client({ region: config.blobStore.region, ...(config.blobStore.endpoint && { endpoint: config.blobStore.endpoint, forcePathStyle: true }) });
  try {
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: `${prefix}staging/`, ContinuationToken: token }));
      for (const o of page.Contents ?? []) if (o.Key) keys.push(o.Key);
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return keys.sort();
  } finally {
    client.destroy();
  }
}

/**
 * Resolves once `dir` holds a number of files that `wanted` accepts: checked now and on every change
 * the file system reports in it (a file created, written, removed), so no change is missed and no poll waits.
 */
export async function untilFiles(dir: string, wanted: (names: string[]) => boolean): Promise<string[]> {
  const watcher = fs.watch(dir);
  try {
    const changed = new EventEmitter();
    watcher.on('change', () => changed.emit('change'));
    const failed = once(watcher, 'error').then(([error]) => Promise.reject(error as Error));
    for (;;) {
      const next = once(changed, 'change');
      const names = fs.readdirSync(dir);
      if (wanted(names)) return names;
      await Promise.race([next, failed]);
    }
  } finally {
    watcher.close();
  }
}

/**
 * A blob store that knows which of its uploads are still under way: staging, or staged and neither committed
 * nor discarded. `idle()` resolves when none is (at once when none is now), so a test can count what staging
 * holds at the moment every upload has ended, whenever the server's answer came.
 */
export function observeStaging(inner: BlobStore) {
  let underWay = 0;
  let started = 0;
  const events = new EventEmitter();
  const ended = () => {
    underWay--;
    if (underWay === 0) events.emit('idle');
  };
  const store: BlobStore = {
    ...inner,
    async stage(source, options) {
      underWay++;
      started++;
      events.emit('stage');
      let staged: StagedBlob;
      try {
        staged = await inner.stage(source, options);
      } catch (error) {
        ended();
        throw error;
      }
      let over = false;
      const end = () => {
        if (over) return;
        over = true;
        ended();
      };
      return {
        sha256: staged.sha256,
        size: staged.size,
        async commit() {
          await staged.commit();
          end();
        },
        async discard() {
          await staged.discard();
          end();
        },
      };
    },
  };
  return {
    store,
    /** How many uploads were staged (or began to be) so far. */
    get started() {
      return started;
    },
    /** Resolves at the next call of stage(). */
    nextStage: () => once(events, 'stage').then(() => undefined),
    idle: (): Promise<void> => (underWay === 0 ? Promise.resolve() : once(events, 'idle').then(() => undefined)),
  };
}
