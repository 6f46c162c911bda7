import { sql } from 'kysely';
import type { Db, Executor } from '../store/database.ts';
import { isUuid } from '../store/readModels.ts';
import { type Permission, permissionsOf, ROLES, type Role } from './permissions.ts';
import { hashSecret } from './tokens.ts';

export interface Principal {
  id: string;
  name: string;
  kind: 'user' | 'service';
  superuser: boolean;
}

/** Who a request acts as, in which context, with what permissions there. */
export interface Identity {
  principal: Principal;
  tokenId: string;
  context: { id: string; name: string };
  roles: Role[];
  permissions: Set<Permission>;
}

export class AuthenticationError extends Error {}
export class UnknownContextError extends Error {}

/** The principal behind a token secret, if the token exists, is not revoked and has not expired. */
export async function authenticate(db: Executor, secret: string): Promise<{ principal: Principal; tokenId: string } | null> {
  const row = await db
    .selectFrom('tokens')
    .innerJoin('principals', 'principals.id', 'tokens.principal_id')
    .select(['tokens.id as token_id', 'principals.id', 'principals.name', 'principals.kind', 'principals.superuser'])
    .where('tokens.secret_hash', '=', hashSecret(secret))
    .where('tokens.revoked_at', 'is', null)
    .where((eb) => eb.or([eb('tokens.expires_at', 'is', null), eb('tokens.expires_at', '>', sql<Date>`now()`)]))
    .executeTakeFirst();
  return row ? { principal: { id: row.id, name: row.name, kind: row.kind, superuser: row.superuser }, tokenId: row.token_id } : null;
}

/** The roles a principal holds in a context, directly or through its groups (a superuser: admin everywhere). */
export async function rolesIn(db: Executor, principal: Principal, contextId: string): Promise<Role[]> {
  if (principal.superuser) return ['admin'];
  const rows = await db
    .selectFrom('role_grants')
    .select('role')
    .distinct()
    .where('context_id', '=', contextId)
    .where((eb) =>
      eb.or([
        eb('principal_id', '=', principal.id),
        eb('group_id', 'in', eb.selectFrom('group_members').select('group_id').where('principal_id', '=', principal.id)),
      ]),
    )
    .execute();
  return ROLES.filter((r) => rows.some((row) => row.role === r));
}

/** The contexts in which a principal holds any role. */
export async function contextsOf(db: Executor, principal: Principal): Promise<{ id: string; name: string }[]> {
  let q = db.selectFrom('contexts').select(['contexts.id', 'contexts.name']);
  if (!principal.superuser) {
    q = q.where((eb) =>
      eb(
        'contexts.id',
        'in',
        eb
          .selectFrom('role_grants')
          .select('role_grants.context_id')
          .where((g) =>
            g.or([
              g('role_grants.principal_id', '=', principal.id),
              g('role_grants.group_id', 'in', g.selectFrom('group_members').select('group_id').where('principal_id', '=', principal.id)),
            ]),
          ),
      ),
    );
  }
  return q.orderBy('contexts.name').execute();
}

/**
 * The request's identity: its token's principal, in the context named by `X-Cairn-Context` (a name or
 * an id), else the principal's only context, else `default`. A context in which the principal holds no
 * role is, to it, not there.
 */
export async function identify(db: Db, secret: string, contextHeader: string | null): Promise<Identity> {
  const found = await authenticate(db, secret);
  if (!found) throw new AuthenticationError('The token is not valid, has expired or was revoked');
  const { principal, tokenId } = found;
  let context: { id: string; name: string } | undefined;
  if (contextHeader) {
    const wanted = contextHeader.trim();
    context = await db
      .selectFrom('contexts')
      .select(['id', 'name'])
      .where((eb) => (isUuid(wanted) ? eb.or([eb('id', '=', wanted.toLowerCase()), eb('name', '=', wanted)]) : eb('name', '=', wanted)))
      .executeTakeFirst();
  } else {
    const mine = await contextsOf(db, principal);
    context = mine.length === 1 ? mine[0] : mine.find((c) => c.name === 'default');
  }
  const roles = context ? await rolesIn(db, principal, context.id) : [];
  if (!context || roles.length === 0) throw new UnknownContextError(contextHeader ? `No context "${contextHeader.slice(0, 100)}" is visible to you` : 'Choose a context with the X-Cairn-Context header');
  return { principal, tokenId, context, roles, permissions: permissionsOf(roles) };
}
