import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createContext } from '../../src/auth/directory.ts';
import { NameTakenError, NotFoundError, VersionLimitError, VersionPublishedError } from '../../src/domain/errors.ts';
import type { ModelCommand } from '../../src/domain/model/commands.ts';
import { fold } from '../../src/domain/model/evolve.ts';
import { appendToStream, appendToStreamWith, readStream, StreamVersionConflict } from '../../src/store/eventLog.ts';
import { handleCommand } from '../../src/store/handleCommand.ts';
import { modelAsOf, modelHistory } from '../../src/store/modelHistory.ts';
import { readModelWrites } from '../../src/store/projections/modelRows.ts';
import { rebuildProjections } from '../../src/store/rebuild.ts';
import { clockPast } from '../helpers/clock.ts';
import { defaultContextId, openTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { limits, SHA } from '../helpers/modelSpecification.ts';
import { allEvents, readModelRows, rowsFromFold } from '../helpers/readModels.ts';

let t: TestDatabase;
let contextId: string;

beforeAll(async () => {
  t = await openTestDatabase();
  contextId = await defaultContextId(t.db);
});
afterAll(() => t?.close());

const run = (modelId: string, command: ModelCommand, actor = 'alice') =>
  handleCommand(t.db, modelId, command, { limits, metadata: { actor, requestId: 'req-1' } });

async function createModel(name: string, extra: { tags?: string[]; description?: string } = {}) {
  const id = randomUUID();
  await run(id, { type: 'CreateModel', data: { modelId: id, contextId, name, ...extra } });
  return id;
}

describe('the event store', () => {
  it('has a default context', () => {
    expect(contextId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('appends events with positions, stream versions, metadata and time, and projects them in the same transaction', async () => {
    const id = await createModel('iris', { tags: ['demo'] });
    await run(id, { type: 'CreateVersion', data: { hyperparameters: { k: 3 } } });
    await run(id, { type: 'UploadFormat', data: { number: 1, format: 'pkl', sha256: SHA, size: 10, contentType: 'application/octet-stream', filename: 'iris.pkl' } });

    const events = await readStream(t.db, id);
    expect(events.map((e) => [e.type, e.streamVersion])).toEqual([
      ['ModelCreated', 1],
      ['VersionCreated', 2],
      ['FormatUploaded', 3],
    ]);
    expect(BigInt(events[1]!.position)).toBeGreaterThan(BigInt(events[0]!.position));
    expect(events[0]!.metadata).toEqual({ actor: 'alice', requestId: 'req-1' });
    expect(events[0]!.recordedAt).toBeInstanceOf(Date);

    const model = await t.db.selectFrom('models').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(model).toMatchObject({ name: 'iris', tags: ['demo'], version_count: 1, highest_number: 1, stream_version: 3, created_by: 'alice' });
    const version = await t.db.selectFrom('versions').selectAll().where('model_id', '=', id).executeTakeFirstOrThrow();
    expect(version).toMatchObject({ number: 1, status: 'DRAFT', hyperparameters: { k: 3 }, config: {}, records: [] });
    const format = await t.db.selectFrom('formats').selectAll().where('model_id', '=', id).executeTakeFirstOrThrow();
    expect(format).toMatchObject({ format: 'pkl', size: '10', sha256: SHA, filename: 'iris.pkl' });
  });

  it('refuses a second model with the same name in a context, whatever its case, and frees the name on deletion', async () => {
    const id = await createModel('Fraud');
    await expect(createModel('fraud')).rejects.toBeInstanceOf(NameTakenError);
    const other = await createModel('fraud-2');
    await expect(run(other, { type: 'UpdateModel', data: { name: 'FRAUD' } })).rejects.toBeInstanceOf(NameTakenError);
    // A refused command leaves no trace in the log.
    expect((await readStream(t.db, other)).length).toBe(1);
    await run(id, { type: 'DeleteModel', data: {} });
    await expect(createModel('fraud')).resolves.toBeTruthy();
  });

  it('allows the same name in another context', async () => {
    // Contexts are in the log too (a rebuild makes their rows from it): made as an administrator makes one.
    const superuser = { id: randomUUID(), name: 'root', kind: 'service' as const, superuser: true };
    const ctx = await createContext(t.db, `team-${randomUUID()}`, superuser, { actor: 'root', requestId: null });
    await createModel('shared-name');
    const id = randomUUID();
    await run(id, { type: 'CreateModel', data: { modelId: id, contextId: ctx.id, name: 'Shared-Name' } });
    expect(await t.db.selectFrom('models').select('id').where('name', 'ilike', 'shared-name').execute()).toHaveLength(2);
  });

  it('numbers versions past a deleted highest one, leaving the gap', async () => {
    const id = await createModel('gaps');
    for (let i = 0; i < 3; i++) await run(id, { type: 'CreateVersion', data: {} });
    await run(id, { type: 'DeleteVersion', data: { number: 3 } });
    await run(id, { type: 'DeleteVersion', data: { number: 1 } });
    const { state } = await run(id, { type: 'CreateVersion', data: {} });
    expect(state.status === 'live' && state.versions.map((v) => v.number)).toEqual([2, 4]);
    const rows = await t.db.selectFrom('versions').select('number').where('model_id', '=', id).orderBy('number').execute();
    expect(rows.map((r) => r.number)).toEqual([2, 4]);
  });

  it('refuses the version over the limit and changes to a published version', async () => {
    const id = await createModel('limited');
    const small = { ...limits, maxVersions: 2 };
    await handleCommand(t.db, id, { type: 'CreateVersion', data: {} }, { limits: small, metadata: { actor: null, requestId: null } });
    await handleCommand(t.db, id, { type: 'CreateVersion', data: {} }, { limits: small, metadata: { actor: null, requestId: null } });
    await expect(handleCommand(t.db, id, { type: 'CreateVersion', data: {} }, { limits: small, metadata: { actor: null, requestId: null } })).rejects.toBeInstanceOf(
      VersionLimitError,
    );
    await run(id, { type: 'PublishVersion', data: { number: 1 } });
    await expect(run(id, { type: 'UpdateVersion', data: { number: 1, description: 'x' } })).rejects.toBeInstanceOf(VersionPublishedError);
    await expect(run(randomUUID(), { type: 'DeleteModel', data: {} })).rejects.toBeInstanceOf(NotFoundError);
  });

  it('records nothing for a command that changes nothing', async () => {
    const id = await createModel('steady', { description: 'same' });
    const { events } = await run(id, { type: 'UpdateModel', data: { description: 'same' } });
    expect(events).toEqual([]);
    expect(await readStream(t.db, id)).toHaveLength(1);
  });

  it('guards every append with the stream version it expects, including "must not exist"', async () => {
    const id = await createModel('guarded');
    await expect(
      t.db.transaction().execute((trx) => appendToStream(trx, { id, type: 'model', contextId }, 0, [{ type: 'ModelDeleted' as const, data: {} }], { actor: null, requestId: null })),
    ).rejects.toBeInstanceOf(StreamVersionConflict);
    await expect(
      t.db.transaction().execute(async (trx) => {
        // With the read models' rows, as a command writes them.
        const before = fold(await readStream(trx, id));
        const writes = readModelWrites(trx, before, { status: 'deleted', streamVersion: 2, id });
        return appendToStreamWith(trx, { id, type: 'model', contextId }, 1, [{ type: 'ModelDeleted' as const, data: {} }], { actor: null, requestId: null }, { recordedAt: new Date(), writes });
      }),
    ).resolves.toHaveLength(1);
  });

  it('refuses UPDATE, DELETE and TRUNCATE on the event log', async () => {
    await createModel('immutable');
    const before = await sql<{ n: string }>`select count(*)::text as n from events`.execute(t.db);
    await expect(sql`update events set type = 'X'`.execute(t.db)).rejects.toThrow(/append-only/);
    await expect(sql`delete from events`.execute(t.db)).rejects.toThrow(/append-only/);
    await expect(sql`truncate events`.execute(t.db)).rejects.toThrow(/append-only/);
    const after = await sql<{ n: string }>`select count(*)::text as n from events`.execute(t.db);
    expect(after.rows[0]!.n).toBe(before.rows[0]!.n);
  });

  it('gives a model its history and its state as of a past position or time', async () => {
    const id = await createModel('timeline');
    await run(id, { type: 'CreateVersion', data: {} }, 'bob');
    await run(id, { type: 'CreateVersion', data: {} }, 'bob');
    const beforeDelete = await readStream(t.db, id);
    // Asked below as of the last event's own timestamp: the deletion is recorded later.
    await clockPast(beforeDelete[beforeDelete.length - 1]!.recordedAt);
    await run(id, { type: 'DeleteVersion', data: { number: 1 } }, 'carol');

    const history = await modelHistory(t.db, id, { limit: 100 });
    expect(history.map((e) => [e.type, e.metadata.actor])).toEqual([
      ['ModelCreated', 'alice'],
      ['VersionCreated', 'bob'],
      ['VersionCreated', 'bob'],
      ['VersionDeleted', 'carol'],
    ]);
    const page = await modelHistory(t.db, id, { after: history[1]!.position, limit: 1 });
    expect(page.map((e) => e.streamVersion)).toEqual([3]);

    const last = beforeDelete[beforeDelete.length - 1]!;
    const { state: byPosition } = await modelAsOf(t.db, id, { position: last.position });
    expect(byPosition.status === 'live' && byPosition.versions.map((v) => v.number)).toEqual([1, 2]);
    const { state: byTime } = await modelAsOf(t.db, id, { time: last.recordedAt });
    expect(byTime.status === 'live' && byTime.versions.map((v) => v.number)).toEqual([1, 2]);
    const { state: now } = await modelAsOf(t.db, id, {});
    expect(now.status === 'live' && now.versions.map((v) => v.number)).toEqual([2]);
    expect((await modelAsOf(t.db, id, { time: new Date(0) })).state.status).toBe('absent');
  });

  it('rebuilds exactly the rows it had, and they equal a fold of the log', async () => {
    const live = await readModelRows(t.db);
    expect(live.models.length).toBeGreaterThan(3);
    expect(live).toEqual(rowsFromFold(await allEvents(t.db)));
    const { events } = await rebuildProjections(t, { batchSize: 7 });
    // Every event of the log, the access-control streams' (the contexts') included.
    expect(events).toBe(Number((await t.db.selectFrom('events').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n));
    expect(await readModelRows(t.db)).toEqual(live);
  });
});
