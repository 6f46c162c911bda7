import type { DatasetRecord, JsonObject } from '../rules.ts';
import type { EvaluationResult, FormatFile, ModelEvent, RecordedEvent } from './events.ts';
import { assertNever } from '../exhaustive.ts';

export interface FormatState extends FormatFile {
  format: string;
  uploadedAt: Date;
  uploadedBy: string | null;
}

/** A version's result on a dataset, as recorded: immutable. */
export interface EvaluationState extends EvaluationResult {
  id: string;
  /** The stream version of the event that recorded it: evaluations are ordered by it (times can tie). */
  streamVersion: number;
  recordedAt: Date;
  recordedBy: string | null;
}

/** A name that points at a published version of the model. */
export interface AliasState {
  name: string;
  number: number;
  setAt: Date;
  setBy: string | null;
}

export interface VersionState {
  number: number;
  status: 'DRAFT' | 'PUBLISHED';
  description: string | null;
  tags: string[];
  hyperparameters: JsonObject;
  config: JsonObject;
  records: DatasetRecord[];
  /** Ordered by format id; at most one per id. */
  formats: FormatState[];
  /** In the order recorded. Recording one changes neither the version's settings nor its updatedAt. */
  evaluations: EvaluationState[];
  createdAt: Date;
  createdBy: string | null;
  updatedAt: Date;
  publishedAt: Date | null;
  publishedBy: string | null;
}

export interface LiveModel {
  status: 'live';
  streamVersion: number;
  id: string;
  contextId: string;
  name: string;
  description: string | null;
  tags: string[];
  createdAt: Date;
  createdBy: string | null;
  updatedAt: Date;
  /** The highest number this model has ever given a version, deleted or not: numbers are never reused. */
  highestNumber: number;
  /** Live versions, by number. */
  versions: VersionState[];
  /** By name; each points at a live, published version. */
  aliases: AliasState[];
}

export type ModelState =
  | { status: 'absent'; streamVersion: 0 }
  | LiveModel
  | { status: 'deleted'; streamVersion: number; id: string };

export const initialState = (): ModelState => ({ status: 'absent', streamVersion: 0 });


const byFormatId = (a: FormatState, b: FormatState) => (a.format < b.format ? -1 : a.format > b.format ? 1 : 0);

const byName = (a: AliasState, b: AliasState) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

const mapVersion = (model: LiveModel, number: number, f: (v: VersionState) => VersionState): VersionState[] =>
  model.versions.map((v) => (v.number === number ? f(v) : v));

/** Folds one recorded event into the state. Never fails on events decide() produced. */
export function evolve(state: ModelState, event: RecordedEvent): ModelState {
  const at = event.recordedAt;
  const actor = event.metadata.actor;
  const e = event as ModelEvent;
  if (e.type === 'ModelCreated') {
    return {
      status: 'live',
      streamVersion: event.streamVersion,
      id: event.streamId,
      // A model stream always lives in a context (the log's constraint events_model_context).
      contextId: event.contextId!,
      name: e.data.name,
      description: e.data.description,
      tags: e.data.tags,
      createdAt: at,
      createdBy: actor,
      updatedAt: at,
      highestNumber: 0,
      versions: [],
      aliases: [],
    };
  }
  if (state.status === 'deleted') return { ...state, streamVersion: event.streamVersion };
  if (state.status === 'absent') return state; // decide() never appends to a stream that was not created
  const model: LiveModel = { ...state, streamVersion: event.streamVersion, updatedAt: at };
  switch (e.type) {
    case 'ModelUpdated':
      return { ...model, ...e.data };
    case 'ModelDeleted':
      return { status: 'deleted', streamVersion: event.streamVersion, id: state.id };
    case 'VersionCreated': {
      const { number, ...settings } = e.data;
      const version: VersionState = {
        number,
        status: 'DRAFT',
        ...settings,
        formats: [],
        evaluations: [],
        createdAt: at,
        createdBy: actor,
        updatedAt: at,
        publishedAt: null,
        publishedBy: null,
      };
      return { ...model, highestNumber: Math.max(model.highestNumber, number), versions: [...model.versions, version] };
    }
    case 'VersionUpdated': {
      const { number, ...changes } = e.data;
      return { ...model, versions: mapVersion(model, number, (v) => ({ ...v, ...changes, updatedAt: at })) };
    }
    case 'VersionPublished':
      return {
        ...model,
        versions: mapVersion(model, e.data.number, (v) => ({ ...v, status: 'PUBLISHED', publishedAt: at, publishedBy: actor, updatedAt: at })),
      };
    case 'VersionDeleted':
      return { ...model, versions: model.versions.filter((v) => v.number !== e.data.number) };
    case 'FormatUploaded': {
      const { number, replaced: _replaced, ...file } = e.data;
      const format: FormatState = { ...file, uploadedAt: at, uploadedBy: actor };
      return {
        ...model,
        versions: mapVersion(model, number, (v) => ({
          ...v,
          updatedAt: at,
          formats: [...v.formats.filter((f) => f.format !== file.format), format].sort(byFormatId),
        })),
      };
    }
    case 'FormatDeleted':
      return {
        ...model,
        versions: mapVersion(model, e.data.number, (v) => ({ ...v, updatedAt: at, formats: v.formats.filter((f) => f.format !== e.data.format) })),
      };
    case 'EvaluationRecorded': {
      const { number, evaluationId, ...result } = e.data;
      const evaluation: EvaluationState = { id: evaluationId, streamVersion: event.streamVersion, ...result, recordedAt: at, recordedBy: actor };
      return { ...model, versions: mapVersion(model, number, (v) => ({ ...v, evaluations: [...v.evaluations, evaluation] })) };
    }
    case 'AliasSet': {
      const alias: AliasState = { name: e.data.alias, number: e.data.number, setAt: at, setBy: actor };
      return { ...model, aliases: [...model.aliases.filter((a) => a.name !== alias.name), alias].sort(byName) };
    }
    case 'AliasRemoved':
      return { ...model, aliases: model.aliases.filter((a) => a.name !== e.data.alias) };
    default:
      return assertNever(e);
  }
}

export const fold = (events: readonly RecordedEvent[], state: ModelState = initialState()): ModelState => events.reduce(evolve, state);
