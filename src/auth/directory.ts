import { randomUUID } from 'node:crypto';
import type { Grantee } from '../domain/access/commands.ts';
import { grantOf } from '../domain/access/decide.ts';
import type { PrincipalKind } from '../domain/access/events.ts';
import type { EventMetadata } from '../domain/envelope.ts';
import { ForbiddenError, NotFoundError, ValidationError } from '../domain/errors.ts';
import * as store from '../store/accessControl.ts';
import type { Db, Executor } from '../store/database.ts';
import { contextAggregate, decideOnStream, groupAggregate, handleAccessCommand, principalAggregate } from '../store/handleAccessCommand.ts';
import { isUuid } from '../domain/ids.ts';
import { type Identity, type Principal, rolesIn } from './identity.ts';
import type { Role } from './permissions.ts';
import { hashSecret, newTokenSecret } from './tokens.ts';

export type { GrantRecord, GroupRecord, TokenRecord } from '../store/accessControl.ts';

/**
 * Contexts, principals, tokens, groups and role grants: what administrators manage. Every change is a
 * command on an access-control stream (src/domain/access), appended to the log with its projection in one
 * transaction; who may ask for it is decided here, from the tables, before.
 */

const id = (value: string, what: string) => {
  if (!isUuid(value)) throw new NotFoundError(`No such ${what}`);
  return value.toLowerCase();
};

export async function createContext(db: Db, name: string, creator: Principal, metadata: EventMetadata): Promise<{ id: string; name: string }> {
  const contextId = randomUUID();
  return handleAccessCommand(db, async (trx) => {
    const creatorGrant = creator.superuser ? null : { grantId: randomUUID(), principalId: creator.id };
    const { state } = await decideOnStream(trx, contextAggregate, { id: contextId, contextId }, { type: 'CreateContext', data: { name, creatorGrant } }, metadata);
    if (state.status !== 'live') throw new Error('CreateContext left no context');
    return { id: state.id, name: state.name };
  });
}

/** A new principal, homed in the caller's current context: that context's administrators manage its tokens. */
export async function createPrincipal(db: Db, caller: Identity, name: string, kind: PrincipalKind, metadata: EventMetadata): Promise<Principal> {
  const principalId = randomUUID();
  const homeContextId = caller.context.id;
  return handleAccessCommand(db, async (trx) => {
    const { state } = await decideOnStream(
      trx,
      principalAggregate,
      { id: principalId, contextId: homeContextId },
      { type: 'CreatePrincipal', data: { name, kind, superuser: false, homeContextId, createdBy: caller.principal.id } },
      metadata,
    );
    if (state.status !== 'live') throw new Error('CreatePrincipal left no principal');
    return { id: state.id, name: state.name, kind: state.kind, superuser: state.superuser };
  });
}

export const findPrincipal = (db: Executor, principalId: string): Promise<Principal | null> => store.findPrincipal(db, principalId);

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
  const row = await store.findPrincipalWithHome(db, principalId);
  if (!row) throw new NotFoundError('No such principal');
  const { homeContextId, ...target } = row;
  if (!(await canManage(db, caller, { ...target, homeContextId }))) {
    throw new ForbiddenError("You may not manage this principal's tokens: only a superuser and the administrators of the context it was created in may");
  }
  return target;
}

/**
 * A new token for a principal; its secret is returned here and nowhere else, ever (the log keeps its hash
 * only, beside the event, never in it). A token created with a token that expires expires no later than
 * it: by default at the same time, to the microsecond of the parent's stored expiry.
 */
export async function createToken(db: Db, caller: Identity, input: { principalId: string; name: string; expiresAt?: Date | null }, metadata: EventMetadata) {
  const target = await managedPrincipal(db, caller, input.principalId);
  const secret = newTokenSecret();
  const tokenId = randomUUID();
  const token = await handleAccessCommand(db, async (trx) => {
    const cap = caller.tokenExpiresAt ? await store.exactTokenExpiry(trx, caller.tokenId) : null;
    await decideOnStream(
      trx,
      principalAggregate,
      { id: target.id, contextId: null },
      {
        type: 'CreateToken',
        data: { tokenId, name: input.name, createdBy: caller.principal.id, expiresAt: input.expiresAt ?? null, cap, now: new Date(), secretHash: hashSecret(secret) },
      },
      metadata,
    );
    return store.findToken(trx, tokenId);
  });
  if (!token) throw new Error('CreateToken left no token');
  return { secret, token };
}

export async function listTokens(db: Db, caller: Identity, principalId: string): Promise<store.TokenRecord[]> {
  const target = await managedPrincipal(db, caller, principalId);
  return store.tokensOf(db, target.id);
}

/** Revoked at once: the tokens row changes in the revoking transaction, so the next request with it is refused. */
export async function revokeToken(db: Db, caller: Identity, tokenId: string, metadata: EventMetadata): Promise<store.TokenRecord> {
  const found = await store.findToken(db, id(tokenId, 'token'));
  if (!found) throw new NotFoundError('No such token');
  const owner = await managedPrincipal(db, caller, found.principalId);
  const token = await handleAccessCommand(db, async (trx) => {
    await decideOnStream(trx, principalAggregate, { id: owner.id, contextId: null }, { type: 'RevokeToken', data: { tokenId: found.id } }, metadata);
    return store.findToken(trx, found.id);
  });
  if (!token) throw new NotFoundError('No such token');
  return token;
}

export async function createGroup(db: Db, contextId: string, name: string, metadata: EventMetadata): Promise<store.GroupRecord> {
  const groupId = randomUUID();
  return handleAccessCommand(db, async (trx) => {
    const { state } = await decideOnStream(trx, groupAggregate, { id: groupId, contextId }, { type: 'CreateGroup', data: { name } }, metadata);
    if (state.status !== 'live') throw new Error('CreateGroup left no group');
    return { id: state.id, contextId: state.contextId, name: state.name };
  });
}

export async function findGroup(db: Executor, contextId: string, groupId: string): Promise<store.GroupRecord> {
  const group = await store.findGroup(db, contextId, groupId);
  if (!group) throw new NotFoundError('No such group in this context');
  return group;
}

export const listGroups = (db: Executor, contextId: string) => store.groupsOf(db, contextId);
export const groupMembers = (db: Executor, groupId: string): Promise<Principal[]> => store.groupMembers(db, groupId);

/** Adds or removes a member; idempotent: a member added twice is one membership, and removing a non-member changes nothing. */
export async function setGroupMember(db: Db, contextId: string, groupId: string, principalId: string, member: boolean, metadata: EventMetadata): Promise<store.GroupRecord> {
  const group = await findGroup(db, contextId, groupId);
  const principal = await findPrincipal(db, principalId);
  if (!principal) throw new NotFoundError('No such principal');
  const data = { principalId: principal.id };
  await handleAccessCommand(db, (trx) =>
    decideOnStream(trx, groupAggregate, { id: group.id, contextId }, member ? { type: 'AddGroupMember', data } : { type: 'RemoveGroupMember', data }, metadata),
  );
  return group;
}

/** The grantee as the command needs it: an existing principal, or a group of this context. */
async function grantee(db: Db, contextId: string, input: { principalId?: string | null; groupId?: string | null }): Promise<Grantee> {
  if ((input.principalId == null) === (input.groupId == null)) throw new ValidationError('principalId', 'Give either principalId or groupId');
  if (input.principalId != null) {
    const principal = await findPrincipal(db, input.principalId);
    if (!principal) throw new NotFoundError('No such principal');
    return { principalId: principal.id };
  }
  return { groupId: (await findGroup(db, contextId, input.groupId!)).id };
}

/**
 * Grants a role, or finds the same grant made before: idempotent. Grants to one context queue on its
 * stream's lock, so two identical grants at once are one RoleGranted, and the second is answered with it.
 */
export async function grantRole(
  db: Db,
  contextId: string,
  input: { role: Role; principalId?: string | null; groupId?: string | null },
  metadata: EventMetadata,
): Promise<store.GrantRecord> {
  const who = await grantee(db, contextId, input);
  const { state } = await handleAccessCommand(db, (trx) =>
    decideOnStream(trx, contextAggregate, { id: contextId, contextId }, { type: 'GrantRole', data: { grantId: randomUUID(), role: input.role, grantee: who } }, metadata),
  );
  const grant = state.status === 'live' ? grantOf(state, input.role, who) : undefined;
  if (!grant) throw new Error('GrantRole left no grant');
  return { id: grant.grantId, contextId, role: grant.role, principalId: grant.principalId, groupId: grant.groupId };
}

/** How many grants it revoked: 1, or 0 when there was none (and nothing is recorded). */
export async function revokeRole(db: Db, contextId: string, input: { role: Role; principalId?: string | null; groupId?: string | null }, metadata: EventMetadata): Promise<number> {
  const who = await grantee(db, contextId, input);
  const { events } = await handleAccessCommand(db, (trx) =>
    decideOnStream(trx, contextAggregate, { id: contextId, contextId }, { type: 'RevokeRole', data: { role: input.role, grantee: who } }, metadata),
  );
  return events.length;
}

export const listGrants = (db: Executor, contextId: string) => store.grantsOf(db, contextId);

/**
 * Principals an administrator of this context may see: those created here and those with a role here
 * (directly or through a group). A superuser also sees those homed nowhere (from before homes were kept).
 */
export const listPrincipals = (db: Executor, caller: Identity): Promise<Principal[]> =>
  store.principalsOf(db, caller.context.id, { homeless: caller.principal.superuser });
