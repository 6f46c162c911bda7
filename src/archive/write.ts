import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { Readable, type Writable } from 'node:stream';
import tar from 'tar-stream';
import { evolve, initialState, type LiveModel, type ModelState } from '../domain/model/evolve.ts';
import type { DomainEvent, Recorded, StreamType } from '../domain/envelope.ts';
import { BlobMissingError, type BlobStore } from '../files/blobStore.ts';
import { allServerSecrets, readSnapshotEvents, readSnapshotStreams, snapshotModelStreams, takeLogSnapshot } from '../store/archive.ts';
import type { Db, Executor } from '../store/database.ts';
import { endExportLease, renewExportLease, takeExportLease } from '../store/exportLeases.ts';
import {
  ARCHIVE_FORMAT,
  ARCHIVE_FORMAT_VERSION,
  type ArchiveMember,
  archiveBytes,
  BLOB_PREFIX,
  cairnVersion,
  eventLine,
  EVENTS,
  MANIFEST,
  type Manifest,
  SECRETS,
} from './format.ts';

export interface ExportOptions {
  /** Events read per statement. */
  batchSize?: number;
  /** How long the export's lease lasts unrenewed (it is renewed at a third of this). */
  leaseMs?: number;
}

/** An export whose contents are decided (one snapshot of the log) and counted, and whose bytes are yet to be written. */
export interface PreparedExport {
  manifest: Manifest;
  /** The archive's exact length. */
  bytes: number;
  /** Writes the archive into `out`; resolves when its last byte is written. Once only. */
  writeTo(out: Writable): Promise<void>;
  /** Gives the lease back (writeTo does when it ends); safe to call again. */
  release(): Promise<void>;
}

/** The export met something it cannot put in an archive faithfully: a blob missing or changed in the store. */
export class ExportFailed extends Error {}

/** The events of the snapshot, in position order, as events.ndjson lines, a batch to a chunk; `onBatch` sees each batch. */
async function* eventLines(db: Db, snapshot: string, batchSize: number, onBatch: (batch: Recorded<DomainEvent>[]) => void = () => {}): AsyncGenerator<Buffer> {
  let after = '0';
  for (;;) {
    const batch = await readSnapshotEvents(db, snapshot, after, batchSize);
    if (batch.length === 0) return;
    onBatch(batch);
    // One chunk per batch: the tar entry takes a few large writes better than many small ones.
    yield Buffer.from(batch.map(eventLine).join(''), 'utf8');
    after = batch[batch.length - 1]!.position;
  }
}

/**
 * The blobs the snapshot's log leaves live (every format of every live version), with their sizes: each model
 * stream folded with the domain's own evolve, a page of streams at a time, so that one model's state is held at once.
 */
export async function liveBlobs(db: Executor, snapshot: string | null): Promise<{ blobs: Map<string, number>; models: number }> {
  const blobs = new Map<string, number>();
  let models = 0;
  for (let after: string | null = null; ; ) {
    const ids = await snapshotModelStreams(db, snapshot, after, 200);
    if (ids.length === 0) return { blobs, models };
    const states = new Map<string, ModelState>();
    for (const event of await readSnapshotStreams(db, snapshot, ids)) states.set(event.streamId, evolve(states.get(event.streamId) ?? initialState(), event));
    for (const state of states.values()) {
      models++;
      if (state.status !== 'live') continue;
      for (const version of (state as LiveModel).versions) for (const f of version.formats) blobs.set(f.sha256, f.size);
    }
    after = ids[ids.length - 1]!;
  }
}

/**
 * Decides an export: takes a lease (no blob is deleted while it is held), then one snapshot of the log, and
 * reads it through once to count it and hash its events. Writing (writeTo) reads the same snapshot again, so
 * the bytes are those hashed here; they are checked again as they go out.
 */
export async function prepareExport(db: Db, blobStore: BlobStore, options: ExportOptions = {}): Promise<PreparedExport> {
  const batchSize = options.batchSize ?? 2000;
  const leaseMs = options.leaseMs ?? 60_000;
  const lease = await takeExportLease(db, leaseMs);
  let released = false;
  const renewal = setInterval(() => void renewExportLease(db, lease, leaseMs).catch(() => {}), Math.max(Math.floor(leaseMs / 3), 10));
  renewal.unref();
  const release = async () => {
    if (released) return;
    released = true;
    clearInterval(renewal);
    await endExportLease(db, lease).catch(() => {});
  };
  try {
    const snapshot = await takeLogSnapshot(db);
    const { blobs, models } = await liveBlobs(db, snapshot);
    const hash = createHash('sha256');
    let eventBytes = 0;
    let events = 0;
    const streams: Record<StreamType, number> = { model: 0, context: 0, group: 0, principal: 0 };
    const counted = (batch: Recorded<DomainEvent>[]) => {
      for (const event of batch) streams[event.streamType]++;
      events += batch.length;
    };
    for await (const chunk of eventLines(db, snapshot, batchSize, counted)) {
      hash.update(chunk);
      eventBytes += chunk.length;
    }
    const secrets = Buffer.from(`${JSON.stringify(await allServerSecrets(db), null, 2)}\n`, 'utf8');
    const blobMembers = [...blobs.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([sha256, size]) => ({ name: `${BLOB_PREFIX}${sha256}`, size, sha256 }));
    const members: ArchiveMember[] = [
      { name: SECRETS, size: secrets.length, sha256: createHash('sha256').update(secrets).digest('hex') },
      { name: EVENTS, size: eventBytes, sha256: hash.digest('hex') },
      ...blobMembers,
    ];
    const exportedAt = new Date();
    const manifest: Manifest = {
      format: ARCHIVE_FORMAT,
      formatVersion: ARCHIVE_FORMAT_VERSION,
      cairnVersion: cairnVersion(),
      exportedAt: exportedAt.toISOString(),
      counts: { events, streams, models, blobs: blobMembers.length, blobBytes: blobMembers.reduce((sum, m) => sum + m.size, 0) },
      members,
    };
    const manifestBytes = Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`, 'utf8');
    let written = false;
    return {
      manifest,
      bytes: archiveBytes(manifestBytes.length, members),
      release,
      async writeTo(out) {
        if (written) throw new Error('An export is written once');
        written = true;
        try {
          await writeTar(out, exportedAt, [
            { member: { name: MANIFEST, size: manifestBytes.length, sha256: '' }, content: () => [manifestBytes] },
            { member: members[0]!, content: () => [secrets] },
            { member: members[1]!, content: () => eventLines(db, snapshot, batchSize) },
            ...blobMembers.map((member) => ({ member, content: () => blobContent(blobStore, member) })),
          ]);
        } finally {
          await release();
        }
      },
    };
  } catch (error) {
    await release();
    throw error;
  }
}

async function blobContent(blobs: BlobStore, member: ArchiveMember): Promise<Readable> {
  try {
    return await blobs.read(member.sha256);
  } catch (error) {
    if (!(error instanceof BlobMissingError)) throw error;
    throw new ExportFailed(`The blob ${member.sha256} is missing from the blob store: the export cannot be complete (npm run verify tells which formats lack their file)`, { cause: error });
  }
}

interface TarPart {
  member: ArchiveMember;
  content: () => Iterable<Buffer> | AsyncIterable<Buffer> | Promise<Readable>;
}

/**
 * The parts as one tar, into `out`, one part at a time and with backpressure (memory stays flat). Each part's
 * bytes are counted and hashed on their way: a blob that changed in the store since it was counted ends the
 * export with an error (the archive would not match its manifest), never with a damaged archive said to be whole.
 * `out` closing early (the client went away) stops it too.
 */
async function writeTar(out: Writable, mtime: Date, parts: TarPart[]): Promise<void> {
  // Gone already (while the export was prepared): its 'close' has been emitted, and will not be again, and a
  // write to it neither fails with an 'error' nor ever drains, so the archive would wait for it for ever.
  if (out.destroyed) throw new Error('The client went away before the archive began');
  const pack = tar.pack();
  const gone = new AbortController();
  const stop = () => gone.abort(new Error('The client went away before the archive was complete'));
  const piped = new Promise<void>((resolve, reject) => {
    out.once('error', (error) => {
      stop();
      reject(error);
    });
    out.once('close', () => {
      if (out.writableFinished) return resolve();
      stop();
      reject(gone.signal.reason as Error);
    });
    out.once('finish', resolve);
  });
  piped.catch(() => {});
  const readable = pack as unknown as Readable;
  readable.on('data', (chunk: Buffer) => {
    if (!out.write(chunk)) {
      readable.pause();
      out.once('drain', () => readable.resume());
    }
  });
  readable.on('end', () => out.end());
  readable.on('error', () => {});
  try {
    for (const { member, content } of parts) {
      let added: (error?: Error | null) => void = () => {};
      const done = new Promise<void>((resolve, reject) => {
        added = (error) => (error ? reject(error) : resolve());
        gone.signal.addEventListener('abort', () => reject(gone.signal.reason as Error), { once: true });
      });
      done.catch(() => {});
      const entry = pack.entry({ name: member.name, size: member.size, mtime, mode: 0o644 }, (error) => added(error));
      // Destroying the pack (below) destroys its open entry with the same error, which an entry emits; its
      // callback has it already, and with no listener it would be thrown, uncaught, and end the process.
      entry.on('error', () => {});
      const hash = createHash('sha256');
      let bytes = 0;
      for await (const chunk of (await content()) as AsyncIterable<Buffer>) {
        gone.signal.throwIfAborted();
        bytes += chunk.length;
        if (bytes > member.size) throw new ExportFailed(`${member.name} grew past the ${member.size} bytes counted: the export stops`);
        if (member.sha256) hash.update(chunk);
        if (!entry.write(chunk)) await once(entry, 'drain', { signal: gone.signal });
      }
      if (bytes !== member.size) throw new ExportFailed(`${member.name} has ${bytes} bytes, not the ${member.size} counted: the export stops`);
      if (member.sha256 && hash.digest('hex') !== member.sha256) throw new ExportFailed(`${member.name} is not what was counted (its sha256 differs): the export stops`);
      entry.end(undefined);
      await done;
    }
    pack.finalize();
    await piped;
  } catch (error) {
    pack.destroy(error as Error);
    throw error;
  }
}
