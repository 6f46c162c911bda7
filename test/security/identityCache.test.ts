// The identity cache (src/auth/identityCache.ts) in one process: a request whose caller was identified
// before costs no statement, and every access-control change (a revoked token, a revoked role, a group
// membership removed) is seen by the very next request, as without the cache. Hostile callers are refused
// exactly as before.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { statementCounter } from '../helpers/statementCounters.ts';
import { identifyRequest, RequestRefused } from '../../src/auth/requestIdentity.ts';
import { ADMIN_TOKEN } from '../helpers/api.ts';
import { givenContext, givenPrincipal, type Served, serveTestApi, uniqueName } from '../helpers/fixtures.ts';
import { accessNotificationsArrived, counterOf } from '../helpers/identityCache.ts';

/** Counts every statement the app sends to the database. */
const counter = statementCounter();

let s: Served;
beforeAll(async () => {
  s = await serveTestApi({ store: (t) => ({ ...t.store, db: t.db.withPlugin(counter.plugin) }) });
});
afterAll(() => s?.close());

const metric = (name: string, labels: Record<string, string>) => counterOf(s.api.app, name, labels);
/** This app's access-control commands are all heard (on PostgreSQL their NOTIFY comes a moment later and empties the cache). */
const settled = () => accessNotificationsArrived(s.api.app);

const ME = '{ me { principal { name } context { name } roles } }';
const TYPENAME = '{ __typename }';

/** The statements one request runs, and its answer. */
async function counted(token: string | null, query: string, context?: string) {
  counter.statements = 0;
  const answer = await s.gql(token, query, {}, context);
  return { statements: counter.statements, ...answer };
}

const mutate = async (query: string, variables: Record<string, unknown>, context?: string) => {
  const data = await s.asAdmin(query, variables, context);
  const result = Object.values(data)[0] as { __typename: string };
  if (!result.__typename.endsWith('Success')) throw new Error(JSON.stringify(data));
  return result as any;
};

describe('a cached identity', () => {
  it('costs no statement: a request that reads nothing from the database then runs none', async () => {
    const p = await givenPrincipal(s, 'viewer');
    await settled();
    const cold = await counted(p.secret, TYPENAME);
    const hitsBefore = await metric('cairn_identity_lookups_total', { cache: 'hit' });
    const warm = await counted(p.secret, TYPENAME);
    expect([cold.status, warm.status]).toEqual([200, 200]);
    expect(cold.statements).toBe(1);
    expect(warm.statements).toBe(0);
    expect(await metric('cairn_identity_lookups_total', { cache: 'hit' })).toBe(hitsBefore + 1);
  });

  it('is kept per context asked for: another context of the same token is looked up, and refused if not its own', async () => {
    const other = await givenContext(s);
    const p = await givenPrincipal(s, 'viewer');
    await counted(p.secret, ME);
    const elsewhere = await counted(p.secret, ME, other.name);
    expect(elsewhere.status).toBe(404);
    expect(elsewhere.body.errors[0].extensions.code).toBe('NOT_FOUND');
    // A refusal is never cached: asked again, the database is asked again.
    expect((await counted(p.secret, TYPENAME, other.name)).statements).toBe(1);
    expect((await counted(p.secret, TYPENAME, other.name)).statements).toBe(1);
    expect((await counted(p.secret, ME)).body.data.me.context.name).toBe('default');
  });
});

describe('an access-control change, seen by the very next request', () => {
  it('a revoked token: 401 as soon as revokeToken has returned', async () => {
    const p = await givenPrincipal(s, 'viewer');
    await settled();
    expect((await counted(p.secret, ME)).status).toBe(200);
    expect((await counted(p.secret, TYPENAME)).statements).toBe(0);
    await mutate('mutation ($id: ID!) { revokeToken(id: $id) { __typename } }', { id: p.tokenId });
    const after = await counted(p.secret, ME);
    expect(after.status).toBe(401);
    expect(after.body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
  });

  it('a revoked role: the context is not there to it any more (NOT_FOUND), as before the cache', async () => {
    const c = await givenContext(s);
    const p = await givenPrincipal(s, 'editor', { context: c.name });
    await settled();
    expect((await counted(p.secret, ME, c.name)).body.data.me.roles).toEqual(['editor']);
    expect((await counted(p.secret, TYPENAME, c.name)).statements).toBe(0);
    await mutate('mutation ($i: RoleGrantInput!) { revokeRole(input: $i) { __typename } }', { i: { role: 'editor', principalId: p.id } }, c.name);
    const after = await counted(p.secret, ME, c.name);
    expect(after.status).toBe(404);
    expect(after.body.errors[0].extensions.code).toBe('NOT_FOUND');
  });

  it('a role granted: the next request holds it', async () => {
    const p = await givenPrincipal(s, 'viewer');
    expect((await counted(p.secret, ME)).body.data.me.roles).toEqual(['viewer']);
    await mutate('mutation ($i: RoleGrantInput!) { grantRole(input: $i) { __typename } }', { i: { role: 'editor', principalId: p.id } });
    expect((await counted(p.secret, ME)).body.data.me.roles).toEqual(['viewer', 'editor']);
  });

  it('a group membership removed: the role the group gave is gone (NOT_FOUND)', async () => {
    const c = await givenContext(s);
    const p = await givenPrincipal(s, null, { context: c.name });
    const group = (await mutate('mutation ($n: String!) { createGroup(name: $n) { __typename ... on CreateGroupSuccess { group { id } } } }', { n: uniqueName('g') }, c.name)).group;
    await mutate('mutation ($i: RoleGrantInput!) { grantRole(input: $i) { __typename } }', { i: { role: 'viewer', groupId: group.id } }, c.name);
    await mutate('mutation ($g: ID!, $p: ID!) { addGroupMember(groupId: $g, principalId: $p) { __typename } }', { g: group.id, p: p.id }, c.name);
    await settled();
    expect((await counted(p.secret, ME, c.name)).body.data.me.roles).toEqual(['viewer']);
    expect((await counted(p.secret, TYPENAME, c.name)).statements).toBe(0);
    await mutate('mutation ($g: ID!, $p: ID!) { removeGroupMember(groupId: $g, principalId: $p) { __typename } }', { g: group.id, p: p.id }, c.name);
    const after = await counted(p.secret, ME, c.name);
    expect(after.status).toBe(404);
    expect(after.body.errors[0].extensions.code).toBe('NOT_FOUND');
  });

  it("empties the cache in the command's own process before the mutation returns, whatever the NOTIFY does", async () => {
    const before = await metric('cairn_identity_cache_invalidations_total', { cause: 'command' });
    const p = await givenPrincipal(s, 'viewer');
    // createPrincipal, grantRole, createToken: three commands, each emptying the cache as it returned.
    expect(await metric('cairn_identity_cache_invalidations_total', { cause: 'command' })).toBe(before + 3);
    expect((await counted(p.secret, ME)).status).toBe(200);
  });
});

describe('hostile callers, refused as before', () => {
  it('no token, an unknown one, a revoked one: 401, each time from the database (a refusal is not cached)', async () => {
    expect((await counted(null, ME)).status).toBe(401);
    for (let i = 0; i < 2; i++) {
      const unknown = await counted('cairn_not-a-real-token-0123456789abcdef', TYPENAME);
      expect(unknown.status).toBe(401);
      expect(unknown.statements).toBe(1);
    }
    const p = await givenPrincipal(s, 'viewer');
    await counted(p.secret, ME);
    await mutate('mutation ($id: ID!) { revokeToken(id: $id) { __typename } }', { id: p.tokenId });
    for (let i = 0; i < 2; i++) expect((await counted(p.secret, TYPENAME)).statements).toBe(1);
    expect((await counted(p.secret, ME)).status).toBe(401);
  });

  it("a token of another context is refused in this one, however warm its own context's entry", async () => {
    const a = await givenContext(s);
    const b = await givenContext(s);
    const p = await givenPrincipal(s, 'admin', { context: a.name });
    await settled();
    expect((await counted(p.secret, ME, a.name)).status).toBe(200);
    expect((await counted(p.secret, ME, a.name)).statements).toBe(0);
    for (const context of [b.name, b.id, ` ${b.name} `, b.id.toUpperCase()]) {
      const refused = await counted(p.secret, ME, context);
      expect(refused.status, context).toBe(404);
      expect(refused.body.errors[0].extensions.code).toBe('NOT_FOUND');
    }
  });

  it('a NUL or a lone surrogate in the context header: refused as without the cache, even with the token warm', async () => {
    const { store, identities } = s.api.app;
    const header = (context: string) => (name: string) => (name === 'authorization' ? `Bearer ${ADMIN_TOKEN}` : name === 'x-cairn-context' ? context : undefined);
    // The administrator's token, warm for `default`.
    await settled();
    await counted(ADMIN_TOKEN, TYPENAME, 'default');
    expect((await counted(ADMIN_TOKEN, TYPENAME, 'default')).statements).toBe(0);
    // Over HTTP, Node refuses a NUL in a header before Cairn sees it; a fetch client will not even send one.
    await expect(s.gql(ADMIN_TOKEN, ME, {}, 'default\u0000')).rejects.toThrow();
    // Given to the lookup anyway, NUL is the database's refusal, as before: never an identity.
    for (const context of ['\u0000', 'default\u0000']) await expect(identifyRequest(store.db, header(context), identities)).rejects.toMatchObject({ code: '22021' });
    // A lone surrogate names no context.
    for (const context of ['\ud800', 'default\udfff']) {
      const refusal = await identifyRequest(store.db, header(context), identities).catch((error: unknown) => error);
      expect(refusal).toBeInstanceOf(RequestRefused);
      expect(refusal).toMatchObject({ status: 404, code: 'NOT_FOUND' });
    }
  });
});
