import type { Transaction } from 'kysely';
import { ChecksumMismatchError, ValidationError } from '../domain/errors.ts';
import * as rules from '../domain/rules.ts';
import type { Database, Db } from '../store/database.ts';
import { lockBlob, releaseBlobs } from './blobReferences.ts';
import type { BlobStore, StagedBlob } from './blobStore.ts';

/** What graphql-upload-minimal hands a resolver for each file of a multipart request. */
export interface FileUpload {
  filename: string;
  mimetype: string;
  createReadStream(): NodeJS.ReadableStream;
}

export interface UploadInput {
  format: string;
  file: Promise<FileUpload>;
  /** What the client says the file's sha256 is; checked against what arrives. */
  sha256?: string | null;
}

export interface ReceivedFile {
  format: string;
  filename: string;
  contentType: string;
  blob: StagedBlob;
}

/**
 * Receives each file in request order (multipart streams cannot be read out of order) into staging,
 * hashing as it goes. Any failure discards everything staged so far and nothing reaches the store.
 */
export async function receiveFiles(blobs: BlobStore, inputs: readonly UploadInput[], maxBytes: number): Promise<ReceivedFile[]> {
  const expected = inputs.map((input, i) => (input.sha256 == null ? null : rules.sha256(input.sha256, inputs.length > 1 ? `formats.${i}.sha256` : 'sha256')));
  const received: ReceivedFile[] = [];
  try {
    for (const [i, input] of inputs.entries()) {
      const field = inputs.length > 1 ? `formats.${i}.file` : 'file';
      const upload = await input.file.catch((error: unknown) => {
        throw malformed(error, field);
      });
      const blob = await blobs.stage(upload.createReadStream() as import('node:stream').Readable, { maxBytes }).catch((error: unknown) => {
        throw malformed(error, field);
      });
      received.push({ format: input.format, filename: upload.filename || 'upload', contentType: upload.mimetype || 'application/octet-stream', blob });
      if (expected[i] && expected[i] !== blob.sha256) throw new ChecksumMismatchError(expected[i]!, blob.sha256);
    }
    return received;
  } catch (error) {
    await Promise.all(received.map((r) => r.blob.discard()));
    throw error;
  }
}

/**
 * graphql-upload-minimal reports a malformed or cut-off multipart body (a file part that never came, a
 * client that went away) as an HttpError with a 4xx status: to the client that is bad input, not a bug.
 */
function malformed(error: unknown, field: string): unknown {
  const status = (error as { status?: unknown } | null)?.status;
  return typeof status === 'number' && status >= 400 && status < 500 ? new ValidationError(field, (error as Error).message) : error;
}

/** For handleCommand's beforeAppend: the files enter the store in the transaction that records them. */
export function commitFilesInTransaction(files: readonly ReceivedFile[]) {
  return async (trx: Transaction<Database>) => {
    for (const f of files) {
      await lockBlob(trx, f.blob.sha256);
      await f.blob.commit();
    }
  };
}

/** After a command that received files failed: nothing it staged or committed may stay unreferenced. */
export async function abandonFiles(db: Db, blobs: BlobStore, files: readonly ReceivedFile[]): Promise<void> {
  await Promise.all(files.map((f) => f.blob.discard()));
  await releaseBlobs(
    db,
    blobs,
    files.map((f) => f.blob.sha256),
  );
}
