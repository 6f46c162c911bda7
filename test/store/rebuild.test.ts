import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DomainError } from '../../src/domain/errors.ts';
import type { ModelCommand } from '../../src/domain/model/commands.ts';
import type { Db } from '../../src/store/database.ts';
import { handleCommand } from '../../src/store/handleCommand.ts';
import { isRebuilding, RebuildRunningError, rebuildProjections } from '../../src/store/rebuild.ts';
import { defaultContextId, openTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { type Served, serveTestApi } from '../helpers/fixtures.ts';
import { limits } from '../helpers/modelSpecification.ts';
import { allEvents, readModelRows, rowsFromFold } from '../helpers/readModels.ts';

/**
 * A rebuild runs beside a serving Cairn: readers see the old rows until the swap, writes made meanwhile
 * are in the rebuilt rows, and /ready says "rebuilding". Each rebuild here is held just before its swap
 * (the beforeSwap hook) so that the test acts while it is in progress, at a known point.
 */

/** A rebuild that stops before its swap until resumed; `reached` says whether it got there before it ended. */
function heldRebuild(store: Pick<TestDatabase, 'db' | 'kind'>) {
  let pause!: () => void;
  const paused = new Promise<'paused'>((resolve) => (pause = () => resolve('paused')));
  let resume!: () => void;
  const gate = new Promise<void>((resolve) => (resume = resolve));
  const done = rebuildProjections(store, {
    batchSize: 3,
    beforeSwap: () => {
      pause();
      return gate;
    },
  });
  const finished = done.then(
    () => 'finished' as const,
    () => 'failed' as const,
  );
  return { reached: Promise.race([paused, finished]), resume, done, finished };
}

/**
 * Runs a read on a connection of its own and settles when the read does, or as soon as that connection
 * waits for a lock (a rebuild holding the read models would make it wait until the rebuild ends, and the
 * rebuild here waits for the test). PGlite has one connection and no lock waits between sessions.
 */
async function readWithoutWaiting<T>(t: TestDatabase, read: (db: Db) => Promise<T>): Promise<T> {
  if (t.kind === 'pglite') return read(t.db);
  return t.db.connection().execute(async (connection) => {
    const { rows } = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(connection);
    let settled = false;
    const result = read(connection).finally(() => (settled = true));
    const waiting = (async () => {
      while (!settled) {
        const lock = await sql<{ relation: string | null }>`select relation::regclass::text as relation from pg_locks where pid = ${rows[0]!.pid} and not granted`.execute(t.db);
        if (lock.rows.length > 0) throw new Error(`The read waits for a lock on ${lock.rows[0]!.relation} while the rebuild runs`);
      }
      return result;
    })();
    return Promise.race([result, waiting]);
  });
}

/** The read-model tables' indexes and constraints, by name and definition: the rebuild must leave them as the migrations made them. */
async function readModelSchema(db: Db) {
  const { rows } = await sql<{ item: string }>`
    select c.conrelid::regclass::text || ' constraint ' || c.conname || ': ' || pg_get_constraintdef(c.oid) as item
    from pg_constraint c where c.conrelid in ('models'::regclass, 'versions'::regclass, 'formats'::regclass)
    union all
    select i.indrelid::regclass::text || ' index ' || ic.relname || ': ' || pg_get_indexdef(i.indexrelid)
    from pg_index i join pg_class ic on ic.oid = i.indexrelid where i.indrelid in ('models'::regclass, 'versions'::regclass, 'formats'::regclass)
    union all
    select 'table ' || tablename from pg_tables where tablename like '%rebuild%'
    order by 1`.execute(db);
  return rows.map((r) => r.item);
}

describe('a rebuild beside the running store', () => {
  let t: TestDatabase;
  let contextId: string;
  beforeAll(async () => {
    t = await openTestDatabase();
    contextId = await defaultContextId(t.db);
  });
  afterAll(() => t?.close());

  const run = (modelId: string, command: ModelCommand) => handleCommand(t.db, modelId, command, { limits, metadata: { actor: 'alice', requestId: null } });
  async function createModel(name: string): Promise<string> {
    const id = randomUUID();
    await run(id, { type: 'CreateModel', data: { modelId: id, contextId, name, tags: [] } });
    return id;
  }

  it('lets reads through while it runs, serving the old rows until the swap, and keeps the schema the migrations made', async () => {
    const ids = [await createModel('reads-a'), await createModel('reads-b')];
    await run(ids[0]!, { type: 'CreateVersion', data: {} });
    // Read models that drifted from the log (the reason to rebuild): the rebuild must replace these rows.
    await sql`update models set description = 'drifted' where id = any(${ids}::uuid[])`.execute(t.db);
    const before = await readModelRows(t.db);
    const schema = await readModelSchema(t.db);

    const rebuild = heldRebuild(t);
    expect(await rebuild.reached).toBe('paused');
    // The read finishes while the rebuild is held: it wins the race against the rebuild's end.
    const read = readWithoutWaiting(t, readModelRows);
    expect(await Promise.race([read.then(() => 'read'), rebuild.finished])).toBe('read');
    expect(await read).toEqual(before);
    expect(await isRebuilding(t.db)).toBe(true);

    rebuild.resume();
    await rebuild.done;
    const after = await readModelRows(t.db);
    expect(after).toEqual(rowsFromFold(await allEvents(t.db)));
    expect(after.models.filter((m) => ids.includes(m.id)).map((m) => m.description)).toEqual([null, null]);
    expect(await readModelSchema(t.db)).toEqual(schema);
    expect(await isRebuilding(t.db)).toBe(false);
  });

  it('keeps the events appended while it runs, including those racing its swap', async () => {
    const kept = await createModel('kept');
    const renamed = await createModel('renamed');
    const deleted = await createModel('deleted');
    await run(kept, { type: 'CreateVersion', data: {} });

    const rebuild = heldRebuild(t);
    expect(await rebuild.reached).toBe('paused');
    // Written while held, after the rebuild read the log: a new model, a new version, a name given up and taken, a deletion.
    const added = await createModel('added during the rebuild');
    await run(kept, { type: 'CreateVersion', data: { tags: ['during'] } });
    await run(renamed, { type: 'UpdateModel', data: { name: 'renamed later' } });
    await run(await createModel('another'), { type: 'UpdateModel', data: { name: 'renamed' } });
    await run(deleted, { type: 'DeleteModel', data: {} });
    // And writes that may land before, during or after the swap (on PostgreSQL, other connections).
    const racing = Array.from({ length: 8 }, (_, i) => run(i % 2 ? kept : added, { type: 'CreateVersion', data: {} }));
    rebuild.resume();
    const { refolded } = await rebuild.done;
    await Promise.all(racing);

    const rows = await readModelRows(t.db);
    expect(rows).toEqual(rowsFromFold(await allEvents(t.db)));
    expect(refolded).toBeGreaterThanOrEqual(5);
    expect(rows.models.map((m) => m.name)).toEqual(expect.arrayContaining(['added during the rebuild', 'renamed later', 'renamed', 'kept']));
    expect(rows.models.map((m) => m.id)).not.toContain(deleted);
    expect(rows.versions.filter((v) => v.model_id === kept).length).toBe(2 + 4);
    expect(rows.versions.filter((v) => v.model_id === added).length).toBe(4);
  });

  it('refuses a second rebuild while one runs, from this connection or another', async () => {
    const rebuild = heldRebuild(t);
    expect(await rebuild.reached).toBe('paused');
    try {
      await expect(rebuildProjections(t)).rejects.toThrow(RebuildRunningError);
      if (t.kind === 'postgres') {
        const other = t.connect(2);
        await expect(rebuildProjections({ db: other, kind: 'postgres' })).rejects.toThrow(/already running/);
        expect(await isRebuilding(other)).toBe(true);
      }
    } finally {
      rebuild.resume();
    }
    await rebuild.done;
    expect(await isRebuilding(t.db)).toBe(false);
    await rebuildProjections(t);
  });

  it('changes nothing when it fails before its swap, and leaves neither its tables nor its lock behind', async () => {
    await createModel('failed-rebuild');
    await sql`update models set description = 'drifted' where name = 'failed-rebuild'`.execute(t.db);
    const before = await readModelRows(t.db);
    const schema = await readModelSchema(t.db);
    const failure = new Error('stopped before the swap');
    await expect(rebuildProjections(t, { beforeSwap: () => Promise.reject(failure) })).rejects.toBe(failure);
    expect(await readModelRows(t.db)).toEqual(before);
    expect(await readModelSchema(t.db)).toEqual(schema);
    expect(await isRebuilding(t.db)).toBe(false);
    await rebuildProjections(t);
    expect(await readModelRows(t.db)).toEqual(rowsFromFold(await allEvents(t.db)));
  });

  // Small pools make collisions likely: a name taken twice, a deleted version updated, a limit reached.
  const name = fc.constantFrom('alpha', 'Alpha', 'beta', 'gamma');
  const number = fc.integer({ min: 1, max: 4 });
  const command: fc.Arbitrary<ModelCommand> = fc.oneof(
    name.map((n) => ({ type: 'CreateModel', data: { modelId: '', contextId: '', name: n, tags: [] } }) as ModelCommand),
    name.map((n) => ({ type: 'UpdateModel', data: { name: n } }) as ModelCommand),
    fc.constant({ type: 'DeleteModel', data: {} } as ModelCommand),
    fc.constant({ type: 'CreateVersion', data: {} } as ModelCommand),
    number.map((n) => ({ type: 'PublishVersion', data: { number: n } }) as ModelCommand),
    number.map((n) => ({ type: 'DeleteVersion', data: { number: n } }) as ModelCommand),
    fc.record({ number, format: fc.constantFrom('pkl', 'rda') }).map(
      (d) => ({ type: 'UploadFormat', data: { ...d, sha256: 'a'.repeat(64), size: 1, contentType: 'application/octet-stream', filename: 'm.bin' } }) as ModelCommand,
    ),
  );

  it('rebuilds what a fold of the log gives, whatever was written before it and while it ran', async () => {
    const steps = fc.array(fc.tuple(fc.integer({ min: 0, max: 2 }), command), { maxLength: 12 });
    await fc.assert(
      fc.asyncProperty(steps, steps, async (before, during) => {
        const ids = [randomUUID(), randomUUID(), randomUUID()];
        const apply = async (list: typeof before) => {
          for (const [which, cmd] of list) {
            const id = ids[which]!;
            const c = cmd.type === 'CreateModel' ? { ...cmd, data: { ...cmd.data, modelId: id, contextId } } : cmd;
            await run(id, c).catch((error: unknown) => {
              if (!(error instanceof DomainError)) throw error;
            });
          }
        };
        await apply(before);
        const live = await readModelRows(t.db);
        const rebuild = heldRebuild(t);
        expect(await rebuild.reached).toBe('paused');
        await apply(during);
        rebuild.resume();
        await rebuild.done;
        const rebuilt = await readModelRows(t.db);
        expect(rebuilt).toEqual(rowsFromFold(await allEvents(t.db)));
        if (during.length === 0) expect(rebuilt).toEqual(live);
      }),
      { numRuns: 15 },
    );
  });
});

describe('/ready while a rebuild runs', () => {
  let s: Served;
  beforeAll(async () => {
    s = await serveTestApi();
  });
  afterAll(() => s?.close());

  const readiness = async () => {
    const response = await fetch(`${s.url}/ready`);
    return { status: response.status, body: await response.json() };
  };

  it('says "rebuilding" (200) while a rebuild runs, in this process or on another connection, and serves old rows and new writes', async () => {
    const t = s.api.t;
    const { createModel } = await s.asAdmin('mutation { createModel(input: { name: "served", description: "as created" }) { ... on CreateModelSuccess { model { id } } } }');
    const id = createModel.model.id as string;
    await sql`update models set description = 'drifted' where id = ${id}`.execute(t.db);
    expect(await readiness()).toEqual({ status: 200, body: { status: 'ready' } });

    // On PostgreSQL, from other connections than the server's, as `npm run rebuild` in another process would.
    const rebuilding = t.kind === 'postgres' ? { db: t.connect(2), kind: 'postgres' as const } : t;
    const rebuild = heldRebuild(rebuilding);
    expect(await rebuild.reached).toBe('paused');
    expect(await readiness()).toEqual({ status: 200, body: { status: 'rebuilding' } });
    const during = await s.asAdmin(`{ model(id: "${id}") { description } }`);
    expect(during.model.description).toBe('drifted');
    const added = await s.asAdmin('mutation { createModel(input: { name: "added while rebuilding" }) { ... on CreateModelSuccess { model { id } } } }');
    rebuild.resume();
    await rebuild.done;

    expect(await readiness()).toEqual({ status: 200, body: { status: 'ready' } });
    const after = await s.asAdmin(`{ a: model(id: "${id}") { description } b: model(id: "${added.createModel.model.id}") { name } }`);
    expect(after).toEqual({ a: { description: 'as created' }, b: { name: 'added while rebuilding' } });
  });
});
