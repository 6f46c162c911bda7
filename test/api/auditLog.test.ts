import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashSecret } from '../../src/auth/tokens.ts';
import { ADMIN_TOKEN } from '../helpers/api.ts';
import { givenContext, givenPrincipal, type Served, serveTestApi, uniqueName } from '../helpers/fixtures.ts';

/**
 * Query.auditLog: a context's access-control events, for its administrators only. Two contexts, A and B,
 * each with its administrator, a group, principals and tokens; and P, a principal of B holding a role in A,
 * for which B's administrator mints a token: A's administrators see that, and nothing else of B.
 */

const AUDIT = `query ($first: Int, $after: String, $last: Int, $before: String) {
  auditLog(first: $first, after: $after, last: $last, before: $before) {
    edges { cursor node { id position type streamType streamId actor recordedAt occurredAt requestId data } }
    pageInfo { hasNextPage hasPreviousPage endCursor }
  }
}`;

interface AuditEvent {
  id: string;
  position: string;
  type: string;
  streamType: 'CONTEXT' | 'GROUP' | 'PRINCIPAL';
  streamId: string;
  actor: string | null;
  recordedAt: string;
  occurredAt: string;
  requestId: string | null;
  data: any;
}

let s: Served;
let A: { id: string; name: string };
let B: { id: string; name: string };
let adminA: Awaited<ReturnType<typeof givenPrincipal>>;
let adminB: Awaited<ReturnType<typeof givenPrincipal>>;
let viewerA: Awaited<ReturnType<typeof givenPrincipal>>;
let editorA: Awaited<ReturnType<typeof givenPrincipal>>;
let worker: Awaited<ReturnType<typeof givenPrincipal>>;
let onlyB: Awaited<ReturnType<typeof givenPrincipal>>;
let groupA: string;
let groupB: string;
let P: string;
let minted: { tokenId: string; secret: string };
/** Every secret this file has seen: none of them, nor its hash, may appear in an answer. */
const secrets: string[] = [ADMIN_TOKEN];

/** A mutation's result member as `token` in `context`, with optional headers; fails on a top-level error. */
async function mutate(token: string, query: string, variables: Record<string, unknown>, context: string, headers: Record<string, string> = {}) {
  const { body } = await s.gql(token, query, variables, context, headers);
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  const result = Object.values(body.data)[0] as any;
  if (result.__typename && !String(result.__typename).endsWith('Success')) throw new Error(JSON.stringify(result));
  return result;
}

const createGroup = async (token: string, context: string) =>
  (await mutate(token, 'mutation ($n: String!) { createGroup(name: $n) { __typename ... on CreateGroupSuccess { group { id } } } }', { n: uniqueName('group') }, context)).group.id as string;
const GRANT = 'mutation ($i: RoleGrantInput!) { grantRole(input: $i) { __typename } }';
const REVOKE_ROLE = 'mutation ($i: RoleGrantInput!) { revokeRole(input: $i) { __typename } }';
const ADD_MEMBER = 'mutation ($g: ID!, $p: ID!) { addGroupMember(groupId: $g, principalId: $p) { __typename } }';
const REMOVE_MEMBER = 'mutation ($g: ID!, $p: ID!) { removeGroupMember(groupId: $g, principalId: $p) { __typename } }';
const REVOKE_TOKEN = 'mutation ($id: ID!) { revokeToken(id: $id) { __typename } }';

beforeAll(async () => {
  s = await serveTestApi();
  A = await givenContext(s);
  B = await givenContext(s);
  adminA = await givenPrincipal(s, 'admin', { context: A.name });
  adminB = await givenPrincipal(s, 'admin', { context: B.name });
  viewerA = await givenPrincipal(s, 'viewer', { context: A.name });
  editorA = await givenPrincipal(s, 'editor', { context: A.name });
  // In A, by A's administrator: a worker with a token it then revokes, a role granted and taken back, a group.
  worker = await givenPrincipal(s, 'viewer', { context: A.name, creator: adminA.secret });
  await mutate(adminA.secret, REVOKE_TOKEN, { id: worker.tokenId }, A.name);
  await mutate(adminA.secret, GRANT, { i: { role: 'editor', principalId: worker.id } }, A.name);
  await mutate(adminA.secret, REVOKE_ROLE, { i: { role: 'editor', principalId: worker.id } }, A.name);
  groupA = await createGroup(adminA.secret, A.name);
  await mutate(adminA.secret, ADD_MEMBER, { g: groupA, p: viewerA.id }, A.name);
  await mutate(adminA.secret, REMOVE_MEMBER, { g: groupA, p: viewerA.id }, A.name);
  await mutate(adminA.secret, GRANT, { i: { role: 'viewer', groupId: groupA } }, A.name);
  // In B only.
  onlyB = await givenPrincipal(s, 'editor', { context: B.name, creator: adminB.secret });
  groupB = await createGroup(adminB.secret, B.name);
  await mutate(adminB.secret, ADD_MEMBER, { g: groupB, p: onlyB.id }, B.name);
  // P: B's, with a role in A; then B's administrator mints it a token (which opens A).
  P = (await mutate(adminB.secret, 'mutation { createPrincipal(name: "p-of-b", kind: SERVICE) { __typename ... on CreatePrincipalSuccess { principal { id } } } }', {}, B.name)).principal.id;
  await mutate(adminA.secret, GRANT, { i: { role: 'viewer', principalId: P } }, A.name);
  const token = await mutate(
    adminB.secret,
    'mutation ($i: CreateTokenInput!) { createToken(input: $i) { __typename ... on CreateTokenSuccess { secret token { id } } } }',
    { i: { principalId: P, name: 'from-b' } },
    B.name,
    { 'x-request-id': 'mint-by-b' },
  );
  minted = { tokenId: token.token.id, secret: token.secret };
  secrets.push(adminA.secret, adminB.secret, viewerA.secret, editorA.secret, worker.secret, onlyB.secret, minted.secret);
});
afterAll(() => s?.close());

/** The whole audit log as `token` in `context`, page by page; each answer is checked for secrets. */
async function auditLogOf(token: string, context: string, pageSize = 7): Promise<AuditEvent[]> {
  const events: AuditEvent[] = [];
  let after: string | undefined;
  for (;;) {
    const { status, body } = await s.gql(token, AUDIT, { first: pageSize, after }, context);
    expect([status, body.errors]).toEqual([200, undefined]);
    expectNoSecrets(body);
    events.push(...body.data.auditLog.edges.map((e: { cursor: string; node: AuditEvent }) => {
      expect(e.cursor).toBe(e.node.position);
      return e.node;
    }));
    if (!body.data.auditLog.pageInfo.hasNextPage) return events;
    after = body.data.auditLog.pageInfo.endCursor;
  }
}

function expectNoSecrets(body: unknown) {
  const text = JSON.stringify(body);
  for (const secret of secrets) {
    expect(text).not.toContain(secret);
    expect(text).not.toContain(hashSecret(secret));
  }
}

const about = (events: AuditEvent[], streamId: string) => events.filter((e) => e.streamId === streamId).map((e) => e.type);

describe('the audit log of a context, for its administrator', () => {
  it('holds its creation, grants, groups and its principals with their tokens, oldest first, with who did it', async () => {
    const events = await auditLogOf(adminA.secret, A.name);
    const positions = events.map((e) => BigInt(e.position));
    expect(positions).toEqual([...positions].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
    expect(new Set(positions).size).toBe(positions.length);
    expect(events[0]).toMatchObject({ type: 'ContextCreated', streamType: 'CONTEXT', streamId: A.id, actor: 'admin', data: { name: A.name } });
    expect(events.every((e) => /^[0-9a-f-]{36}$/.test(e.id) && e.occurredAt === e.recordedAt)).toBe(true);

    expect(about(events, worker.id)).toEqual(['PrincipalCreated', 'TokenCreated', 'TokenRevoked']);
    const workerEvents = events.filter((e) => e.streamId === worker.id);
    expect(workerEvents.map((e) => e.actor)).toEqual([adminA.name, adminA.name, adminA.name]);
    expect(workerEvents[0]).toMatchObject({ streamType: 'PRINCIPAL', data: { name: worker.name, kind: 'service', superuser: false, homeContextId: A.id, createdBy: adminA.id } });
    expect(workerEvents[1]!.data).toEqual({ tokenId: worker.tokenId, name: 'test', createdBy: adminA.id, expiresAt: null });
    expect(workerEvents[2]!.data).toEqual({ tokenId: worker.tokenId });

    const grants = events.filter((e) => e.streamId === A.id && e.type !== 'ContextCreated');
    expect(grants.map((e) => [e.type, e.data.role, e.data.principalId ?? e.data.groupId])).toEqual([
      ['RoleGranted', 'admin', adminA.id],
      ['RoleGranted', 'viewer', viewerA.id],
      ['RoleGranted', 'editor', editorA.id],
      ['RoleGranted', 'viewer', worker.id],
      ['RoleGranted', 'editor', worker.id],
      ['RoleRevoked', 'editor', worker.id],
      ['RoleGranted', 'viewer', groupA],
      ['RoleGranted', 'viewer', P],
    ]);
    const [granted, revoked] = grants.filter((e) => e.data.role === 'editor' && e.data.principalId === worker.id);
    expect(revoked!.data.grantId).toBe(granted!.data.grantId);

    expect(about(events, groupA)).toEqual(['GroupCreated', 'GroupMemberAdded', 'GroupMemberRemoved']);
    expect(events.filter((e) => e.streamId === groupA).every((e) => e.streamType === 'GROUP' && e.actor === adminA.name)).toBe(true);
  });

  it("shows what another context's administrator did to a principal holding a role here, and nothing else of that context", async () => {
    const events = await auditLogOf(adminA.secret, A.name);
    const ofP = events.filter((e) => e.streamId === P);
    expect(ofP.map((e) => [e.type, e.actor])).toEqual([
      ['PrincipalCreated', adminB.name],
      ['TokenCreated', adminB.name],
    ]);
    expect(ofP[1]).toMatchObject({ requestId: 'mint-by-b', data: { tokenId: minted.tokenId, name: 'from-b', createdBy: adminB.id } });
    for (const streamId of [B.id, groupB, onlyB.id, adminB.id]) expect(about(events, streamId), streamId).toEqual([]);
    // Every event is about A itself, its group, or a principal homed in A or holding a role there.
    const related = new Set([A.id, groupA, adminA.id, viewerA.id, editorA.id, worker.id, P, (await s.asAdmin('{ me { principal { id } } }')).me.principal.id]);
    expect(events.filter((e) => !related.has(e.streamId))).toEqual([]);
  });

  it('is another list for a superuser in another context: only that one', async () => {
    const events = await auditLogOf(ADMIN_TOKEN, B.name);
    expect(events[0]).toMatchObject({ type: 'ContextCreated', streamId: B.id });
    expect(about(events, onlyB.id)).toEqual(['PrincipalCreated', 'TokenCreated']);
    expect(about(events, groupB)).toEqual(['GroupCreated', 'GroupMemberAdded']);
    expect(about(events, P)).toEqual(['PrincipalCreated', 'TokenCreated']);
    for (const streamId of [A.id, groupA, worker.id, adminA.id, viewerA.id]) expect(about(events, streamId), streamId).toEqual([]);
  });

  it('pages by position, forwards and backwards, to the same events', async () => {
    const all = await auditLogOf(adminA.secret, A.name, 100);
    expect(await auditLogOf(adminA.secret, A.name, 2)).toEqual(all);
    const { body } = await s.gql(adminA.secret, AUDIT, { last: 3 }, A.name);
    expect(body.data.auditLog.edges.map((e: { node: AuditEvent }) => e.node)).toEqual(all.slice(-3));
    expect(body.data.auditLog.pageInfo.hasPreviousPage).toBe(true);
    const before = await s.gql(adminA.secret, AUDIT, { last: 2, before: all[3]!.position }, A.name);
    expect(before.body.data.auditLog.edges.map((e: { node: AuditEvent }) => e.node)).toEqual(all.slice(1, 3));
    const fromStart = await s.gql(adminA.secret, AUDIT, { first: 1, after: '0' }, A.name);
    expect(fromStart.body.data.auditLog.edges[0].node).toEqual(all[0]);
  });
});

describe('the audit log refuses', () => {
  it('a viewer and an editor: FORBIDDEN, no data', async () => {
    for (const caller of [viewerA, editorA]) {
      const { status, body } = await s.gql(caller.secret, AUDIT, { first: 10 }, A.name);
      expect(status).toBe(200);
      expect(body.data).toBeNull();
      expect(body.errors).toEqual([expect.objectContaining({ extensions: { code: 'FORBIDDEN' } })]);
    }
  });

  it("an administrator of A in B: B is not there for it", async () => {
    const { status, body } = await s.gql(adminA.secret, AUDIT, { first: 10 }, B.name);
    expect([status, body.errors[0].extensions.code]).toEqual([404, 'NOT_FOUND']);
  });

  it('hostile cursors with a VALIDATION error, and never shows another context\'s event', async () => {
    for (const after of ['\u0000', '1\u0000', '\ud800', 'x'.repeat(10_000), '99999999999999999999', '9223372036854775808', '-1', '00', ' 1', '1e3', 'abc', "1' or '1'='1", 'eyJvIjoiTkFNRSJ9']) {
      const { body } = await s.gql(adminA.secret, AUDIT, { first: 10, after }, A.name);
      expect(body.data, JSON.stringify(after.slice(0, 20))).toBeNull();
      expect(body.errors?.[0]?.extensions?.code, JSON.stringify(after.slice(0, 20))).toBe('VALIDATION');
    }
    for (const first of [-1, 101]) {
      const { body } = await s.gql(adminA.secret, AUDIT, { first }, A.name);
      expect(body.errors?.[0]?.extensions?.code, String(first)).toBe('VALIDATION');
    }
    const mine = await auditLogOf(adminA.secret, A.name, 100);
    const theirs = await auditLogOf(ADMIN_TOKEN, B.name, 100);
    const onlyTheirs = theirs.filter((e) => !mine.some((m) => m.id === e.id));
    expect(onlyTheirs.length).toBeGreaterThan(0);
    // Another context's positions as cursors: this context's events after them, and none of the other's.
    for (const e of onlyTheirs) {
      const { body } = await s.gql(adminA.secret, AUDIT, { first: 100, after: e.position }, A.name);
      const page: AuditEvent[] = body.data.auditLog.edges.map((x: { node: AuditEvent }) => x.node);
      expect(page).toEqual(mine.filter((m) => BigInt(m.position) > BigInt(e.position)));
    }
    const end = await s.gql(adminA.secret, AUDIT, { first: 10, after: '9223372036854775807' }, A.name);
    expect(end.body.data.auditLog.edges).toEqual([]);
  });
});
