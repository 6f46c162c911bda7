import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { FileTooLargeError, ValidationError } from '../domain/errors.ts';
import { isProcessAlive } from '../processes.ts';
import { BlobMissingError, type BlobStore, type ByteRange, type StagedBlob } from './blobStore.ts';

const SHA256 = /^[0-9a-f]{64}$/;
/** Staged uploads older than this are abandoned even if their process still lives. */
const STAGING_MAX_AGE_MS = 24 * 60 * 60 * 1000;


async function fsyncDirectory(dir: string): Promise<void> {
  const handle = await fsp.open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * writev may write less than it was given, when the disk has room for only part of it: the rest is
 * written again, so that it lands or the disk's ENOSPC is seen, never silently dropped.
 */
async function writeFully(handle: FileHandle, buffers: Buffer[], bytes: number): Promise<void> {
  let { bytesWritten } = await handle.writev(buffers);
  if (bytesWritten === bytes) return;
  const all = Buffer.concat(buffers);
  while (bytesWritten < bytes) {
    const r = await handle.write(all, bytesWritten, bytes - bytesWritten);
    if (r.bytesWritten === 0) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', syscall: 'write' });
    bytesWritten += r.bytesWritten;
  }
}

/** Flush to disk every this many bytes while an upload arrives, so the final fsync has little left to do. */
const SYNC_EVERY = 32 * 1024 * 1024;

/**
 * Writes an upload to its staging file, hashing and counting as it goes. Chunks that queue up while a
 * write is under way go out together (writev), and the data is flushed to disk in the background as it
 * arrives, so that durability costs little at the end.
 */
class BlobWriter extends Writable {
  size = 0;
  private readonly hash = createHash('sha256');
  private unsynced = 0;
  private syncing: Promise<void> = Promise.resolve();

  constructor(
    private readonly handle: FileHandle,
    private readonly maxBytes: number,
  ) {
    super({ highWaterMark: 4 * 1024 * 1024 });
  }

  override _writev(chunks: { chunk: Buffer }[], callback: (error?: Error | null) => void): void {
    const buffers = chunks.map((c) => c.chunk);
    const bytes = buffers.reduce((n, b) => n + b.length, 0);
    this.size += bytes;
    if (this.size > this.maxBytes) return callback(new FileTooLargeError(this.maxBytes));
    // The write runs on libuv's thread pool; hashing here meanwhile overlaps the two.
    const written = writeFully(this.handle, buffers, bytes);
    for (const b of buffers) this.hash.update(b);
    written.then(() => {
      this.unsynced += bytes;
      if (this.unsynced >= SYNC_EVERY) {
        this.unsynced = 0;
        this.syncing = this.syncing.then(() => this.handle.datasync());
      }
      callback();
    }, callback);
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this._writev([{ chunk }], callback);
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.syncing.then(() => this.handle.sync()).then(() => callback(), callback);
  }

  sha256(): string {
    return this.hash.digest('hex');
  }
}

/**
 * Blobs under `root/sha256/ab/<sha256>`. An upload streams into `root/staging/<pid>-<id>-<uuid>`, is fsync'd,
 * then renamed into place (and the directory fsync'd), so a blob is either whole or absent. The pid in a
 * staging name lets start-up remove the leftovers of a process that died mid-upload without touching
 * the uploads of processes still running.
 */
export function createFileSystemBlobStore(root: string): BlobStore {
  const blobsDir = path.join(root, 'sha256');
  const stagingDir = path.join(root, 'staging');
  fs.mkdirSync(blobsDir, { recursive: true });
  fs.mkdirSync(stagingDir, { recursive: true });
  // Names this process's staging files: a leftover with our pid but another instance id is from a process
  // that died before us and happened to have the same pid (pid 1 in a container, say).
  const instance = `${process.pid}-${randomUUID().slice(0, 8)}`;
  const blobPath = (sha256: string) => {
    if (!SHA256.test(sha256)) throw new Error('not a sha256');
    return path.join(blobsDir, sha256.slice(0, 2), sha256);
  };

  return {
    async stage(source, { maxBytes }) {
      const file = path.join(stagingDir, `${instance}-${randomUUID()}`);
      const handle = await fsp.open(file, 'wx', 0o600);
      const writer = new BlobWriter(handle, maxBytes);
      try {
        await pipeline(source, writer);
      } catch (error) {
        source.destroy();
        await handle.close().catch(() => {});
        await fsp.rm(file, { force: true });
        throw error;
      }
      await handle.close();
      const { size } = writer;
      if (size === 0) {
        await fsp.rm(file, { force: true });
        throw new ValidationError('file', 'The file is empty');
      }
      const sha256 = writer.sha256();
      let done = false;
      const staged: StagedBlob = {
        sha256,
        size,
        async commit() {
          if (done) return;
          const target = blobPath(sha256);
          await fsp.mkdir(path.dirname(target), { recursive: true });
          const exists = await fsp.stat(target).then(
            (s) => s.size === size,
            () => false,
          );
          if (exists) await fsp.rm(file, { force: true });
          else {
            await fsp.rename(file, target);
            await fsyncDirectory(path.dirname(target));
          }
          done = true;
        },
        async discard() {
          if (!done) await fsp.rm(file, { force: true });
          done = true;
        },
      };
      return staged;
    },

    async stat(sha256) {
      try {
        const s = await fsp.stat(blobPath(sha256));
        return { size: s.size };
      } catch {
        return null;
      }
    },

    async read(sha256, range?: ByteRange) {
      const stream = fs.createReadStream(blobPath(sha256), { highWaterMark: 1024 * 1024, ...(range && { start: range.start, end: range.end }) });
      // Surface a missing file here, not as a stream error after headers are sent.
      await new Promise<void>((resolve, reject) => {
        stream.once('open', () => resolve());
        stream.once('error', (error: NodeJS.ErrnoException) => reject(error.code === 'ENOENT' ? new BlobMissingError(sha256) : error));
      });
      return stream;
    },

    localPath: blobPath,

    async delete(sha256) {
      await fsp.rm(blobPath(sha256), { force: true });
    },

    async *list() {
      for (const prefix of await fsp.readdir(blobsDir).catch(() => [] as string[])) {
        for (const name of await fsp.readdir(path.join(blobsDir, prefix)).catch(() => [] as string[])) {
          if (SHA256.test(name)) yield name;
        }
      }
    },

    async cleanStaging() {
      let removed = 0;
      for (const name of await fsp.readdir(stagingDir)) {
        const file = path.join(stagingDir, name);
        if (name.startsWith(`${instance}-`)) continue;
        const pid = Number(name.split('-')[0]);
        const stat = await fsp.stat(file).catch(() => null);
        const abandoned =
          !Number.isInteger(pid) || pid === process.pid || !isProcessAlive(pid) || (stat !== null && Date.now() - stat.mtimeMs > STAGING_MAX_AGE_MS);
        if (abandoned) {
          await fsp.rm(file, { force: true });
          removed++;
        }
      }
      return removed;
    },
  };
}
