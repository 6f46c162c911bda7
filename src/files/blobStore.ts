import type { Readable } from 'node:stream';

/** A file received and hashed but not yet part of the store: `commit` moves it in, `discard` drops it. */
export interface StagedBlob {
  sha256: string;
  size: number;
  /** Makes the blob readable under its sha256. Idempotent; identical content is kept once. */
  commit(): Promise<void>;
  discard(): Promise<void>;
}

/**
 * A blob that a format records is not in the store (deleted by hand, a lost disk, a bucket emptied):
 * a fault of the installation, never of the request, that an operator must be told about.
 */
export class BlobMissingError extends Error {
  constructor(readonly sha256: string) {
    super(`No blob ${sha256} in the blob store`);
    this.name = 'BlobMissingError';
  }
}

export interface ByteRange {
  /** First byte, inclusive. */
  start: number;
  /** Last byte, inclusive. */
  end: number;
}

/**
 * Where model files live, content-addressed by sha256. The file-system store is the default; an
 * object-store backend implements the same interface.
 */
export interface BlobStore {
  /** Reads a stream to its end into staging, hashing and counting it; stops as soon as it passes maxBytes. */
  stage(source: Readable, options: { maxBytes: number }): Promise<StagedBlob>;
  stat(sha256: string): Promise<{ size: number } | null>;
  /** Rejects with BlobMissingError, before any byte is read, when the store has no such blob. */
  read(sha256: string, range?: ByteRange): Promise<Readable>;
  /**
   * Where a blob is, for a store that keeps blobs as local files: downloads then copy it through a few
   * reused buffers instead of a stream that allocates a new buffer for every megabyte.
   */
  localPath?(sha256: string): string;
  delete(sha256: string): Promise<void>;
  /** Every stored blob's sha256. */
  list(): AsyncIterable<string>;
  /** Removes staging files that their uploads abandoned (a crash, a killed process); returns how many. */
  cleanStaging(): Promise<number>;
}
