import { Writable } from 'node:stream';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tokenCreator from '../../migrations/2026-11-28T0900_token_creator.ts';
import { createLogger } from '../../src/logger.ts';
import { ADMIN_TOKEN } from '../helpers/api.ts';
import { openTestDatabase } from '../helpers/database.ts';
import { givenContext, givenPrincipal, type Served, serveTestApi } from '../helpers/fixtures.ts';

/** Every line the app logs, parsed. */
const logged: { level: number; msg?: string; code?: string; field?: string; principal?: string; context?: string }[] = [];
const logStream = new Writable({
  write(chunk, _encoding, done) {
    for (const line of String(chunk).split('\n')) if (line) logged.push(JSON.parse(line));
    done();
  },
});

let s: Served;
let A: { id: string; name: string };
let B: { id: string; name: string };
/** Administrators of A and of B, homed there (created by the superuser in each). */
let adminA: Awaited<ReturnType<typeof givenPrincipal>>;
let adminB: Awaited<ReturnType<typeof givenPrincipal>>;

beforeAll(async () => {
  s = await serveTestApi({ logger: createLogger('debug', logStream) });
  A = await givenContext(s);
  B = await givenContext(s);
  adminA = await givenPrincipal(s, 'admin', { context: A.name, name: 'admin-of-a' });
  adminB = await givenPrincipal(s, 'admin', { context: B.name, name: 'admin-of-b' });
});
afterAll(() => s?.close());

const ME = '{ me { principal { id } context { name } } }';
const TOKEN = 'token { id createdBy expiresAt }';
const CREATE_TOKEN = `mutation ($i: CreateTokenInput!) { createToken(input: $i) { __typename ... on CreateTokenSuccess { secret ${TOKEN} } ... on Error { code message } ... on ValidationError { field } } }`;

/** createToken as `token`, in `context`: the result union member. */
async function mint(token: string | null, input: Record<string, unknown>, context?: string) {
  const { body } = await s.gql(token, CREATE_TOKEN, { i: { name: 'minted', ...input } }, context);
  if (!body.data) throw new Error(JSON.stringify(body));
  return body.data.createToken;
}

/** As `token` in `context`, a mutation whose result is a union: the member, failing on a top-level error. */
async function mutate(token: string, query: string, variables: Record<string, unknown>, context?: string) {
  const { body } = await s.gql(token, query, variables, context);
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return Object.values(body.data)[0] as any;
}

const CREATE_PRINCIPAL = 'mutation ($n: String!) { createPrincipal(name: $n, kind: SERVICE) { __typename ... on CreatePrincipalSuccess { principal { id } } ... on Error { code } } }';
const GRANT = 'mutation ($i: RoleGrantInput!) { grantRole(input: $i) { __typename ... on Error { code } } }';
const REVOKE_ROLE = 'mutation ($i: RoleGrantInput!) { revokeRole(input: $i) { __typename ... on RevokeRoleSuccess { revoked } ... on Error { code } } }';
const REVOKE_TOKEN = 'mutation ($id: ID!) { revokeToken(id: $id) { __typename ... on RevokeTokenSuccess { token { revokedAt } } ... on Error { code } } }';
const TOKENS = 'query ($p: ID) { tokens(principalId: $p) { id name createdBy expiresAt revokedAt } }';

let seq = 0;
/** A principal that B's administrator created in B, with no role anywhere. */
async function principalOfB(): Promise<string> {
  const created = await mutate(adminB.secret, CREATE_PRINCIPAL, { n: `of-b-${++seq}` }, B.name);
  expect(created.__typename).toBe('CreatePrincipalSuccess');
  return created.principal.id;
}

/** The principal's tokens, as the superuser sees them. */
async function tokensOf(principalId: string): Promise<{ id: string; name: string; createdBy: string | null; expiresAt: string | null }[]> {
  return (await s.asAdmin(TOKENS, { p: principalId })).tokens;
}

/**
 * After an attempt by A's administrator to mint for B's principal: B gives the principal a role, and no
 * token minted by A works in B, nor exists at all; a token B's administrator mints does work there.
 */
async function expectNothingStolen(principalId: string, attempt: { secret?: string }) {
  expect((await mutate(adminB.secret, GRANT, { i: { role: 'editor', principalId } }, B.name)).__typename).toBe('GrantRoleSuccess');
  if (attempt.secret) expect((await s.gql(attempt.secret, ME, {}, B.name)).status).toBe(401);
  expect((await tokensOf(principalId)).filter((t) => t.createdBy === adminA.name)).toEqual([]);
  const own = await mint(adminB.secret, { principalId }, B.name);
  expect(own.__typename).toBe('CreateTokenSuccess');
  expect((await s.gql(own.secret, ME, {}, B.name)).body.data.me.context.name).toBe(B.name);
}

describe("minting a token for another context's principal", () => {
  it("(a) refuses A's administrator a token for a principal B's administrator created, with no role yet", async () => {
    const p = await principalOfB();
    const attempt = await mint(adminA.secret, { principalId: p }, A.name);
    expect(attempt).toMatchObject({ __typename: 'ForbiddenError', code: 'FORBIDDEN' });
    await expectNothingStolen(p, attempt);
  });

  it('(b) refuses it after A grants that principal a role in A (the grant itself stays allowed)', async () => {
    const p = await principalOfB();
    expect((await mutate(adminA.secret, GRANT, { i: { role: 'viewer', principalId: p } }, A.name)).__typename).toBe('GrantRoleSuccess');
    const attempt = await mint(adminA.secret, { principalId: p }, A.name);
    expect(attempt).toMatchObject({ __typename: 'ForbiddenError', code: 'FORBIDDEN' });
    await expectNothingStolen(p, attempt);
  });

  it('(c) refuses it for a principal whose last role was revoked', async () => {
    const p = await principalOfB();
    expect((await mutate(adminB.secret, GRANT, { i: { role: 'viewer', principalId: p } }, B.name)).__typename).toBe('GrantRoleSuccess');
    expect((await mutate(adminB.secret, REVOKE_ROLE, { i: { role: 'viewer', principalId: p } }, B.name)).revoked).toBe(1);
    const attempt = await mint(adminA.secret, { principalId: p }, A.name);
    expect(attempt).toMatchObject({ __typename: 'ForbiddenError', code: 'FORBIDDEN' });
    await expectNothingStolen(p, attempt);
  });

  it("refuses A's administrator the list and the revocation of B's principal's tokens", async () => {
    const p = await principalOfB();
    expect((await mutate(adminB.secret, GRANT, { i: { role: 'viewer', principalId: p } }, B.name)).__typename).toBe('GrantRoleSuccess');
    const own = await mint(adminB.secret, { principalId: p }, B.name);
    expect(own.__typename).toBe('CreateTokenSuccess');
    const list = await s.gql(adminA.secret, TOKENS, { p }, A.name);
    expect(list.body.errors[0].extensions.code).toBe('FORBIDDEN');
    expect(list.body.data).toBeNull();
    expect((await mutate(adminA.secret, REVOKE_TOKEN, { id: own.token.id }, A.name)).code).toBe('FORBIDDEN');
    expect((await s.gql(own.secret, ME, {}, B.name)).status).toBe(200);
  });

  it("lets A's administrator manage the tokens of A's principals, also once B grants them a role (B trusts A with it)", async () => {
    const created = await mutate(adminA.secret, CREATE_PRINCIPAL, { n: `of-a-${++seq}` }, A.name);
    const q = created.principal.id as string;
    const token = await mint(adminA.secret, { principalId: q }, A.name);
    expect(token).toMatchObject({ __typename: 'CreateTokenSuccess', token: { createdBy: adminA.name } });
    expect((await mutate(adminB.secret, GRANT, { i: { role: 'viewer', principalId: q } }, B.name)).__typename).toBe('GrantRoleSuccess');
    expect((await s.gql(token.secret, ME, {}, B.name)).status).toBe(200);
    const list = await s.gql(adminA.secret, TOKENS, { p: q }, A.name);
    expect(list.body.data.tokens).toEqual([expect.objectContaining({ id: token.token.id, createdBy: adminA.name })]);
    expect((await mutate(adminA.secret, REVOKE_TOKEN, { id: token.token.id }, A.name)).__typename).toBe('RevokeTokenSuccess');
    expect((await s.gql(token.secret, ME, {}, B.name)).status).toBe(401);
  });

  it("gives A's administrator no way round through B's context: it is not there for it", async () => {
    const p = await principalOfB();
    const { status, body } = await s.gql(adminA.secret, CREATE_TOKEN, { i: { principalId: p, name: 'x' } }, B.name);
    expect(status).toBe(404);
    expect(body.errors[0].extensions.code).toBe('NOT_FOUND');
    expect(await tokensOf(p)).toEqual([]);
  });

  it('refuses a context administrator a token for a superuser, and for a principal homed nowhere; a superuser may', async () => {
    const superuser = (await s.asAdmin(ME)).me.principal.id;
    expect(await mint(adminA.secret, { principalId: superuser }, A.name)).toMatchObject({ code: 'FORBIDDEN' });
    const created = await mutate(adminA.secret, CREATE_PRINCIPAL, { n: `legacy-${++seq}` }, A.name);
    const legacy = created.principal.id as string;
    await sql`update principals set home_context_id = null where id = ${legacy}`.execute(s.api.t.db);
    expect(await mint(adminA.secret, { principalId: legacy }, A.name)).toMatchObject({ code: 'FORBIDDEN' });
    expect(await mint(ADMIN_TOKEN, { principalId: legacy }, A.name)).toMatchObject({ __typename: 'CreateTokenSuccess', token: { createdBy: 'admin' } });
  });

  it('stops an administrator minting for its context once it is no longer its administrator', async () => {
    const demoted = await givenPrincipal(s, 'admin', { context: A.name });
    const created = await mutate(demoted.secret, CREATE_PRINCIPAL, { n: `by-demoted-${++seq}` }, A.name);
    const q = created.principal.id as string;
    expect((await mint(demoted.secret, { principalId: q }, A.name)).__typename).toBe('CreateTokenSuccess');
    await mutate(ADMIN_TOKEN, GRANT, { i: { role: 'viewer', principalId: demoted.id } }, A.name);
    expect((await mutate(ADMIN_TOKEN, REVOKE_ROLE, { i: { role: 'admin', principalId: demoted.id } }, A.name)).revoked).toBe(1);
    expect(await mint(demoted.secret, { principalId: q }, A.name)).toMatchObject({ code: 'FORBIDDEN' });
  });
});

describe('who created a token', () => {
  it('is recorded by name on the token and by id in the database; the bootstrap token has none', async () => {
    const viewer = await givenPrincipal(s, 'viewer', { context: A.name });
    const own = await mint(viewer.secret, {}, A.name);
    expect(own.token.createdBy).toBe(viewer.name);
    const row = await s.api.t.db.selectFrom('tokens').select('created_by').where('id', '=', own.token.id).executeTakeFirstOrThrow();
    expect(row.created_by).toBe(viewer.id);
    const list = (await s.gql(viewer.secret, TOKENS, {}, A.name)).body.data.tokens;
    expect(list.map((t: any) => t.createdBy)).toEqual(['admin', viewer.name]);
    const superuser = (await s.asAdmin(ME)).me.principal.id;
    expect((await tokensOf(superuser)).find((t) => t.name === 'bootstrap')).toMatchObject({ createdBy: null });
  });

  it("is kept as null when its creator is deleted, not the token with it", async () => {
    const creator = await givenPrincipal(s, 'admin', { context: A.name });
    const created = await mutate(creator.secret, CREATE_PRINCIPAL, { n: `orphan-${++seq}` }, A.name);
    const made = await mint(creator.secret, { principalId: created.principal.id }, A.name);
    await s.api.t.db.deleteFrom('principals').where('id', '=', creator.id).execute();
    expect(await tokensOf(created.principal.id)).toEqual([expect.objectContaining({ id: made.token.id, createdBy: null })]);
    expect((await s.gql(made.secret, ME, {}, A.name)).status).toBe(404);
  });
});

describe('a token made with an expiring token', () => {
  const inAnHour = () => new Date(Date.now() + 3_600_000);

  it('expires with its parent when no expiry is given, or null is', async () => {
    const expiresAt = inAnHour().toISOString();
    const parent = await givenPrincipal(s, 'viewer', { context: A.name, expiresAt });
    const child = await mint(parent.secret, {}, A.name);
    expect(child.token.expiresAt).toBe(expiresAt);
    const explicitNull = await mint(parent.secret, { expiresAt: null }, A.name);
    expect(explicitNull.token.expiresAt).toBe(expiresAt);
    const grandchild = await mint(child.secret, {}, A.name);
    expect(grandchild.token.expiresAt).toBe(expiresAt);
  });

  it('may expire sooner but not later: later is a VALIDATION error on expiresAt, and nothing is made', async () => {
    const expiresAt = inAnHour();
    const parent = await givenPrincipal(s, 'viewer', { context: A.name, expiresAt: expiresAt.toISOString() });
    const sooner = new Date(expiresAt.getTime() - 60_000).toISOString();
    expect((await mint(parent.secret, { expiresAt: sooner }, A.name)).token.expiresAt).toBe(sooner);
    const before = await tokensOf(parent.id);
    for (const later of [new Date(expiresAt.getTime() + 1).toISOString(), '9999-12-31T23:59:59.999Z']) {
      expect(await mint(parent.secret, { expiresAt: later }, A.name)).toMatchObject({ __typename: 'ValidationError', code: 'VALIDATION', field: 'expiresAt' });
    }
    expect(await tokensOf(parent.id)).toEqual(before);
  });

  it("caps a token an administrator makes for another principal with an expiring token", async () => {
    const expiresAt = inAnHour().toISOString();
    const admin = await givenPrincipal(s, 'admin', { context: A.name, expiresAt });
    const created = await mutate(admin.secret, CREATE_PRINCIPAL, { n: `capped-${++seq}` }, A.name);
    expect((await mint(admin.secret, { principalId: created.principal.id }, A.name)).token.expiresAt).toBe(expiresAt);
    expect(await mint(admin.secret, { principalId: created.principal.id, expiresAt: '2999-01-01T00:00:00Z' }, A.name)).toMatchObject({ code: 'VALIDATION', field: 'expiresAt' });
  });

  it('never outlives its parent, not even by the microseconds a JavaScript date cannot hold', async () => {
    const parent = await givenPrincipal(s, 'viewer', { context: A.name, expiresAt: inAnHour().toISOString() });
    await sql`update tokens set expires_at = date_trunc('second', now()) + interval '1 hour 0.123999 second' where id = ${parent.tokenId}`.execute(s.api.t.db);
    const parentExpiry = (await mint(parent.secret, {}, A.name)).token.expiresAt as string;
    const given = await mint(parent.secret, { expiresAt: parentExpiry }, A.name);
    expect(given.__typename).toBe('CreateTokenSuccess');
    const { rows } = await sql<{ later: number }>`
      select count(*)::int as later from tokens child, tokens parent
      where parent.id = ${parent.tokenId} and child.principal_id = parent.principal_id and child.expires_at > parent.expires_at`.execute(s.api.t.db);
    expect(rows[0]!.later).toBe(0);
  });

  it('changes nothing for a token that never expires: its child never expires unless told to', async () => {
    const parent = await givenPrincipal(s, 'viewer', { context: A.name });
    expect((await mint(parent.secret, {}, A.name)).token.expiresAt).toBeNull();
    expect((await mint(parent.secret, { expiresAt: '2999-01-01T00:00:00.000Z' }, A.name)).token.expiresAt).toBe('2999-01-01T00:00:00.000Z');
  });
});

describe('administrative queries asked by a viewer or an editor', () => {
  const errorLines = () => logged.filter((l) => l.level >= 50);

  for (const role of ['viewer', 'editor'] as const) {
    it(`refuse a${role === 'editor' ? 'n' : ''} ${role} with FORBIDDEN, logged at info, not as an error`, async () => {
      const caller = await givenPrincipal(s, role, { context: A.name });
      const errorsBefore = errorLines().length;
      const linesBefore = logged.length;
      for (const query of ['{ principals { id } }', '{ groups { id } }', '{ roleGrants { id } }', `{ tokens(principalId: "${adminA.id}") { id } }`]) {
        const { status, body } = await s.gql(caller.secret, query, {}, A.name);
        expect(status, query).toBe(200);
        expect(body.data, query).toBeNull();
        expect(body.errors, query).toEqual([expect.objectContaining({ extensions: { code: 'FORBIDDEN' } })]);
        expect(body.errors[0].message).not.toMatch(/Unexpected/);
      }
      const refusals = logged.slice(linesBefore).filter((l) => l.msg === 'refused');
      expect(refusals.map(({ level, code, field, principal, context }) => ({ level, code, field, principal, context }))).toEqual(
        ['principals', 'groups', 'roleGrants', 'tokens'].map((field) => ({ level: 30, code: 'FORBIDDEN', field, principal: caller.name, context: A.name })),
      );
      expect(errorLines().slice(errorsBefore)).toEqual([]);
      expect((await s.gql(caller.secret, TOKENS, {}, A.name)).body.data.tokens).toHaveLength(1);
    });
  }

  it('still give the mutations their typed ForbiddenError member', async () => {
    const viewer = await givenPrincipal(s, 'viewer', { context: A.name });
    expect(await mutate(viewer.secret, CREATE_PRINCIPAL, { n: `nope-${++seq}` }, A.name)).toEqual({ __typename: 'ForbiddenError', code: 'FORBIDDEN' });
    expect(await mutate(viewer.secret, GRANT, { i: { role: 'admin', principalId: viewer.id } }, A.name)).toEqual({ __typename: 'ForbiddenError', code: 'FORBIDDEN' });
  });

  it("show an administrator only the principals created in its context or holding a role there", async () => {
    const p = await principalOfB();
    const ids = (await s.gql(adminA.secret, '{ principals { id } }', {}, A.name)).body.data.principals.map((x: { id: string }) => x.id);
    expect(ids).toContain(adminA.id);
    expect(ids).not.toContain(p);
    expect(ids).not.toContain(adminB.id);
    const inB = (await s.gql(adminB.secret, '{ principals { id } }', {}, B.name)).body.data.principals.map((x: { id: string }) => x.id);
    expect(inB).toContain(p);
  });
});

describe('hostile values', () => {
  /** Ids that name nothing: NOT_FOUND. */
  const unknownIds = [`${'0'.repeat(8)}-0000-0000-0000-${'0'.repeat(12)}`, 'not-an-id', "' or 1=1 --", '12345'];
  /** Ids that are not text or are huge: NOT_FOUND here, VALIDATION where a boundary guard checks text first. */
  const hostileIds = ['\u0000', '\ud800', 'a\u202eb', 'x'.repeat(10_000)];
  const refused = (code: string | undefined, id: string) => expect(unknownIds.includes(id) ? ['NOT_FOUND'] : ['NOT_FOUND', 'VALIDATION'], id.slice(0, 20)).toContain(code);

  it('an unknown, malformed or hostile principal id: refused with its code, for creating and for listing tokens', async () => {
    for (const principalId of [...unknownIds, ...hostileIds]) {
      refused((await mint(adminA.secret, { principalId }, A.name)).code, principalId);
      const list = await s.gql(adminA.secret, TOKENS, { p: principalId }, A.name);
      expect(list.body.data).toBeNull();
      refused(list.body.errors[0].extensions.code, principalId);
    }
  });

  it("an unknown, malformed or hostile token id, or another context's: refused with its code when revoking", async () => {
    for (const id of [...unknownIds, ...hostileIds]) refused((await mutate(adminA.secret, REVOKE_TOKEN, { id }, A.name)).code, id);
    expect((await mutate(adminA.secret, REVOKE_TOKEN, { id: adminB.tokenId }, A.name)).code).toBe('FORBIDDEN');
    expect((await s.gql(adminB.secret, ME, {}, B.name)).status).toBe(200);
  });

  it('a malformed expiry: refused (HTTP 400, naming the field) before anything runs', async () => {
    const before = await tokensOf(adminA.id);
    for (const expiresAt of ['tomorrow', '\u0000', '\ud800', '2026-13-45T00:00:00Z', '+275760-09-13T00:00:00.000Z', 1e308, 12345, { $gt: 0 }]) {
      const { status, body } = await s.gql(adminA.secret, CREATE_TOKEN, { i: { name: 'x', expiresAt } }, A.name);
      expect(status, JSON.stringify(expiresAt)).toBe(400);
      expect(body.errors[0].message).toMatch(/at "i\.expiresAt"; DateTime cannot represent/);
    }
    expect(await mint(adminA.secret, { expiresAt: '2000-01-01T00:00:00Z' }, A.name)).toMatchObject({ code: 'VALIDATION', field: 'expiresAt' });
    expect(await tokensOf(adminA.id)).toEqual(before);
  });

  it('no token, or a revoked one: UNAUTHENTICATED for creating and listing tokens', async () => {
    const revoked = await givenPrincipal(s, 'admin', { context: A.name });
    await mutate(ADMIN_TOKEN, REVOKE_TOKEN, { id: revoked.tokenId }, A.name);
    for (const token of [null, revoked.secret]) {
      for (const [query, variables] of [
        [CREATE_TOKEN, { i: { name: 'x', principalId: revoked.id } }],
        [TOKENS, { p: revoked.id }],
      ] as const) {
        const { status, body } = await s.gql(token, query, variables, A.name);
        expect(status).toBe(401);
        expect(body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
      }
    }
    expect((await tokensOf(revoked.id)).map((t) => t.id)).toEqual([revoked.tokenId]);
  });
});

describe('the migration', () => {
  it("homes each principal in the one context of its roles, direct or through a group; else nowhere", async () => {
    const t = await openTestDatabase();
    try {
      const db = t.db as any;
      await tokenCreator.down(db);
      const [c1, c2] = await db.insertInto('contexts').values([{ name: 'one' }, { name: 'two' }]).returning('id').execute();
      const principal = async (name: string, superuser = false) =>
        (await db.insertInto('principals').values({ name, kind: 'user', superuser }).returning('id').executeTakeFirstOrThrow()).id as string;
      const [solo, grouped, both, su] = [await principal('solo'), await principal('grouped'), await principal('both'), await principal('su', true)];
      await principal('none');
      const group = await db.insertInto('groups').values({ context_id: c2.id, name: 'g' }).returning('id').executeTakeFirstOrThrow();
      await db.insertInto('group_members').values({ group_id: group.id, principal_id: grouped }).execute();
      await db
        .insertInto('role_grants')
        .values([
          { context_id: c1.id, role: 'viewer', principal_id: solo },
          { context_id: c1.id, role: 'editor', principal_id: solo },
          { context_id: c2.id, role: 'viewer', group_id: group.id },
          { context_id: c1.id, role: 'viewer', principal_id: both },
          { context_id: c2.id, role: 'viewer', principal_id: both },
          { context_id: c1.id, role: 'admin', principal_id: su },
        ])
        .execute();
      await db.insertInto('tokens').values({ principal_id: solo, name: 'old', secret_hash: 'h' }).execute();
      await tokenCreator.up(db);
      const homes = await t.db.selectFrom('principals').select(['name', 'home_context_id', 'created_by']).where('name', 'in', ['solo', 'grouped', 'both', 'none', 'su']).orderBy('name').execute();
      expect(homes).toEqual([
        { name: 'both', home_context_id: null, created_by: null },
        { name: 'grouped', home_context_id: c2.id, created_by: null },
        { name: 'none', home_context_id: null, created_by: null },
        { name: 'solo', home_context_id: c1.id, created_by: null },
        { name: 'su', home_context_id: null, created_by: null },
      ]);
      expect(await t.db.selectFrom('tokens').select('created_by').where('name', '=', 'old').execute()).toEqual([{ created_by: null }]);
    } finally {
      await t.close();
    }
  });
});
