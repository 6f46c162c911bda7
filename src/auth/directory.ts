import { ConflictError, ForbiddenError, NameTakenError, NotFoundError, ValidationError } from '../domain/errors.ts';
import { type ExpressionBuilder, sql } from 'kysely';
import type { Database, Db, Executor } from '../store/database.ts';
import { isUniqueViolation } from '../store/pgErrors.ts';
import { isUuid } from '../domain/ids.ts';
import { type Identity, type Principal, rolesIn } from './identity.ts';
import type { Role } from './permissions.ts';
import { hashSecret, newTokenSecret } from './tokens.ts';

/** Contexts, principals, tokens, groups and role grants: what administrators manage. */

export interface TokenRecord {
  id: string;
  principalId: string;
  name: string;
  createdAt: Date;
  expiresAt: Date | null;
  revokedAt: Date | null;
  /** The name of the principal that created it; null for the bootstrap token and tokens from before it was recorded. */
  createdBy: string | null;
}

export interface GroupRecord {
  id: string;
  contextId: string;
  name: string;
}

export interface GrantRecord {
  id: string;
  contextId: string;
  role: Role;
  principalId: string | null;
  groupId: string | null;
}

function identifier(value: string, field: string): string {
  const name = value.trim();
  if (!/^[\w.@+-]{1,100}$/.test(name)) throw new ValidationError(field, 'A name is 1-100 letters, digits, and . _ @ + -');
  return name;
}

const id = (value: string, what: string) => {
  if (!isUuid(value)) throw new NotFoundError(`No such ${what}`);
  return value.toLowerCase();
};

export async function createContext(db: Db, name: string, creator: Principal): Promise<{ id: string; name: string }> {
  try {
    return await db.transaction().execute(async (trx) => {
      const context = await trx.insertInto('contexts').values({ name: identifier(name, 'name') }).returning(['id', 'name']).executeTakeFirstOrThrow();
      if (!creator.superuser) await trx.insertInto('role_grants').values({ context_id: context.id, role: 'admin', principal_id: creator.id, group_id: null }).execute();
      return context;
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw new NameTakenError(name.trim());
    throw error;
  }
}

/** A new principal, homed in the caller's current context: that context's administrators manage its tokens. */
export async function createPrincipal(db: Db, caller: Identity, name: string, kind: 'user' | 'service'): Promise<Principal> {
  try {
    return await db
      .insertInto('principals')
      .values({ name: identifier(name, 'name'), kind, home_context_id: caller.context.id, created_by: caller.principal.id })
      .returning(['id', 'name', 'kind', 'superuser'])
      .executeTakeFirstOrThrow();
  } catch (error) {
    if (isUniqueViolation(error)) throw new NameTakenError(name.trim());
    throw error;
  }
}

export async function findPrincipal(db: Executor, principalId: string): Promise<Principal | null> {
  if (!isUuid(principalId)) return null;
  return (await db.selectFrom('principals').select(['id', 'name', 'kind', 'superuser']).where('id', '=', principalId.toLowerCase()).executeTakeFirst()) ?? null;
}

/**
 * Whether the caller may create, list and revoke a principal's tokens: its own always; a superuser anyone's;
 * a context administrator those of the principals created in (homed in) a context it administers, and
 * never a superuser's. Roles do not count: a principal that another context's administrator created, with
 * no role yet, or given a role here, or stripped of its last role, stays that context's, so administering
 * one context never yields a token that will work in another.
 */
export async function canManage(db: Executor, caller: Identity, target: Principal & { homeContextId: string | null }): Promise<boolean> {
  if (caller.principal.id === target.id || caller.principal.superuser) return true;
  if (target.superuser || target.homeContextId === null) return false;
  return (await rolesIn(db, caller.principal, target.homeContextId)).includes('admin');
}

async function managedPrincipal(db: Db, caller: Identity, principalId: string): Promise<Principal> {
  const row = isUuid(principalId)
    ? await db.selectFrom('principals').select(['id', 'name', 'kind', 'superuser', 'home_context_id']).where('id', '=', principalId.toLowerCase()).executeTakeFirst()
    : undefined;
  if (!row) throw new NotFoundError('No such principal');
  const target = { id: row.id, name: row.name, kind: row.kind, superuser: row.superuser };
  if (!(await canManage(db, caller, { ...target, homeContextId: row.home_context_id }))) {
    throw new ForbiddenError("You may not manage this principal's tokens: only a superuser and the administrators of the context it was created in may");
  }
  return target;
}

/** A token's columns, and its creator's name. */
const tokenColumns = (eb: ExpressionBuilder<Database, 'tokens'>) =>
  [
    'tokens.id',
    'tokens.principal_id',
    'tokens.name',
    'tokens.created_at',
    'tokens.expires_at',
    'tokens.revoked_at',
    eb.selectFrom('principals').select('principals.name').whereRef('principals.id', '=', 'tokens.created_by').as('created_by_name'),
  ] as const;
const toToken = (r: {
  id: string;
  principal_id: string;
  name: string;
  created_at: Date;
  expires_at: Date | null;
  revoked_at: Date | null;
  created_by_name: string | null;
}): TokenRecord => ({
  id: r.id,
  principalId: r.principal_id,
  name: r.name,
  createdAt: r.created_at,
  expiresAt: r.expires_at,
  revokedAt: r.revoked_at,
  createdBy: r.created_by_name,
});

/**
 * A new token for a principal; its secret is returned here and nowhere else, ever. A token created with a
 * token that expires expires no later than it: by default at the same time.
 */
export async function createToken(db: Db, caller: Identity, input: { principalId: string; name: string; expiresAt?: Date | null }) {
  const target = await managedPrincipal(db, caller, input.principalId);
  const wanted = input.expiresAt ?? null;
  if (wanted && wanted.getTime() <= Date.now()) throw new ValidationError('expiresAt', 'A token must expire in the future');
  const cap = caller.tokenExpiresAt;
  if (cap && wanted && wanted.getTime() > cap.getTime()) {
    throw new ValidationError('expiresAt', `The token you are using expires at ${cap.toISOString()}; a token it creates cannot expire later`);
  }
  const label = input.name.trim();
  if (label.length === 0 || label.length > 100) throw new ValidationError('name', 'A token name is 1-100 characters');
  const secret = newTokenSecret();
  // Capped against the parent's stored expiry rather than the millisecond Date read from it, so that the
  // child never outlives it, not even by microseconds.
  const expiresAt = cap
    ? sql<Date>`(select least(coalesce(${wanted}::timestamptz, parent.expires_at), parent.expires_at) from tokens parent where parent.id = ${caller.tokenId})`
    : wanted;
  const row = await db
    .insertInto('tokens')
    .values({ principal_id: target.id, name: label, secret_hash: hashSecret(secret), expires_at: expiresAt, revoked_at: null, created_by: caller.principal.id })
    .returning(tokenColumns)
    .executeTakeFirstOrThrow();
  return { secret, token: toToken(row) };
}

export async function listTokens(db: Db, caller: Identity, principalId: string): Promise<TokenRecord[]> {
  const target = await managedPrincipal(db, caller, principalId);
  return (await db.selectFrom('tokens').select(tokenColumns).where('tokens.principal_id', '=', target.id).orderBy('tokens.created_at').execute()).map(toToken);
}

/** Revoked at once: the next request with it is refused. */
export async function revokeToken(db: Db, caller: Identity, tokenId: string): Promise<TokenRecord> {
  const row = await db.selectFrom('tokens').select('principal_id').where('id', '=', id(tokenId, 'token')).executeTakeFirst();
  if (!row) throw new NotFoundError('No such token');
  await managedPrincipal(db, caller, row.principal_id);
  const updated = await db
    .updateTable('tokens')
    .set((eb) => ({ revoked_at: eb.fn.coalesce('revoked_at', eb.fn<Date>('now', [])) }))
    .where('id', '=', tokenId.toLowerCase())
    .returning(tokenColumns)
    .executeTakeFirstOrThrow();
  return toToken(updated);
}

export async function createGroup(db: Db, contextId: string, name: string): Promise<GroupRecord> {
  try {
    const row = await db
      .insertInto('groups')
      .values({ context_id: contextId, name: identifier(name, 'name') })
      .returning(['id', 'context_id', 'name'])
      .executeTakeFirstOrThrow();
    return { id: row.id, contextId: row.context_id, name: row.name };
  } catch (error) {
    if (isUniqueViolation(error)) throw new NameTakenError(name.trim());
    throw error;
  }
}

export async function findGroup(db: Executor, contextId: string, groupId: string): Promise<GroupRecord> {
  const row = await db.selectFrom('groups').select(['id', 'context_id', 'name']).where('id', '=', id(groupId, 'group')).where('context_id', '=', contextId).executeTakeFirst();
  if (!row) throw new NotFoundError('No such group in this context');
  return { id: row.id, contextId: row.context_id, name: row.name };
}

export async function listGroups(db: Executor, contextId: string): Promise<GroupRecord[]> {
  const rows = await db.selectFrom('groups').select(['id', 'context_id', 'name']).where('context_id', '=', contextId).orderBy('name').execute();
  return rows.map((r) => ({ id: r.id, contextId: r.context_id, name: r.name }));
}

export async function groupMembers(db: Executor, groupId: string): Promise<Principal[]> {
  return db
    .selectFrom('group_members')
    .innerJoin('principals', 'principals.id', 'group_members.principal_id')
    .select(['principals.id', 'principals.name', 'principals.kind', 'principals.superuser'])
    .where('group_members.group_id', '=', groupId)
    .orderBy('principals.name')
    .execute();
}

export async function setGroupMember(db: Db, contextId: string, groupId: string, principalId: string, member: boolean): Promise<GroupRecord> {
  const group = await findGroup(db, contextId, groupId);
  const principal = await findPrincipal(db, principalId);
  if (!principal) throw new NotFoundError('No such principal');
  if (member) await db.insertInto('group_members').values({ group_id: group.id, principal_id: principal.id }).onConflict((oc) => oc.doNothing()).execute();
  else await db.deleteFrom('group_members').where('group_id', '=', group.id).where('principal_id', '=', principal.id).execute();
  return group;
}

const toGrant = (r: { id: string; context_id: string; role: Role; principal_id: string | null; group_id: string | null }): GrantRecord => ({
  id: r.id,
  contextId: r.context_id,
  role: r.role,
  principalId: r.principal_id,
  groupId: r.group_id,
});

async function grantee(db: Db, contextId: string, input: { principalId?: string | null; groupId?: string | null }) {
  if ((input.principalId == null) === (input.groupId == null)) throw new ValidationError('principalId', 'Give either principalId or groupId');
  if (input.principalId != null) {
    const principal = await findPrincipal(db, input.principalId);
    if (!principal) throw new NotFoundError('No such principal');
    return { principal_id: principal.id, group_id: null };
  }
  const group = await findGroup(db, contextId, input.groupId!);
  return { principal_id: null, group_id: group.id };
}

/**
 * Grants a role, or finds the same grant made before: idempotent. The insert itself decides (its conflict
 * target is the unique index role_grants_key), so two identical grants at once both get the one grant
 * instead of one of them failing on the index, as a read then an insert would.
 */
export async function grantRole(db: Db, contextId: string, input: { role: Role; principalId?: string | null; groupId?: string | null }): Promise<GrantRecord> {
  const who = await grantee(db, contextId, input);
  // A grant revoked between the insert and the read is made again, a bounded number of times.
  for (let attempt = 0; attempt < 3; attempt++) {
    const inserted = await db
      .insertInto('role_grants')
      .values({ context_id: contextId, role: input.role, ...who })
      .onConflict((oc) => oc.expression(sql`context_id, role, (coalesce(principal_id, group_id))`).doNothing())
      .returningAll()
      .executeTakeFirst();
    if (inserted) return toGrant(inserted);
    const existing = await db
      .selectFrom('role_grants')
      .selectAll()
      .where('context_id', '=', contextId)
      .where('role', '=', input.role)
      .where(who.principal_id ? 'principal_id' : 'group_id', '=', (who.principal_id ?? who.group_id)!)
      .executeTakeFirst();
    if (existing) return toGrant(existing);
  }
  throw new ConflictError('The grant changed while this request ran; try again');
}

export async function revokeRole(db: Db, contextId: string, input: { role: Role; principalId?: string | null; groupId?: string | null }): Promise<number> {
  const who = await grantee(db, contextId, input);
  const result = await db
    .deleteFrom('role_grants')
    .where('context_id', '=', contextId)
    .where('role', '=', input.role)
    .where(who.principal_id ? 'principal_id' : 'group_id', '=', (who.principal_id ?? who.group_id)!)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

export async function listGrants(db: Executor, contextId: string): Promise<GrantRecord[]> {
  return (await db.selectFrom('role_grants').selectAll().where('context_id', '=', contextId).orderBy('role').execute()).map(toGrant);
}

/**
 * Principals an administrator of this context may see: those created here and those with a role here
 * (directly or through a group). A superuser also sees those homed nowhere (from before homes were kept).
 */
export async function listPrincipals(db: Executor, caller: Identity): Promise<Principal[]> {
  const contextId = caller.context.id;
  return db
    .selectFrom('principals')
    .select(['principals.id', 'principals.name', 'principals.kind', 'principals.superuser'])
    .where((eb) =>
      eb.or([
        eb('principals.home_context_id', '=', contextId),
        ...(caller.principal.superuser ? [eb('principals.home_context_id', 'is', null)] : []),
        eb('principals.id', 'in', eb.selectFrom('role_grants').select('principal_id').where('context_id', '=', contextId).where('principal_id', 'is not', null).$narrowType<{ principal_id: string }>()),
        eb(
          'principals.id',
          'in',
          eb.selectFrom('group_members').innerJoin('role_grants', 'role_grants.group_id', 'group_members.group_id').select('group_members.principal_id').where('role_grants.context_id', '=', contextId),
        ),
      ]),
    )
    .orderBy('principals.name')
    .execute();
}
