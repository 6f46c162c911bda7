import type { Transaction } from 'kysely';
import { ChecksumMismatchError, DomainError, ValidationError } from '../domain/errors.ts';
import * as rules from '../domain/rules.ts';
import type { Database, Db } from '../store/database.ts';
import { lockBlob } from '../store/formatBlobs.ts';
import { releaseBlobs } from './blobReferences.ts';
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

/** How long a resolver waits for a file's part to start arriving once the files before it are read. */
const FILE_ARRIVAL_MS = 30_000;

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
      // Whatever keeps a file from arriving is the request's fault: its part is missing or cut off.
      let timer: NodeJS.Timeout | undefined;
      const upload = await Promise.race([
        input.file,
        // A file part that never comes (a map naming one path twice leaves a part nobody reads, and the
        // parser waits on it) must not hold the request forever.
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new ValidationError(field, `This file's part did not arrive within ${FILE_ARRIVAL_MS / 1000} s`)), FILE_ARRIVAL_MS);
        }),
      ])
        .catch((error: unknown) => {
          throw malformed(error, field, 'The multipart request ended before this file arrived');
        })
        .finally(() => clearTimeout(timer));
      let stream: import('node:stream').Readable;
      try {
        // Throws at once when the file's part already broke off (the body ended inside it).
        stream = upload.createReadStream() as import('node:stream').Readable;
      } catch (error) {
        throw malformed(error, field, 'The multipart request ended before this file was complete');
      }
      let broken = false;
      stream.once('error', () => (broken = true));
      const blob = await blobs.stage(stream, { maxBytes }).catch((error: unknown) => {
        // The stream from the client broke (cut off, malformed): bad input. A file-system or S3 error is the store's.
        const fromStore = typeof error === 'object' && error !== null && ('syscall' in error || '$metadata' in error);
        throw broken && !fromStore ? malformed(error, field, 'The multipart request ended before this file was complete') : malformed(error, field);
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
 * client that went away) as an HttpError with a 4xx status, and busboy as a plain Error ("Unexpected end
 * of form"): to the client that is bad input, not a bug. `fallback`, when given, is said for the latter.
 */
function malformed(error: unknown, field: string, fallback?: string): unknown {
  if (error instanceof DomainError) return error;
  const status = (error as { status?: unknown } | null)?.status;
  if (typeof status === 'number' && status >= 400 && status < 500) return new ValidationError(field, (error as Error).message);
  return fallback ? new ValidationError(field, fallback) : error;
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
