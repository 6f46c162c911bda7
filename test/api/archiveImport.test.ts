// Archives that must not be imported: each built from a real export of a served instance, then altered in one
// way (a byte of a blob, a line of the log, the manifest, the members' order), and handed to importArchive. Each
// is refused with an ArchiveRefused naming what is wrong, and leaves the target as a migration left it: one
// event (its `default` context) and no blob. One target serves every refusal: that it is still fresh after
// each is what the tests check.
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import tar from 'tar-stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArchiveRefused, BLOB_PREFIX, EVENTS, MANIFEST, type Manifest, SECRETS } from '../../src/archive/format.ts';
import { importArchive, ImportRefused } from '../../src/archive/import.ts';
import { readArchive } from '../../src/archive/read.ts';
import type { BlobStore } from '../../src/files/blobStore.ts';
import { createFileSystemBlobStore } from '../../src/files/fileSystemBlobStore.ts';
import { importTarget } from '../../src/store/archive.ts';
import { ADMIN_TOKEN, openTestApi, type TestApi } from '../helpers/api.ts';
import { openTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { givenContext, givenFormat, givenModel, type Served, serveTestApi } from '../helpers/fixtures.ts';

interface Member {
  name: string;
  content: Buffer;
  /** A tar entry's type; a file unless said. */
  type?: 'file' | 'directory' | 'symlink';
}

const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');

/** The members of a tar, in order, each whole (the archives here are small, but for the one huge line). */
async function untar(archive: Buffer): Promise<Member[]> {
  const extract = tar.extract();
  Readable.from([archive]).pipe(extract);
  const members: Member[] = [];
  for await (const entry of extract) {
    const chunks: Buffer[] = [];
    for await (const chunk of entry as AsyncIterable<Buffer>) chunks.push(chunk);
    members.push({ name: entry.header.name, content: Buffer.concat(chunks) });
  }
  return members;
}

/** The members as one tar, in the order given. */
async function tarOf(members: readonly Member[]): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  const collected = (async () => {
    for await (const chunk of pack as unknown as AsyncIterable<Buffer>) chunks.push(chunk);
  })();
  for (const m of members) {
    await new Promise<void>((resolve, reject) => {
      const done = (error?: Error | null) => (error ? reject(error) : resolve());
      if (m.type && m.type !== 'file') pack.entry({ name: m.name, type: m.type, ...(m.type === 'symlink' && { linkname: '/etc/passwd' }) }, done);
      else pack.entry({ name: m.name, size: m.content.length, mode: 0o644 }, m.content, done);
    });
  }
  pack.finalize();
  await collected;
  return Buffer.concat(chunks);
}

const manifestOf = (members: readonly Member[]): Manifest => JSON.parse(members.find((m) => m.name === MANIFEST)!.content.toString('utf8')) as Manifest;

/**
 * The members with their manifest recomputed to match them (each listed member's size and sha256, and the
 * count of events), then edited by `edit`: an archive whose only fault is the one a test put in.
 */
function resealed(members: readonly Member[], edit: (m: Manifest) => void = () => {}): Member[] {
  const manifest = manifestOf(members);
  const byName = new Map(members.map((m) => [m.name, m.content]));
  manifest.members = manifest.members.map((listed) => {
    const content = byName.get(listed.name);
    return content ? { ...listed, size: content.length, sha256: sha256(content) } : listed;
  });
  manifest.counts.events = byName.get(EVENTS)!.toString('utf8').split('\n').filter(Boolean).length;
  edit(manifest);
  return members.map((m) => (m.name === MANIFEST ? { name: MANIFEST, content: Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`) } : m));
}

const replaced = (members: readonly Member[], name: string, content: Buffer): Member[] => members.map((m) => (m.name === name ? { name, content } : m));

let source: Served;
/** The export, as served, and its members. */
let exported: Buffer;
let original: Member[];
/** The log's lines, as the export wrote them. */
let eventLines: string[];

let target: TestDatabase;
let targetDir: string;
let targetBlobs: BlobStore;

beforeAll(async () => {
  source = await serveTestApi();
  const context = await givenContext(source);
  const model = await givenModel(source, { context: context.name, versions: 3 });
  await givenFormat(source, model, 1, new Uint8Array(randomBytes(20_000)), { context: context.name });
  await givenFormat(source, model, 2, new Uint8Array(randomBytes(30_000)), { context: context.name, format: 'rda', filename: 'model.rda' });
  await givenFormat(source, model, 3, new Uint8Array(randomBytes(10_000)), { context: context.name });
  const other = await givenModel(source, { versions: 1 });
  await givenFormat(source, other, 1, new Uint8Array(randomBytes(5_000)));
  const response = await fetch(`${source.url}/admin/export`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
  expect(response.status).toBe(200);
  exported = Buffer.from(await response.arrayBuffer());
  original = await untar(exported);
  eventLines = original.find((m) => m.name === EVENTS)!.content.toString('utf8').split('\n').filter(Boolean);

  target = await openTestDatabase();
  targetDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-import-target-'));
  targetBlobs = createFileSystemBlobStore(path.join(targetDir, 'blobs'));
}, 120_000);

afterAll(async () => {
  await source?.close();
  await target?.close();
  if (targetDir) fs.rmSync(targetDir, { recursive: true, force: true });
});

async function storedBlobs(blobs: BlobStore): Promise<string[]> {
  const found: string[] = [];
  for await (const sha of blobs.list()) found.push(sha);
  return found;
}

/** Imports `archive` into the shared target, expecting a refusal whose message matches `named`; the target stays fresh. */
async function expectRefused(archive: Buffer, named: RegExp): Promise<ArchiveRefused> {
  let refusal: unknown;
  try {
    await importArchive(target.store, targetBlobs, Readable.from([archive]));
  } catch (error) {
    refusal = error;
  }
  expect(refusal).toBeInstanceOf(ArchiveRefused);
  expect((refusal as Error).message).toMatch(named);
  // Nothing of it stayed: the migration's one event, and not a blob.
  expect(await importTarget(target.db)).toEqual({ events: 1, fresh: true });
  expect(await storedBlobs(targetBlobs)).toEqual([]);
  return refusal as ArchiveRefused;
}

describe('the export these archives are made from', () => {
  it('reads whole, with the members the manifest lists, blobs included', async () => {
    const summary = await readArchive(Readable.from([exported]));
    const manifest = manifestOf(original);
    expect(summary.events).toBe(eventLines.length);
    expect(summary.blobs).toBe(4);
    expect(original.map((m) => m.name)).toEqual([MANIFEST, ...manifest.members.map((m) => m.name)]);
    expect(original.map((m) => m.name).slice(0, 3)).toEqual([MANIFEST, SECRETS, EVENTS]);
    // Each change below is to something an untouched copy passes with: the reseal alone changes nothing.
    expect((await readArchive(Readable.from([await tarOf(resealed(original))]))).events).toBe(eventLines.length);
  });
});

describe('damaged members', () => {
  it("a blob with one byte flipped (manifest untouched) is refused naming blobs/<sha>, and the blobs imported before it are removed", async () => {
    // The last blob: the others have been staged and committed to the store when it is reached.
    const blobs = original.filter((m) => m.name.startsWith(BLOB_PREFIX));
    const last = blobs[blobs.length - 1]!;
    const flipped = Buffer.from(last.content);
    flipped[Math.floor(flipped.length / 2)]! ^= 0x01;
    const refusal = await expectRefused(await tarOf(replaced(original, last.name, flipped)), new RegExp(`^${last.name}: its bytes hash to sha256 [0-9a-f]{64}, the manifest says ${last.name.slice(BLOB_PREFIX.length)}`));
    expect(refusal.member).toBe(last.name);
  });

  it('an archive cut inside events.ndjson is refused naming events.ndjson', async () => {
    // Where events.ndjson's content begins: after the manifest's and the secrets' headers and padded contents.
    const padded = (n: number) => 512 + Math.ceil(n / 512) * 512;
    const start = padded(original[0]!.content.length) + padded(original[1]!.content.length) + 512;
    const events = original[2]!.content;
    expect(original[2]!.name).toBe(EVENTS);
    // Half-way through its content, and in the middle of a line.
    await expectRefused(exported.subarray(0, start + Math.floor(events.length / 2)), /events\.ndjson/);
  });

  it("a whole tar whose events.ndjson lost its last line (the manifest kept) is refused naming events.ndjson", async () => {
    const shorter = Buffer.from(`${eventLines.slice(0, -1).join('\n')}\n`);
    await expectRefused(await tarOf(replaced(original, EVENTS, shorter)), /^events\.ndjson: \d+ bytes, the manifest says \d+/);
  });

  it('the same, with the manifest resealed but for the count of events, is refused naming events.ndjson', async () => {
    const shorter = Buffer.from(`${eventLines.slice(0, -1).join('\n')}\n`);
    const members = resealed(replaced(original, EVENTS, shorter), (m) => (m.counts.events = eventLines.length));
    await expectRefused(await tarOf(members), new RegExp(`^events\\.ndjson: ${eventLines.length - 1} events, the manifest says ${eventLines.length}`));
  });
});

describe('the manifest and the order of members', () => {
  it('a blob a live format needs, left out of the archive and its manifest alike, is refused naming it', async () => {
    const blobs = original.filter((m) => m.name.startsWith(BLOB_PREFIX));
    const dropped = blobs[0]!;
    const members = resealed(
      original.filter((m) => m !== dropped),
      (m) => {
        m.members = m.members.filter((listed) => listed.name !== dropped.name);
        m.counts.blobs--;
        m.counts.blobBytes -= dropped.content.length;
      },
    );
    await expectRefused(await tarOf(members), new RegExp(`^${dropped.name}: missing: a live format in events.ndjson has this file`));
  });

  it('a manifest that is not first is refused', async () => {
    const [manifest, ...rest] = original;
    await expectRefused(await tarOf([rest[0]!, manifest!, ...rest.slice(1)]), /does not begin with manifest\.json \(it begins with "server-secrets\.json"\)/);
  });

  it('no manifest at all is refused, and so is an empty tar', async () => {
    await expectRefused(await tarOf(original.slice(1)), /does not begin with manifest\.json/);
    await expectRefused(await tarOf([]), /the archive is empty: no manifest\.json/);
  });

  it('a manifest of a newer format version is refused, saying which Cairn could import it', async () => {
    await expectRefused(await tarOf(resealed(original, (m) => (m.formatVersion = 2))), /^manifest\.json: archive format 2, written by Cairn .*: this Cairn \(.*\) reads format 1; import with a newer Cairn/);
  });

  it('a member the manifest does not list is refused naming it', async () => {
    const stray = randomBytes(1000);
    const name = `${BLOB_PREFIX}${sha256(stray)}`;
    await expectRefused(await tarOf([...original, { name, content: stray }]), new RegExp(`^${name}: follows the last member the manifest lists`));
  });

  it('members out of the manifest\'s order are refused naming the one found', async () => {
    const blobs = original.filter((m) => m.name.startsWith(BLOB_PREFIX));
    const swapped = [...original.slice(0, 3), blobs[1]!, blobs[0]!, ...blobs.slice(2)];
    await expectRefused(await tarOf(swapped), new RegExp(`^${blobs[1]!.name}: found where the manifest puts ${blobs[0]!.name}`));
  });

  it('a member missing at the end is refused naming it', async () => {
    const last = original[original.length - 1]!;
    await expectRefused(await tarOf(original.slice(0, -1)), new RegExp(`^${last.name}: missing: the archive ends before it`));
  });
});

describe('hostile members', () => {
  it('server-secrets.json that is not an object of secrets is refused naming it', async () => {
    for (const secrets of ['[]', '{"Bad Name": "x"}', '{"link-key": "has spaces"}', '{"link-key": 1}', 'not json']) {
      await expectRefused(await tarOf(resealed(replaced(original, SECRETS, Buffer.from(secrets)))), /^server-secrets\.json: not (JSON|an object of secrets)/);
    }
  });

  it('a directory or a symlink where a member should be is refused: an archive holds files only', async () => {
    const blob = original.find((m) => m.name.startsWith(BLOB_PREFIX))!;
    for (const type of ['directory', 'symlink'] as const) {
      const members = original.map((m) => (m === blob ? { ...m, type } : m));
      await expectRefused(await tarOf(members), new RegExp(`^${blob.name}/?: a ${type} entry: an archive holds files only`));
    }
  });

  it('a member whose name climbs out of blobs/ is refused naming it, and nothing is written outside the store', async () => {
    const name = 'blobs/../../../escaped';
    const blobs = original.filter((m) => m.name.startsWith(BLOB_PREFIX));
    await expectRefused(await tarOf([...original.slice(0, 3), { name, content: blobs[0]!.content }, ...blobs.slice(1)]), /^blobs\/\.\.\/\.\.\/\.\.\/escaped: found where the manifest puts blobs\/[0-9a-f]{64}/);
    expect(fs.existsSync(path.join(targetDir, '..', 'escaped'))).toBe(false);
  });

  it("a manifest listing a blob under a name that is not its sha256 is refused", async () => {
    const members = resealed(original, (m) => {
      const blob = m.members.find((listed) => listed.name.startsWith(BLOB_PREFIX))!;
      blob.name = `${BLOB_PREFIX}${'0'.repeat(64)}`;
    });
    await expectRefused(await tarOf(members), /^manifest\.json: "blobs\/0{64}" is not a member an archive has/);
  });
});

describe('hostile event lines (the manifest resealed: only the line is wrong)', () => {
  /** The archive with line `index` (0-based) of events.ndjson replaced by `line`. */
  const withLine = (index: number, line: string) => {
    const lines = [...eventLines];
    lines[index] = line;
    return tarOf(resealed(replaced(original, EVENTS, Buffer.from(`${lines.join('\n')}\n`))));
  };
  /** The index of a model event at stream version 2 or more (one with a stream before it). */
  const laterModelLine = () => eventLines.findIndex((l) => JSON.parse(l).streamType === 'model' && JSON.parse(l).streamVersion >= 2);
  const parsed = (index: number) => JSON.parse(eventLines[index]!) as Record<string, any>;
  const refusedAt = (index: number, what: string) => new RegExp(`^events\\.ndjson: line ${index + 1}: ${what}`);

  it('a NUL in a string', async () => {
    const i = laterModelLine();
    const e = parsed(i);
    await expectRefused(await withLine(i, JSON.stringify({ ...e, data: { ...e.data, note: 'a\u0000b' } })), refusedAt(i, 'a string holds'));
  });

  it('a lone surrogate in a string', async () => {
    const i = laterModelLine();
    const e = parsed(i);
    // As JSON text: JSON.stringify would write the escape as well.
    const line = JSON.stringify({ ...e, data: { ...e.data, note: 'SURROGATE' } }).replace('SURROGATE', '\\ud800x');
    await expectRefused(await withLine(i, line), refusedAt(i, 'a string holds'));
  });

  it('JSON nested 10,000 levels deep', async () => {
    const i = laterModelLine();
    const deep = `${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}`;
    const line = JSON.stringify({ ...parsed(i), data: 'DEEP' }).replace('"DEEP"', deep);
    await expectRefused(await withLine(i, line), refusedAt(i, 'nested deeper than 64 levels'));
  });

  it('a line longer than 16 MiB, valid JSON of a valid event', async () => {
    const i = laterModelLine();
    const e = parsed(i);
    const line = JSON.stringify({ ...e, data: { ...e.data, note: 'x'.repeat(17 * 1024 * 1024) } });
    await expectRefused(await withLine(i, line), /^events\.ndjson: a line longer than 16777216 bytes/);
  });

  it('a position that does not rise', async () => {
    const i = laterModelLine();
    const before = parsed(i - 1).position as string;
    await expectRefused(await withLine(i, JSON.stringify({ ...parsed(i), position: before })), refusedAt(i, `position ${before} does not come after ${before}`));
  });

  it("a gap in a stream's versions", async () => {
    const i = laterModelLine();
    const e = parsed(i);
    await expectRefused(await withLine(i, JSON.stringify({ ...e, streamVersion: e.streamVersion + 1 })), refusedAt(i, `stream ${e.streamId} goes from version ${e.streamVersion - 1} to ${e.streamVersion + 1}`));
  });

  it('an unknown event type', async () => {
    const i = laterModelLine();
    await expectRefused(await withLine(i, JSON.stringify({ ...parsed(i), type: 'ModelExploded' })), refusedAt(i, 'type "ModelExploded" is not an event type of a model stream'));
  });

  it('a schema version newer than this Cairn reads', async () => {
    const i = laterModelLine();
    const e = parsed(i);
    await expectRefused(await withLine(i, JSON.stringify({ ...e, schemaVersion: 99 })), refusedAt(i, `${e.type} at schema version 99: this Cairn reads up to \\d+`));
  });

  it('a model event whose contextId is null', async () => {
    const i = laterModelLine();
    await expectRefused(await withLine(i, JSON.stringify({ ...parsed(i), contextId: null })), refusedAt(i, "a model event's contextId is null"));
  });

  it('another stream type for a stream already seen', async () => {
    const i = laterModelLine();
    const e = parsed(i);
    const line = JSON.stringify({ ...e, streamType: 'context', type: 'ContextCreated', schemaVersion: 1 });
    await expectRefused(await withLine(i, line), refusedAt(i, `stream ${e.streamId} is a model stream, not a context one`));
  });
});

describe('a target that is not empty', () => {
  let bootstrapped: TestApi;
  afterAll(() => bootstrapped?.close());

  it('a database a server has bootstrapped is refused with ImportRefused, and nothing in it changes', async () => {
    bootstrapped = await openTestApi();
    const before = await importTarget(bootstrapped.t.db);
    expect(before.fresh).toBe(false);
    const blobsBefore = await storedBlobs(bootstrapped.app.blobs);
    await expect(importArchive(bootstrapped.t.store, bootstrapped.app.blobs, Readable.from([exported]))).rejects.toThrow(ImportRefused);
    await expect(importArchive(bootstrapped.t.store, bootstrapped.app.blobs, Readable.from([exported]))).rejects.toThrow(/already holds \d+ events: an import goes into a new, empty database/);
    expect(await importTarget(bootstrapped.t.db)).toEqual(before);
    expect(await storedBlobs(bootstrapped.app.blobs)).toEqual(blobsBefore);
  });

  it('a blob the store held before a refused import stays; only those the import added are removed', async () => {
    const blobs = original.filter((m) => m.name.startsWith(BLOB_PREFIX));
    const held = blobs[0]!;
    const staged = await targetBlobs.stage(Readable.from([held.content]), { maxBytes: held.content.length });
    await staged.commit();
    try {
      const last = blobs[blobs.length - 1]!;
      const flipped = Buffer.from(last.content);
      flipped[0]! ^= 0xff;
      await expect(importArchive(target.store, targetBlobs, Readable.from([await tarOf(replaced(original, last.name, flipped))]))).rejects.toThrow(ArchiveRefused);
      expect(await storedBlobs(targetBlobs)).toEqual([held.name.slice(BLOB_PREFIX.length)]);
      expect(await importTarget(target.db)).toEqual({ events: 1, fresh: true });
    } finally {
      await targetBlobs.delete(held.name.slice(BLOB_PREFIX.length));
    }
  });

  it('two imports at once into one new database: one imports, the other is refused as not empty', async () => {
    const other = await openTestDatabase();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-import-twice-'));
    try {
      const store = createFileSystemBlobStore(path.join(dir, 'blobs'));
      const results = await Promise.allSettled([importArchive(other.store, store, Readable.from([exported])), importArchive(other.store, store, Readable.from([exported]))]);
      expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
      const refused = results.find((r) => r.status === 'rejected')!.reason as Error;
      expect(refused).toBeInstanceOf(ImportRefused);
      expect((await importTarget(other.db)).events).toBe(eventLines.length);
    } finally {
      await other.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('and the shared target, after every refusal above, still takes the untouched archive whole', async () => {
    const summary = await importArchive(target.store, targetBlobs, Readable.from([exported]));
    expect(summary.events).toBe(eventLines.length);
    expect((await importTarget(target.db)).events).toBe(eventLines.length);
    expect((await storedBlobs(targetBlobs)).sort()).toEqual(manifestOf(original).members.filter((m) => m.name.startsWith(BLOB_PREFIX)).map((m) => m.sha256).sort());
  });
});
