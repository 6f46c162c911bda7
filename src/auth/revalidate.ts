import DataLoader from 'dataloader';
import type { Db } from '../store/database.ts';
import { liveAccessRows, tokenAccessRow } from '../store/identities.ts';
import type { Identity } from './identity.ts';
import { type Permission, ROLE_PERMISSIONS, ROLES } from './permissions.ts';

/** What a long-lived request (a subscription) re-checks about its caller while it runs. */
export interface LiveAccess {
  tokenId: string;
  principalId: string;
  contextId: string;
  /** The model it follows, if it follows one. */
  modelId?: string;
}

/**
 * Still allowed; or why not: the token was revoked or has expired (UNAUTHENTICATED); the principal no longer
 * holds a role that may view models in the context (NOT_FOUND, as an unauthorised context is, to the caller,
 * not there); or the model is gone (NOT_FOUND).
 */
export type AccessVerdict = 'ok' | 'token-gone' | 'context-gone' | 'model-gone';

const VIEWING_ROLES = ROLES.filter((r) => ROLE_PERMISSIONS[r].includes('model:view'));

export const liveAccessOf = (identity: Identity, modelId?: string): LiveAccess => ({
  tokenId: identity.tokenId,
  principalId: identity.principal.id,
  contextId: identity.context.id,
  modelId,
});

const keyOf = (a: LiveAccess) => `${a.tokenId}/${a.contextId}/${a.modelId ?? ''}`;

/**
 * One statement for any number of callers: for each, whether its token is still valid, its principal still
 * may view models in the context (directly, through a group, or as a superuser), and its model is still there.
 */
export async function checkLiveAccess(db: Db, callers: readonly LiveAccess[]): Promise<AccessVerdict[]> {
  if (callers.length === 0) return [];
  const results = await liveAccessRows(db, callers, VIEWING_ROLES);
  const verdicts: AccessVerdict[] = callers.map(() => 'token-gone');
  for (const r of results) verdicts[r.i] = !r.token_ok ? 'token-gone' : !r.access_ok ? 'context-gone' : !r.model_ok ? 'model-gone' : 'ok';
  return verdicts;
}

const checkers = new WeakMap<Db, DataLoader<LiveAccess, AccessVerdict, string>>();

/**
 * Checks a caller's access now. Checks asked for in the same tick (every subscriber woken by the same event)
 * go to the database together, as one statement; nothing is cached between ticks, so a check always sees
 * what was committed before it was asked for.
 */
export function checkAccessNow(db: Db, caller: LiveAccess): Promise<AccessVerdict> {
  let loader = checkers.get(db);
  if (!loader) {
    loader = new DataLoader(
      async (callers) => {
        // Many subscribers of one token ask the same thing: each distinct question once.
        const distinct = new Map(callers.map((c) => [keyOf(c), c]));
        const verdicts = await checkLiveAccess(db, [...distinct.values()]);
        const byKey = new Map([...distinct.keys()].map((k, i) => [k, verdicts[i]!]));
        return callers.map((c) => byKey.get(keyOf(c))!);
      },
      { cache: false, maxBatchSize: 1000 },
    );
    checkers.set(db, loader);
  }
  return loader.load(caller);
}

/**
 * Whether the token with this id may still do `permission` in the context: 'ok', or 'token-gone' (revoked,
 * expired, never there) or 'no-permission' (its principal no longer holds a role that allows it there).
 * What a signed download link checks when it is used, uncached, so a revocation stops it at once.
 */
export async function checkTokenMay(db: Db, tokenId: string, contextId: string, permission: Permission): Promise<'ok' | 'token-gone' | 'no-permission'> {
  const roles = ROLES.filter((r) => ROLE_PERMISSIONS[r].includes(permission));
  if (roles.length === 0) return 'no-permission';
  const row = await tokenAccessRow(db, tokenId, contextId, roles);
  return !row.token_ok ? 'token-gone' : !row.access_ok ? 'no-permission' : 'ok';
}
