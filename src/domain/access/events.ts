import type { Recorded } from '../envelope.ts';

/** The roles a context grants, weakest first. */
export const ROLES = ['viewer', 'editor', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export type PrincipalKind = 'user' | 'service';

/** Whom a grant is for: a principal or a group of the context, never both. */
export interface Grant {
  grantId: string;
  role: Role;
  principalId: string | null;
  groupId: string | null;
}

/**
 * The access-control streams' events, at their current schema version. Each stream is one aggregate: a
 * context (its id is the context's; it holds the context's role grants), a group (its context is the
 * stream's context), a principal (with its tokens; its context is its home, or none). Ids are chosen by
 * the caller, so that the events carry them and a rebuild gives every row its id again.
 */
/** A webhook's settings: where the context's model events go (one model's, some types: empty is all). */
export interface WebhookSettings {
  url: string;
  eventTypes: string[];
  modelId: string | null;
  description: string | null;
  active: boolean;
}

export type ContextEvent =
  | { type: 'ContextCreated'; data: { name: string } }
  | { type: 'RoleGranted'; data: Grant }
  | { type: 'RoleRevoked'; data: Grant }
  | {
      type: 'WebhookCreated';
      data: { webhookId: string; createdBy: string | null } & WebhookSettings;
      /** The signing secret, encrypted with the server's key (src/webhooks/secrets.ts); only the projection reads it. */
      privateData: { secretCiphertext: string };
    }
  /** The settings as they are after the change (the whole of them), and which of them it changed. */
  | { type: 'WebhookUpdated'; data: { webhookId: string; changed: (keyof WebhookSettings)[] } & WebhookSettings }
  | { type: 'WebhookDeleted'; data: { webhookId: string } };

export type GroupEvent =
  | { type: 'GroupCreated'; data: { name: string } }
  | { type: 'GroupMemberAdded'; data: { principalId: string } }
  | { type: 'GroupMemberRemoved'; data: { principalId: string } };

export type PrincipalEvent =
  | {
      type: 'PrincipalCreated';
      data: { name: string; kind: PrincipalKind; superuser: boolean; homeContextId: string | null; createdBy: string | null };
    }
  | {
      type: 'TokenCreated';
      /** expiresAt: an instant as ISO 8601 text, to the microsecond when it was capped by a parent token's stored expiry. */
      data: { tokenId: string; name: string; createdBy: string | null; expiresAt: string | null };
      /** Only the projection reads it: the token's hash is never in a public shape. */
      privateData: { secretHash: string };
    }
  | { type: 'TokenRevoked'; data: { tokenId: string } };

export type AccessEvent = ContextEvent | GroupEvent | PrincipalEvent;
export type AccessEventType = AccessEvent['type'];

export type RecordedContextEvent = Recorded<ContextEvent>;
export type RecordedGroupEvent = Recorded<GroupEvent>;
export type RecordedPrincipalEvent = Recorded<PrincipalEvent>;
export type RecordedAccessEvent = Recorded<AccessEvent>;

export const CONTEXT_EVENT_TYPES: readonly ContextEvent['type'][] = ['ContextCreated', 'RoleGranted', 'RoleRevoked', 'WebhookCreated', 'WebhookUpdated', 'WebhookDeleted'];
export const GROUP_EVENT_TYPES: readonly GroupEvent['type'][] = ['GroupCreated', 'GroupMemberAdded', 'GroupMemberRemoved'];
export const PRINCIPAL_EVENT_TYPES: readonly PrincipalEvent['type'][] = ['PrincipalCreated', 'TokenCreated', 'TokenRevoked'];
export const ACCESS_EVENT_TYPES: readonly AccessEventType[] = [...CONTEXT_EVENT_TYPES, ...GROUP_EVENT_TYPES, ...PRINCIPAL_EVENT_TYPES];
