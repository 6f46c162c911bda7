import type { DatasetRecord, JsonObject } from '../rules.ts';

/**
 * The Model stream's events. Payloads carry only what the command decided; who and when travel in the
 * envelope (RecordedEvent), which the store fills from the command's metadata and the database clock.
 */
export type ModelEvent =
  | { type: 'ModelCreated'; data: { modelId: string; contextId: string; name: string; description: string | null; tags: string[] } }
  | { type: 'ModelUpdated'; data: { name?: string; description?: string | null; tags?: string[] } }
  | { type: 'ModelDeleted'; data: Record<string, never> }
  | { type: 'VersionCreated'; data: VersionSettings & { number: number } }
  | { type: 'VersionUpdated'; data: Partial<VersionSettings> & { number: number } }
  | { type: 'VersionPublished'; data: { number: number } }
  | { type: 'VersionDeleted'; data: { number: number } }
  | { type: 'FormatUploaded'; data: FormatFile & { number: number; format: string; replaced: boolean } }
  | { type: 'FormatDeleted'; data: { number: number; format: string } };

export type ModelEventType = ModelEvent['type'];

export interface VersionSettings {
  description: string | null;
  tags: string[];
  hyperparameters: JsonObject;
  config: JsonObject;
  records: DatasetRecord[];
}

export interface FormatFile {
  sha256: string;
  size: number;
  contentType: string;
  filename: string;
}

/** Who caused an event and why; stored as the event's metadata. */
export interface EventMetadata {
  actor: string | null;
  requestId: string | null;
  [key: string]: string | null;
}

/** An event as the log holds it. */
export type RecordedEvent<E extends ModelEvent = ModelEvent> = E & {
  streamId: string;
  streamVersion: number;
  /** Global, monotonic; a decimal string because it is an int8. */
  position: string;
  recordedAt: Date;
  metadata: EventMetadata;
};

export const MODEL_EVENT_TYPES: readonly ModelEventType[] = [
  'ModelCreated',
  'ModelUpdated',
  'ModelDeleted',
  'VersionCreated',
  'VersionUpdated',
  'VersionPublished',
  'VersionDeleted',
  'FormatUploaded',
  'FormatDeleted',
];
