import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NotFoundError } from '../../src/domain/errors.ts';
import type { ModelCommand } from '../../src/domain/model/commands.ts';
import { fold, type LiveModel } from '../../src/domain/model/evolve.ts';
import { readStream } from '../../src/store/eventLog.ts';
import { type HandleOptions, handleCommand } from '../../src/store/handleCommand.ts';
import { rebuildProjections } from '../../src/store/rebuild.ts';
import { encodeState, loadState, SNAPSHOT_EVERY, SNAPSHOT_STATE_VERSION } from '../../src/store/snapshots.ts';
import { defaultContextId, openTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { limits } from '../helpers/modelSpecification.ts';

let t: TestDatabase;
let contextId: string;

beforeAll(async () => {
  t = await openTestDatabase();
  contextId = await defaultContextId(t.db);
});
afterAll(() => t?.close());

// What a command loads from the database: without this process's state cache (stateCache.test.ts covers that),
// which would start from the state the previous command left and pass over the snapshots these tests write.
const run = (modelId: string, command: ModelCommand, options: Partial<HandleOptions> = {}) =>
  handleCommand(t.db, modelId, command, { limits, metadata: { actor: 'alice', requestId: null }, cache: false, ...options });

/** A model with `versions` versions created, every command on it snapshotting every `every` events. */
async function givenModel(versions: number, every: number) {
  const id = randomUUID();
  await run(id, { type: 'CreateModel', data: { modelId: id, contextId, name: `m-${id}` } }, { snapshotEvery: every });
  for (let i = 0; i < versions; i++) await run(id, { type: 'CreateVersion', data: { description: `v${i + 1}` } }, { snapshotEvery: every });
  return id;
}

const snapshotOf = (id: string) => t.db.selectFrom('snapshots').selectAll().where('stream_id', '=', id).executeTakeFirst();

/** Replaces the stored snapshot's state (as a forger or a stale release would). */
async function overwrite(id: string, state: unknown, stateVersion = SNAPSHOT_STATE_VERSION) {
  await t.db.updateTable('snapshots').set({ state: JSON.stringify(state), state_version: stateVersion }).where('stream_id', '=', id).execute();
}

const live = (state: unknown) => state as LiveModel;

describe('snapshots', () => {
  it(`are written when a stream crosses a multiple of ${SNAPSHOT_EVERY} events, not before`, async () => {
    const id = await givenModel(0, SNAPSHOT_EVERY);
    // Created, then version created and deleted in turn, to stay under the version limit.
    for (let v = 2; v < SNAPSHOT_EVERY; v += 2) {
      await run(id, { type: 'CreateVersion', data: {} });
      await run(id, { type: 'DeleteVersion', data: { number: v / 2 } });
    }
    expect((await readStream(t.db, id)).length).toBe(SNAPSHOT_EVERY - 1);
    expect(await snapshotOf(id)).toBeUndefined();
    await run(id, { type: 'CreateVersion', data: {} });
    const row = await snapshotOf(id);
    expect(row).toMatchObject({ stream_version: SNAPSHOT_EVERY, state_version: SNAPSHOT_STATE_VERSION });
    expect(row!.taken_at).toBeInstanceOf(Date);
  });

  it('are what a command loads: the events before the snapshot are not read again', async () => {
    const id = await givenModel(3, 2);
    const row = (await snapshotOf(id))!;
    // A state no fold of this stream gives: only a load that starts from the snapshot can return it.
    const forged = { ...live(fold(await readStream(t.db, id))), name: 'from the snapshot' };
    expect(forged.streamVersion).toBe(row.stream_version);
    await overwrite(id, encodeState(forged));
    expect(live((await loadState(t.db, id)).state).name).toBe('from the snapshot');
    const result = await run(id, { type: 'CreateVersion', data: {} });
    expect(live(result.previous).name).toBe('from the snapshot');
  });

  it('of another state version are ignored, and replaced by the next command', async () => {
    const id = await givenModel(3, 2);
    const before = (await snapshotOf(id))!;
    const truth = fold(await readStream(t.db, id));
    await overwrite(id, { ...encodeState(truth), name: 'an older shape' }, SNAPSHOT_STATE_VERSION + 1);
    expect((await loadState(t.db, id)).state).toEqual(truth);
    const result = await run(id, { type: 'UpdateVersion', data: { number: 1, description: 'changed' } }, { snapshotEvery: 2 });
    expect(live(result.previous).name).toBe(live(truth).name);
    const after = (await snapshotOf(id))!;
    expect(after).toMatchObject({ state_version: SNAPSHOT_STATE_VERSION, stream_version: before.stream_version + 1 });
    expect((await loadState(t.db, id)).state).toEqual(fold(await readStream(t.db, id)));
  });

  it('that do not read as a state are passed over, and replaced by the next command', async () => {
    const id = await givenModel(3, 2);
    const truth = fold(await readStream(t.db, id));
    for (const garbage of [{ status: 'live' }, { ...encodeState(truth), createdAt: 'not a time' }, { ...encodeState(truth), streamVersion: 1 }, 'text', null]) {
      await overwrite(id, garbage);
      expect((await loadState(t.db, id)).state).toEqual(truth);
    }
    await run(id, { type: 'UpdateModel', data: { description: 'again' } }, { snapshotEvery: 2 });
    const now = fold(await readStream(t.db, id));
    expect(await snapshotOf(id)).toMatchObject({ stream_version: now.streamVersion, state: JSON.parse(JSON.stringify(encodeState(now))) });
    expect((await loadState(t.db, id)).state).toEqual(now);
  });

  it("of a deleted model hold its last state, written at the deletion whatever the stream's length", async () => {
    const id = await givenModel(2, 1000);
    expect(await snapshotOf(id)).toBeUndefined();
    await run(id, { type: 'DeleteModel', data: {} }, { snapshotEvery: 1000 });
    const row = (await snapshotOf(id))!;
    expect(row.stream_version).toBe(4);
    expect(row.state).toEqual({ status: 'deleted', streamVersion: 4, id });
    await expect(run(id, { type: 'CreateVersion', data: {} })).rejects.toThrow(NotFoundError);
    expect((await loadState(t.db, id)).state).toEqual({ status: 'deleted', streamVersion: 4, id });
  });

  it('stay right under concurrent commands on one model (each writes its snapshot holding the stream lock)', async () => {
    const id = await givenModel(0, 3);
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => run(id, { type: 'UpdateModel', data: { description: `d${i}` } }, { snapshotEvery: 3 })));
    const events = await readStream(t.db, id);
    expect(events.length).toBe(21);
    const row = (await snapshotOf(id))!;
    expect(row.stream_version).toBe(21);
    expect((await loadState(t.db, id)).state).toEqual(fold(events));
    // Each command's result is the fold of the stream up to its own events.
    for (const r of results) expect(r.state).toEqual(fold(events.filter((e) => e.streamVersion <= r.state.streamVersion)));
  });

  it('outlive a rebuild of the read models, and stay right', async () => {
    const id = await givenModel(5, 2);
    const row = (await snapshotOf(id))!;
    await rebuildProjections(t);
    expect(await snapshotOf(id)).toEqual(row);
    await run(id, { type: 'CreateVersion', data: {} });
    expect((await loadState(t.db, id)).state).toEqual(fold(await readStream(t.db, id)));
  });
});

describe('a command given the state its precheck loaded', () => {
  it('reads only the events appended since', async () => {
    const id = await givenModel(2, 1000);
    const loaded = await loadState(t.db, id);
    const forged = { ...loaded, state: { ...live(loaded.state), name: 'as the precheck saw it' } };
    const result = await run(id, { type: 'CreateVersion', data: {} }, { known: forged });
    expect(live(result.previous).name).toBe('as the precheck saw it');
  });

  it('folds what others appended after it onto it', async () => {
    const id = await givenModel(2, 1000);
    const known = await loadState(t.db, id);
    await run(id, { type: 'CreateVersion', data: { description: 'appended meanwhile' } });
    const result = await run(id, { type: 'PublishVersion', data: { number: 3 } }, { known });
    expect(result.previous).toEqual(fold((await readStream(t.db, id)).slice(0, -1)));
    expect(live(result.state).versions.find((v) => v.number === 3)).toMatchObject({ description: 'appended meanwhile', status: 'PUBLISHED' });
  });

  it('starts from a newer snapshot when one was written after it', async () => {
    const id = await givenModel(1, 2);
    const known = await loadState(t.db, id);
    await run(id, { type: 'CreateVersion', data: {} }, { snapshotEvery: 2 });
    await run(id, { type: 'CreateVersion', data: {} }, { snapshotEvery: 2 });
    const row = (await snapshotOf(id))!;
    expect(row.stream_version).toBeGreaterThan(known.state.streamVersion);
    await overwrite(id, { ...(row.state as object), name: 'the newer snapshot' });
    const result = await run(id, { type: 'CreateVersion', data: {} }, { known });
    expect(live(result.previous).name).toBe('the newer snapshot');
  });

  it("is refused when the state is another stream's", async () => {
    const a = await givenModel(0, 1000);
    const b = await givenModel(0, 1000);
    await expect(run(b, { type: 'CreateVersion', data: {} }, { known: await loadState(t.db, a) })).rejects.toThrow(/was given for stream/);
    expect((await readStream(t.db, b)).length).toBe(1);
  });
});
