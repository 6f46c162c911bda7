import type { Recorded } from '../envelope.ts';
import type { DatasetRecord, JsonObject } from '../rules.ts';

export type { EventMetadata } from '../envelope.ts';

/**
 * The Model stream's events, in their current schema version (src/store/upcast.ts keeps the versions).
 * Payloads carry only what the command decided; the model's id and context, who and when travel in the
 * envelope (RecordedEvent), which the store fills from the stream, the command's metadata and the clock.
 */
export type ModelEvent =
  | { type: 'ModelCreated'; data: { name: string; description: string | null; tags: string[] } }
  | { type: 'ModelUpdated'; data: { name?: string; description?: string | null; tags?: string[] } }
  | { type: 'ModelDeleted'; data: Record<string, never> }
  | { type: 'VersionCreated'; data: VersionSettings & { number: number } }
  | { type: 'VersionUpdated'; data: Partial<VersionSettings> & { number: number } }
  | { type: 'VersionPublished'; data: { number: number } }
  | { type: 'VersionDeleted'; data: { number: number } }
  | { type: 'FormatUploaded'; data: FormatFile & { number: number; format: string; replaced: boolean } }
  | { type: 'FormatDeleted'; data: { number: number; format: string } }
  | { type: 'EvaluationRecorded'; data: EvaluationResult & { number: number; evaluationId: string } }
  | { type: 'AliasSet'; data: { alias: string; number: number; previousNumber: number | null } }
  | { type: 'AliasRemoved'; data: { alias: string; number: number } };

export type ModelEventType = ModelEvent['type'];

export interface VersionSettings {
  description: string | null;
  tags: string[];
  hyperparameters: JsonObject;
  config: JsonObject;
  records: DatasetRecord[];
}

/** A version's results on a dataset: metric names to finite numbers. */
export interface EvaluationResult {
  dataset: DatasetRecord;
  metrics: Record<string, number>;
  notes: string | null;
}

export interface FormatFile {
  sha256: string;
  size: number;
  contentType: string;
  filename: string;
}

/** An event as the log holds it. */
export type RecordedEvent<E extends ModelEvent = ModelEvent> = Recorded<E>;

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
  'EvaluationRecorded',
  'AliasSet',
  'AliasRemoved',
];
