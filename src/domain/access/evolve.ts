import type { EventEnvelope } from '../envelope.ts';
import type {
  ContextEvent,
  Grant,
  GroupEvent,
  PrincipalEvent,
  PrincipalKind,
  RecordedContextEvent,
  RecordedGroupEvent,
  RecordedPrincipalEvent,
  WebhookSettings,
} from './events.ts';
import { assertNever } from '../exhaustive.ts';

/**
 * The access-control aggregates' states: what their deciders need, and what their read-model rows hold
 * (the rebuild writes rows from these folds). Times are ISO 8601 text, so that a time carried over from a
 * table by the migration (to the microsecond) comes back exactly.
 */
export type Absent = { status: 'absent' };

export interface LiveContext {
  status: 'live';
  id: string;
  name: string;
  createdAt: string;
  /** Grants in force, in the order they were made. */
  grants: Grant[];
  /** Webhooks not deleted, in the order they were made. */
  webhooks: WebhookState[];
}

export interface WebhookState extends WebhookSettings {
  webhookId: string;
  createdAt: string;
  createdBy: string | null;
  /** The position of its WebhookCreated event: it is sent the events after that one. */
  createdPosition: string;
  secretCiphertext: string;
}

export interface LiveGroup {
  status: 'live';
  id: string;
  contextId: string;
  name: string;
  createdAt: string;
  /** Principal ids, in the order they joined. */
  members: string[];
}

export interface TokenState {
  tokenId: string;
  name: string;
  createdBy: string | null;
  expiresAt: string | null;
  createdAt: string;
  revokedAt: string | null;
  secretHash: string;
}

export interface LivePrincipal {
  status: 'live';
  id: string;
  name: string;
  kind: PrincipalKind;
  superuser: boolean;
  homeContextId: string | null;
  createdBy: string | null;
  createdAt: string;
  /** In the order they were made. */
  tokens: TokenState[];
}

export type ContextState = Absent | LiveContext;
export type GroupState = Absent | LiveGroup;
export type PrincipalState = Absent | LivePrincipal;

export const absent = (): Absent => ({ status: 'absent' });


/**
 * When an event happened: when it was recorded, unless it was written later for something that happened
 * before (the migration that logged the access-control rows it found says when each row was made).
 */
export const occurredAt = (event: Pick<EventEnvelope, 'metadata' | 'recordedAt'>): string => event.metadata.occurredAt ?? event.recordedAt.toISOString();

export const sameGrantee = (a: Pick<Grant, 'principalId' | 'groupId'>, b: Pick<Grant, 'principalId' | 'groupId'>) =>
  a.principalId === b.principalId && a.groupId === b.groupId;

/** Folds one recorded event into the state. Never fails on events decide() produced. */
export function evolveContext(state: ContextState, event: RecordedContextEvent): ContextState {
  const e = event as ContextEvent;
  if (e.type === 'ContextCreated') return { status: 'live', id: event.streamId, name: e.data.name, createdAt: occurredAt(event), grants: [], webhooks: [] };
  if (state.status !== 'live') return state;
  switch (e.type) {
    case 'RoleGranted':
      return { ...state, grants: [...state.grants, e.data] };
    case 'RoleRevoked':
      return { ...state, grants: state.grants.filter((g) => g.grantId !== e.data.grantId) };
    case 'WebhookCreated': {
      const { webhookId, createdBy, url, eventTypes, modelId, description, active } = e.data;
      const webhook: WebhookState = {
        webhookId, createdBy, url, eventTypes, modelId, description, active,
        createdAt: occurredAt(event), createdPosition: event.position, secretCiphertext: e.privateData.secretCiphertext,
      };
      return { ...state, webhooks: [...state.webhooks, webhook] };
    }
    case 'WebhookUpdated': {
      const { url, eventTypes, modelId, description, active } = e.data;
      return { ...state, webhooks: state.webhooks.map((w) => (w.webhookId === e.data.webhookId ? { ...w, url, eventTypes, modelId, description, active } : w)) };
    }
    case 'WebhookDeleted':
      return { ...state, webhooks: state.webhooks.filter((w) => w.webhookId !== e.data.webhookId) };
    default:
      return assertNever(e);
  }
}

export function evolveGroup(state: GroupState, event: RecordedGroupEvent): GroupState {
  const e = event as GroupEvent;
  // A group stream always lives in a context: its creator's.
  if (e.type === 'GroupCreated') return { status: 'live', id: event.streamId, contextId: event.contextId!, name: e.data.name, createdAt: occurredAt(event), members: [] };
  if (state.status !== 'live') return state;
  switch (e.type) {
    case 'GroupMemberAdded':
      return { ...state, members: [...state.members.filter((m) => m !== e.data.principalId), e.data.principalId] };
    case 'GroupMemberRemoved':
      return { ...state, members: state.members.filter((m) => m !== e.data.principalId) };
    default:
      return assertNever(e);
  }
}

export function evolvePrincipal(state: PrincipalState, event: RecordedPrincipalEvent): PrincipalState {
  const e = event as PrincipalEvent;
  if (e.type === 'PrincipalCreated') return { status: 'live', id: event.streamId, ...e.data, createdAt: occurredAt(event), tokens: [] };
  if (state.status !== 'live') return state;
  switch (e.type) {
    case 'TokenCreated': {
      const token: TokenState = { ...e.data, createdAt: occurredAt(event), revokedAt: null, secretHash: e.privateData.secretHash };
      return { ...state, tokens: [...state.tokens, token] };
    }
    case 'TokenRevoked': {
      const at = occurredAt(event);
      return { ...state, tokens: state.tokens.map((t) => (t.tokenId === e.data.tokenId && t.revokedAt === null ? { ...t, revokedAt: at } : t)) };
    }
    default:
      return assertNever(e);
  }
}

export const foldContext = (events: readonly RecordedContextEvent[], state: ContextState = absent()): ContextState => events.reduce(evolveContext, state);
export const foldGroup = (events: readonly RecordedGroupEvent[], state: GroupState = absent()): GroupState => events.reduce(evolveGroup, state);
export const foldPrincipal = (events: readonly RecordedPrincipalEvent[], state: PrincipalState = absent()): PrincipalState => events.reduce(evolvePrincipal, state);
