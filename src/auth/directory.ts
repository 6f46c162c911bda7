import { ForbiddenError, NameTakenError, NotFoundError, ValidationError } from '../domain/errors.ts';
import type { Db, Executor } from '../store/database.ts';
import { isUniqueViolation } from '../store/pgErrors.ts';
import { isUuid } from '../store/readModels.ts';
import { contextsOf, type Identity, type Principal, rolesIn } from './identity.ts';
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

export async function createPrincipal(db: Db, name: string, kind: 'user' | 'service'): Promise<Principal> {
  try {
    return await db
      .insertInto('principals')
      .values({ name: identifier(name, 'name'), kind })
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
 * Whether the caller may manage another principal's tokens: a superuser may; a context administrator
 * may for a principal whose every role lies in contexts the caller administers (and who is no superuser),
 * so that administering one context never yields a token for another.
 */
export async function canManage(db: Db, caller: Identity, target: Principal): Promise<boolean> {
  if (caller.principal.id === target.id || caller.principal.superuser) return true;
  if (target.superuser || !caller.permissions.has('context:admin')) return false;
  for (const context of await contextsOf(db, target)) {
    if (!(await rolesIn(db, caller.principal, context.id)).includes('admin')) return false;
  }
  return true;
}

async function managedPrincipal(db: Db, caller: Identity, principalId: string): Promise<Principal> {
  const target = await findPrincipal(db, principalId);
  if (!target) throw new NotFoundError('No such principal');
  if (!(await canManage(db, caller, target))) throw new ForbiddenError("You may not manage this principal's tokens");
  return target;
}

const tokenColumns = ['id', 'principal_id', 'name', 'created_at', 'expires_at', 'revoked_at'] as const;
const toToken = (r: { id: string; principal_id: string; name: string; created_at: Date; expires_at: Date | null; revoked_at: Date | null }): TokenRecord => ({
  id: r.id,
  principalId: r.principal_id,
  name: r.name,
  createdAt: r.created_at,
  expiresAt: r.expires_at,
  revokedAt: r.revoked_at,
});

/** A new token for a principal; its secret is returned here and nowhere else, ever. */
export async function createToken(db: Db, caller: Identity, input: { principalId: string; name: string; expiresAt?: Date | null }) {
  const target = await managedPrincipal(db, caller, input.principalId);
  if (input.expiresAt && input.expiresAt.getTime() <= Date.now()) throw new ValidationError('expiresAt', 'A token must expire in the future');
  const label = input.name.trim();
  if (label.length === 0 || label.length > 100) throw new ValidationError('name', 'A token name is 1-100 characters');
  const secret = newTokenSecret();
  const row = await db
    .insertInto('tokens')
    .values({ principal_id: target.id, name: label, secret_hash: hashSecret(secret), expires_at: input.expiresAt ?? null, revoked_at: null })
    .returning(tokenColumns)
    .executeTakeFirstOrThrow();
  return { secret, token: toToken(row) };
}

export async function listTokens(db: Db, caller: Identity, principalId: string): Promise<TokenRecord[]> {
  const target = await managedPrincipal(db, caller, principalId);
  return (await db.selectFrom('tokens').select(tokenColumns).where('principal_id', '=', target.id).orderBy('created_at').execute()).map(toToken);
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

export async function grantRole(db: Db, contextId: string, input: { role: Role; principalId?: string | null; groupId?: string | null }): Promise<GrantRecord> {
  const who = await grantee(db, contextId, input);
  const existing = await db
    .selectFrom('role_grants')
    .selectAll()
    .where('context_id', '=', contextId)
    .where('role', '=', input.role)
    .where(who.principal_id ? 'principal_id' : 'group_id', '=', (who.principal_id ?? who.group_id)!)
    .executeTakeFirst();
  if (existing) return toGrant(existing);
  return toGrant(await db.insertInto('role_grants').values({ context_id: contextId, role: input.role, ...who }).returningAll().executeTakeFirstOrThrow());
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

/** Principals an administrator of this context may see: those with a role here, and those with none anywhere yet. */
export async function listPrincipals(db: Executor, contextId: string): Promise<Principal[]> {
  return db
    .selectFrom('principals')
    .select(['principals.id', 'principals.name', 'principals.kind', 'principals.superuser'])
    .where((eb) =>
      eb.or([
        eb('principals.id', 'in', eb.selectFrom('role_grants').select('principal_id').where('context_id', '=', contextId).where('principal_id', 'is not', null).$narrowType<{ principal_id: string }>()),
        eb(
          'principals.id',
          'in',
          eb.selectFrom('group_members').innerJoin('role_grants', 'role_grants.group_id', 'group_members.group_id').select('group_members.principal_id').where('role_grants.context_id', '=', contextId),
        ),
        eb.and([
          eb.not(eb.exists(eb.selectFrom('role_grants').select('id').whereRef('role_grants.principal_id', '=', 'principals.id'))),
          eb.not(eb.exists(eb.selectFrom('group_members').select('group_id').whereRef('group_members.principal_id', '=', 'principals.id'))),
        ]),
      ]),
    )
    .orderBy('principals.name')
    .execute();
}
