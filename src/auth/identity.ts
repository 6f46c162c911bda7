import { sql } from 'kysely';
import type { Db, Executor } from '../store/database.ts';
import { isUuid } from '../domain/ids.ts';
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
  /** When the request's token expires (null: never); a token it creates expires no later. */
  tokenExpiresAt: Date | null;
  context: { id: string; name: string };
  roles: Role[];
  permissions: Set<Permission>;
}

export class AuthenticationError extends Error {}
export class UnknownContextError extends Error {}

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

interface IdentityRow {
  token_id: string;
  token_expires_at: Date | null;
  id: string;
  name: string;
  kind: 'user' | 'service';
  superuser: boolean;
  context_id: string | null;
  context_name: string | null;
  roles: string[] | null;
}

/**
 * The request's identity: its token's principal, in the context named by `X-Cairn-Context` (a name or
 * an id), else the principal's only context, else `default`. A context in which the principal holds no
 * role is, to it, not there.
 *
 * One statement, as it runs on every request: the token's principal with each context it may see (all of
 * them for a superuser) and its roles there, directly or through its groups.
 */
export async function identify(db: Db, secret: string, contextHeader: string | null): Promise<Identity> {
  const wanted = contextHeader?.trim() ?? null;
  const byId = wanted !== null && isUuid(wanted) ? wanted.toLowerCase() : null;
  const { rows } = await sql<IdentityRow>`
    with principal as (
      select t.id as token_id, t.expires_at as token_expires_at, p.id, p.name, p.kind, p.superuser
      from tokens t join principals p on p.id = t.principal_id
      where t.secret_hash = ${hashSecret(secret)} and t.revoked_at is null and (t.expires_at is null or t.expires_at > now())
    ), grants as (
      select g.context_id, g.role from role_grants g, principal p
      where g.principal_id = p.id or g.group_id in (select m.group_id from group_members m where m.principal_id = p.id)
    )
    select p.token_id, p.token_expires_at, p.id, p.name, p.kind, p.superuser, c.id as context_id, c.name as context_name,
      (select array_agg(distinct g.role) from grants g where g.context_id = c.id) as roles
    from principal p
    left join contexts c on (p.superuser or c.id in (select context_id from grants))
      and (${wanted}::text is null or c.name = ${wanted} or c.id = ${byId}::uuid)
    order by c.name`.execute(db);
  const first = rows[0];
  if (!first) throw new AuthenticationError('The token is not valid, has expired or was revoked');
  const principal: Principal = { id: first.id, name: first.name, kind: first.kind, superuser: first.superuser };
  const visible = rows.filter((r) => r.context_id !== null);
  const chosen = wanted !== null ? visible[0] : visible.length === 1 ? visible[0] : visible.find((r) => r.context_name === 'default');
  const roles: Role[] = !chosen ? [] : principal.superuser ? ['admin'] : ROLES.filter((role) => chosen.roles?.includes(role));
  if (!chosen || roles.length === 0) throw new UnknownContextError(contextHeader ? `No context "${contextHeader.slice(0, 100)}" is visible to you` : 'Choose a context with the X-Cairn-Context header');
  return { principal, tokenId: first.token_id, tokenExpiresAt: first.token_expires_at, context: { id: chosen.context_id!, name: chosen.context_name! }, roles, permissions: permissionsOf(roles) };
}
