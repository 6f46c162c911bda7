import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileTooLargeError, ValidationError } from '../../src/domain/errors.ts';
import type { BlobStore } from '../../src/files/blobStore.ts';

export interface BlobStoreUnderTest {
  store: BlobStore;
  /** How many staging files or objects exist now: a finished or failed upload must leave none. */
  stagingCount(): Promise<number>;
  close(): Promise<void>;
}

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** A stream of `bytes` in chunks of `chunk` bytes, as a socket delivers them. */
const chunked = (bytes: Buffer, chunk = 64 * 1024) =>
  Readable.from(
    (function* () {
      for (let i = 0; i < bytes.length; i += chunk) yield bytes.subarray(i, i + chunk);
    })(),
  );

async function listed(store: BlobStore): Promise<string[]> {
  const all: string[] = [];
  for await (const s of store.list()) all.push(s);
  return all.sort();
}

/**
 * What every blob store must do, run against each implementation: the file system and S3 (s3rver).
 * Uploads are staged, hashed and counted, committed once per content, readable whole and by range,
 * and a refused upload (too large, empty, cut off, discarded) leaves nothing behind.
 */
export function describeBlobStore(name: string, open: () => Promise<BlobStoreUnderTest>): void {
  describe(`blob store: ${name}`, () => {
    let t: BlobStoreUnderTest;
    beforeAll(async () => {
      t = await open();
    });
    afterAll(async () => {
      await t?.close();
    });

    it('stages with the right sha256 and size, commits, and reads the bytes back whole and by range', async () => {
      const bytes = randomBytes(300_000);
      const staged = await t.store.stage(chunked(bytes), { maxBytes: 1_000_000 });
      expect(staged).toMatchObject({ sha256: sha256(bytes), size: bytes.length });
      expect(await t.store.stat(staged.sha256)).toBeNull();
      await staged.commit();
      await staged.commit(); // idempotent
      expect(await t.store.stat(staged.sha256)).toEqual({ size: bytes.length });
      expect((await buffer(await t.store.read(staged.sha256))).equals(bytes)).toBe(true);
      const part = await buffer(await t.store.read(staged.sha256, { start: 1000, end: 1999 }));
      expect(part.equals(bytes.subarray(1000, 2000))).toBe(true);
      const last = await buffer(await t.store.read(staged.sha256, { start: bytes.length - 1, end: bytes.length - 1 }));
      expect([...last]).toEqual([bytes[bytes.length - 1]]);
      expect(await listed(t.store)).toContain(staged.sha256);
      expect(await t.stagingCount()).toBe(0);
    });

    it('round-trips a file of several upload parts', async () => {
      const bytes = randomBytes(20 * 1024 * 1024 + 17);
      const staged = await t.store.stage(chunked(bytes, 1024 * 1024), { maxBytes: bytes.length });
      expect(staged.sha256).toBe(sha256(bytes));
      await staged.commit();
      expect(sha256(await buffer(await t.store.read(staged.sha256)))).toBe(sha256(bytes));
      await t.store.delete(staged.sha256);
    });

    it('keeps identical content once', async () => {
      const bytes = randomBytes(10_000);
      const a = await t.store.stage(chunked(bytes), { maxBytes: 20_000 });
      const b = await t.store.stage(chunked(bytes), { maxBytes: 20_000 });
      await a.commit();
      await b.commit();
      expect((await listed(t.store)).filter((s) => s === a.sha256)).toHaveLength(1);
      expect(await t.stagingCount()).toBe(0);
    });

    it('refuses a file over the limit as soon as it passes it, leaving nothing', async () => {
      const before = await listed(t.store);
      let sent = 0;
      const source = Readable.from(
        (function* () {
          for (let i = 0; i < 1000; i++) {
            sent += 65536;
            yield randomBytes(65536);
          }
        })(),
      );
      await expect(t.store.stage(source, { maxBytes: 1_000_000 })).rejects.toBeInstanceOf(FileTooLargeError);
      // It stopped reading near the limit, not at the end of the 64 MB source.
      expect(sent).toBeLessThan(20 * 1024 * 1024);
      expect(await listed(t.store)).toEqual(before);
      expect(await t.stagingCount()).toBe(0);
    });

    it('refuses an empty file, leaving nothing', async () => {
      const before = await listed(t.store);
      await expect(t.store.stage(Readable.from([]), { maxBytes: 100 })).rejects.toBeInstanceOf(ValidationError);
      expect(await listed(t.store)).toEqual(before);
      expect(await t.stagingCount()).toBe(0);
    });

    it('fails an upload whose source breaks off, leaving nothing', async () => {
      const before = await listed(t.store);
      // 100 kB arrive, then, when the store asks for more, the client is gone.
      let sent = false;
      const source = new Readable({
        read() {
          if (sent) this.destroy(new Error('client went away'));
          else this.push(randomBytes(100_000));
          sent = true;
        },
      });
      await expect(t.store.stage(source, { maxBytes: 1_000_000 })).rejects.toThrow('client went away');
      expect(await listed(t.store)).toEqual(before);
      expect(await t.stagingCount()).toBe(0);
    });

    it('discards a staged upload', async () => {
      const staged = await t.store.stage(chunked(randomBytes(5000)), { maxBytes: 10_000 });
      expect(await t.stagingCount()).toBe(1);
      await staged.discard();
      expect(await t.store.stat(staged.sha256)).toBeNull();
      expect(await t.stagingCount()).toBe(0);
    });

    it('stages several uploads at once', async () => {
      const files = Array.from({ length: 6 }, (_, i) => randomBytes(50_000 + i));
      const staged = await Promise.all(files.map((f) => t.store.stage(chunked(f, 4096), { maxBytes: 100_000 })));
      expect(staged.map((s) => s.sha256)).toEqual(files.map(sha256));
      await Promise.all(staged.map((s) => s.commit()));
      for (const [i, s] of staged.entries()) expect((await buffer(await t.store.read(s.sha256))).equals(files[i]!)).toBe(true);
    });

    it('deletes, after which the blob is gone; unknown blobs are absent', async () => {
      const staged = await t.store.stage(chunked(randomBytes(1234)), { maxBytes: 10_000 });
      await staged.commit();
      await t.store.delete(staged.sha256);
      expect(await t.store.stat(staged.sha256)).toBeNull();
      expect(await listed(t.store)).not.toContain(staged.sha256);
      await expect(t.store.read(staged.sha256)).rejects.toBeTruthy();
      await t.store.delete(staged.sha256); // deleting twice is fine
      expect(await t.store.stat('0'.repeat(64))).toBeNull();
    });

    it('leaves an upload that is still staged to its process when cleaning up', async () => {
      const staged = await t.store.stage(chunked(randomBytes(2000)), { maxBytes: 10_000 });
      // Counted in staging itself: what cleanStaging() returns cannot tell "left alone" from "nothing there".
      expect(await t.stagingCount()).toBe(1);
      await t.store.cleanStaging();
      expect(await t.stagingCount()).toBe(1);
      await staged.commit();
      expect(await t.store.stat(staged.sha256)).toEqual({ size: 2000 });
      expect(await t.stagingCount()).toBe(0);
    });
  });
}
