import { describe, expect, it } from 'vitest';
import type { ModelEvent } from '../../src/domain/model/events.ts';
import { fold, initialState, type LiveModel, type ModelState } from '../../src/domain/model/evolve.ts';
import { decodeState, encodeState } from '../../src/store/snapshots.ts';
import { formatUploaded, MODEL_ID, modelCreated, recorded, versionCreated } from '../helpers/modelSpecification.ts';

/** A model with every kind of time set: created, updated, a published version, a format uploaded. */
const events: ModelEvent[] = [
  modelCreated('churn', { tags: ['prod'] }),
  versionCreated(1),
  { type: 'VersionUpdated', data: { number: 1, hyperparameters: { lr: 0.1, layers: [1, 2, { deep: null }] } } },
  formatUploaded(1, 'pkl'),
  { type: 'VersionPublished', data: { number: 1 } },
  versionCreated(2),
  formatUploaded(2, 'rda'),
];
const model = fold(recorded(events)) as LiveModel;

/** Through the database's JSON and back, as a snapshot goes. */
const roundTrip = (state: ModelState) => decodeState(JSON.parse(JSON.stringify(encodeState(state))), state.streamVersion);

function datesIn(value: unknown): number {
  if (value instanceof Date) return 1;
  if (typeof value !== 'object' || value === null) return 0;
  return Object.values(value).reduce((n: number, v) => n + datesIn(v), 0);
}

describe('the snapshot codec', () => {
  it('gives back the state it stored, each time a Date again', () => {
    expect(model.versions[0]!.publishedAt).toBeInstanceOf(Date);
    // model: created, updated; 2 versions × created, updated; 1 published; 2 formats.
    expect(datesIn(model)).toBe(9);
    const back = roundTrip(model) as LiveModel;
    expect(back).toEqual(model);
    expect(datesIn(back)).toBe(9);
    expect(back.versions[1]!.publishedAt).toBeNull();
    expect(back.versions[0]!.formats[0]!.uploadedAt.getTime()).toBe(model.versions[0]!.formats[0]!.uploadedAt.getTime());
  });

  it('stores times as ISO strings, no Date left for JSON to turn into whatever it likes', () => {
    const stored = encodeState(model);
    expect(datesIn(stored)).toBe(0);
    expect((stored as { createdAt: string }).createdAt).toBe(model.createdAt.toISOString());
  });

  it('keeps absent and deleted states as they are', () => {
    expect(roundTrip(initialState())).toEqual(initialState());
    const deleted: ModelState = { status: 'deleted', streamVersion: 9, id: MODEL_ID };
    expect(roundTrip(deleted)).toEqual(deleted);
  });

  it('refuses what is not a state at the stream version it is stored at', () => {
    const stored = JSON.parse(JSON.stringify(encodeState(model)));
    expect(() => decodeState(stored, model.streamVersion + 1)).toThrow(/stream version/);
    expect(() => decodeState({ ...stored, status: 'archived' }, model.streamVersion)).toThrow(/Not a model state/);
    expect(() => decodeState({ ...stored, updatedAt: 'yesterday' }, model.streamVersion)).toThrow(/Not a time/);
    expect(() => decodeState({ ...stored, createdAt: 12 }, model.streamVersion)).toThrow(/Not a time/);
    expect(() => decodeState(null, 0)).toThrow();
    expect(() => decodeState('live', 0)).toThrow();
  });
});
