import { sql } from 'kysely';
import type { Role } from '../domain/access/events.ts';
import type { Db, Executor } from './database.ts';

/**
 * What a request needs of the access-control tables to know its caller: the token's principal and its
 * roles per context (src/auth/identity.ts decides from these rows), and for long-lived requests whether
 * that still holds (src/auth/revalidate.ts).
 */

/**
 * The channel on which the events table's trigger says, on commit, that access control changed: any
 * event of a context, group or principal stream (migrations/2026-12-02T0930_access_notify.ts).
 */
export const ACCESS_CHANNEL = 'cairn_access';

const accessListeners = new Set<() => void>();

/**
 * Calls `listener` as each access-control transaction of this process ends, before its command returns:
 * the NOTIFY reaches this process's own listener too, but only later (PostgreSQL delivers it on the
 * listening connection). Returns the function that stops it.
 */
export function onAccessControlChange(listener: () => void): () => void {
  accessListeners.add(listener);
  return () => accessListeners.delete(listener);
}

/** Said by handleAccessCommand after its transaction, committed or not (a COMMIT whose outcome is unknown may have committed). */
export function accessControlChanged(): void {
  for (const listener of accessListeners) listener();
}

/** The roles a principal holds in a context, directly or through its groups. */
export async function rolesHeld(db: Executor, principalId: string, contextId: string): Promise<Role[]> {
  const rows = await db
    .selectFrom('role_grants')
    .select('role')
    .distinct()
    .where('context_id', '=', contextId)
    .where((eb) =>
      eb.or([eb('principal_id', '=', principalId), eb('group_id', 'in', eb.selectFrom('group_members').select('group_id').where('principal_id', '=', principalId))]),
    )
    .execute();
  return rows.map((r) => r.role);
}

/** The contexts in which a principal holds any role, by name; every context with `all` (a superuser). */
export async function contextsWithRoles(db: Executor, principalId: string, options: { all: boolean }): Promise<{ id: string; name: string }[]> {
  let q = db.selectFrom('contexts').select(['contexts.id', 'contexts.name']);
  if (!options.all) {
    q = q.where((eb) =>
      eb(
        'contexts.id',
        'in',
        eb
          .selectFrom('role_grants')
          .select('role_grants.context_id')
          .where((g) =>
            g.or([
              g('role_grants.principal_id', '=', principalId),
              g('role_grants.group_id', 'in', g.selectFrom('group_members').select('group_id').where('principal_id', '=', principalId)),
            ]),
          ),
      ),
    );
  }
  return q.orderBy('contexts.name').execute();
}

export interface IdentityRow {
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
 * One statement, as it runs on every request: the principal of the live token with this hash, with each
 * context it may see (all of them for a superuser) that matches `wanted` (a name, or the id `byId`; null:
 * any), and its roles there, directly or through its groups. No rows: no such live token.
 */
export async function identityRows(db: Db, secretHash: string, wanted: string | null, byId: string | null): Promise<IdentityRow[]> {
  const { rows } = await sql<IdentityRow>`
    with principal as (
      select t.id as token_id, t.expires_at as token_expires_at, p.id, p.name, p.kind, p.superuser
      from tokens t join principals p on p.id = t.principal_id
      where t.secret_hash = ${secretHash} and t.revoked_at is null and (t.expires_at is null or t.expires_at > now())
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
  return rows;
}

export interface LiveAccessQuestion {
  tokenId: string;
  principalId: string;
  contextId: string;
  modelId?: string;
}

/**
 * One statement for any number of callers: for each (by index), whether its token is still live, its
 * principal still holds one of `roles` in the context (directly, through a group, or as a superuser), and
 * its model (if any) is still there, in that context.
 */
export async function liveAccessRows(
  db: Db,
  callers: readonly LiveAccessQuestion[],
  roles: readonly Role[],
): Promise<{ i: number; token_ok: boolean; access_ok: boolean; model_ok: boolean }[]> {
  const rows = sql.join(callers.map((c, i) => sql`(${i}::int, ${c.tokenId}::uuid, ${c.principalId}::uuid, ${c.contextId}::uuid, ${c.modelId ?? null}::uuid)`));
  const { rows: results } = await sql<{ i: number; token_ok: boolean; access_ok: boolean; model_ok: boolean }>`
    select k.i,
      t.id is not null as token_ok,
      coalesce(p.superuser, false) or exists (
        select 1 from role_grants g
        where g.context_id = k.context_id and g.role in (${sql.join(roles)})
          and (g.principal_id = k.principal_id
            or g.group_id in (select m.group_id from group_members m where m.principal_id = k.principal_id))
      ) as access_ok,
      k.model_id is null or exists (select 1 from models m where m.id = k.model_id and m.context_id = k.context_id) as model_ok
    from (values ${rows}) as k(i, token_id, principal_id, context_id, model_id)
    left join tokens t on t.id = k.token_id and t.principal_id = k.principal_id
      and t.revoked_at is null and (t.expires_at is null or t.expires_at > now())
    left join principals p on p.id = t.principal_id`.execute(db);
  return results;
}

/**
 * For a request that names its token by id rather than presenting it (a signed download link): whether the
 * token with this id is still live, and whether its principal holds one of `roles` in the context (directly,
 * through a group, or as a superuser).
 */
export async function tokenAccessRow(db: Db, tokenId: string, contextId: string, roles: readonly Role[]): Promise<{ token_ok: boolean; access_ok: boolean }> {
  const { rows } = await sql<{ token_ok: boolean; access_ok: boolean }>`
    select t.id is not null as token_ok,
      t.id is not null and (coalesce(p.superuser, false) or exists (
        select 1 from role_grants g
        where g.context_id = ${contextId}::uuid and g.role in (${sql.join(roles)})
          and (g.principal_id = t.principal_id
            or g.group_id in (select m.group_id from group_members m where m.principal_id = t.principal_id))
      )) as access_ok
    from (select 1) as k
    left join tokens t on t.id = ${tokenId}::uuid and t.revoked_at is null and (t.expires_at is null or t.expires_at > now())
    left join principals p on p.id = t.principal_id`.execute(db);
  return rows[0]!;
}
