import { Readable } from 'node:stream';
import { ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createS3BlobStore, parseS3Url } from '../../src/files/s3BlobStore.ts';
import { type LocalS3, startLocalS3 } from '../helpers/s3.ts';
import { describeBlobStore } from './blobStoreSuite.ts';

async function countUnder(store: ReturnType<typeof createS3BlobStore>, bucket: string, prefix: string): Promise<number> {
  const page = await store.client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
  return page.KeyCount ?? page.Contents?.length ?? 0;
}

describeBlobStore('S3 (s3rver)', async () => {
  const s3 = await startLocalS3();
  const store = createS3BlobStore({ url: `s3://${s3.bucket}/suite`, endpoint: s3.endpoint, region: 'us-east-1' });
  return {
    store,
    stagingCount: () => countUnder(store, s3.bucket, 'suite/staging/'),
    close: () => s3.close(),
  };
});

describe('S3 blob store specifics', () => {
  let s3: LocalS3;
  beforeAll(async () => {
    s3 = await startLocalS3('cairn-specifics');
  });
  afterAll(async () => s3?.close());

  it('parses s3:// URLs', () => {
    expect(parseS3Url('s3://models')).toEqual({ bucket: 'models', prefix: '' });
    expect(parseS3Url('s3://models/team/a/')).toEqual({ bucket: 'models', prefix: 'team/a/' });
    expect(() => parseS3Url('s3://')).toThrow();
    expect(() => parseS3Url('http://models')).toThrow();
  });

  it('keeps blobs under its prefix only, so two stores can share a bucket', async () => {
    const a = createS3BlobStore({ url: `s3://${s3.bucket}/a`, endpoint: s3.endpoint, region: 'us-east-1' });
    const b = createS3BlobStore({ url: `s3://${s3.bucket}/b`, endpoint: s3.endpoint, region: 'us-east-1' });
    const staged = await a.stage(Readable.from([Buffer.from('only in a')]), { maxBytes: 100 });
    await staged.commit();
    expect(await a.stat(staged.sha256)).toEqual({ size: 9 });
    expect(await b.stat(staged.sha256)).toBeNull();
  });

  it('removes staging objects older than its limit (an hour by default), and only those', async () => {
    const url = `s3://${s3.bucket}/clean`;
    const store = createS3BlobStore({ url, endpoint: s3.endpoint, region: 'us-east-1' });
    await store.client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: 'clean/staging/left-by-a-crash', Body: 'x' }));
    const staged = await store.stage(Readable.from([Buffer.from('in progress')]), { maxBytes: 100 });
    expect(await countUnder(store, s3.bucket, 'clean/staging/')).toBe(2);
    expect(await store.cleanStaging()).toBe(0);
    expect(await countUnder(store, s3.bucket, 'clean/staging/')).toBe(2);
    // A store for which everything staged is already too old removes both.
    const impatient = createS3BlobStore({ url, endpoint: s3.endpoint, region: 'us-east-1', stagingMaxAgeMs: 0 });
    expect(await impatient.cleanStaging()).toBe(2);
    expect(await countUnder(store, s3.bucket, 'clean/staging/')).toBe(0);
    await staged.discard();
  });
});
