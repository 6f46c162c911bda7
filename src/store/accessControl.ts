import { type ExpressionBuilder, sql } from 'kysely';
import type { Role } from '../domain/access/events.ts';
import type { Database, Executor } from './database.ts';
import { isUuid } from '../domain/ids.ts';

/**
 * Reads of the access-control tables (projections of the context, group and principal streams) that
 * administrators' requests make. Writes go through the log: src/store/handleAccessCommand.ts.
 */

export interface PrincipalRecord {
  id: string;
  name: string;
  kind: 'user' | 'service';
  superuser: boolean;
}

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

const principalColumns = ['principals.id', 'principals.name', 'principals.kind', 'principals.superuser'] as const;

export async function findPrincipal(db: Executor, principalId: string): Promise<PrincipalRecord | null> {
  if (!isUuid(principalId)) return null;
  return (await db.selectFrom('principals').select(principalColumns).where('id', '=', principalId.toLowerCase()).executeTakeFirst()) ?? null;
}

/** A principal and the context it was created in (its home), whose administrators manage its tokens. */
export async function findPrincipalWithHome(db: Executor, principalId: string): Promise<(PrincipalRecord & { homeContextId: string | null }) | null> {
  if (!isUuid(principalId)) return null;
  const row = await db
    .selectFrom('principals')
    .select([...principalColumns, 'principals.home_context_id'])
    .where('id', '=', principalId.toLowerCase())
    .executeTakeFirst();
  return row ? { id: row.id, name: row.name, kind: row.kind, superuser: row.superuser, homeContextId: row.home_context_id } : null;
}

/** Whether any principal exists (the bootstrap runs only on a database with none). */
export async function anyPrincipal(db: Executor): Promise<boolean> {
  return (await db.selectFrom('principals').select('id').limit(1).executeTakeFirst()) !== undefined;
}

export async function contextIdByName(db: Executor, name: string): Promise<string | null> {
  return (await db.selectFrom('contexts').select('id').where('name', '=', name).executeTakeFirst())?.id ?? null;
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

export async function findToken(db: Executor, tokenId: string): Promise<TokenRecord | null> {
  if (!isUuid(tokenId)) return null;
  const row = await db.selectFrom('tokens').select(tokenColumns).where('tokens.id', '=', tokenId.toLowerCase()).executeTakeFirst();
  return row ? toToken(row) : null;
}

export async function tokensOf(db: Executor, principalId: string): Promise<TokenRecord[]> {
  return (await db.selectFrom('tokens').select(tokenColumns).where('tokens.principal_id', '=', principalId).orderBy('tokens.created_at').orderBy('tokens.id').execute()).map(toToken);
}

/**
 * A token's stored expiry as exact ISO 8601 text, microseconds included (a JavaScript date holds only
 * milliseconds): a token it creates is capped at this very instant, never a microsecond later. Null when
 * it never expires, or there is no such token.
 */
export async function exactTokenExpiry(db: Executor, tokenId: string): Promise<string | null> {
  const { rows } = await sql<{ expires_at: string | null }>`
    select to_char(expires_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as expires_at from tokens where id = ${tokenId}::uuid`.execute(db);
  return rows[0]?.expires_at ?? null;
}

const toGroup = (r: { id: string; context_id: string; name: string }): GroupRecord => ({ id: r.id, contextId: r.context_id, name: r.name });

/** A group of this context; null for another context's, or none. */
export async function findGroup(db: Executor, contextId: string, groupId: string): Promise<GroupRecord | null> {
  if (!isUuid(groupId)) return null;
  const row = await db.selectFrom('groups').select(['id', 'context_id', 'name']).where('id', '=', groupId.toLowerCase()).where('context_id', '=', contextId).executeTakeFirst();
  return row ? toGroup(row) : null;
}

export async function groupsOf(db: Executor, contextId: string): Promise<GroupRecord[]> {
  return (await db.selectFrom('groups').select(['id', 'context_id', 'name']).where('context_id', '=', contextId).orderBy('name').execute()).map(toGroup);
}

export async function groupMembers(db: Executor, groupId: string): Promise<PrincipalRecord[]> {
  return db
    .selectFrom('group_members')
    .innerJoin('principals', 'principals.id', 'group_members.principal_id')
    .select(principalColumns)
    .where('group_members.group_id', '=', groupId)
    .orderBy('principals.name')
    .execute();
}

export async function grantsOf(db: Executor, contextId: string): Promise<GrantRecord[]> {
  const rows = await db.selectFrom('role_grants').selectAll().where('context_id', '=', contextId).orderBy('role').orderBy('id').execute();
  return rows.map((r) => ({ id: r.id, contextId: r.context_id, role: r.role, principalId: r.principal_id, groupId: r.group_id }));
}

/**
 * Principals an administrator of this context may see: those created here and those with a role here
 * (directly or through a group). With `homeless`, also those homed nowhere (a superuser sees them: they
 * come from before homes were kept).
 */
export async function principalsOf(db: Executor, contextId: string, options: { homeless: boolean }): Promise<PrincipalRecord[]> {
  return db
    .selectFrom('principals')
    .select(principalColumns)
    .where((eb) =>
      eb.or([
        eb('principals.home_context_id', '=', contextId),
        ...(options.homeless ? [eb('principals.home_context_id', 'is', null)] : []),
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
