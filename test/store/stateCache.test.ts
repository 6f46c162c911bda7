// A process's cache of the states its commands left (src/store/stateCache.ts): the next command on a model
// starts from it and reads only what was appended since, by this process or any other.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { eventRowCounter } from '../helpers/statementCounters.ts';
import { VersionPublishedError } from '../../src/domain/errors.ts';
import type { ModelCommand } from '../../src/domain/model/commands.ts';
import { fold } from '../../src/domain/model/evolve.ts';
import type { Db } from '../../src/store/database.ts';
import { readStream } from '../../src/store/eventLog.ts';
import { handleCommand } from '../../src/store/handleCommand.ts';
import { defaultContextId, openTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { limits } from '../helpers/modelSpecification.ts';

/** Counts the event rows and snapshot states statements return (not an append's RETURNING). */
const counter = eventRowCounter();

let t: TestDatabase;
let contextId: string;
/** This process's database handle, and another's on the same database: each has a cache of its own. */
let here: Db;
let elsewhere: Db;

beforeAll(async () => {
  t = await openTestDatabase();
  contextId = await defaultContextId(t.db);
  here = t.db.withPlugin(counter.plugin);
  elsewhere = t.db.withPlugin({ transformQuery: (args) => args.node, transformResult: async (args) => args.result });
});
afterAll(() => t?.close());

const run = (db: Db, modelId: string, command: ModelCommand) => handleCommand(db, modelId, command, { limits, metadata: { actor: 'alice', requestId: null }, snapshotEvery: 5 });

async function givenModel(db: Db, versions: number) {
  const id = randomUUID();
  await run(db, id, { type: 'CreateModel', data: { modelId: id, contextId, name: `m-${id}` } });
  for (let i = 0; i < versions; i++) await run(db, id, { type: 'CreateVersion', data: { description: `v${i + 1}` } });
  return id;
}

it('starts the next command from the state the last one left: no event and no snapshot read', async () => {
  const id = await givenModel(here, 12);
  counter.eventRows = 0;
  counter.snapshots = 0;
  const result = await run(here, id, { type: 'UpdateVersion', data: { number: 12, description: 'changed' } });
  expect([counter.eventRows, counter.snapshots]).toEqual([0, 0]);
  expect(result.state).toEqual(fold(await readStream(t.db, id)));
});

it("folds what another process appended since onto the cached state, and equals the log's fold", async () => {
  const id = await givenModel(here, 3);
  // The other process writes 7 events (and a snapshot) that this one has not seen.
  for (let i = 0; i < 7; i++) await run(elsewhere, id, { type: 'UpdateVersion', data: { number: 3, description: `elsewhere ${i}` } });
  counter.eventRows = 0;
  counter.snapshots = 0;
  const result = await run(here, id, { type: 'CreateVersion', data: { description: 'here' } });
  // From the cached state at version 4, a snapshot at 10 and the event after it (11) were read.
  expect(counter.snapshots).toBe(1);
  expect(counter.eventRows).toBe(1);
  expect(result.state).toEqual(fold(await readStream(t.db, id)));
  expect(result.state.streamVersion).toBe(12);
  // And the other process, whose cached state is older now, catches up the same way.
  const there = await run(elsewhere, id, { type: 'PublishVersion', data: { number: 4 } });
  expect(there.state).toEqual(fold(await readStream(t.db, id)));
});

it('decides on the current state, not the cached one, when another process changed the model', async () => {
  const id = await givenModel(here, 1);
  await run(elsewhere, id, { type: 'PublishVersion', data: { number: 1 } });
  await expect(run(here, id, { type: 'UpdateVersion', data: { number: 1, description: 'too late' } })).rejects.toBeInstanceOf(VersionPublishedError);
  expect((await readStream(t.db, id)).map((e) => e.type)).toEqual(['ModelCreated', 'VersionCreated', 'VersionPublished']);
});
