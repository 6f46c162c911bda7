import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { createFileSystemBlobStore } from '../../src/files/fileSystemBlobStore.ts';
import { describeBlobStore } from './blobStoreSuite.ts';

describeBlobStore('file system', async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-blobs-'));
  return {
    store: createFileSystemBlobStore(root),
    stagingCount: async () => fs.readdirSync(path.join(root, 'staging')).length,
    close: async () => fs.rmSync(root, { recursive: true, force: true }),
  };
});

describe('file-system blob store specifics', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-blobs-clean-'));
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  it("removes the staging files of processes that are gone, ours of an earlier start included, and keeps its own", async () => {
    const store = createFileSystemBlobStore(root);
    const staging = path.join(root, 'staging');
    // A pid no process has (above Linux's pid_max), and this very pid under another instance id: a process
    // that died before us and had our pid (pid 1 in a container, say).
    const leftovers = ['99999999-0badc0de-left-by-a-crash', `${process.pid}-0badc0de-left-by-an-earlier-start`];
    for (const name of leftovers) fs.writeFileSync(path.join(staging, name), 'x');
    const staged = await store.stage(Readable.from([Buffer.from('in progress')]), { maxBytes: 100 });
    expect(fs.readdirSync(staging)).toHaveLength(3);
    expect(await store.cleanStaging()).toBe(2);
    const kept = fs.readdirSync(staging);
    expect(kept).toHaveLength(1);
    expect(leftovers).not.toContain(kept[0]);
    await staged.commit();
    expect(fs.readdirSync(staging)).toEqual([]);
  });
});
