import { randomUUID } from 'node:crypto';
import { anyPrincipal, contextIdByName } from '../store/accessControl.ts';
import type { Db } from '../store/database.ts';
import { lockStream } from '../store/eventLog.ts';
import { contextAggregate, decideOnStream, handleAccessCommand, principalAggregate } from '../store/handleAccessCommand.ts';
import { hashSecret, newTokenSecret } from './tokens.ts';

/** The bootstrap's own events have no caller: Cairn itself made them, at its first start. */
const BOOTSTRAP_METADATA = { actor: null, requestId: null };

/**
 * On the first start with an empty database: the `default` context's administrator, a service account
 * named `admin` that may also create contexts, with one token. Returns that token's secret (the given
 * one, or a new one) so it can be shown once; null when principals exist already. All of it is in the
 * log: PrincipalCreated and TokenCreated on the new principal's stream, RoleGranted on the context's.
 */
export async function bootstrapAdmin(db: Db, token?: string): Promise<string | null> {
  return handleAccessCommand(db, async (trx) => {
    // Two processes starting together on one empty database must not both create an administrator.
    await lockStream(trx, 'cairn:bootstrap');
    if (await anyPrincipal(trx)) return null;
    const contextId = await contextIdByName(trx, 'default');
    if (!contextId) throw new Error('The default context is missing: the database was not migrated');
    const principal = { id: randomUUID(), contextId: null };
    await decideOnStream(
      trx,
      principalAggregate,
      principal,
      { type: 'CreatePrincipal', data: { name: 'admin', kind: 'service', superuser: true, homeContextId: null, createdBy: null } },
      BOOTSTRAP_METADATA,
    );
    const secret = token ?? newTokenSecret();
    await decideOnStream(
      trx,
      principalAggregate,
      principal,
      { type: 'CreateToken', data: { tokenId: randomUUID(), name: 'bootstrap', createdBy: null, expiresAt: null, cap: null, now: new Date(), secretHash: hashSecret(secret) } },
      BOOTSTRAP_METADATA,
    );
    await decideOnStream(
      trx,
      contextAggregate,
      { id: contextId, contextId },
      { type: 'GrantRole', data: { grantId: randomUUID(), role: 'admin', grantee: { principalId: principal.id } } },
      BOOTSTRAP_METADATA,
    );
    return secret;
  });
}
