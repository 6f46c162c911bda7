import type { PrincipalKind, Role } from './events.ts';

/**
 * What a caller asks of an access-control stream. Inputs are raw: decide() validates and normalises. Ids,
 * the time and the secret's hash come in from the caller, so decide() stays deterministic. Checks that span
 * streams (does the grantee exist, may the caller manage this principal) are the caller's, made before.
 */
export type Grantee = { principalId: string; groupId?: null } | { principalId?: null; groupId: string };

export type ContextCommand =
  | {
      type: 'CreateContext';
      /** A creator that is no superuser becomes the new context's administrator, by this grant. */
      data: { name: string; creatorGrant: { grantId: string; principalId: string } | null };
    }
  | { type: 'GrantRole'; data: { grantId: string; role: Role; grantee: Grantee } }
  | { type: 'RevokeRole'; data: { role: Role; grantee: Grantee } }
  | {
      type: 'CreateWebhook';
      /** The URL's reachability (no private address) is the caller's check, made before: it needs DNS. */
      data: { webhookId: string; url: string; eventTypes: string[] | null; modelId: string | null; description: string | null; createdBy: string | null; secretCiphertext: string };
    }
  | {
      type: 'UpdateWebhook';
      /** Absent (undefined): left as it is. */
      data: { webhookId: string; url?: string; eventTypes?: string[] | null; active?: boolean; description?: string | null };
    }
  | { type: 'DeleteWebhook'; data: { webhookId: string } };

export type GroupCommand =
  | { type: 'CreateGroup'; data: { name: string } }
  | { type: 'AddGroupMember'; data: { principalId: string } }
  | { type: 'RemoveGroupMember'; data: { principalId: string } };

export type PrincipalCommand =
  | {
      type: 'CreatePrincipal';
      data: { name: string; kind: PrincipalKind; superuser: boolean; homeContextId: string | null; createdBy: string | null };
    }
  | {
      type: 'CreateToken';
      data: {
        tokenId: string;
        name: string;
        createdBy: string | null;
        /** The expiry asked for; none: the cap's, or never. */
        expiresAt: Date | null;
        /**
         * The stored expiry of the token the caller uses, as exact text (microseconds included), when it
         * expires: the new token expires no later, and with no expiry asked for at that very instant.
         */
        cap: string | null;
        now: Date;
        secretHash: string;
      };
    }
  | { type: 'RevokeToken'; data: { tokenId: string } };
