import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NameTakenError, VersionLimitError } from '../../src/domain/errors.ts';
import type { ModelCommand } from '../../src/domain/model/commands.ts';
import type { Db } from '../../src/store/database.ts';
import { readStream } from '../../src/store/eventLog.ts';
import { handleCommand } from '../../src/store/handleCommand.ts';
import { defaultContextId, openTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { limits } from '../helpers/modelSpecification.ts';
import { allEvents, readModelRows, rowsFromFold } from '../helpers/readModels.ts';

// Only a server has several connections: PGlite serialises every transaction on its single one.
let t: TestDatabase;
let contextId: string;
/** Separate Kysely instances, each with its own single connection, as separate server processes would have. */
let writers: Db[];

beforeAll(async () => {
  t = await openTestDatabase('postgres');
  contextId = await defaultContextId(t.db);
  writers = Array.from({ length: 40 }, () => t.connect(1));
});
afterAll(() => t?.close());

const run = (db: Db, modelId: string, command: ModelCommand) =>
  handleCommand(db, modelId, command, { limits, metadata: { actor: 'load', requestId: null } });

async function createModel(name: string) {
  const id = randomUUID();
  await run(t.db, id, { type: 'CreateModel', data: { modelId: id, contextId, name } });
  return id;
}

describe('concurrent writers on PostgreSQL', () => {
  it('gives 20 concurrent CreateVersion calls 20 distinct, consecutive numbers and no error', async () => {
    const id = await createModel('concurrent');
    const results = await Promise.allSettled(writers.slice(0, 20).map((db) => run(db, id, { type: 'CreateVersion', data: {} })));
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    const numbers = (await t.db.selectFrom('versions').select('number').where('model_id', '=', id).execute()).map((r) => r.number);
    expect(numbers.sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    const stream = await readStream(t.db, id);
    expect(stream.map((e) => e.streamVersion)).toEqual(Array.from({ length: 21 }, (_, i) => i + 1));
  });

  it('lets exactly 30 of 40 concurrent CreateVersion calls through the limit of 30', async () => {
    const id = await createModel('at-the-limit');
    const results = await Promise.allSettled(writers.map((db) => run(db, id, { type: 'CreateVersion', data: {} })));
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(30);
    expect(refused).toHaveLength(10);
    for (const r of refused) expect(r.reason).toBeInstanceOf(VersionLimitError);
    expect(await t.db.selectFrom('versions').select('number').where('model_id', '=', id).execute()).toHaveLength(30);
  });

  it('lets one of 10 concurrent CreateModel calls with one name win; the other 9 get NAME_TAKEN', async () => {
    const results = await Promise.allSettled(
      writers.slice(0, 10).map((db, i) => {
        const id = randomUUID();
        return run(db, id, { type: 'CreateModel', data: { modelId: id, contextId, name: i % 2 ? 'Racer' : 'racer' } });
      }),
    );
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(refused).toHaveLength(9);
    for (const r of refused) expect(r.reason).toBeInstanceOf(NameTakenError);
    const rows = await t.db.selectFrom('models').select('id').where('name', 'ilike', 'racer').execute();
    expect(rows).toHaveLength(1);
    // The losers left nothing in the log either.
    const created = (await allEvents(t.db)).filter((e) => e.type === 'ModelCreated' && (e.data as { name: string }).name.toLowerCase() === 'racer');
    expect(created).toHaveLength(1);
  });

  it('keeps the read models equal to a fold of the log after all that', async () => {
    expect(await readModelRows(t.db)).toEqual(rowsFromFold(await allEvents(t.db)));
  });
});
