import type { EventEnvelope, StreamType } from '../domain/envelope.ts';

/**
 * Every event type's payload has a schema version. An event is stored at the version it was written at and
 * read at the current one: this module is the one place old payloads are brought up to date, used by every
 * reader (fold, feed, rebuild, history, subscriptions), so projections and clients only ever see the current
 * shape. Adding a version: bump the type's entry in CURRENT, add the step from the previous version to
 * UPCASTERS (a pure function of the old payload), and test it against a stored row of the old version
 * (test/store/upcast.test.ts). Never change what a stored version means.
 */

/** The current schema version of each event type; a type not listed is at version 1. */
const CURRENT: Readonly<Record<string, number>> = {
  // v2: the model's id and context moved to the envelope (stream_id, context_id).
  ModelCreated: 2,
};

type Upcaster = (data: any) => unknown;

/** For each type, the step from version n to n + 1, keyed by n. */
const UPCASTERS: Readonly<Record<string, Readonly<Record<number, Upcaster>>>> = {
  ModelCreated: {
    1: ({ modelId: _modelId, contextId: _contextId, ...rest }: Record<string, unknown>) => rest,
  },
};

export function currentSchemaVersion(type: string): number {
  return CURRENT[type] ?? 1;
}

/** A payload stored at a version newer than this code knows: the database was written by a newer Cairn. */
export class UnknownSchemaVersionError extends Error {
  constructor(type: string, version: number) {
    super(`An event of type ${type} is at schema version ${version}, newer than this Cairn knows (${currentSchemaVersion(type)}): upgrade Cairn`);
  }
}

/** The payload of a stored event at the current schema version of its type. */
export function upcast(type: string, storedVersion: number, data: unknown): unknown {
  const current = currentSchemaVersion(type);
  if (storedVersion > current || storedVersion < 1) throw new UnknownSchemaVersionError(type, storedVersion);
  let payload = data;
  for (let v = storedVersion; v < current; v++) {
    const step = UPCASTERS[type]?.[v];
    if (!step) throw new Error(`No upcaster for ${type} from schema version ${v}`);
    payload = step(payload);
  }
  return payload;
}

/**
 * The public JSON shape of an event's payload (ModelEvent.data, deprecated in favour of the typed fields):
 * the current payload, plus what a reader had in the payload before it moved to the envelope. So the shape
 * a client reads only grows.
 */
export function publicEventData(event: Pick<EventEnvelope, 'streamId' | 'contextId' | 'streamType'> & { type: string; data: unknown }): unknown {
  if (event.streamType === 'model' && event.type === 'ModelCreated') return { modelId: event.streamId, contextId: event.contextId, ...(event.data as object) };
  return event.data;
}

export type { StreamType };
