import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { hashSecret } from '../../src/auth/tokens.ts';
import { ADMIN_TOKEN, adminHeaders, type TestApi } from '../helpers/api.ts';
import { type Served, serveTestApi } from '../helpers/fixtures.ts';
import { accessNotificationsArrived } from '../helpers/identityCache.ts';
import { postMultipart } from '../helpers/multipart.ts';
import { MODEL_EVENTS, sseReader } from '../helpers/sse.ts';

let api: TestApi;
let served: Served;
let server: { url: string };
const tokens: Record<string, string> = {};
const principals: Record<string, string> = {};

/** A GraphQL request over HTTP as a given token (or none), in an optional context. */
const gql = (token: string | null, query: string, variables: Record<string, unknown> = {}, context?: string) => served.gql(token, query, variables, context);

const asAdmin = async (query: string, variables: Record<string, unknown> = {}, context?: string) => {
  const { body } = await gql(ADMIN_TOKEN, query, variables, context);
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data;
};

async function principalWithToken(name: string, role: 'viewer' | 'editor' | 'admin' | null) {
  const p = await asAdmin('mutation ($n: String!) { createPrincipal(name: $n, kind: SERVICE) { ... on CreatePrincipalSuccess { principal { id } } ... on Error { code message } } }', { n: name });
  const id = p.createPrincipal.principal.id;
  if (role) await asAdmin('mutation ($i: RoleGrantInput!) { grantRole(input: $i) { __typename } }', { i: { role: role.toUpperCase() === role ? role : role, principalId: id } });
  const t = await asAdmin('mutation ($i: CreateTokenInput!) { createToken(input: $i) { ... on CreateTokenSuccess { secret token { id } } ... on Error { code message } } }', {
    i: { principalId: id, name: 'test' },
  });
  principals[name] = id;
  tokens[name] = t.createToken.secret;
  return { id, secret: t.createToken.secret as string, tokenId: t.createToken.token.id as string };
}

let seq = 0;
/** A model with a draft version 1 that has a pkl file, and version 2, created by the administrator. */
async function fixture(context?: string) {
  const name = `fixture-${++seq}`;
  const m = await asAdmin('mutation ($n: String!) { createModel(input: { name: $n }) { ... on CreateModelSuccess { model { id } } } }', { n: name }, context);
  const id = m.createModel.model.id as string;
  for (let i = 0; i < 2; i++) await asAdmin('mutation ($id: ID!) { createVersion(input: { modelId: $id }) { __typename } }', { id }, context);
  const upload = await postMultipart(
    `${server.url}/graphql`,
    'mutation ($input: UploadFormatInput!) { uploadFormat(input: $input) { __typename } }',
    { input: { modelId: id, number: 1, format: 'pkl', file: null } },
    [{ path: 'variables.input.file', data: new Uint8Array([1, 2, 3]), name: 'm.pkl' }],
    { ...adminHeaders, ...(context && { 'x-cairn-context': context }) },
  );
  expect(upload.body.data.uploadFormat.__typename).toBe('UploadFormatSuccess');
  return { id, name };
}

beforeAll(async () => {
  served = await serveTestApi();
  ({ api } = served);
  server = { url: served.url };
  await principalWithToken('viewer-1', 'viewer');
  await principalWithToken('editor-1', 'editor');
  await principalWithToken('admin-1', 'admin');
});
afterAll(async () => {
  await served?.close();
});

type Outcome = 'ok' | 'FORBIDDEN' | 'UNAUTHENTICATED';
const role = (viewer: Outcome, editor: Outcome, admin: Outcome) => ({ viewer, editor, admin, none: 'UNAUTHENTICATED' as Outcome });

/** Every mutation and the download path: the operation, and the outcome for each built-in role and for no token. */
const table: { name: string; expect: Record<'viewer' | 'editor' | 'admin' | 'none', Outcome>; run: (token: string | null, f: { id: string }) => Promise<Outcome> }[] = [];
const mutation = (name: string, expected: ReturnType<typeof role>, query: (f: { id: string }) => [string, Record<string, unknown>]) =>
  table.push({
    name,
    expect: expected,
    run: async (token, f) => {
      const [q, v] = query(f);
      const { status, body } = await gql(token, q, v);
      if (status === 401) return body.errors[0].extensions.code;
      const result = body.data?.[name];
      if (!result) throw new Error(JSON.stringify(body));
      if (result.__typename.endsWith('Success') || result.__typename === 'DeleteModelSuccess') return 'ok';
      return result.code;
    },
  });

const E = '__typename ... on Error { code }';
mutation('createModel', role('FORBIDDEN', 'ok', 'ok'), () => [`mutation { createModel(input: { name: "new-${++seq}" }) { ${E} } }`, {}]);
mutation('updateModel', role('FORBIDDEN', 'ok', 'ok'), (f) => [`mutation ($id: ID!) { updateModel(input: { id: $id, description: "x" }) { ${E} } }`, { id: f.id }]);
mutation('deleteModel', role('FORBIDDEN', 'FORBIDDEN', 'ok'), (f) => [`mutation ($id: ID!) { deleteModel(id: $id) { ${E} } }`, { id: f.id }]);
mutation('createVersion', role('FORBIDDEN', 'ok', 'ok'), (f) => [`mutation ($id: ID!) { createVersion(input: { modelId: $id }) { ${E} } }`, { id: f.id }]);
mutation('updateVersion', role('FORBIDDEN', 'ok', 'ok'), (f) => [`mutation ($id: ID!) { updateVersion(input: { modelId: $id, number: 1, description: "x" }) { ${E} } }`, { id: f.id }]);
mutation('publishVersion', role('FORBIDDEN', 'ok', 'ok'), (f) => [`mutation ($id: ID!) { publishVersion(modelId: $id, number: 1) { ${E} } }`, { id: f.id }]);
mutation('deleteVersion', role('FORBIDDEN', 'FORBIDDEN', 'ok'), (f) => [`mutation ($id: ID!) { deleteVersion(modelId: $id, number: 2) { ${E} } }`, { id: f.id }]);
mutation('deleteFormat', role('FORBIDDEN', 'ok', 'ok'), (f) => [`mutation ($id: ID!) { deleteFormat(modelId: $id, number: 1, format: "pkl") { ${E} } }`, { id: f.id }]);
mutation('createPrincipal', role('FORBIDDEN', 'FORBIDDEN', 'ok'), () => [`mutation { createPrincipal(name: "p-${++seq}", kind: USER) { ${E} } }`, {}]);
mutation('createGroup', role('FORBIDDEN', 'FORBIDDEN', 'ok'), () => [`mutation { createGroup(name: "g-${++seq}") { ${E} } }`, {}]);
mutation('createContext', role('FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN'), () => [`mutation { createContext(name: "c-${++seq}") { ${E} } }`, {}]);
table.push({
  name: 'uploadFormat',
  expect: role('FORBIDDEN', 'ok', 'ok'),
  run: async (token, f) => {
    const { status, body } = await postMultipart(
      `${server.url}/graphql`,
      `mutation ($input: UploadFormatInput!) { uploadFormat(input: $input) { ${E} } }`,
      { input: { modelId: f.id, number: 1, format: 'rda', file: null } },
      [{ path: 'variables.input.file', data: new Uint8Array([9, 9]), name: 'm.rda' }],
      { ...(token && { authorization: `Bearer ${token}` }) },
    );
    if (status === 401) return 'UNAUTHENTICATED';
    return body.data.uploadFormat.__typename === 'UploadFormatSuccess' ? 'ok' : body.data.uploadFormat.code;
  },
});
table.push({
  name: 'download',
  expect: role('ok', 'ok', 'ok'),
  run: async (token, f) => {
    const response = await fetch(`${server.url}/files/${f.id}/1/pkl`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
    if (response.status === 401) return 'UNAUTHENTICATED';
    if (response.status === 403) return 'FORBIDDEN';
    expect(new Uint8Array(await response.arrayBuffer())).toEqual(new Uint8Array([1, 2, 3]));
    return 'ok';
  },
});

describe('every mutation and the download path, for each role and for no token', () => {
  for (const row of table) {
    for (const who of ['viewer', 'editor', 'admin', 'none'] as const) {
      it(`${row.name} as ${who}: ${row.expect[who]}`, async () => {
        const f = await fixture();
        const token = who === 'none' ? null : tokens[`${who}-1`]!;
        expect(await row.run(token, f)).toBe(row.expect[who]);
      });
    }
  }
});

describe('tokens', () => {
  it('answers 401 with UNAUTHENTICATED for no token or an unknown one, but serves health and GraphiQL', async () => {
    expect((await gql(null, '{ me { principal { name } } }')).status).toBe(401);
    const bad = await gql('cairn_not-a-real-token', '{ me { principal { name } } }');
    expect(bad.status).toBe(401);
    expect(bad.body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
    expect((await fetch(`${server.url}/graphql`, { headers: { accept: 'text/html' } })).status).toBe(200);
  });

  it('refuses a revoked token and an expired one at once', async () => {
    const p = await principalWithToken('short-lived', 'viewer');
    expect((await gql(p.secret, '{ me { principal { name } } }')).status).toBe(200);
    await asAdmin('mutation ($id: ID!) { revokeToken(id: $id) { __typename } }', { id: p.tokenId });
    expect((await gql(p.secret, '{ me { principal { name } } }')).status).toBe(401);

    // Expiring in an hour (set before its first request, which caches its identity with that expiry); then
    // this process's clock reads two hours later: the cached identity is refused as the database would.
    const q = await principalWithToken('expiring', 'viewer');
    await sql`update tokens set expires_at = now() + interval '1 hour' where id = ${q.tokenId}`.execute(api.t.db);
    await accessNotificationsArrived(api.app);
    expect((await gql(q.secret, '{ me { principal { name } } }')).status).toBe(200);
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 2 * 3600_000 });
    try {
      expect((await gql(q.secret, '{ me { principal { name } } }')).status).toBe(401);
    } finally {
      vi.useRealTimers();
    }
    // And one that expired before any request cached it is refused by the database's own clock.
    const r = await principalWithToken('expired', 'viewer');
    await sql`update tokens set expires_at = now() - interval '1 second' where id = ${r.tokenId}`.execute(api.t.db);
    expect((await gql(r.secret, '{ me { principal { name } } }')).status).toBe(401);
  });

  it('keeps no token in plain text, only its sha256', async () => {
    const rows = await api.t.db.selectFrom('tokens').select(['secret_hash']).execute();
    const secrets = [ADMIN_TOKEN, ...Object.values(tokens)];
    for (const row of rows) expect(secrets).not.toContain(row.secret_hash);
    expect(rows.map((r) => r.secret_hash)).toEqual(expect.arrayContaining(secrets.map(hashSecret)));
    const dump = JSON.stringify((await sql`select * from tokens`.execute(api.t.db)).rows);
    for (const secret of secrets) expect(dump).not.toContain(secret);
  });

  it('tells the caller who it is and what it may do', async () => {
    const { body } = await gql(tokens['editor-1']!, '{ me { principal { name kind } context { name } roles permissions } }');
    expect(body.data.me).toMatchObject({ principal: { name: 'editor-1', kind: 'SERVICE' }, context: { name: 'default' }, roles: ['editor'] });
    expect(body.data.me.permissions).toContain('VERSION_PUBLISH');
    expect(body.data.me.permissions).not.toContain('MODEL_DELETE');
  });

  it('records the acting principal and token in every event, shown in history', async () => {
    const f = await fixture();
    await gql(tokens['editor-1']!, 'mutation ($id: ID!) { publishVersion(modelId: $id, number: 1) { __typename } }', { id: f.id });
    const { body } = await gql(tokens['viewer-1']!, '{ model(name: "' + f.name + '") { history(last: 1) { edges { node { type actor } } } } }');
    expect(body.data.model.history.edges[0].node).toEqual({ type: 'VersionPublished', actor: 'editor-1' });
    const events = await api.t.db.selectFrom('events').select('metadata').where('stream_id', '=', f.id).where('type', '=', 'VersionPublished').execute();
    expect(events[0]!.metadata).toMatchObject({ actor: 'editor-1', principalId: principals['editor-1'] });
    expect(events[0]!.metadata.tokenId).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('contexts', () => {
  let other: { id: string; name: string };
  beforeAll(async () => {
    await asAdmin('mutation { createContext(name: "research") { __typename } }');
    other = await fixture('research');
  });

  it("keeps another context's models out of lists, lookups by id and name, history, downloads and subscriptions", async () => {
    const editor = tokens['editor-1']!;
    const list = await gql(editor, '{ models(first: 100) { edges { node { id } } } }');
    expect(list.body.data.models.edges.map((e: any) => e.node.id)).not.toContain(other.id);
    expect((await gql(editor, '{ model(id: "' + other.id + '") { id history { totalCount } } }')).body.data.model).toBeNull();
    expect((await gql(editor, '{ model(name: "' + other.name + '") { id } }')).body.data.model).toBeNull();
    const update = await gql(editor, 'mutation ($id: ID!) { updateModel(input: { id: $id, description: "x" }) { __typename ... on Error { code } } }', { id: other.id });
    expect(update.body.data.updateModel.code).toBe('NOT_FOUND');
    expect((await fetch(`${server.url}/files/${other.id}/1/pkl`, { headers: { authorization: `Bearer ${editor}` } })).status).toBe(404);

    const subscribe = async (variables: Record<string, unknown>) => {
      const abort = new AbortController();
      const response = await fetch(`${server.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: `Bearer ${editor}` },
        body: JSON.stringify({ query: MODEL_EVENTS, variables }),
        signal: abort.signal,
      });
      return { reader: sseReader(response.body!), abort };
    };
    const direct = await subscribe({ modelId: other.id });
    expect((await direct.reader.next()).errors[0].message).toMatch(/No such model/);
    direct.abort.abort();
    const all = await subscribe({});
    await asAdmin('mutation ($id: ID!) { updateModel(input: { id: $id, description: "secret" }) { __typename } }', { id: other.id }, 'research');
    const mine = await fixture();
    const event = (await all.reader.next()).data.modelEvents;
    expect(event.modelId).toBe(mine.id);
    all.abort.abort();
  });

  it('treats a context where the caller has no role as not there, and lets an administrator of it in', async () => {
    const refused = await gql(tokens['editor-1']!, '{ models { totalCount } }', {}, 'research');
    expect(refused.status).toBe(404);
    expect(refused.body.errors[0].extensions.code).toBe('NOT_FOUND');
    const admin = await gql(ADMIN_TOKEN, '{ model(id: "' + other.id + '") { name } }', {}, 'research');
    expect(admin.body.data.model.name).toBe(other.name);
  });
});

describe('groups', () => {
  it('grant their role to members, and take it away when the membership ends', async () => {
    const p = await principalWithToken('grouped', null);
    const before = await gql(p.secret, '{ models { totalCount } }');
    expect(before.status).toBe(404);
    const g = await asAdmin('mutation { createGroup(name: "modellers") { ... on CreateGroupSuccess { group { id } } } }');
    const groupId = g.createGroup.group.id;
    await asAdmin('mutation ($i: RoleGrantInput!) { grantRole(input: $i) { __typename } }', { i: { role: 'editor', groupId } });
    await asAdmin('mutation ($g: ID!, $p: ID!) { addGroupMember(groupId: $g, principalId: $p) { __typename } }', { g: groupId, p: p.id });
    const created = await gql(p.secret, `mutation { createModel(input: { name: "by-group" }) { ${E} } }`);
    expect(created.body.data.createModel.__typename).toBe('CreateModelSuccess');
    await asAdmin('mutation ($g: ID!, $p: ID!) { removeGroupMember(groupId: $g, principalId: $p) { __typename } }', { g: groupId, p: p.id });
    expect((await gql(p.secret, `mutation { createModel(input: { name: "by-group-2" }) { ${E} } }`)).status).toBe(404);
  });

  it("does not let a context administrator mint a token for the superuser", async () => {
    const superuser = (await asAdmin('{ me { principal { id } } }')).me.principal.id;
    const { body } = await gql(tokens['admin-1']!, 'mutation ($i: CreateTokenInput!) { createToken(input: $i) { __typename ... on Error { code } } }', {
      i: { principalId: superuser, name: 'stolen' },
    });
    expect(body.data.createToken).toEqual({ __typename: 'ForbiddenError', code: 'FORBIDDEN' });
  });
});
