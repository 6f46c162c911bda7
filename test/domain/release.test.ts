import { describe, expect, it } from 'vitest';
import { DomainError, NotFoundError, ValidationError, VersionAliasedError, VersionNotPublishedError } from '../../src/domain/errors.ts';
import type { ModelCommand } from '../../src/domain/model/commands.ts';
import { compareVersions, type ComparedVersion, flatten } from '../../src/domain/model/comparison.ts';
import { decide } from '../../src/domain/model/decide.ts';
import type { ModelEvent } from '../../src/domain/model/events.ts';
import { fold, type LiveModel } from '../../src/domain/model/evolve.ts';
import type { JsonValue } from '../../src/domain/rules.ts';
import { given, limits, modelCreated, recorded, versionCreated } from '../helpers/modelSpecification.ts';

// Issue 17's rules as specifications: evaluations on datasets, aliases that deployments follow, and the
// comparison of versions side by side.

const EVALUATION_ID = '00000000-0000-4000-8000-0000000e0001';
const DATASET = { uri: 's3://data/holdout.csv', name: 'holdout' };

const published = (number: number): ModelEvent => ({ type: 'VersionPublished', data: { number } });
const aliasSet = (alias: string, number: number, previousNumber: number | null = null): ModelEvent => ({ type: 'AliasSet', data: { alias, number, previousNumber } });

/** A model with a draft version 1 and published versions 2 and 3. */
const RELEASED: ModelEvent[] = [modelCreated(), versionCreated(1), versionCreated(2), published(2), versionCreated(3), published(3)];

const record = (data: Partial<Extract<ModelCommand, { type: 'RecordEvaluation' }>['data']> = {}): ModelCommand => ({
  type: 'RecordEvaluation',
  data: { evaluationId: EVALUATION_ID, number: 2, dataset: DATASET, metrics: { auc: 0.91 }, ...data },
});

const recordedEvaluation = (data: Partial<Extract<ModelEvent, { type: 'EvaluationRecorded' }>['data']> = {}): ModelEvent => ({
  type: 'EvaluationRecorded',
  data: { number: 2, evaluationId: EVALUATION_ID, dataset: DATASET, metrics: { auc: 0.91 }, notes: null, ...data },
});

const setAlias = (alias: string, number: number): ModelCommand => ({ type: 'SetAlias', data: { alias, number } });
const removeAlias = (alias: string): ModelCommand => ({ type: 'RemoveAlias', data: { alias } });

/** The error a command ends in, for the fields a message alone does not show. */
function refusal(past: readonly ModelEvent[], command: ModelCommand): DomainError {
  try {
    decide(command, fold(recorded(past)), limits);
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error(`${command.type} was not refused`);
}

const live = (past: readonly ModelEvent[]): LiveModel => {
  const state = fold(recorded(past));
  if (state.status !== 'live') throw new Error(`the model is ${state.status}`);
  return state;
};

describe('RecordEvaluation', () => {
  it('records on a published version and on a draft alike', () => {
    given(RELEASED).when(record()).then([recordedEvaluation()]);
    given(RELEASED)
      .when(record({ number: 1, notes: 'draft, first look' }))
      .then([recordedEvaluation({ number: 1, notes: 'draft, first look' })]);
  });

  it('keeps the metrics as given, in their order', () => {
    given(RELEASED)
      .when(record({ metrics: { rmse: 0.2, auc: 1, 'f1@0.5': -3.5e-7, zero: 0 } }))
      .then([recordedEvaluation({ metrics: { rmse: 0.2, auc: 1, 'f1@0.5': -3.5e-7, zero: 0 } })]);
  });

  it('records -0 as 0, as JSON stores it: the state a command returns is the one read back', () => {
    const [event] = decide(record({ metrics: JSON.parse('{"auc": -0}') }), fold(recorded(RELEASED)), limits);
    expect(Object.is((event as Extract<ModelEvent, { type: 'EvaluationRecorded' }>).data.metrics.auc, 0)).toBe(true);
  });

  it('takes 1 to 200 metrics: 0 and 201 are VALIDATION', () => {
    const metrics = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`m${i}`, i]));
    given(RELEASED).when(record({ metrics: metrics(1) })).then([recordedEvaluation({ metrics: metrics(1) })]);
    given(RELEASED).when(record({ metrics: metrics(200) })).then([recordedEvaluation({ metrics: metrics(200) })]);
    given(RELEASED).when(record({ metrics: {} })).thenThrows(ValidationError, /at least one metric/);
    given(RELEASED).when(record({ metrics: metrics(201) })).thenThrows(ValidationError, /at most 200 metrics, not 201/);
  });

  it('takes only finite numbers as values: a string, null, a nested object, an array, a boolean, NaN or Infinity is VALIDATION naming the metric', () => {
    for (const value of ['0.9', null, { value: 0.9 }, [0.9], true, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
      const error = refusal(RELEASED, record({ metrics: { auc: 0.5, loss: value } }));
      expect(error, JSON.stringify(value)).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).field).toBe('metrics.loss');
      expect(error.message).toMatch(/Metric "loss" must be a finite number/);
    }
  });

  it('takes only a JSON object as metrics: an array, a string, a number or null is VALIDATION', () => {
    for (const metrics of [[0.9], '{"auc":0.9}', 0.9, null, undefined]) {
      const error = refusal(RELEASED, record({ metrics }));
      expect(error, JSON.stringify(metrics)).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).field).toBe('metrics');
      expect(error.message).toMatch(/must be a JSON object/);
    }
  });

  it('names a metric by 1-64 characters: 64 is kept, 65 and an empty name are VALIDATION', () => {
    const k64 = 'k'.repeat(64);
    given(RELEASED).when(record({ metrics: { [k64]: 1 } })).then([recordedEvaluation({ metrics: { [k64]: 1 } })]);
    given(RELEASED).when(record({ metrics: { [`${k64}k`]: 1 } })).thenThrows(ValidationError, /at most 64 characters/);
    given(RELEASED).when(record({ metrics: { '': 1 } })).thenThrows(ValidationError, /may not be empty/);
  });

  it('keeps metric names exactly: leading or trailing spaces, a NUL, a lone surrogate or a control character are VALIDATION', () => {
    for (const key of [' auc', 'auc ', '   ', 'a\u0000uc', 'auc\ud800', '\udc00auc', 'a\nuc', 'a\u202euc', 'a\u200buc']) {
      expect(refusal(RELEASED, record({ metrics: { [key]: 1 } })), JSON.stringify(key)).toBeInstanceOf(ValidationError);
    }
    // A surrogate pair is one character of text, and welcome.
    given(RELEASED).when(record({ metrics: { 'auc 📈': 1 } })).then([recordedEvaluation({ metrics: { 'auc 📈': 1 } })]);
  });

  it('keeps a metric named __proto__ or constructor as an own key, never as the prototype', () => {
    const metrics = JSON.parse('{"__proto__": 0.5, "constructor": 2}') as Record<string, number>;
    const [event] = decide(record({ metrics }), fold(recorded(RELEASED)), limits);
    const kept = (event as Extract<ModelEvent, { type: 'EvaluationRecorded' }>).data.metrics;
    expect(Object.keys(kept)).toEqual(['__proto__', 'constructor']);
    expect(Object.getPrototypeOf(kept)).toBe(Object.prototype);
    expect(JSON.stringify(kept)).toBe('{"__proto__":0.5,"constructor":2}');
  });

  it('takes notes of up to 10 KB; a blank note is none; one byte more, or a NUL or lone surrogate, is VALIDATION', () => {
    const max = 'é'.repeat(5 * 1024);
    given(RELEASED).when(record({ notes: max })).then([recordedEvaluation({ notes: max })]);
    given(RELEASED).when(record({ notes: '  \n ' })).then([recordedEvaluation({ notes: null })]);
    given(RELEASED).when(record({ notes: null })).then([recordedEvaluation({ notes: null })]);
    given(RELEASED).when(record({ notes: `${max}x` })).thenThrows(ValidationError, /at most 10 KB/);
    given(RELEASED).when(record({ notes: 'a\u0000b' })).thenThrows(ValidationError, /NUL/);
    given(RELEASED).when(record({ notes: 'a\udfffb' })).thenThrows(ValidationError, /surrogate/);
  });

  it('needs a dataset URI (scheme:rest, 1-2048 characters, trimmed) and takes an optional name', () => {
    given(RELEASED)
      .when(record({ dataset: { uri: '  dataset:42 ', name: '  ' } }))
      .then([recordedEvaluation({ dataset: { uri: 'dataset:42', name: null } })]);
    const long = `s3://b/${'x'.repeat(2048 - 7)}`;
    given(RELEASED)
      .when(record({ dataset: { uri: long } }))
      .then([recordedEvaluation({ dataset: { uri: long, name: null } })]);
    for (const uri of ['', '   ', 'holdout.csv', 'no scheme', '1s3://b/x', 's3:', `${long}x`, 's3://b/\u0000', 's3://b/\ud800']) {
      const error = refusal(RELEASED, record({ dataset: { uri } }));
      expect(error, JSON.stringify(uri)).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).field).toBe('dataset.uri');
    }
    for (const name of ['a\u0000b', 'a\ud800', 'a\u202eb', 'x'.repeat(201)]) {
      const error = refusal(RELEASED, record({ dataset: { uri: 'dataset:1', name } }));
      expect(error, JSON.stringify(name)).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).field).toBe('dataset.name');
    }
  });

  it('is NOT_FOUND on a missing or deleted version, or a missing or deleted model; VALIDATION for a number that is not one', () => {
    given(RELEASED).when(record({ number: 9 })).thenThrows(NotFoundError, /no version 9/);
    given([...RELEASED, { type: 'VersionDeleted', data: { number: 1 } }])
      .when(record({ number: 1 }))
      .thenThrows(NotFoundError, /no version 1/);
    given([]).when(record()).thenThrows(NotFoundError);
    given([...RELEASED, { type: 'ModelDeleted', data: {} }]).when(record()).thenThrows(NotFoundError);
    given(RELEASED).when(record({ number: 0 })).thenThrows(ValidationError);
    given(RELEASED).when(record({ number: 1.5 })).thenThrows(ValidationError);
  });

  it('keeps at most 1,000 evaluations a version', () => {
    const many = Array.from({ length: 1000 }, (_, i) => recordedEvaluation({ evaluationId: `e-${i}` }));
    given([...RELEASED, ...many]).when(record()).thenThrows(ValidationError, /1000 evaluations/);
    // The limit is a version's: another version still takes one.
    given([...RELEASED, ...many])
      .when(record({ number: 3 }))
      .then([recordedEvaluation({ number: 3 })]);
  });

  it('folds an evaluation onto its version in the order recorded, without changing the version (nor its updatedAt)', () => {
    const before = live(RELEASED).versions.find((v) => v.number === 2)!;
    const after = live([...RELEASED, recordedEvaluation({ evaluationId: 'e-1' }), recordedEvaluation({ evaluationId: 'e-2', metrics: { auc: 0.95 } })]);
    const v2 = after.versions.find((v) => v.number === 2)!;
    expect(v2.evaluations.map((e) => [e.id, e.metrics, e.streamVersion, e.recordedBy])).toEqual([
      ['e-1', { auc: 0.91 }, 7, 'alice'],
      ['e-2', { auc: 0.95 }, 8, 'alice'],
    ]);
    expect(v2.evaluations[0]!.recordedAt).toEqual(new Date(Date.UTC(2026, 0, 1, 0, 0, 6)));
    const { evaluations: _evaluations, ...unchanged } = v2;
    const { evaluations: _none, ...was } = before;
    expect(unchanged).toEqual(was);
    expect(v2.updatedAt).toEqual(before.updatedAt);
    expect(after.versions.find((v) => v.number === 3)!.evaluations).toEqual([]);
  });
});

describe('SetAlias', () => {
  it('points a new alias at a published version: previousNumber null', () => {
    given(RELEASED).when(setAlias('production', 2)).then([aliasSet('production', 2)]);
  });

  it('takes names of 1-32 characters, a lower-case letter then lower-case letters, digits, _ or -', () => {
    for (const name of ['a', 'production', 'canary-eu', 'champion_2', 'z9-_', 'a'.repeat(32)]) {
      given(RELEASED).when(setAlias(name, 2)).then([aliasSet(name, 2)]);
    }
    for (const name of ['', '1abc', '42', 'Prod', 'prodA', 'a'.repeat(33), '-prod', '_prod', 'pro d', ' prod', 'prod.eu', 'prod/eu', 'é', 'prod\u0000', 'prod\ud800']) {
      const error = refusal(RELEASED, setAlias(name, 2));
      expect(error, JSON.stringify(name)).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).field).toBe('alias');
    }
  });

  it('is VERSION_NOT_PUBLISHED on a draft, naming its number', () => {
    const error = refusal(RELEASED, setAlias('production', 1));
    expect(error).toBeInstanceOf(VersionNotPublishedError);
    expect(error).toMatchObject({ code: 'VERSION_NOT_PUBLISHED', number: 1 });
    expect(error.message).toMatch(/Version 1 is a draft/);
  });

  it('is NOT_FOUND on a missing or deleted version, or a missing or deleted model', () => {
    given(RELEASED).when(setAlias('production', 9)).thenThrows(NotFoundError, /no version 9/);
    given([...RELEASED, { type: 'VersionDeleted', data: { number: 3 } }])
      .when(setAlias('production', 3))
      .thenThrows(NotFoundError, /no version 3/);
    given([]).when(setAlias('production', 1)).thenThrows(NotFoundError);
    given([...RELEASED, { type: 'ModelDeleted', data: {} }]).when(setAlias('production', 2)).thenThrows(NotFoundError);
  });

  it('records nothing when the alias already points there', () => {
    given([...RELEASED, aliasSet('production', 2)]).when(setAlias('production', 2)).then([]);
  });

  it('moves an alias, naming the version it pointed at', () => {
    given([...RELEASED, aliasSet('production', 2)]).when(setAlias('production', 3)).then([aliasSet('production', 3, 2)]);
  });

  it('allows 10 aliases a model and refuses an 11th, though it still moves one of the 10', () => {
    const nine = Array.from({ length: 9 }, (_, i) => aliasSet(`alias-${i}`, 2));
    given([...RELEASED, ...nine]).when(setAlias('tenth', 3)).then([aliasSet('tenth', 3)]);
    const ten = [...nine, aliasSet('tenth', 3)];
    const error = refusal([...RELEASED, ...ten], setAlias('eleventh', 2));
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.message).toMatch(/at most 10 aliases/);
    given([...RELEASED, ...ten]).when(setAlias('alias-0', 3)).then([aliasSet('alias-0', 3, 2)]);
    // Removing one makes room again.
    given([...RELEASED, ...ten, { type: 'AliasRemoved', data: { alias: 'alias-4', number: 2 } }])
      .when(setAlias('eleventh', 2))
      .then([aliasSet('eleventh', 2)]);
  });

  it('folds aliases sorted by name, each with when and by whom it was last set', () => {
    const model = live([...RELEASED, aliasSet('staging', 3), aliasSet('champion', 2), aliasSet('production', 2), aliasSet('champion', 3, 2)]);
    expect(model.aliases).toEqual([
      { name: 'champion', number: 3, setAt: new Date(Date.UTC(2026, 0, 1, 0, 0, 9)), setBy: 'alice' },
      { name: 'production', number: 2, setAt: new Date(Date.UTC(2026, 0, 1, 0, 0, 8)), setBy: 'alice' },
      { name: 'staging', number: 3, setAt: new Date(Date.UTC(2026, 0, 1, 0, 0, 6)), setBy: 'alice' },
    ]);
  });
});

describe('RemoveAlias', () => {
  it('removes an alias, naming the version it pointed at; the version stays', () => {
    given([...RELEASED, aliasSet('production', 2)])
      .when(removeAlias('production'))
      .then([{ type: 'AliasRemoved', data: { alias: 'production', number: 2 } }]);
    const model = live([...RELEASED, aliasSet('production', 2), aliasSet('canary', 3), { type: 'AliasRemoved', data: { alias: 'production', number: 2 } }]);
    expect(model.aliases.map((a) => a.name)).toEqual(['canary']);
    expect(model.versions.map((v) => v.number)).toEqual([1, 2, 3]);
  });

  it('is NOT_FOUND for an alias the model does not have (never had, or removed); VALIDATION for one that is not text', () => {
    given(RELEASED).when(removeAlias('production')).thenThrows(NotFoundError, /no alias "production"/);
    given([...RELEASED, aliasSet('production', 2), { type: 'AliasRemoved', data: { alias: 'production', number: 2 } }])
      .when(removeAlias('production'))
      .thenThrows(NotFoundError);
    given([...RELEASED, aliasSet('production', 2)]).when(removeAlias('Production')).thenThrows(NotFoundError);
    given([...RELEASED, aliasSet('production', 2)]).when(removeAlias('prod\u0000')).thenThrows(ValidationError);
    given([...RELEASED, { type: 'ModelDeleted', data: {} }]).when(removeAlias('production')).thenThrows(NotFoundError);
  });
});

describe('DeleteVersion and DeleteModel with aliases', () => {
  const aliased = [...RELEASED, aliasSet('production', 2), aliasSet('champion', 2), aliasSet('staging', 3)];

  it('refuses to delete a version aliases point at: VERSION_ALIASED listing every one of them', () => {
    const error = refusal(aliased, { type: 'DeleteVersion', data: { number: 2 } });
    expect(error).toBeInstanceOf(VersionAliasedError);
    expect(error).toMatchObject({ code: 'VERSION_ALIASED', number: 2, aliases: ['champion', 'production'] });
    expect(error.message).toMatch(/"champion", "production" point at/);
    // A version no alias points at goes as before.
    given(aliased)
      .when({ type: 'DeleteVersion', data: { number: 1 } })
      .then([{ type: 'VersionDeleted', data: { number: 1 } }]);
  });

  it('deletes it once its aliases moved or were removed', () => {
    const moved = [...aliased, aliasSet('production', 3, 2)];
    given(moved).when({ type: 'DeleteVersion', data: { number: 2 } }).thenThrows(VersionAliasedError, /"champion" points at/);
    given([...moved, { type: 'AliasRemoved', data: { alias: 'champion', number: 2 } }])
      .when({ type: 'DeleteVersion', data: { number: 2 } })
      .then([{ type: 'VersionDeleted', data: { number: 2 } }]);
  });

  it('deletes a model with aliases; it is then deleted, and its aliases with it', () => {
    given(aliased).when({ type: 'DeleteModel', data: {} }).then([{ type: 'ModelDeleted', data: {} }]);
    const state = fold(recorded([...aliased, { type: 'ModelDeleted', data: {} }]));
    expect(state.status).toBe('deleted');
    expect(state).not.toHaveProperty('aliases');
    given([...aliased, { type: 'ModelDeleted', data: {} }]).when(setAlias('production', 3)).thenThrows(NotFoundError);
  });
});

describe('comparison', () => {
  const version = (hyperparameters: Record<string, JsonValue> = {}, config: Record<string, JsonValue> = {}, evaluations: ComparedVersion['evaluations'] = []): ComparedVersion => ({
    hyperparameters,
    config,
    evaluations,
  });
  const on = (uri: string, metrics: Record<string, number>) => ({ dataset: { uri }, metrics });

  it('flattens nested objects to dotted keys; arrays are leaves, and so is an empty object', () => {
    const flat = flatten({ lr: 0.1, optimizer: { name: 'adam', beta: { one: 0.9, two: 0.999 } }, layers: [64, { units: 32 }], extra: {}, none: null });
    expect([...flat]).toEqual([
      ['lr', 0.1],
      ['optimizer.name', 'adam'],
      ['optimizer.beta.one', 0.9],
      ['optimizer.beta.two', 0.999],
      ['layers', [64, { units: 32 }]],
      ['extra', {}],
      ['none', null],
    ]);
    expect([...flatten({})]).toEqual([]);
  });

  it('aligns keys across versions, hyperparameters then config sorted by key, null where a version lacks one', () => {
    const rows = compareVersions([version({ lr: 0.1, optimizer: { beta: 0.9 } }, { threshold: 0.5 }), version({ lr: 0.1, depth: 6 }, {})]);
    expect(rows).toEqual([
      { section: 'HYPERPARAMETERS', key: 'depth', dataset: null, values: [null, 6], differs: true },
      { section: 'HYPERPARAMETERS', key: 'lr', dataset: null, values: [0.1, 0.1], differs: false },
      { section: 'HYPERPARAMETERS', key: 'optimizer.beta', dataset: null, values: [0.9, null], differs: true },
      { section: 'CONFIG', key: 'threshold', dataset: null, values: [0.5, null], differs: true },
    ]);
  });

  it('sorts keys by code point, so that upper case, digits and dots come where they are in Unicode', () => {
    const rows = compareVersions([version({ b: 1, B: 1, a: { z: 1 }, 'a.y': 1, '1': 1 }), version()]);
    expect(rows.map((r) => r.key)).toEqual(['1', 'B', 'a.y', 'a.z', 'b']);
  });

  it('counts a missing key as null: null against a missing key does not differ, null against a value does', () => {
    const rows = compareVersions([version({ seed: null, lr: null }), version({ lr: 0 }), version()]);
    expect(rows).toEqual([
      { section: 'HYPERPARAMETERS', key: 'lr', dataset: null, values: [null, 0, null], differs: true },
      { section: 'HYPERPARAMETERS', key: 'seed', dataset: null, values: [null, null, null], differs: false },
    ]);
  });

  it('compares values canonically: objects with keys in another order are equal; arrays whole, in order', () => {
    const rows = compareVersions([
      version({ layers: [64, 32], schedule: [{ at: 1, lr: 0.1 }], mix: { a: 1, b: [1, { c: 2, d: 3 }] } }),
      version({ layers: [32, 64], schedule: [{ lr: 0.1, at: 1 }], mix: { b: [1, { d: 3, c: 2 }], a: 1 } }),
    ]);
    expect(rows.map((r) => [r.key, r.differs])).toEqual([
      ['layers', true],
      ['mix.a', false],
      ['mix.b', false],
      ['schedule', false],
    ]);
    // The values are given as they are, not in the canonical order.
    expect(rows.find((r) => r.key === 'mix.b')!.values).toEqual([
      [1, { c: 2, d: 3 }],
      [1, { d: 3, c: 2 }],
    ]);
  });

  it('tells 1 from "1", true from "true", and an empty object from an empty array or a missing key', () => {
    const rows = compareVersions([version({ a: 1, b: true, c: {}, d: {} }), version({ a: '1', b: 'true', c: [], d: null })]);
    expect(rows.map((r) => [r.key, r.values, r.differs])).toEqual([
      ['a', [1, '1'], true],
      ['b', [true, 'true'], true],
      ['c', [{}, []], true],
      ['d', [{}, null], true],
    ]);
    expect(compareVersions([version({ c: {} }), version({ c: {} })])[0]).toMatchObject({ key: 'c', differs: false });
  });

  it('takes metrics from the latest evaluation of each version on each dataset, sorted by dataset URI then metric name', () => {
    const rows = compareVersions([
      version({}, {}, [on('s3://d/test.csv', { auc: 0.8, loss: 0.5 }), on('s3://d/holdout.csv', { auc: 0.7 }), on('s3://d/test.csv', { auc: 0.85 })]),
      version({}, {}, [on('s3://d/test.csv', { auc: 0.85, f1: 0.6 })]),
    ]);
    expect(rows).toEqual([
      { section: 'METRICS', key: 'auc', dataset: 's3://d/holdout.csv', values: [0.7, null], differs: true },
      // The later evaluation on test.csv replaces the earlier one whole: its `loss` is gone.
      { section: 'METRICS', key: 'auc', dataset: 's3://d/test.csv', values: [0.85, 0.85], differs: false },
      { section: 'METRICS', key: 'f1', dataset: 's3://d/test.csv', values: [null, 0.6], differs: true },
    ]);
  });

  it('reads only own keys: a metric named constructor, __proto__ or toString is null where a version lacks it', () => {
    const odd = JSON.parse('{"__proto__": 0.5, "constructor": 1, "toString": 2}') as Record<string, number>;
    const rows = compareVersions([version({}, {}, [on('dataset:1', odd)]), version({}, {}, [on('dataset:1', { auc: 0.9 })])]);
    expect(rows.map((r) => [r.key, r.values, r.differs])).toEqual([
      ['__proto__', [0.5, null], true],
      ['auc', [null, 0.9], true],
      ['constructor', [1, null], true],
      ['toString', [2, null], true],
    ]);
    // Settings too: a key named like Object's members is a key like any other.
    const settings = compareVersions([version(JSON.parse('{"constructor": {"x": 1}, "__proto__": 3}') as Record<string, JsonValue>), version()]);
    expect(settings.map((r) => [r.key, r.values])).toEqual([
      ['__proto__', [3, null]],
      ['constructor.x', [1, null]],
    ]);
  });

  it('gives hyperparameters, then config, then metrics, with the values in the order of the versions given', () => {
    const a = version({ lr: 1 }, { t: 1 }, [on('dataset:1', { auc: 1 })]);
    const b = version({ lr: 2 }, { t: 2 }, [on('dataset:1', { auc: 2 })]);
    expect(compareVersions([b, a]).map((r) => [r.section, r.values])).toEqual([
      ['HYPERPARAMETERS', [2, 1]],
      ['CONFIG', [2, 1]],
      ['METRICS', [2, 1]],
    ]);
    expect(compareVersions([version(), version()])).toEqual([]);
  });
});
