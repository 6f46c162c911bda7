// An import into the blob store CAIRN_BLOB_STORE names (S3; s3rver on 127.0.0.1): the files land in the
// bucket, and an archive whose last blob is damaged leaves the bucket as empty as it was, blobs already
// stored by the same import included.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArchiveRefused } from '../../src/archive/format.ts';
import { importArchive } from '../../src/archive/import.ts';
import { readArchive } from '../../src/archive/read.ts';
import type { BlobStore } from '../../src/files/blobStore.ts';
import { openBlobStore } from '../../src/files/openBlobStore.ts';
import { importTarget } from '../../src/store/archive.ts';
import { adminHeaders, listen, openTestApi, testConfig } from '../helpers/api.ts';
import { openTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { givenFormat, givenModel, type Served, serveTestApi } from '../helpers/fixtures.ts';
import { type LocalS3, startLocalS3 } from '../helpers/s3.ts';

let source: Served;
let s3: LocalS3;
let target: TestDatabase;
let bucket: BlobStore;
let archive: Buffer;
let model: { id: string; name: string };
const files = { pkl: randomBytes(300_000), rda: randomBytes(70_001) };
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-archive-s3-'));

beforeAll(async () => {
  source = await serveTestApi();
  model = await givenModel(source, { versions: 1 });
  await givenFormat(source, model, 1, files.pkl, { format: 'pkl' });
  await givenFormat(source, model, 1, files.rda, { format: 'rda', filename: 'model.rda' });
  const response = await fetch(`${source.url}/admin/export`, { headers: adminHeaders });
  expect(response.status).toBe(200);
  archive = Buffer.from(await response.arrayBuffer());
  s3 = await startLocalS3();
  target = await openTestDatabase();
  bucket = await openBlobStore(testConfig({ ...s3.env, CAIRN_DATA_DIR: dataDir }));
});
let closed = false;
afterAll(async () => {
  await source?.close();
  if (!closed) await target?.close();
  await s3?.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

async function bucketBlobs(): Promise<string[]> {
  const found: string[] = [];
  for await (const sha256 of bucket.list()) found.push(sha256);
  return found.sort();
}

describe('an import into an S3 blob store', () => {
  it('refuses an archive whose last blob is damaged, naming it, and removes the blobs it had stored before it', async () => {
    const { manifest } = await readArchive(Readable.from([archive]));
    const blobs = manifest.members.filter((m) => m.name.startsWith('blobs/'));
    expect(blobs).toHaveLength(2);
    // The last member's content begins one header block after everything before it (each member padded to 512 bytes).
    const padded = (size: number) => 512 + Math.ceil(size / 512) * 512;
    const manifestSize = Number.parseInt(archive.subarray(124, 136).toString('ascii').trim(), 8);
    const lastStart = padded(manifestSize) + manifest.members.slice(0, -1).reduce((n, m) => n + padded(m.size), 0) + 512;
    const damaged = Buffer.from(archive);
    damaged[lastStart + 10]! ^= 0xff;

    const refused = await importArchive(target.store, bucket, Readable.from([damaged])).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(ArchiveRefused);
    expect((refused as Error).message).toMatch(new RegExp(`^${blobs.at(-1)!.name}: its bytes hash to sha256 [0-9a-f]{64}, the manifest says ${blobs.at(-1)!.sha256}`));
    expect(await bucketBlobs()).toEqual([]);
    expect(await importTarget(target.db)).toEqual({ events: 1, fresh: true });
  });

  it('stores every file in the bucket, and a server on it serves them byte for byte', async () => {
    const summary = await importArchive(target.store, bucket, Readable.from([archive]));
    expect(summary.blobs).toBe(2);
    const { manifest } = await readArchive(Readable.from([archive]));
    expect(await bucketBlobs()).toEqual(manifest.members.filter((m) => m.name.startsWith('blobs/')).map((m) => m.sha256).sort());
    const api = await openTestApi({ database: target, env: { ...s3.env, CAIRN_DATA_DIR: dataDir } });
    const server = await listen(api.app);
    try {
      for (const [format, bytes] of Object.entries(files)) {
        const response = await fetch(`${server.url}/files/${model.id}/1/${format}`, { headers: adminHeaders });
        expect(response.status).toBe(200);
        expect(Buffer.from(await response.arrayBuffer()).equals(bytes)).toBe(true);
      }
    } finally {
      await server.close();
      // Closes the target database too, and removes the data directory.
      await api.close();
      closed = true;
    }
  });
});
