import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import tar from 'tar-stream';
import type { ArchivedEventRow } from '../store/archive.ts';
import { type ArchiveMember, ArchiveRefused, BLOB_PREFIX, EventLineReader, EVENTS, MANIFEST, type Manifest, parseManifest, SECRETS } from './format.ts';

/** What an import does with each part of an archive as it streams past; every part is optional (a check does nothing). */
export interface ArchiveSink {
  secrets?(secrets: Record<string, string>): Promise<void>;
  /** The events, in order, a batch at a time. */
  events?(rows: ArchivedEventRow[]): Promise<void>;
  /**
   * A blob's bytes, to be read to their end; the archive's sha256 for it is checked as they pass. What it
   * returns is kept (`commit`) once they prove whole, or dropped (`discard`) if not.
   */
  blob?(sha256: string, size: number, content: AsyncIterable<Buffer>): Promise<{ commit(): Promise<void>; discard(): Promise<void> }>;
}

export interface ArchiveSummary {
  manifest: Manifest;
  events: number;
  streams: Manifest['counts']['streams'];
  models: number;
  blobs: number;
  blobBytes: number;
}

/** Events handed to the sink per batch. */
const EVENT_BATCH = 1000;
/** Longer than any event Cairn writes (its payloads are bounded far below this). */
const MAX_LINE_BYTES = 16 * 1024 * 1024;
const MAX_MANIFEST_BYTES = 256 * 1024 * 1024;
const MAX_SECRETS_BYTES = 1024 * 1024;

/** A member's bytes as they pass, hashed and counted into `seen` (checkWhole holds them to the manifest once they have all passed). */
async function* hashed(content: AsyncIterable<Buffer>, seen: { bytes: number; sha256: string }): AsyncGenerator<Buffer> {
  const hash = createHash('sha256');
  for await (const chunk of content) {
    hash.update(chunk);
    seen.bytes += chunk.length;
    yield chunk;
  }
  seen.sha256 = hash.digest('hex');
}

function checkWhole(member: ArchiveMember, seen: { bytes: number; sha256: string }): void {
  if (seen.bytes !== member.size) throw new ArchiveRefused(member.name, `${seen.bytes} bytes, the manifest says ${member.size}: the archive is damaged or cut short`);
  if (seen.sha256 !== member.sha256) throw new ArchiveRefused(member.name, `its bytes hash to sha256 ${seen.sha256}, the manifest says ${member.sha256}: the archive is damaged`);
}

async function whole(content: AsyncIterable<Buffer>, limit: number, name: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of content) {
    bytes += chunk.length;
    if (bytes > limit) throw new ArchiveRefused(name, `larger than ${limit} bytes: not a member Cairn writes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** Lines of UTF-8 text, each at most MAX_LINE_BYTES; a last line without its newline is one too (and will not parse). */
async function* lines(content: AsyncIterable<Buffer>): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  const text = (b: Buffer) => {
    try {
      return decoder.decode(b);
    } catch {
      throw new ArchiveRefused(EVENTS, 'not UTF-8 text');
    }
  };
  const tooLong = () => new ArchiveRefused(EVENTS, `a line longer than ${MAX_LINE_BYTES} bytes: not an event Cairn writes`);
  for await (const chunk of content) {
    let start = 0;
    for (let nl = chunk.indexOf(10, start); nl !== -1; nl = chunk.indexOf(10, start)) {
      const piece = chunk.subarray(start, nl);
      // A line that ends in this chunk is held to the bound as well as one still pending.
      if (pendingBytes + piece.length > MAX_LINE_BYTES) throw tooLong();
      yield text(pending.length === 0 ? piece : Buffer.concat([...pending, piece]));
      pending = [];
      pendingBytes = 0;
      start = nl + 1;
    }
    if (start < chunk.length) {
      pending.push(chunk.subarray(start));
      pendingBytes += chunk.length - start;
      if (pendingBytes > MAX_LINE_BYTES) throw tooLong();
    }
  }
  if (pendingBytes > 0) yield text(Buffer.concat(pending));
}

/**
 * Reads an archive from first byte to last, once, checking it as it goes: the manifest first, then each member
 * in the manifest's order, of the size and sha256 it gives, and every event line (format.ts: EventLineReader).
 * Anything wrong is an ArchiveRefused naming the member; the sink has then been handed part of the archive,
 * and what it did must be undone by its caller. Memory stays flat: every member is streamed, and only the
 * manifest and the secrets are held whole.
 */
export async function readArchive(source: Readable, sink: ArchiveSink = {}): Promise<ArchiveSummary> {
  const extract = tar.extract();
  source.on('error', (error) => extract.destroy(error));
  source.pipe(extract);
  let manifest: Manifest | null = null;
  let next = 0;
  let current: string | null = null;
  const events = new EventLineReader();
  let blobs = 0;
  let blobBytes = 0;
  try {
    for await (const entry of extract) {
      const { name, size, type } = entry.header;
      current = name;
      if (type !== 'file') throw new ArchiveRefused(name, `a ${type} entry: an archive holds files only`);
      const content = entry as AsyncIterable<Buffer>;
      if (manifest === null) {
        if (name !== MANIFEST) throw new ArchiveRefused(null, `the archive does not begin with ${MANIFEST} (it begins with ${JSON.stringify(name.slice(0, 100))}): not a Cairn archive`);
        manifest = parseManifest((await whole(content, MAX_MANIFEST_BYTES, MANIFEST)).toString('utf8'));
        continue;
      }
      const member = manifest.members[next++];
      if (!member) throw new ArchiveRefused(name, 'follows the last member the manifest lists');
      if (member.name !== name) throw new ArchiveRefused(name, `found where the manifest puts ${member.name}`);
      if (size !== member.size) throw new ArchiveRefused(name, `${String(size)} bytes, the manifest says ${member.size}: the archive is damaged`);
      const seen = { bytes: 0, sha256: '' };
      const bytes = hashed(content, seen);
      if (name === SECRETS) {
        const text = (await whole(bytes, MAX_SECRETS_BYTES, SECRETS)).toString('utf8');
        checkWhole(member, seen);
        await sink.secrets?.(parseSecrets(text));
      } else if (name === EVENTS) {
        let batch: ArchivedEventRow[] = [];
        for await (const line of lines(bytes)) {
          batch.push(events.read(line));
          if (batch.length >= EVENT_BATCH) {
            await sink.events?.(batch);
            batch = [];
          }
        }
        checkWhole(member, seen);
        if (events.events !== manifest.counts.events) throw new ArchiveRefused(EVENTS, `${events.events} events, the manifest says ${manifest.counts.events}`);
        await sink.events?.(batch);
      } else {
        const sha256 = name.slice(BLOB_PREFIX.length);
        const kept = sink.blob ? await sink.blob(sha256, member.size, bytes) : await drain(bytes);
        try {
          checkWhole(member, seen);
        } catch (error) {
          await kept?.discard();
          throw error;
        }
        await kept?.commit();
        blobs++;
        blobBytes += member.size;
      }
    }
  } catch (error) {
    if (error instanceof ArchiveRefused) throw error;
    // tar-stream's own: the bytes stop inside a member or a header, or are not a tar at all.
    const where = current === null ? 'the archive' : `the archive, at ${current}`;
    throw new ArchiveRefused(null, `${where}, is damaged or cut short: ${(error as Error).message}`);
  } finally {
    source.unpipe(extract);
    source.destroy();
  }
  if (manifest === null) throw new ArchiveRefused(null, `the archive is empty: no ${MANIFEST}`);
  const missing = manifest.members[next];
  if (missing) throw new ArchiveRefused(missing.name, `missing: the archive ends before it (cut short?)`);
  return { manifest, events: events.events, streams: events.counts, models: events.modelStreams, blobs, blobBytes };
}

async function drain(content: AsyncIterable<Buffer>): Promise<undefined> {
  for await (const _ of content);
  return undefined;
}

function parseSecrets(text: string): Record<string, string> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ArchiveRefused(SECRETS, 'not JSON');
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new ArchiveRefused(SECRETS, 'not an object of secrets');
  for (const [name, secret] of Object.entries(value)) {
    if (!/^[a-z][a-z0-9-]{0,62}$/.test(name) || typeof secret !== 'string' || !/^[A-Za-z0-9_-]{1,512}$/.test(secret)) throw new ArchiveRefused(SECRETS, 'not an object of secrets');
  }
  return value as Record<string, string>;
}
