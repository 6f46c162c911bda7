import type { Db, Executor } from '../store/database.ts';
import { contextsWithRoles, identityRows, rolesHeld } from '../store/identities.ts';
import { isUuid } from '../domain/ids.ts';
import { type IdentityCache, identityKey } from './identityCache.ts';
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
  const held = await rolesHeld(db, principal.id, contextId);
  return ROLES.filter((r) => held.includes(r));
}

/** The contexts in which a principal holds any role. */
export const contextsOf = (db: Executor, principal: Principal): Promise<{ id: string; name: string }[]> =>
  contextsWithRoles(db, principal.id, { all: principal.superuser });

/**
 * The request's identity: its token's principal, in the context named by `X-Cairn-Context` (a name or
 * an id), else the principal's only context, else `default`. A context in which the principal holds no
 * role is, to it, not there. With a cache, an identity found before costs no statement (see
 * identityCache.ts for when it is forgotten); its token's expiry is checked on every use all the same.
 */
export async function identify(db: Db, secret: string, contextHeader: string | null, cache?: IdentityCache): Promise<Identity> {
  const wanted = contextHeader?.trim() ?? null;
  const secretHash = hashSecret(secret);
  const load = () => lookUp(db, secretHash, wanted, contextHeader);
  const identity = cache ? await cache.lookup(identityKey(secretHash, wanted), load) : await load();
  if (!identity) throw new AuthenticationError(TOKEN_REFUSED);
  return identity;
}

const TOKEN_REFUSED = 'The token is not valid, has expired or was revoked';

async function lookUp(db: Db, secretHash: string, wanted: string | null, contextHeader: string | null): Promise<Identity> {
  const byId = wanted !== null && isUuid(wanted) ? wanted.toLowerCase() : null;
  const rows = await identityRows(db, secretHash, wanted, byId);
  const first = rows[0];
  if (!first) throw new AuthenticationError(TOKEN_REFUSED);
  const principal: Principal = { id: first.id, name: first.name, kind: first.kind, superuser: first.superuser };
  const visible = rows.filter((r) => r.context_id !== null);
  const chosen = wanted !== null ? visible[0] : visible.length === 1 ? visible[0] : visible.find((r) => r.context_name === 'default');
  const roles: Role[] = !chosen ? [] : principal.superuser ? ['admin'] : ROLES.filter((role) => chosen.roles?.includes(role));
  if (!chosen || roles.length === 0) throw new UnknownContextError(contextHeader ? `No context "${contextHeader.slice(0, 100)}" is visible to you` : 'Choose a context with the X-Cairn-Context header');
  return { principal, tokenId: first.token_id, tokenExpiresAt: first.token_expires_at, context: { id: chosen.context_id!, name: chosen.context_name! }, roles, permissions: permissionsOf(roles) };
}
