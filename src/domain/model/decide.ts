import {
  FormatLimitError,
  NotFoundError,
  UnknownFormatError,
  ValidationError,
  VersionAliasedError,
  VersionLimitError,
  VersionNotPublishedError,
  VersionPublishedError,
} from '../errors.ts';
import type { Limits } from '../limits.ts';
import * as rules from '../rules.ts';
import type { FormatInput, ModelCommand, VersionSettingsInput } from './commands.ts';
import type { ModelEvent, VersionSettings } from './events.ts';
import type { LiveModel, ModelState, VersionState } from './evolve.ts';
import { assertNever } from '../exhaustive.ts';

export type DecideLimits = Limits;


function liveModel(state: ModelState): LiveModel {
  if (state.status !== 'live') throw new NotFoundError('No such model');
  return state;
}

function version(model: LiveModel, number: number): VersionState {
  rules.versionNumber(number);
  const v = model.versions.find((x) => x.number === number);
  if (!v) throw new NotFoundError(`Model "${model.name}" has no version ${number}`);
  return v;
}

function draft(model: LiveModel, number: number): VersionState {
  const v = version(model, number);
  if (v.status === 'PUBLISHED') throw new VersionPublishedError(number);
  return v;
}

function formatFile(input: FormatInput, limits: DecideLimits, field: string) {
  rules.text(input.format, `${field}.format`);
  if (!limits.formats.includes(input.format)) throw new UnknownFormatError(input.format, limits.formats);
  return {
    format: input.format,
    sha256: rules.sha256(input.sha256, `${field}.sha256`),
    size: rules.fileSize(input.size, limits.maxUploadBytes, `${field}.size`),
    contentType: rules.contentType(input.contentType, `${field}.contentType`),
    filename: rules.filename(input.filename, `${field}.filename`),
  };
}

/** The given settings, validated; absent ones are left out (an update leaves them as they are). */
function settingsChanges(input: VersionSettingsInput): Partial<VersionSettings> {
  const out: Partial<VersionSettings> = {};
  if (input.description !== undefined) out.description = rules.description(input.description);
  if (input.tags != null) out.tags = rules.tags(input.tags);
  if (input.hyperparameters != null) out.hyperparameters = rules.jsonObject(input.hyperparameters, 'hyperparameters');
  if (input.config != null) out.config = rules.jsonObject(input.config, 'config');
  if (input.records != null) out.records = rules.records(input.records);
  return out;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** Keeps only the entries that differ from the current values, so an update that changes nothing records nothing. */
function changed<T extends object>(changes: Partial<T>, current: T): Partial<T> {
  return Object.fromEntries(Object.entries(changes).filter(([k, v]) => !same(v, current[k as keyof T]))) as Partial<T>;
}

/**
 * The Model aggregate's decisions: given its current state (a fold of its stream), a command yields the
 * events to append, or throws a DomainError. Pure: no I/O, no clock, no randomness.
 */
export function decide(command: ModelCommand, state: ModelState, limits: DecideLimits): ModelEvent[] {
  switch (command.type) {
    case 'CreateModel': {
      if (state.status !== 'absent') throw new ValidationError('modelId', 'This model id is already in use');
      const d = command.data;
      return [
        {
          type: 'ModelCreated',
          data: {
            name: rules.modelName(d.name),
            description: rules.description(d.description ?? null),
            tags: rules.tags(d.tags ?? []),
          },
        },
      ];
    }
    case 'UpdateModel': {
      const model = liveModel(state);
      const d = command.data;
      const changes: { name?: string; description?: string | null; tags?: string[] } = {};
      if (d.name != null) changes.name = rules.modelName(d.name);
      if (d.description !== undefined) changes.description = rules.description(d.description);
      if (d.tags != null) changes.tags = rules.tags(d.tags);
      const diff = changed(changes, model);
      return Object.keys(diff).length === 0 ? [] : [{ type: 'ModelUpdated', data: diff }];
    }
    case 'DeleteModel':
      liveModel(state);
      return [{ type: 'ModelDeleted', data: {} }];
    case 'CreateVersion': {
      const model = liveModel(state);
      const { formats, ...input } = command.data;
      const settings: VersionSettings = { description: null, tags: [], hyperparameters: {}, config: {}, records: [], ...settingsChanges(input) };
      if (model.versions.length >= limits.maxVersions) throw new VersionLimitError(limits.maxVersions);
      const files = (formats ?? []).map((f, i) => formatFile(f, limits, `formats.${i}`));
      const ids = new Set(files.map((f) => f.format));
      if (ids.size !== files.length) throw new ValidationError('formats', 'Each format may be given once');
      if (files.length > limits.maxFormats) throw new FormatLimitError(limits.maxFormats);
      const number = model.highestNumber + 1;
      return [
        { type: 'VersionCreated', data: { number, ...settings } },
        ...files.map((f): ModelEvent => ({ type: 'FormatUploaded', data: { number, ...f, replaced: false } })),
      ];
    }
    case 'UpdateVersion': {
      const model = liveModel(state);
      const { number, ...input } = command.data;
      const v = draft(model, number);
      const diff = changed(settingsChanges(input), v);
      return Object.keys(diff).length === 0 ? [] : [{ type: 'VersionUpdated', data: { number, ...diff } }];
    }
    case 'PublishVersion': {
      const model = liveModel(state);
      draft(model, command.data.number);
      return [{ type: 'VersionPublished', data: { number: command.data.number } }];
    }
    case 'DeleteVersion': {
      const model = liveModel(state);
      const { number } = command.data;
      version(model, number);
      // What a deployment follows is not pulled from under it: the aliases move first.
      const aliases = model.aliases.filter((a) => a.number === number).map((a) => a.name);
      if (aliases.length > 0) throw new VersionAliasedError(number, aliases);
      return [{ type: 'VersionDeleted', data: { number } }];
    }
    case 'RecordEvaluation': {
      const model = liveModel(state);
      const { evaluationId, number, dataset, metrics, notes } = command.data;
      // Draft or published: a result says something about the version, it does not change it.
      const v = version(model, number);
      const result = { dataset: rules.datasetRecord(dataset, 'dataset'), metrics: rules.metrics(metrics), notes: rules.notes(notes) };
      if (v.evaluations.length >= rules.EVALUATIONS_MAX) {
        throw new ValidationError('number', `Version ${number} already holds ${rules.EVALUATIONS_MAX} evaluations, the most a version keeps`);
      }
      return [{ type: 'EvaluationRecorded', data: { number, evaluationId, ...result } }];
    }
    case 'SetAlias': {
      const model = liveModel(state);
      const alias = rules.aliasName(command.data.alias);
      const { number } = command.data;
      const v = version(model, number);
      if (v.status !== 'PUBLISHED') throw new VersionNotPublishedError(number);
      const current = model.aliases.find((a) => a.name === alias);
      // Already there: nothing moves, nothing is recorded (and no follower is told it moved).
      if (current?.number === number) return [];
      if (!current && model.aliases.length >= rules.ALIASES_MAX) {
        throw new ValidationError('alias', `A model has at most ${rules.ALIASES_MAX} aliases; remove one to make room for "${alias}"`);
      }
      return [{ type: 'AliasSet', data: { alias, number, previousNumber: current?.number ?? null } }];
    }
    case 'RemoveAlias': {
      const model = liveModel(state);
      const { alias } = command.data;
      rules.text(alias, 'alias');
      const current = model.aliases.find((a) => a.name === alias);
      if (!current) throw new NotFoundError(`Model "${model.name}" has no alias "${alias.slice(0, 40)}"`);
      return [{ type: 'AliasRemoved', data: { alias, number: current.number } }];
    }
    case 'UploadFormat': {
      const model = liveModel(state);
      const { number, ...input } = command.data;
      const v = draft(model, number);
      const file = formatFile(input, limits, 'file');
      const replaced = v.formats.some((f) => f.format === file.format);
      if (!replaced && v.formats.length >= limits.maxFormats) throw new FormatLimitError(limits.maxFormats);
      return [{ type: 'FormatUploaded', data: { number, ...file, replaced } }];
    }
    case 'DeleteFormat': {
      const model = liveModel(state);
      const { number, format } = command.data;
      rules.text(format, 'format');
      const v = draft(model, number);
      if (!v.formats.some((f) => f.format === format)) throw new NotFoundError(`Version ${number} has no ${format} format`);
      return [{ type: 'FormatDeleted', data: { number, format } }];
    }
    default:
      return assertNever(command, 'command');
  }
}
