/** The streams the log holds: a model's, and the access-control aggregates'. */
export type StreamType = 'model' | 'context' | 'group' | 'principal';

/** Who caused an event and why; stored as the event's metadata. */
export interface EventMetadata {
  actor: string | null;
  requestId: string | null;
  [key: string]: string | null;
}

/** An event as a decider produces it: a type and its payload (and what only projections may read). */
export interface DomainEvent {
  type: string;
  data: unknown;
  /** Stored beside the payload, never in a public shape: a token's hash, say. */
  privateData?: unknown;
}

/** Which stream an append goes to. */
export interface StreamRef {
  id: string;
  type: StreamType;
  /** The context the stream lives in (a principal's may be none). */
  contextId: string | null;
}

/** What the log adds to every event: identity, place, time, cause, and the payload's schema version. */
export interface EventEnvelope {
  eventId: string;
  /** The current schema version of this event type: reads upcast older payloads to it. */
  schemaVersion: number;
  streamId: string;
  streamType: StreamType;
  contextId: string | null;
  streamVersion: number;
  /** Global, monotonic; a decimal string because it is an int8. */
  position: string;
  recordedAt: Date;
  metadata: EventMetadata;
  /** Null unless the event type keeps private data; only projections read it. */
  privateData: unknown;
}

/** An event as the log holds it. */
export type Recorded<E extends DomainEvent> = E & EventEnvelope;
