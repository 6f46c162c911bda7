import { sql } from 'kysely';
import type { RecordedContextEvent, RecordedGroupEvent, RecordedPrincipalEvent } from '../domain/access/events.ts';
import { absent, type ContextState, evolveContext, evolveGroup, evolvePrincipal, type GroupState, type PrincipalState } from '../domain/access/evolve.ts';
import type { DomainEvent, Recorded } from '../domain/envelope.ts';
import type { RecordedEvent } from '../domain/model/events.ts';
import { evolve, initialState, type LiveModel, type ModelState } from '../domain/model/evolve.ts';
import type { Db, Executor } from './database.ts';
import { eventColumns, readAll, readStreams, toRecorded } from './eventLog.ts';
import type { Store } from './open.ts';
import { isLockNotAvailable } from './pgErrors.ts';
import { readModelTables } from './projections/index.ts';
import { evaluationRow, formatRow, modelRow, versionRow } from './projections/modelRows.ts';

/**
 * Rows per INSERT. Each INSERT sends its rows as one JSON parameter that PostgreSQL turns into rows
 * (`jsonb_to_recordset`): one parameter instead of 13 per row, which both pg and PGlite serialise and
 * parse much faster.
 */
const INSERT_ROWS = 5000;

/** The read-model tables' columns, as `jsonb_to_recordset` needs them (the migrations define the tables). */
const COLUMNS = {
  models: 'id uuid, context_id uuid, name text, description text, tags text[], created_at timestamptz, created_by text, updated_at timestamptz, version_count integer, highest_number integer, stream_version integer, aliases jsonb',
  versions: 'model_id uuid, number integer, status text, description text, tags text[], hyperparameters jsonb, config jsonb, records jsonb, created_at timestamptz, created_by text, updated_at timestamptz, published_at timestamptz, published_by text',
  formats: 'model_id uuid, number integer, format text, filename text, size bigint, sha256 text, content_type text, uploaded_at timestamptz, uploaded_by text',
  evaluations: 'id uuid, model_id uuid, number integer, stream_version integer, dataset_uri text, dataset_name text, metrics jsonb, notes text, recorded_at timestamptz, recorded_by text',
  contexts: 'id uuid, name text, created_at timestamptz',
  principals: 'id uuid, name text, kind text, superuser boolean, created_at timestamptz, home_context_id uuid, created_by uuid',
  groups: 'id uuid, context_id uuid, name text, created_at timestamptz',
  tokens: 'id uuid, principal_id uuid, name text, secret_hash text, created_at timestamptz, expires_at timestamptz, revoked_at timestamptz, created_by uuid',
  group_members: 'group_id uuid, principal_id uuid',
  role_grants: 'id uuid, context_id uuid, role text, principal_id uuid, group_id uuid',
  webhooks:
    'id uuid, context_id uuid, url text, event_types jsonb, model_id uuid, description text, active boolean, secret_ciphertext text, created_at timestamptz, created_by text, created_position bigint',
};

/** A table's column names, in the order above: rows are inserted by name, whatever order the table's columns have. */
const columnNames = (table: ReadModelTable) => COLUMNS[table].split(', ').map((c) => c.split(' ')[0]!);

type ReadModelTable = keyof typeof COLUMNS;
/** Children first, as the projections list them; each one has its columns above. */
const tables = readModelTables.map((t) => {
  if (!(t in COLUMNS)) throw new Error(`The rebuild does not know the columns of ${t}`);
  return t as ReadModelTable;
});

/** Where a rebuild writes a read model's rows before they are swapped in. */
const rebuilt = (table: ReadModelTable) => `${table}_rebuild`;

/**
 * The key of the session-level advisory lock a rebuild holds from start to end, on any process: a second
 * rebuild is refused, and `/ready` sees it in pg_locks. Two int4 keys, so that it never meets the bigint
 * keys of the stream and blob locks.
 */
const REBUILD_LOCK = [0x63616972, 1] as const; // 'cair', 1

export class RebuildRunningError extends Error {
  constructor() {
    super('A rebuild of the read models is already running on this database; wait for it to finish.');
  }
}

export interface RebuildOptions {
  /** Events read from the log per statement. */
  batchSize?: number;
  /** Runs when the new rows are written and the swap is next; no transaction is open meanwhile (tests pause here). */
  beforeSwap?: () => Promise<void>;
}

/**
 * Rows into a new table. With `upsert`, a row whose id is there already is overwritten instead (the swap
 * rewrites the access-control rows so, as rows of other tables point at them).
 */
async function insertRows(trx: Executor, table: ReadModelTable, rows: object[], options: { upsert?: boolean } = {}): Promise<void> {
  const names = columnNames(table);
  const list = sql.join(names.map((n) => sql.id(n)));
  const conflict = options.upsert
    ? sql`on conflict (id) do update set ${sql.join(names.filter((n) => n !== 'id').map((n) => sql`${sql.id(n)} = excluded.${sql.id(n)}`))}`
    : sql``;
  // The next chunk is encoded while the database inserts this one (one statement in flight at a time).
  let inFlight: Promise<unknown> = Promise.resolve();
  for (let i = 0; i < rows.length; i += INSERT_ROWS) {
    const chunk = JSON.stringify(rows.slice(i, i + INSERT_ROWS));
    await inFlight;
    inFlight = sql`insert into ${sql.table(rebuilt(table))} (${list}) select ${list} from jsonb_to_recordset(${chunk}::jsonb) as r(${sql.raw(COLUMNS[table])}) ${conflict}`.execute(trx);
    // Settled below; until then a failure must not count as unhandled.
    inFlight.catch(() => {});
  }
  await inFlight;
}

type EventRow = Parameters<typeof toRecorded>[0];

/** The columns every reader selects, but a model event's metadata left out (its actor is selected beside them). */
const leanColumns = sql.join(
  eventColumns.map((c) =>
    c === 'position' ? sql`position::text as position` : c === 'metadata' ? sql`case when stream_type = 'model' then null else metadata end as metadata` : sql.ref(c),
  ),
);

/**
 * One page of the whole log in position order, for the fold. Through `toRecorded`, the one upcast path, but
 * leaner than `readAll`: of a model event's metadata only the actor, the one field `evolve` reads, is
 * selected (parsing the whole metadata object of every event was a tenth of the rebuild's time in Node);
 * access-control events, which read more of it (occurredAt), keep all of it.
 */
async function readLogPage(db: Executor, after: string, limit: number): Promise<Recorded<DomainEvent>[]> {
  const { rows } = await sql<Omit<EventRow, 'metadata'> & { metadata: EventRow['metadata'] | null; actor: string | null }>`
    select ${leanColumns}, metadata->>'actor' as actor
    from events where position > ${after} order by events.position limit ${limit}`.execute(db);
  return rows.map((row) => {
    row.metadata ??= { actor: row.actor };
    return toRecorded(row as EventRow);
  });
}

/** The access-control streams folded, by stream id. */
interface AccessStates {
  contexts: Map<string, ContextState>;
  groups: Map<string, GroupState>;
  principals: Map<string, PrincipalState>;
}

const noAccessStates = (): AccessStates => ({ contexts: new Map(), groups: new Map(), principals: new Map() });

/** Folds one access-control event into its stream's state with the domain's own evolve. */
function evolveAccess(states: AccessStates, event: Recorded<DomainEvent>): void {
  const id = event.streamId;
  switch (event.streamType) {
    case 'context':
      states.contexts.set(id, evolveContext(states.contexts.get(id) ?? absent(), event as RecordedContextEvent));
      return;
    case 'group':
      states.groups.set(id, evolveGroup(states.groups.get(id) ?? absent(), event as RecordedGroupEvent));
      return;
    case 'principal':
      states.principals.set(id, evolvePrincipal(states.principals.get(id) ?? absent(), event as RecordedPrincipalEvent));
      return;
    case 'model':
      return;
    default:
      throw new Error(`Unknown stream type ${String(event.streamType satisfies never)}`);
  }
}

const liveOnly = <S extends { status: string }>(states: Map<string, S>) => [...states.values()].filter((s): s is Extract<S, { status: 'live' }> => s.status === 'live');

/**
 * The access-control rows, into the new tables: what the inline projection leaves after the same events.
 * With `upsert` (the swap), over the rows written before: contexts, principals, groups and tokens are
 * never removed by an event, so overwriting them by id is enough; memberships and grants are written anew.
 */
async function writeAccessControl(trx: Executor, states: AccessStates, options: { upsert?: boolean } = {}): Promise<void> {
  const contexts = liveOnly(states.contexts);
  const groups = liveOnly(states.groups);
  const principals = liveOnly(states.principals);
  if (options.upsert) {
    await sql`delete from ${sql.table(rebuilt('role_grants'))}`.execute(trx);
    await sql`delete from ${sql.table(rebuilt('group_members'))}`.execute(trx);
    await sql`delete from ${sql.table(rebuilt('webhooks'))}`.execute(trx);
  }
  await insertRows(trx, 'contexts', contexts.map((c) => ({ id: c.id, name: c.name, created_at: c.createdAt })), options);
  await insertRows(
    trx,
    'principals',
    principals.map((p) => ({ id: p.id, name: p.name, kind: p.kind, superuser: p.superuser, created_at: p.createdAt, home_context_id: p.homeContextId, created_by: p.createdBy })),
    options,
  );
  await insertRows(trx, 'groups', groups.map((g) => ({ id: g.id, context_id: g.contextId, name: g.name, created_at: g.createdAt })), options);
  await insertRows(
    trx,
    'tokens',
    principals.flatMap((p) =>
      p.tokens.map((t) => ({
        id: t.tokenId,
        principal_id: p.id,
        name: t.name,
        secret_hash: t.secretHash,
        created_at: t.createdAt,
        expires_at: t.expiresAt,
        revoked_at: t.revokedAt,
        created_by: t.createdBy,
      })),
    ),
    options,
  );
  await insertRows(trx, 'group_members', groups.flatMap((g) => g.members.map((principalId) => ({ group_id: g.id, principal_id: principalId }))));
  await insertRows(
    trx,
    'role_grants',
    contexts.flatMap((c) => c.grants.map((g) => ({ id: g.grantId, context_id: c.id, role: g.role, principal_id: g.principalId, group_id: g.groupId }))),
  );
  await insertRows(
    trx,
    'webhooks',
    contexts.flatMap((c) =>
      c.webhooks.map((w) => ({
        id: w.webhookId, context_id: c.id, url: w.url, event_types: w.eventTypes, model_id: w.modelId, description: w.description, active: w.active,
        secret_ciphertext: w.secretCiphertext, created_at: w.createdAt, created_by: w.createdBy, created_position: w.createdPosition,
      })),
    ),
  );
}

/** The read-model rows of live models, into the new tables: what a command writes from the same fold (projections/modelRows.ts). */
async function writeModels(trx: Executor, models: LiveModel[]): Promise<void> {
  await insertRows(trx, 'models', models.map(modelRow));
  const versions = models.flatMap((m) => m.versions.map((v) => ({ m, v })));
  await insertRows(
    trx,
    'versions',
    versions.map(({ m, v }) => versionRow(m.id, v)),
  );
  await insertRows(
    trx,
    'formats',
    versions.flatMap(({ m, v }) => v.formats.map((f) => formatRow(m.id, v.number, f))),
  );
  await insertRows(
    trx,
    'evaluations',
    versions.flatMap(({ m, v }) => v.evaluations.map((e) => evaluationRow(m.id, v.number, e))),
  );
}

const ACCESS_STREAM_TYPES = ['context', 'group', 'principal'] as const;

const live = (states: Iterable<ModelState>) => [...states].filter((s): s is LiveModel => s.status === 'live');

/** An index of a new table that gets its live twin's name at the swap. */
interface IndexName {
  temporary: string;
  final: string;
}

/**
 * Creates the new tables empty, as the migrations made the live ones (columns, defaults, NOT NULL and
 * CHECK constraints); their indexes and foreign keys come after the rows (addKeys), which is faster.
 */
async function createTables(trx: Executor): Promise<void> {
  await sql`drop table if exists ${sql.join(tables.map((t) => sql.table(rebuilt(t))))}`.execute(trx);
  for (const table of [...tables].reverse()) {
    await sql`create table ${sql.table(rebuilt(table))} (like ${sql.table(table)} including all excluding indexes)`.execute(trx);
  }
}

/**
 * Gives each new table its live twin's indexes (primary and unique keys included) under temporary names,
 * and its foreign keys under their own names (a constraint's name is unique per table only); keys to a
 * read-model table point at its new twin. Copied from the catalog, so a migration that adds an index is
 * rebuilt with it.
 */
async function addKeys(trx: Executor): Promise<IndexName[]> {
  const names: IndexName[] = [];
  const parentsFirst = [...tables].reverse();
  for (const table of parentsFirst) {
    const { rows } = await sql<{ name: string; definition: string; constraint_definition: string | null }>`
      select ic.relname as name, pg_get_indexdef(i.indexrelid) as definition,
        (select pg_get_constraintdef(c.oid) from pg_constraint c where c.conindid = i.indexrelid and c.conrelid = i.indrelid and c.contype in ('p', 'u', 'x')) as constraint_definition
      from pg_index i join pg_class ic on ic.oid = i.indexrelid
      where i.indrelid = ${table}::regclass order by ic.relname`.execute(trx);
    for (const index of rows) {
      const temporary = `cairn_rebuild_${names.length}`;
      if (index.constraint_definition) {
        await sql`alter table ${sql.table(rebuilt(table))} add constraint ${sql.id(temporary)} ${sql.raw(index.constraint_definition)}`.execute(trx);
      } else {
        // pg_get_indexdef: CREATE [UNIQUE] INDEX <name> ON <table> USING <method> (...) [INCLUDE ...] [WHERE ...]
        const using = index.definition.indexOf(' USING ');
        if (using < 0) throw new Error(`Cannot copy index ${index.name}: ${index.definition}`);
        const unique = index.definition.startsWith('CREATE UNIQUE ') ? sql`unique` : sql``;
        await sql`create ${unique} index ${sql.id(temporary)} on ${sql.table(rebuilt(table))} ${sql.raw(index.definition.slice(using + 1))}`.execute(trx);
      }
      names.push({ temporary, final: index.name });
    }
  }
  for (const table of parentsFirst) {
    const { rows } = await sql<{ name: string; definition: string; referenced: string }>`
      select conname as name, pg_get_constraintdef(oid) as definition, confrelid::regclass::text as referenced
      from pg_constraint where conrelid = ${table}::regclass and contype = 'f' order by conname`.execute(trx);
    for (const key of rows) {
      let definition = key.definition;
      if ((tables as readonly string[]).includes(key.referenced)) {
        const target = `REFERENCES ${key.referenced}(`;
        if (!definition.includes(target)) throw new Error(`Cannot copy foreign key ${key.name}: ${definition}`);
        definition = definition.replace(target, `REFERENCES ${rebuilt(key.referenced as ReadModelTable)}(`);
      }
      await sql`alter table ${sql.table(rebuilt(table))} add constraint ${sql.id(key.name)} ${sql.raw(definition)}`.execute(trx);
    }
  }
  for (const table of tables) await sql`analyze ${sql.table(rebuilt(table))}`.execute(trx);
  return names;
}

/**
 * Swaps the new tables in, in one short transaction. Writers are held off first (a SHARE lock on the log
 * lets reads through and waits for appends in flight, whose transactions also write the read models), so
 * the log is final while the streams that moved since the rebuild's snapshot are folded again and their
 * rows rewritten. Then the renames, under ACCESS EXCLUSIVE locks held only for those few statements.
 * Returns how many streams were folded again.
 */
async function swap(trx: Executor, snapshot: string, indexes: IndexName[]): Promise<number> {
  // A reader holding the tables for long would queue every other reader behind this swap: give way instead, and try again.
  await sql`set local lock_timeout = '1s'`.execute(trx);
  await sql`lock table events in share mode`.execute(trx);
  const { rows } = await sql<{ stream_id: string; stream_type: string }>`
    select distinct stream_id, stream_type from events
    where transaction_id >= pg_snapshot_xmin(${snapshot}::pg_snapshot) and not pg_visible_in_snapshot(transaction_id, ${snapshot}::pg_snapshot)`.execute(trx);
  const moved = rows.filter((r) => r.stream_type === 'model').map((r) => r.stream_id);
  // Access-control streams are few and short: when any moved, all of them are folded again. First, as the
  // rows of models written meanwhile may name a context created meanwhile.
  const accessMoved = rows.length - moved.length;
  let refoldedAccess = 0;
  if (accessMoved > 0) {
    const states = noAccessStates();
    for (let after = '0'; ; ) {
      const batch = await readAll(trx, after, 5000, ACCESS_STREAM_TYPES);
      if (batch.length === 0) break;
      for (const event of batch) evolveAccess(states, event);
      after = batch[batch.length - 1]!.position;
    }
    await writeAccessControl(trx, states, { upsert: true });
    refoldedAccess = states.contexts.size + states.groups.size + states.principals.size;
  }
  if (moved.length > 0) {
    const streams = new Map<string, ModelState>();
    for (const event of await readStreams(trx, moved)) streams.set(event.streamId, evolve(streams.get(event.streamId) ?? initialState(), event));
    const ids = sql`any(${moved}::uuid[])`;
    await sql`delete from ${sql.table(rebuilt('evaluations'))} where model_id = ${ids}`.execute(trx);
    await sql`delete from ${sql.table(rebuilt('formats'))} where model_id = ${ids}`.execute(trx);
    await sql`delete from ${sql.table(rebuilt('versions'))} where model_id = ${ids}`.execute(trx);
    await sql`delete from ${sql.table(rebuilt('models'))} where id = ${ids}`.execute(trx);
    await writeModels(trx, live(streams.values()));
  }
  await sql`lock table ${sql.join(tables.map((t) => sql.table(t)))} in access exclusive mode`.execute(trx);
  await sql`drop table ${sql.join(tables.map((t) => sql.table(t)))}`.execute(trx);
  for (const table of tables) await sql`alter table ${sql.table(rebuilt(table))} rename to ${sql.id(table)}`.execute(trx);
  for (const { temporary, final } of indexes) await sql`alter index ${sql.id(temporary)} rename to ${sql.id(final)}`.execute(trx);
  return moved.length + refoldedAccess;
}

/** Swaps tried, each waiting at most lock_timeout for a lock, before the rebuild gives up. */
const SWAP_ATTEMPTS = 10;

async function rebuildHoldingLock(db: Db, options: RebuildOptions): Promise<{ events: number; refolded: number }> {
  const batchSize = options.batchSize ?? 5000;
  // One snapshot for the whole read, named so that the swap can tell which events came after it.
  const prepared = await db
    .transaction()
    .setIsolationLevel('repeatable read')
    .execute(async (trx) => {
      const { rows } = await sql<{ snapshot: string }>`select pg_current_snapshot()::text as snapshot`.execute(trx);
      const states = new Map<string, ModelState>();
      const access = noAccessStates();
      let events = 0;
      // The next page is asked for before this one is folded, so that the database reads it meanwhile.
      for (let next = readLogPage(trx, '0', batchSize); ; ) {
        const batch = await next;
        if (batch.length === 0) break;
        next = readLogPage(trx, batch[batch.length - 1]!.position, batchSize);
        next.catch(() => {}); // awaited on the next turn
        for (const event of batch) {
          if (event.streamType === 'model') states.set(event.streamId, evolve(states.get(event.streamId) ?? initialState(), event as RecordedEvent));
          else evolveAccess(access, event);
        }
        events += batch.length;
      }
      await createTables(trx);
      await writeAccessControl(trx, access);
      await writeModels(trx, live(states.values()));
      const indexes = await addKeys(trx);
      return { snapshot: rows[0]!.snapshot, events, indexes };
    });
  try {
    await options.beforeSwap?.();
    for (let attempt = 1; ; attempt++) {
      try {
        const refolded = await db.transaction().execute((trx) => swap(trx, prepared.snapshot, prepared.indexes));
        return { events: prepared.events, refolded };
      } catch (error) {
        if (!isLockNotAvailable(error)) throw error;
        if (attempt >= SWAP_ATTEMPTS) {
          throw new Error('Could not swap the rebuilt read models in: other transactions kept them locked. Nothing was changed; run the rebuild again.', { cause: error });
        }
      }
    }
  } catch (error) {
    // The live tables are as they were; the new ones would only wait for the next rebuild to drop them.
    await sql`drop table if exists ${sql.join(tables.map((t) => sql.table(rebuilt(t))))}`.execute(db).catch(() => {});
    throw error;
  }
}

/**
 * Rebuilds the read models from the log alone, while the server keeps serving reads and writes. The log
 * is read in one snapshot and folded with the domain's own `evolve` (not the inline projections event by
 * event: several statements per event), and each live model's final rows are written into new tables in
 * multi-row INSERTs, outside any lock on the live ones: readers see the old rows until the swap. The swap
 * (see `swap`) brings in what writers appended meanwhile. The tests hold the paths to the same rows
 * (live projections == rebuilt == fold), with writes during a rebuild too.
 *
 * A session-level advisory lock, on the connection that does the work, marks the rebuild for its whole
 * run: a second rebuild is refused (RebuildRunningError) and `/ready` says "rebuilding".
 *
 * The `snapshots` table is left alone: it is not a read model but a cache of the fold (see snapshots.ts),
 * each row a state its stream really had at that version, and the log never changes below it. A change to
 * what a fold yields raises SNAPSHOT_STATE_VERSION instead, which the servers running the new code act on.
 * (Emptying it in the swap would also queue a TRUNCATE behind commands that read a snapshot and then wait
 * for the swap's lock on the log: a deadlock.)
 */
export async function rebuildProjections(store: Pick<Store, 'db' | 'kind'>, options: RebuildOptions = {}): Promise<{ events: number; refolded: number }> {
  const run = async (db: Db) => {
    // One statement: PGlite's one session would take the (reentrant) lock twice, so the held lock is checked first.
    const { rows } = await sql<{ locked: boolean }>`
      select case when ${rebuildLockHeld()} then false else pg_try_advisory_lock(${REBUILD_LOCK[0]}::int4, ${REBUILD_LOCK[1]}::int4) end as locked`.execute(db);
    if (!rows[0]!.locked) throw new RebuildRunningError();
    try {
      return await rebuildHoldingLock(db, options);
    } finally {
      await sql`select pg_advisory_unlock(${REBUILD_LOCK[0]}::int4, ${REBUILD_LOCK[1]}::int4)`.execute(db).catch(() => {});
    }
  };
  // A session lock belongs to its connection: on PostgreSQL the whole rebuild runs on one connection of the
  // pool. PGlite has a single session, and pinning it would hold every other query until the end.
  return store.kind === 'postgres' ? store.db.connection().execute(run) : run(store.db);
}

const rebuildLockHeld = () => sql<boolean>`exists (
  select 1 from pg_locks
  where locktype = 'advisory' and granted and database = (select oid from pg_database where datname = current_database())
    and classid = ${REBUILD_LOCK[0]}::int4::oid and objid = ${REBUILD_LOCK[1]}::int4::oid and objsubid = 2)`;

/** Whether a rebuild runs on this database now, in this process or any other. */
export async function isRebuilding(db: Executor): Promise<boolean> {
  const { rows } = await sql<{ rebuilding: boolean }>`select ${rebuildLockHeld()} as rebuilding`.execute(db);
  return rows[0]!.rebuilding;
}
