import { PGlite } from '@electric-sql/pglite';
import { Kysely, PGliteDialect, sql } from 'kysely';
import { Migrator } from 'kysely/migration';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrations } from '../../migrations/index.ts';
import * as directory from '../../src/auth/directory.ts';
import { AuthenticationError, identify } from '../../src/auth/identity.ts';
import { hashSecret } from '../../src/auth/tokens.ts';
import type { Database, Db } from '../../src/store/database.ts';
import { PGLITE_PARSERS } from '../../src/store/open.ts';
import { rebuildProjections } from '../../src/store/rebuild.ts';
import { ADMIN_TOKEN } from '../helpers/api.ts';
import { openTestDatabase, testDatabaseKind } from '../helpers/database.ts';
import { givenContext, givenPrincipal, type Served, serveTestApi, uniqueName } from '../helpers/fixtures.ts';

/**
 * Access control is in the log: its seven tables (webhooks too) are projections. A rebuild from the log alone gives the
 * same rows (to the microsecond), and tokens authenticate after it as before; an installation from before
 * migrates into a log that rebuilds to the rows it had.
 */

const ACCESS_TABLES = [
  ['contexts', 'id'],
  ['principals', 'id'],
  ['groups', 'id'],
  ['tokens', 'id'],
  ['group_members', 'group_id, principal_id'],
  ['role_grants', 'id'],
  ['webhooks', 'id'],
] as const;

/** Every row of the seven tables, as PostgreSQL prints it (times with their microseconds), in key order. */
async function accessRows(db: Db, tables: readonly (readonly [string, string])[] = ACCESS_TABLES): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const [table, key] of tables) {
    const { rows } = await sql<{ row: string }>`select row_to_json(t)::text as row from ${sql.table(table)} t order by ${sql.raw(key)}`.execute(db);
    out[table] = rows.map((r) => r.row);
  }
  return out;
}

/** The seven tables' constraints and indexes, by name and definition: a rebuild leaves them as the migrations made them. */
async function accessSchema(db: Db): Promise<string[]> {
  const tables = sql.join(ACCESS_TABLES.map(([table]) => sql`${table}::regclass`));
  const { rows } = await sql<{ item: string }>`
    select c.conrelid::regclass::text || ' constraint ' || c.conname || ': ' || pg_get_constraintdef(c.oid) as item
    from pg_constraint c where c.conrelid in (${tables})
    union all
    select i.indrelid::regclass::text || ' index ' || ic.relname || ': ' || pg_get_indexdef(i.indexrelid)
    from pg_index i join pg_class ic on ic.oid = i.indexrelid where i.indrelid in (${tables})
    order by 1`.execute(db);
  return rows.map((r) => r.item);
}

const ME = '{ me { principal { name } context { name } } }';

describe('a rebuild of the access-control tables', () => {
  let s: Served;
  let db: Db;
  const secrets: Record<'kept' | 'revoked' | 'capped', string> = { kept: '', revoked: '', capped: '' };
  let context: { id: string; name: string };

  beforeAll(async () => {
    s = await serveTestApi({ env: { CAIRN_WEBHOOK_ALLOW_PRIVATE: 'true' } });
    db = s.api.t.db;
    context = await givenContext(s);
    // Webhooks are settings of the context's stream: one made, one made, changed and deleted, one paused.
    const hook = (input: Record<string, unknown>) =>
      s.asAdmin('mutation ($i: CreateWebhookInput!) { createWebhook(input: $i) { ... on CreateWebhookSuccess { webhook { id } } } }', { i: input }, context.name);
    await hook({ url: 'http://127.0.0.1:9/kept', eventTypes: ['AliasSet'], description: 'kept' });
    const gone = (await hook({ url: 'http://127.0.0.1:9/gone', eventTypes: ['AliasSet'] })).createWebhook.webhook.id;
    const paused = (await hook({ url: 'http://127.0.0.1:9/paused', eventTypes: ['AliasSet'] })).createWebhook.webhook.id;
    const update = 'mutation ($i: UpdateWebhookInput!) { updateWebhook(input: $i) { __typename } }';
    await s.asAdmin(update, { i: { id: gone, url: 'http://127.0.0.1:9/moved' } }, context.name);
    await s.asAdmin('mutation ($id: ID!) { deleteWebhook(id: $id) { __typename } }', { id: gone }, context.name);
    await s.asAdmin(update, { i: { id: paused, active: false, eventTypes: ['AliasSet', 'AliasRemoved'] } }, context.name);
    const admin = await givenPrincipal(s, 'admin', { context: context.name });
    const kept = await givenPrincipal(s, 'editor', { context: context.name, creator: admin.secret });
    secrets.kept = kept.secret;
    const revoked = await givenPrincipal(s, 'viewer', { context: context.name });
    secrets.revoked = revoked.secret;
    await s.asAdmin('mutation ($id: ID!) { revokeToken(id: $id) { __typename } }', { id: revoked.tokenId }, context.name);
    // A token that expires with the token that made it.
    const parent = await givenPrincipal(s, 'viewer', { context: context.name, expiresAt: new Date(Date.now() + 3_600_000).toISOString() });
    const child = await s.gql(parent.secret, 'mutation { createToken(input: { name: "child" }) { ... on CreateTokenSuccess { secret token { expiresAt } } } }', {}, context.name);
    expect(child.body.data.createToken.token.expiresAt).not.toBeNull();
    secrets.capped = child.body.data.createToken.secret;
    // A group with a member who stays, one who left, and a role; a grant made and revoked.
    const group = (await s.asAdmin(`mutation { createGroup(name: "${uniqueName('g')}") { ... on CreateGroupSuccess { group { id } } } }`, {}, context.name)).createGroup.group.id;
    for (const [mutation, principalId] of [
      ['addGroupMember', kept.id],
      ['addGroupMember', revoked.id],
      ['removeGroupMember', revoked.id],
    ] as const) {
      await s.asAdmin(`mutation ($g: ID!, $p: ID!) { ${mutation}(groupId: $g, principalId: $p) { __typename } }`, { g: group, p: principalId }, context.name);
    }
    await s.asAdmin('mutation ($i: RoleGrantInput!) { grantRole(input: $i) { __typename } }', { i: { role: 'viewer', groupId: group } }, context.name);
    await s.asAdmin('mutation ($i: RoleGrantInput!) { grantRole(input: $i) { __typename } }', { i: { role: 'admin', principalId: kept.id } }, context.name);
    await s.asAdmin('mutation ($i: RoleGrantInput!) { revokeRole(input: $i) { __typename } }', { i: { role: 'admin', principalId: kept.id } }, context.name);
  });
  afterAll(() => s?.close());

  it('gives the same rows from the log alone, after they drifted, and tokens authenticate as before', async () => {
    const before = await accessRows(db);
    const schema = await accessSchema(db);
    expect(schema.some((item) => item.startsWith('tokens constraint tokens_principal_id_fkey: FOREIGN KEY (principal_id) REFERENCES principals(id)'))).toBe(true);
    // Rows that drifted from the log (the reason to rebuild): the rebuild must put them back.
    await sql`update tokens set name = 'drifted', revoked_at = null`.execute(db);
    await sql`delete from group_members`.execute(db);
    await sql`update contexts set created_at = now() - interval '1 year'`.execute(db);
    await sql`update webhooks set active = true, url = 'http://drifted/'`.execute(db);
    expect(await accessRows(db)).not.toEqual(before);

    const { events } = await rebuildProjections(s.api.t);
    expect(events).toBeGreaterThan(0);
    expect(await accessRows(db)).toEqual(before);
    expect(await accessSchema(db)).toEqual(schema);
    // The name indexes still hold the rule, under their names: a taken name is NAME_TAKEN, not an unexpected error.
    const taken = await s.gql(ADMIN_TOKEN, 'mutation ($n: String!) { createContext(name: $n) { __typename ... on Error { code } } }', { n: context.name });
    expect(taken.body.data.createContext).toEqual({ __typename: 'NameTakenError', code: 'NAME_TAKEN' });

    for (const secret of [ADMIN_TOKEN, secrets.kept, secrets.capped]) expect((await s.gql(secret, ME, {}, context.name)).status).toBe(200);
    const refused = await s.gql(secrets.revoked, ME, {}, context.name);
    expect([refused.status, refused.body.errors[0].extensions.code]).toEqual([401, 'UNAUTHENTICATED']);
  });

  it('keeps the access-control changes made while it runs', async () => {
    let pause!: () => void;
    const paused = new Promise<void>((resolve) => (pause = resolve));
    let resume!: () => void;
    const gate = new Promise<void>((resolve) => (resume = resolve));
    const rebuild = rebuildProjections(s.api.t, {
      beforeSwap: () => {
        pause();
        return gate;
      },
    });
    await paused;
    // After the rebuild read the log: a new context with a model in it, a principal with a token, a grant, a revocation.
    const late = await givenContext(s);
    const model = await s.asAdmin('mutation { createModel(input: { name: "late" }) { ... on CreateModelSuccess { model { id } } } }', {}, late.name);
    const newcomer = await givenPrincipal(s, 'editor', { context: late.name });
    const gone = await givenPrincipal(s, 'viewer', { context: context.name });
    await s.asAdmin('mutation ($id: ID!) { revokeToken(id: $id) { __typename } }', { id: gone.tokenId }, context.name);
    const expected = await accessRows(db);
    resume();
    const { refolded } = await rebuild;
    expect(refolded).toBeGreaterThan(0);

    expect(await accessRows(db)).toEqual(expected);
    expect((await s.gql(newcomer.secret, ME, {}, late.name)).body.data.me).toEqual({ principal: { name: newcomer.name }, context: { name: late.name } });
    expect((await s.gql(gone.secret, ME, {}, context.name)).status).toBe(401);
    expect((await db.selectFrom('models').select('context_id').where('id', '=', model.createModel.model.id).executeTakeFirstOrThrow()).context_id).toBe(late.id);
  });
});

/** A database with the migrations up to the given one; PGlite in memory or a new PostgreSQL database. */
async function databaseMigratedTo(migration: string): Promise<{ db: Db; kind: 'pglite' | 'postgres'; close(): Promise<void> }> {
  let opened: { db: Db; kind: 'pglite' | 'postgres'; close(): Promise<void> };
  if (testDatabaseKind === 'pglite') {
    const pglite = await PGlite.create({ parsers: PGLITE_PARSERS });
    const db = new Kysely<Database>({ dialect: new PGliteDialect({ pglite }) });
    opened = { db, kind: 'pglite', close: () => db.destroy() };
  } else {
    const t = await openTestDatabase('postgres', { migrated: false });
    opened = { db: t.db, kind: 'postgres', close: () => t.close() };
  }
  const { error } = await new Migrator({ db: opened.db, provider: { getMigrations: async () => migrations } }).migrateTo(migration);
  if (error) throw error;
  return opened;
}

describe('the migration of an installation from before', () => {
  let old: Awaited<ReturnType<typeof databaseMigratedTo>>;
  beforeAll(async () => {
    old = await databaseMigratedTo('2026-12-02T0900_event_envelope');
  }, 120_000);
  afterAll(() => old?.close());

  it('logs the rows it finds, marked as migrated, and the log rebuilds to the same rows; tokens still authenticate', async () => {
    const db = old.db;
    // Filled as the Cairn of then did: plain rows, with times to the microsecond.
    const { rows: ids } = await sql<{ def: string }>`select id as def from contexts where name = 'default'`.execute(db);
    const defaultId = ids[0]!.def;
    await sql`update contexts set created_at = '2026-11-29 08:00:00.000007+00' where id = ${defaultId}`.execute(db);
    await sql`insert into contexts (id, name, created_at) values ('10000000-0000-4000-8000-000000000001', 'research', '2026-11-30 10:00:00.123456+00')`.execute(db);
    const research = '10000000-0000-4000-8000-000000000001';
    await sql`insert into principals (id, name, kind, superuser, created_at, home_context_id, created_by) values
      ('20000000-0000-4000-8000-000000000001', 'admin', 'service', true, '2026-11-30 09:00:00.000001+00', null, null),
      ('20000000-0000-4000-8000-000000000002', 'alice', 'user', false, '2026-11-30 11:00:00.5+00', ${research}, '20000000-0000-4000-8000-000000000001'),
      ('20000000-0000-4000-8000-000000000003', 'ci', 'service', false, '2026-11-30 11:30:00+00', ${research}, '20000000-0000-4000-8000-000000000002')`.execute(db);
    await sql`insert into tokens (id, principal_id, name, secret_hash, created_at, expires_at, revoked_at, created_by) values
      ('30000000-0000-4000-8000-000000000001', '20000000-0000-4000-8000-000000000001', 'bootstrap', ${hashSecret('cairn_old_admin')}, '2026-11-30 09:00:00.000002+00', null, null, null),
      ('30000000-0000-4000-8000-000000000002', '20000000-0000-4000-8000-000000000002', 'laptop', ${hashSecret('cairn_old_alice')}, '2026-11-30 12:00:00+00', null, '2026-12-01 08:00:00.654321+00', '20000000-0000-4000-8000-000000000001'),
      ('30000000-0000-4000-8000-000000000003', '20000000-0000-4000-8000-000000000003', 'nightly', ${hashSecret('cairn_old_ci')}, '2026-11-30 13:00:00+00', '2999-01-01 00:00:00.999999+00', null, '20000000-0000-4000-8000-000000000002')`.execute(db);
    await sql`insert into groups (id, context_id, name, created_at) values ('40000000-0000-4000-8000-000000000001', ${research}, 'modellers', '2026-11-30 14:00:00+00')`.execute(db);
    await sql`insert into group_members (group_id, principal_id) values ('40000000-0000-4000-8000-000000000001', '20000000-0000-4000-8000-000000000003')`.execute(db);
    await sql`insert into role_grants (id, context_id, role, principal_id, group_id) values
      ('50000000-0000-4000-8000-000000000001', ${defaultId}, 'admin', '20000000-0000-4000-8000-000000000001', null),
      ('50000000-0000-4000-8000-000000000002', ${research}, 'admin', '20000000-0000-4000-8000-000000000002', null),
      ('50000000-0000-4000-8000-000000000003', ${research}, 'editor', null, '40000000-0000-4000-8000-000000000001')`.execute(db);
    // The tables of that time (webhooks came later, and start empty).
    const then = ACCESS_TABLES.filter(([table]) => table !== 'webhooks');
    const before = await accessRows(db, then);

    const { error } = await new Migrator({ db, provider: { getMigrations: async () => migrations } }).migrateToLatest();
    expect(error).toBeUndefined();
    expect(await accessRows(db, then)).toEqual(before);

    const { rows: events } = await sql<{ stream_id: string; stream_type: string; context_id: string | null; stream_version: number; type: string; data: any; private_data: any; metadata: any }>`
      select stream_id, stream_type, context_id, stream_version, type, data, private_data, metadata from events order by position`.execute(db);
    expect(events.map((e) => [e.type, e.stream_id, e.stream_version])).toEqual([
      ['ContextCreated', defaultId, 1],
      ['ContextCreated', research, 1],
      ['PrincipalCreated', '20000000-0000-4000-8000-000000000001', 1],
      ['PrincipalCreated', '20000000-0000-4000-8000-000000000002', 1],
      ['PrincipalCreated', '20000000-0000-4000-8000-000000000003', 1],
      ['GroupCreated', '40000000-0000-4000-8000-000000000001', 1],
      ['GroupMemberAdded', '40000000-0000-4000-8000-000000000001', 2],
      // Grants after what they name, by context (the default one was made first) then grant id.
      ['RoleGranted', defaultId, 2],
      ['RoleGranted', research, 2],
      ['RoleGranted', research, 3],
      ['TokenCreated', '20000000-0000-4000-8000-000000000001', 2],
      ['TokenCreated', '20000000-0000-4000-8000-000000000002', 2],
      ['TokenCreated', '20000000-0000-4000-8000-000000000003', 2],
      ['TokenRevoked', '20000000-0000-4000-8000-000000000002', 3],
    ]);
    for (const e of events) expect(e.metadata).toMatchObject({ actor: null, requestId: null, migrated: '2026-12-02T0910_access_control_log' });
    expect(events.find((e) => e.type === 'ContextCreated' && e.stream_id === research)).toMatchObject({
      stream_type: 'context',
      context_id: research,
      data: { name: 'research' },
      metadata: { occurredAt: '2026-11-30T10:00:00.123456Z' },
    });
    expect(events.find((e) => e.type === 'PrincipalCreated' && e.data.name === 'ci')).toMatchObject({
      stream_type: 'principal',
      context_id: research,
      data: { name: 'ci', kind: 'service', superuser: false, homeContextId: research, createdBy: '20000000-0000-4000-8000-000000000002' },
    });
    expect(events.find((e) => e.type === 'PrincipalCreated' && e.data.name === 'admin')?.context_id).toBeNull();
    expect(events.find((e) => e.type === 'GroupCreated')).toMatchObject({ stream_type: 'group', context_id: research });
    expect(events.find((e) => e.type === 'RoleGranted' && e.data.groupId)?.data).toEqual({
      grantId: '50000000-0000-4000-8000-000000000003',
      role: 'editor',
      principalId: null,
      groupId: '40000000-0000-4000-8000-000000000001',
    });
    const nightly = events.find((e) => e.type === 'TokenCreated' && e.data.name === 'nightly')!;
    expect(nightly.data).toEqual({ tokenId: '30000000-0000-4000-8000-000000000003', name: 'nightly', createdBy: '20000000-0000-4000-8000-000000000002', expiresAt: '2999-01-01T00:00:00.999999Z' });
    // The hash is beside the event, never in its payload.
    expect(nightly.private_data).toEqual({ secretHash: hashSecret('cairn_old_ci') });
    for (const e of events) expect(JSON.stringify(e.data)).not.toMatch(/[0-9a-f]{64}/);
    expect(events.find((e) => e.type === 'TokenRevoked')?.metadata.occurredAt).toBe('2026-12-01T08:00:00.654321Z');

    // The tables, drifted, then rebuilt from the log alone: the rows the installation had.
    await sql`delete from role_grants`.execute(db);
    await sql`update tokens set revoked_at = null`.execute(db);
    await rebuildProjections({ db, kind: old.kind });
    expect(await accessRows(db, then)).toEqual(before);
    expect((await accessRows(db)).webhooks).toEqual([]);
    expect((await identify(db, 'cairn_old_admin', 'research')).roles).toEqual(['admin']);
    expect((await identify(db, 'cairn_old_ci', 'research')).roles).toEqual(['editor']);
    await expect(identify(db, 'cairn_old_alice', 'research')).rejects.toThrow(AuthenticationError);

    // And the migrated streams go on: a command appends after the migrated events.
    expect(await directory.revokeRole(db, research, { role: 'editor', groupId: '40000000-0000-4000-8000-000000000001' }, { actor: 'admin', requestId: 'r-1' })).toBe(1);
    const last = await db.selectFrom('events').select(['type', 'stream_version', 'data']).where('stream_id', '=', research).orderBy('stream_version', 'desc').executeTakeFirstOrThrow();
    expect(last).toMatchObject({ type: 'RoleRevoked', stream_version: 4, data: { grantId: '50000000-0000-4000-8000-000000000003' } });
    await expect(identify(db, 'cairn_old_ci', 'research')).rejects.toThrow(/No context "research"/);
  });
});

describe('the migration of a new installation', () => {
  it("logs the default context's creation, and nothing else", async () => {
    const t = await openTestDatabase();
    try {
      const rows = await t.db.selectFrom('events').select(['type', 'stream_type', 'stream_id', 'context_id', 'data']).execute();
      const { id } = await t.db.selectFrom('contexts').select('id').where('name', '=', 'default').executeTakeFirstOrThrow();
      expect(rows).toEqual([{ type: 'ContextCreated', stream_type: 'context', stream_id: id, context_id: id, data: { name: 'default' } }]);
    } finally {
      await t.close();
    }
  });
});
