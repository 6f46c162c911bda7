import fs from 'node:fs';
import path from 'node:path';
import type { DomainEvent, Recorded, StreamType } from '../domain/envelope.ts';
import { CONTEXT_EVENT_TYPES, GROUP_EVENT_TYPES, PRINCIPAL_EVENT_TYPES } from '../domain/access/events.ts';
import { isUuid } from '../domain/ids.ts';
import { notText } from '../domain/rules.ts';
import { MODEL_EVENT_TYPES } from '../domain/model/events.ts';
import type { ArchivedEventRow } from '../store/archive.ts';
import { currentSchemaVersion } from '../store/upcast.ts';

// A Cairn archive (GET /admin/export, `cairn export`, `npm run import`): a tar of
//   manifest.json        what follows: format version, Cairn version, counts, each member's size and sha256
//   server-secrets.json  the server's own keys (webhook secrets are sealed with one, signed links made with another)
//   events.ndjson        every event, envelope and payload, one JSON object per line, in position order
//   blobs/<sha256>       the file of every format the log leaves live, once per content
// in that order. The manifest comes first, so that an import knows before the first event what must follow.

export const ARCHIVE_FORMAT = 'cairn-archive';
export const ARCHIVE_FORMAT_VERSION = 1;
export const MANIFEST = 'manifest.json';
export const SECRETS = 'server-secrets.json';
export const EVENTS = 'events.ndjson';
export const BLOB_PREFIX = 'blobs/';

export interface ArchiveMember {
  name: string;
  size: number;
  sha256: string;
}

export interface Manifest {
  format: typeof ARCHIVE_FORMAT;
  formatVersion: number;
  cairnVersion: string;
  exportedAt: string;
  counts: {
    events: number;
    /** Events by stream type: model, context, group, principal. */
    streams: Record<StreamType, number>;
    /** Model streams the log holds, deleted models included. */
    models: number;
    blobs: number;
    blobBytes: number;
  };
  /** Every member after the manifest, in archive order. */
  members: ArchiveMember[];
}

/** This Cairn's version (package.json's). */
export const cairnVersion = (): string =>
  (JSON.parse(fs.readFileSync(path.join(import.meta.dirname, '../../package.json'), 'utf8')) as { version: string }).version;

/** A tar member's length in the archive: a 512-byte header, then the content padded to 512 bytes. */
const memberBytes = (size: number) => 512 + Math.ceil(size / 512) * 512;

/** The archive's length in bytes, known before its first byte (the tar's two empty blocks end it). */
export const archiveBytes = (manifestSize: number, members: readonly ArchiveMember[]) =>
  memberBytes(manifestSize) + members.reduce((sum, m) => sum + memberBytes(m.size), 0) + 1024;

/** One event as events.ndjson holds it: the upcast event (the public shape's source), private data included. */
export function eventLine(event: Recorded<DomainEvent>): string {
  return `${JSON.stringify({
    position: event.position,
    eventId: event.eventId,
    streamId: event.streamId,
    streamType: event.streamType,
    contextId: event.contextId,
    streamVersion: event.streamVersion,
    type: event.type,
    schemaVersion: event.schemaVersion,
    recordedAt: event.recordedAt.toISOString(),
    metadata: event.metadata,
    data: event.data,
    privateData: event.privateData ?? null,
  })}\n`;
}

/** An archive that cannot be imported: the member it is about (or null: the archive as a whole) and what is wrong. */
export class ArchiveRefused extends Error {
  constructor(
    readonly member: string | null,
    message: string,
  ) {
    super(member === null ? message : `${member}: ${message}`);
    this.name = 'ArchiveRefused';
  }
}

const TYPES_OF: Record<StreamType, readonly string[]> = {
  model: MODEL_EVENT_TYPES,
  context: CONTEXT_EVENT_TYPES,
  group: GROUP_EVENT_TYPES,
  principal: PRINCIPAL_EVENT_TYPES,
};

/** Nesting deeper than this is no payload Cairn wrote. */
const MAX_DEPTH = 64;

/** Why a JSON value cannot be stored (a NUL or a lone surrogate, which PostgreSQL's jsonb refuses; nesting too deep), or null. */
function unstorable(value: unknown): string | null {
  const stack: { v: unknown; depth: number }[] = [{ v: value, depth: 0 }];
  while (stack.length > 0) {
    const { v, depth } = stack.pop()!;
    if (depth > MAX_DEPTH) return `nested deeper than ${MAX_DEPTH} levels`;
    if (typeof v === 'string') {
      const why = notText(v);
      if (why) return `a string holds ${why}`;
    } else if (Array.isArray(v)) {
      for (const item of v) stack.push({ v: item, depth: depth + 1 });
    } else if (v !== null && typeof v === 'object') {
      for (const [key, item] of Object.entries(v)) {
        stack.push({ v: key, depth: depth + 1 }, { v: item, depth: depth + 1 });
      }
    }
  }
  return null;
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$/;

/**
 * Reads the lines of events.ndjson in order and checks each as the log would need it (one envelope field at a
 * time, so that a damaged line is named with what is wrong): positions rising, each stream's versions 1, 2, 3 ...,
 * known types at a schema version this Cairn reads, payloads PostgreSQL can store.
 */
export class EventLineReader {
  private line = 0;
  private lastPosition = 0n;
  private readonly streams = new Map<string, { type: StreamType; version: number }>();
  readonly counts: Manifest['counts']['streams'] = { model: 0, context: 0, group: 0, principal: 0 };

  get events(): number {
    return this.line;
  }

  get modelStreams(): number {
    let n = 0;
    for (const s of this.streams.values()) if (s.type === 'model') n++;
    return n;
  }

  read(text: string): ArchivedEventRow {
    this.line++;
    const wrong = (what: string) => new ArchiveRefused(EVENTS, `line ${this.line}: ${what}`);
    let e: unknown;
    try {
      e = JSON.parse(text);
    } catch {
      throw wrong('not a JSON object (the file is damaged or cut short)');
    }
    if (!isObject(e)) throw wrong('not a JSON object');
    const { position, eventId, streamId, streamType, contextId, streamVersion, type, schemaVersion, recordedAt, metadata, data, privateData } = e;
    if (typeof position !== 'string' || !/^[1-9]\d{0,18}$/.test(position)) throw wrong('position is not a positive whole number as a string');
    if (BigInt(position) <= this.lastPosition) throw wrong(`position ${position} does not come after ${this.lastPosition}`);
    if (typeof eventId !== 'string' || !isUuid(eventId)) throw wrong('eventId is not a UUID');
    if (typeof streamId !== 'string' || !isUuid(streamId)) throw wrong('streamId is not a UUID');
    if (typeof streamType !== 'string' || !(streamType in TYPES_OF)) throw wrong(`streamType is not one of ${Object.keys(TYPES_OF).join(', ')}`);
    const kind = streamType as StreamType;
    const stream = streamId.toLowerCase();
    if (contextId !== null && (typeof contextId !== 'string' || !isUuid(contextId))) throw wrong('contextId is neither a UUID nor null');
    if (kind === 'model' && contextId === null) throw wrong("a model event's contextId is null");
    if (typeof type !== 'string' || !TYPES_OF[kind].includes(type)) throw wrong(`type ${JSON.stringify(String(type).slice(0, 64))} is not an event type of a ${kind} stream`);
    if (!Number.isInteger(schemaVersion) || (schemaVersion as number) < 1) throw wrong('schemaVersion is not a whole number from 1');
    if ((schemaVersion as number) > currentSchemaVersion(type)) {
      throw wrong(`${type} at schema version ${schemaVersion as number}: this Cairn reads up to ${currentSchemaVersion(type)}; import with the Cairn that exported it, or a newer one`);
    }
    const previous = this.streams.get(stream);
    const expected = (previous?.version ?? 0) + 1;
    if (streamVersion !== expected) throw wrong(`stream ${streamId} goes from version ${expected - 1} to ${String(streamVersion)}`);
    if (previous && previous.type !== kind) throw wrong(`stream ${streamId} is a ${previous.type} stream, not a ${kind} one`);
    if (typeof recordedAt !== 'string' || !ISO_INSTANT.test(recordedAt) || Number.isNaN(Date.parse(recordedAt))) throw wrong('recordedAt is not an ISO 8601 UTC instant');
    if (!isObject(metadata) || Object.values(metadata).some((v) => v !== null && typeof v !== 'string')) throw wrong('metadata is not an object of strings');
    if (!isObject(data)) throw wrong('data is not a JSON object');
    if (privateData !== null && !isObject(privateData)) throw wrong('privateData is neither an object nor null');
    const problem = unstorable([metadata, data, privateData, type]);
    if (problem) throw wrong(problem);
    this.lastPosition = BigInt(position);
    this.streams.set(stream, { type: kind, version: expected });
    this.counts[kind]++;
    return {
      position,
      event_id: eventId.toLowerCase(),
      stream_id: stream,
      stream_type: kind,
      context_id: contextId === null ? null : (contextId as string).toLowerCase(),
      stream_version: expected,
      type,
      schema_version: schemaVersion as number,
      data,
      private_data: privateData,
      metadata: metadata as Record<string, string | null>,
      recorded_at: recordedAt,
    };
  }
}

/** Checks a manifest's shape; the reader holds the archive to it member by member. */
export function parseManifest(text: string): Manifest {
  let m: unknown;
  try {
    m = JSON.parse(text);
  } catch {
    throw new ArchiveRefused(MANIFEST, 'not JSON');
  }
  const wrong = (what: string) => new ArchiveRefused(MANIFEST, what);
  if (!isObject(m) || m.format !== ARCHIVE_FORMAT) throw wrong(`not a Cairn archive's manifest (its format is not "${ARCHIVE_FORMAT}")`);
  if (typeof m.formatVersion !== 'number' || !Number.isInteger(m.formatVersion)) throw wrong('formatVersion is not a whole number');
  if (m.formatVersion > ARCHIVE_FORMAT_VERSION) {
    throw wrong(`archive format ${m.formatVersion}, written by Cairn ${String(m.cairnVersion)}: this Cairn (${cairnVersion()}) reads format ${ARCHIVE_FORMAT_VERSION}; import with a newer Cairn`);
  }
  if (!isObject(m.counts) || !Number.isSafeInteger(m.counts.events) || !Number.isSafeInteger(m.counts.blobs)) throw wrong('counts are missing');
  if (!Array.isArray(m.members)) throw wrong('members are missing');
  const names = new Set<string>();
  for (const member of m.members as unknown[]) {
    if (!isObject(member) || typeof member.name !== 'string' || !Number.isSafeInteger(member.size) || (member.size as number) < 0 || typeof member.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(member.sha256)) {
      throw wrong('a member is not { name, size, sha256 }');
    }
    const known = member.name === SECRETS || member.name === EVENTS || (member.name.startsWith(BLOB_PREFIX) && member.name.slice(BLOB_PREFIX.length) === member.sha256);
    if (!known) throw wrong(`${JSON.stringify(member.name.slice(0, 100))} is not a member an archive has`);
    if (names.has(member.name)) throw wrong(`${member.name} is listed twice`);
    names.add(member.name);
  }
  if (!names.has(EVENTS) || !names.has(SECRETS)) throw wrong(`${EVENTS} or ${SECRETS} is not listed`);
  return m as unknown as Manifest;
}
