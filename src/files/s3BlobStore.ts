import { createHash, randomUUID } from 'node:crypto';
import { Readable, Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  S3Client,
  UploadPartCopyCommand,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { FileTooLargeError, ValidationError } from '../domain/errors.ts';
import { BlobMissingError, type BlobStore, type StagedBlob } from './blobStore.ts';

const SHA256 = /^[0-9a-f]{64}$/;
/** A staged object exists only between the end of its upload and its commit: one this old was abandoned. */
const STAGING_MAX_AGE_MS = 60 * 60 * 1000;
/** The largest object S3 copies in one request; larger ones are copied part by part. */
const SINGLE_COPY_MAX = 5 * 1024 ** 3;
const COPY_PART = 512 * 1024 ** 2;

export interface S3BlobStoreOptions {
  /** `s3://bucket/prefix` (the prefix may be empty). */
  url: string;
  /** An S3-compatible server (MinIO, Ceph, s3rver); path-style addressing is used with it. */
  endpoint?: string;
  region: string;
  /** Bytes per multipart-upload part (at least 5 MiB); parts in flight at once. */
  partSize?: number;
  queueSize?: number;
  /** A staging object older than this is abandoned (default: an hour). */
  stagingMaxAgeMs?: number;
}

export function parseS3Url(url: string): { bucket: string; prefix: string } {
  const m = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/.exec(url);
  if (!m) throw new Error('must look like s3://bucket or s3://bucket/prefix');
  const prefix = (m[2] ?? '').replace(/^\/+|\/+$/g, '');
  return { bucket: m[1]!, prefix: prefix ? `${prefix}/` : '' };
}

/** Hashes and counts what passes through, and fails as soon as more than maxBytes have passed. */
class Meter extends Transform {
  // Not `size`: lib-storage would take a `size` property for the body's length (as of a Blob).
  bytes = 0;
  readonly hash = createHash('sha256');
  constructor(private readonly maxBytes: number) {
    super({ highWaterMark: 1024 * 1024 });
  }
  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.bytes > this.maxBytes) return callback(new FileTooLargeError(this.maxBytes));
    this.hash.update(chunk);
    callback(null, chunk);
  }
}

const isNotFound = (error: unknown) => {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e?.name === 'NotFound' || e?.name === 'NoSuchKey' || e?.$metadata?.httpStatusCode === 404;
};

/**
 * Blobs as objects `prefix/sha256/ab/<sha256>` in an S3 bucket. An upload streams into a staging object
 * (a multipart upload through lib-storage, a few parts in memory at a time) while it is hashed; commit
 * copies it under its sha256 inside the transaction that records it, then deletes the staging object.
 * No process keeps anything in its memory or on its disk, so any number of Cairn processes can share
 * one bucket.
 */
export function createS3BlobStore(options: S3BlobStoreOptions): BlobStore & { client: S3Client } {
  const { bucket, prefix } = parseS3Url(options.url);
  const client = new S3Client({
    region: options.region,
    // Credentials come from the SDK's own chain: AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, a profile, a role.
    ...(options.endpoint && { endpoint: options.endpoint, forcePathStyle: true }),
  });
  const stagingPrefix = `${prefix}staging/`;
  const blobsPrefix = `${prefix}sha256/`;
  const blobKey = (sha256: string) => {
    if (!SHA256.test(sha256)) throw new Error('not a sha256');
    return `${blobsPrefix}${sha256.slice(0, 2)}/${sha256}`;
  };

  async function head(key: string): Promise<{ size: number } | null> {
    try {
      const r = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
      return { size: Number(r.ContentLength ?? 0) };
    } catch (error) {
      if (isNotFound(error)) return null;
      throw error;
    }
  }

  const remove = (key: string) => client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));

  async function copy(from: string, to: string, size: number): Promise<void> {
    const CopySource = encodeURI(`${bucket}/${from}`);
    if (size <= SINGLE_COPY_MAX) {
      await client.send(new CopyObjectCommand({ Bucket: bucket, Key: to, CopySource }));
      return;
    }
    const { UploadId } = await client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: to }));
    try {
      const parts = [];
      for (let start = 0, n = 1; start < size; start += COPY_PART, n++) {
        const end = Math.min(start + COPY_PART, size) - 1;
        const r = await client.send(
          new UploadPartCopyCommand({ Bucket: bucket, Key: to, UploadId, PartNumber: n, CopySource, CopySourceRange: `bytes=${start}-${end}` }),
        );
        parts.push({ PartNumber: n, ETag: r.CopyPartResult?.ETag });
      }
      await client.send(new CompleteMultipartUploadCommand({ Bucket: bucket, Key: to, UploadId, MultipartUpload: { Parts: parts } }));
    } catch (error) {
      await client.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: to, UploadId })).catch(() => {});
      throw error;
    }
  }

  async function* keys(under: string): AsyncGenerator<{ key: string; modified: Date | undefined }> {
    let token: string | undefined;
    do {
      const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: under, ContinuationToken: token }));
      for (const o of page.Contents ?? []) if (o.Key) yield { key: o.Key, modified: o.LastModified };
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  return {
    client,

    async stage(source, { maxBytes }) {
      const key = `${stagingPrefix}${randomUUID()}`;
      const meter = new Meter(maxBytes);
      const upload = new Upload({
        client,
        params: { Bucket: bucket, Key: key, Body: meter },
        partSize: options.partSize ?? 8 * 1024 * 1024,
        queueSize: options.queueSize ?? 4,
        leavePartsOnError: false,
      });
      // The meter's own error (too large, a cut-off body) is the one to report, not the SDK's echo of it.
      let sourceError: unknown = null;
      const piped = pipeline(source, meter).catch((error: unknown) => {
        sourceError = error;
        source.destroy();
      });
      try {
        await Promise.all([upload.done(), piped]);
        if (sourceError) throw sourceError;
      } catch (error) {
        await upload.abort().catch(() => {});
        await remove(key).catch(() => {});
        throw sourceError ?? error;
      }
      const size = meter.bytes;
      if (size === 0) {
        await remove(key).catch(() => {});
        throw new ValidationError('file', 'The file is empty');
      }
      const sha256 = meter.hash.digest('hex');
      let done = false;
      const staged: StagedBlob = {
        sha256,
        size,
        async commit() {
          if (done) return;
          const target = blobKey(sha256);
          if ((await head(target))?.size !== size) await copy(key, target, size);
          await remove(key).catch(() => {});
          done = true;
        },
        async discard() {
          if (!done) await remove(key).catch(() => {});
          done = true;
        },
      };
      return staged;
    },

    stat: (sha256) => head(blobKey(sha256)),

    async read(sha256, range) {
      const r = await client
        .send(new GetObjectCommand({ Bucket: bucket, Key: blobKey(sha256), ...(range && { Range: `bytes=${range.start}-${range.end}` }) }))
        .catch((error: unknown) => {
          throw isNotFound(error) ? new BlobMissingError(sha256) : error;
        });
      const body = r.Body;
      if (!(body instanceof Readable)) throw new Error('The S3 client returned a body that is not a Node stream');
      return body;
    },

    async delete(sha256) {
      await remove(blobKey(sha256));
    },

    async *list() {
      for await (const { key } of keys(blobsPrefix)) {
        const name = key.slice(key.lastIndexOf('/') + 1);
        if (SHA256.test(name)) yield name;
      }
    },

    async cleanStaging() {
      // Uploads in progress are multipart uploads, not objects; the bucket's lifecycle rule
      // (AbortIncompleteMultipartUpload) removes the parts of those a crash abandoned.
      let removed = 0;
      for await (const { key, modified } of keys(stagingPrefix)) {
        if (!modified || Date.now() - modified.getTime() >= (options.stagingMaxAgeMs ?? STAGING_MAX_AGE_MS)) {
          await remove(key);
          removed++;
        }
      }
      return removed;
    },
  };
}
