import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import type { Db } from '../../src/store/database.ts';
import { ADMIN_TOKEN } from '../helpers/api.ts';
import { givenContext, givenPrincipal, type Served, serveTestApi, uniqueName } from '../helpers/fixtures.ts';

// grantRole is idempotent: the same grant asked for again, or many times at once, is the one grant. The ten
// requests below are held, each at the start of its command's transaction (after its checks, before it
// locks the context's stream), until all ten are there: then all ten decide at once, on either database.
let s: Served;
/** While set: transactions wait to begin until this many have arrived, then all go on together. */
let barrier: { expected: number; arrived: number; open: () => void; opened: Promise<void> } | null = null;

function heldUntilAllArrive<T extends object>(builder: T): T {
  return new Proxy(builder, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target);
      if (typeof value !== 'function') return value;
      if (typeof prop === 'string' && prop.startsWith('execute')) {
        return async (...args: unknown[]) => {
          if (barrier) {
            if (++barrier.arrived === barrier.expected) barrier.open();
            await barrier.opened;
          }
          return value.apply(target, args);
        };
      }
      return (...args: unknown[]) => {
        const next = value.apply(target, args);
        return next && typeof next === 'object' ? heldUntilAllArrive(next) : next;
      };
    },
  });
}

const withHeldGrants = (db: Db): Db =>
  new Proxy(db, {
    get(target, prop) {
      if (prop === 'startTransaction') return () => heldUntilAllArrive(target.startTransaction());
      const value = Reflect.get(target, prop, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });

beforeAll(async () => {
  s = await serveTestApi({ store: (t) => ({ ...t.store, db: withHeldGrants(t.db) }) });
});
afterAll(() => s?.close());
afterEach(() => {
  barrier = null;
});

const GRANT = `mutation ($i: RoleGrantInput!) { grantRole(input: $i) {
  __typename ... on GrantRoleSuccess { grant { id role principalId groupId } } ... on Error { code message } } }`;

async function grantTenTimesAtOnce(input: Record<string, unknown>, context: string) {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  barrier = { expected: 10, arrived: 0, open, opened };
  const answers = await Promise.all(Array.from({ length: 10 }, () => s.gql(ADMIN_TOKEN, GRANT, { i: input }, context)));
  expect(barrier.arrived).toBe(10);
  barrier = null;
  for (const a of answers) expect([a.status, a.body.errors]).toEqual([200, undefined]);
  return answers.map((a) => a.body.data.grantRole);
}

const grantRows = (contextId: string) => s.api.t.db.selectFrom('role_grants').selectAll().where('context_id', '=', contextId).execute();
/** The grants the context's stream records: one event for the one grant. */
const grantEvents = async (contextId: string) =>
  (await s.api.t.db.selectFrom('events').select('data').where('stream_id', '=', contextId).where('type', '=', 'RoleGranted').execute()).map((e) => (e.data as { grantId: string }).grantId);

it('answers ten identical grants to a principal, sent at once, with the same grant, and keeps one', async () => {
  const context = await givenContext(s);
  const principal = await givenPrincipal(s, null, { context: context.name });
  const results = await grantTenTimesAtOnce({ role: 'editor', principalId: principal.id }, context.name);
  expect(results.map((r) => r.__typename)).toEqual(Array(10).fill('GrantRoleSuccess'));
  const grant = results[0].grant;
  expect(grant).toMatchObject({ role: 'editor', principalId: principal.id, groupId: null });
  for (const r of results) expect(r.grant).toEqual(grant);
  expect(await grantRows(context.id)).toEqual([expect.objectContaining({ id: grant.id, role: 'editor', principal_id: principal.id, group_id: null })]);
  expect(await grantEvents(context.id)).toEqual([grant.id]);
});

it('answers ten identical grants to a group, sent at once, with the same grant, and keeps one', async () => {
  const context = await givenContext(s);
  const created = await s.asAdmin('mutation ($n: String!) { createGroup(name: $n) { ... on CreateGroupSuccess { group { id } } ... on Error { code message } } }', { n: uniqueName('group') }, context.name);
  const groupId = created.createGroup.group.id;
  const results = await grantTenTimesAtOnce({ role: 'viewer', groupId }, context.name);
  expect(results.map((r) => r.__typename)).toEqual(Array(10).fill('GrantRoleSuccess'));
  const grant = results[0].grant;
  expect(grant).toMatchObject({ role: 'viewer', principalId: null, groupId });
  for (const r of results) expect(r.grant).toEqual(grant);
  expect(await grantRows(context.id)).toEqual([expect.objectContaining({ id: grant.id, role: 'viewer', principal_id: null, group_id: groupId })]);
  expect(await grantEvents(context.id)).toEqual([grant.id]);
});

it('grants another role to the same principal as a grant of its own, and a repeat later as the same grant', async () => {
  const context = await givenContext(s);
  const principal = await givenPrincipal(s, 'viewer', { context: context.name });
  const first = (await s.asAdmin(GRANT, { i: { role: 'admin', principalId: principal.id } }, context.name)).grantRole.grant;
  const again = (await s.asAdmin(GRANT, { i: { role: 'admin', principalId: principal.id } }, context.name)).grantRole.grant;
  expect(again).toEqual(first);
  expect((await grantRows(context.id)).map((r) => r.role).sort()).toEqual(['admin', 'viewer']);
});
