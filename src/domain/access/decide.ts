import { NotFoundError, ValidationError } from '../errors.ts';
import * as rules from '../rules.ts';
import type { ContextCommand, Grantee, GroupCommand, PrincipalCommand } from './commands.ts';
import type { ContextEvent, Grant, GroupEvent, PrincipalEvent, WebhookSettings } from './events.ts';
import { MODEL_EVENT_TYPES } from '../model/events.ts';
import { type ContextState, type GroupState, type LiveContext, type LiveGroup, type LivePrincipal, type PrincipalState, sameGrantee } from './evolve.ts';
import { assertNever } from '../exhaustive.ts';

/**
 * The access-control aggregates' decisions: given a stream's state, a command yields the events to append
 * (none when it would change nothing: granting a grant that exists, adding a member twice), or throws a
 * DomainError. Pure: no I/O, no clock, no randomness.
 */


export const ACCESS_NAME_MAX = 100;
export const TOKEN_NAME_MAX = 100;

/** The name of a context, principal or group: what scripts type, so letters, digits and `. _ @ + -` only. */
export function accessName(value: string, field = 'name'): string {
  const name = value.trim();
  if (!/^[\w.@+-]{1,100}$/.test(name)) throw new ValidationError(field, `A name is 1-${ACCESS_NAME_MAX} letters, digits, and . _ @ + -`);
  return name;
}

function grantee(g: Grantee): Pick<Grant, 'principalId' | 'groupId'> {
  const principalId = g.principalId ?? null;
  const groupId = g.groupId ?? null;
  if ((principalId === null) === (groupId === null)) throw new ValidationError('principalId', 'Give either principalId or groupId');
  return { principalId, groupId };
}

const liveContext = (state: ContextState): LiveContext => {
  if (state.status !== 'live') throw new NotFoundError('No such context');
  return state;
};
const liveGroup = (state: GroupState): LiveGroup => {
  if (state.status !== 'live') throw new NotFoundError('No such group in this context');
  return state;
};
const livePrincipal = (state: PrincipalState): LivePrincipal => {
  if (state.status !== 'live') throw new NotFoundError('No such principal');
  return state;
};

/** The grant in force for this role and grantee, if there is one. */
export function grantOf(state: LiveContext, role: Grant['role'], who: Grantee): Grant | undefined {
  const g = grantee(who);
  return state.grants.find((x) => x.role === role && sameGrantee(x, g));
}

export function decideContext(command: ContextCommand, state: ContextState): ContextEvent[] {
  switch (command.type) {
    case 'CreateContext': {
      if (state.status !== 'absent') throw new ValidationError('contextId', 'This context id is already in use');
      const { creatorGrant } = command.data;
      const created: ContextEvent = { type: 'ContextCreated', data: { name: accessName(command.data.name) } };
      if (!creatorGrant) return [created];
      return [created, { type: 'RoleGranted', data: { grantId: creatorGrant.grantId, role: 'admin', principalId: creatorGrant.principalId, groupId: null } }];
    }
    case 'GrantRole': {
      const context = liveContext(state);
      const { grantId, role } = command.data;
      // The same grant again is the one grant: nothing to record.
      if (grantOf(context, role, command.data.grantee)) return [];
      return [{ type: 'RoleGranted', data: { grantId, role, ...grantee(command.data.grantee) } }];
    }
    case 'RevokeRole': {
      const existing = grantOf(liveContext(state), command.data.role, command.data.grantee);
      return existing ? [{ type: 'RoleRevoked', data: existing }] : [];
    }
    case 'CreateWebhook': {
      const context = liveContext(state);
      const d = command.data;
      if (context.webhooks.length >= WEBHOOKS_MAX) throw new ValidationError('url', `A context has at most ${WEBHOOKS_MAX} webhooks`);
      if (context.webhooks.some((w) => w.webhookId === d.webhookId)) throw new ValidationError('webhookId', 'This webhook id is already in use');
      const settings = { url: webhookUrl(d.url), eventTypes: webhookEventTypes(d.eventTypes), modelId: d.modelId, description: webhookDescription(d.description), active: true };
      return [{ type: 'WebhookCreated', data: { webhookId: d.webhookId, createdBy: d.createdBy, ...settings }, privateData: { secretCiphertext: d.secretCiphertext } }];
    }
    case 'UpdateWebhook': {
      const d = command.data;
      const webhook = liveContext(state).webhooks.find((w) => w.webhookId === d.webhookId);
      if (!webhook) throw new NotFoundError('No such webhook in this context');
      const next: WebhookSettings = {
        url: d.url === undefined ? webhook.url : webhookUrl(d.url),
        eventTypes: d.eventTypes === undefined ? webhook.eventTypes : webhookEventTypes(d.eventTypes),
        modelId: webhook.modelId,
        description: d.description === undefined ? webhook.description : webhookDescription(d.description),
        active: d.active ?? webhook.active,
      };
      const changed = (['url', 'eventTypes', 'description', 'active'] as const).filter((k) => JSON.stringify(next[k]) !== JSON.stringify(webhook[k]));
      return changed.length === 0 ? [] : [{ type: 'WebhookUpdated', data: { webhookId: webhook.webhookId, changed: [...changed], ...next } }];
    }
    case 'DeleteWebhook': {
      const webhook = liveContext(state).webhooks.find((w) => w.webhookId === command.data.webhookId);
      if (!webhook) throw new NotFoundError('No such webhook in this context');
      return [{ type: 'WebhookDeleted', data: { webhookId: webhook.webhookId } }];
    }
    default:
      return assertNever(command, 'command');
  }
}

export const WEBHOOKS_MAX = 20;
export const WEBHOOK_URL_MAX = 2048;
export const WEBHOOK_DESCRIPTION_MAX = 1000;

/** A webhook's URL: http or https, a host, no credentials (they would be stored as they are), no fragment. */
export function webhookUrl(value: string): string {
  const text = rules.text(value, 'url').trim();
  if (text.length === 0 || text.length > WEBHOOK_URL_MAX) throw new ValidationError('url', `A webhook URL is 1-${WEBHOOK_URL_MAX} characters`);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ValidationError('url', 'Not a URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ValidationError('url', 'A webhook URL is http:// or https://');
  if (!url.hostname) throw new ValidationError('url', 'A webhook URL names a host');
  if (url.username || url.password) throw new ValidationError('url', 'A webhook URL holds no user name or password: they would be stored as they are; put a secret in the path, or verify Cairn-Signature');
  if (url.hash) throw new ValidationError('url', 'A webhook URL has no #fragment');
  return url.href;
}

/** The model event types a webhook is sent: none given or empty means all of them. */
export function webhookEventTypes(value: readonly string[] | null): string[] {
  if (value === null) return [];
  const unknown = value.filter((t) => !(MODEL_EVENT_TYPES as readonly string[]).includes(t));
  if (unknown.length > 0) {
    throw new ValidationError('eventTypes', `Not an event type: ${JSON.stringify(unknown[0]!.slice(0, 64))}; the types are ${MODEL_EVENT_TYPES.join(', ')}`);
  }
  return MODEL_EVENT_TYPES.filter((t) => value.includes(t));
}

function webhookDescription(value: string | null): string | null {
  if (value === null) return null;
  const text = rules.text(value, 'description').trim();
  if (text.length > WEBHOOK_DESCRIPTION_MAX) throw new ValidationError('description', `A description is at most ${WEBHOOK_DESCRIPTION_MAX} characters`);
  return text.length === 0 ? null : text;
}

export function decideGroup(command: GroupCommand, state: GroupState): GroupEvent[] {
  switch (command.type) {
    case 'CreateGroup':
      if (state.status !== 'absent') throw new ValidationError('groupId', 'This group id is already in use');
      return [{ type: 'GroupCreated', data: { name: accessName(command.data.name) } }];
    case 'AddGroupMember': {
      const { principalId } = command.data;
      return liveGroup(state).members.includes(principalId) ? [] : [{ type: 'GroupMemberAdded', data: { principalId } }];
    }
    case 'RemoveGroupMember': {
      const { principalId } = command.data;
      return liveGroup(state).members.includes(principalId) ? [{ type: 'GroupMemberRemoved', data: { principalId } }] : [];
    }
    default:
      return assertNever(command, 'command');
  }
}

export function decidePrincipal(command: PrincipalCommand, state: PrincipalState): PrincipalEvent[] {
  switch (command.type) {
    case 'CreatePrincipal': {
      if (state.status !== 'absent') throw new ValidationError('principalId', 'This principal id is already in use');
      const d = command.data;
      return [{ type: 'PrincipalCreated', data: { name: accessName(d.name), kind: d.kind, superuser: d.superuser, homeContextId: d.homeContextId, createdBy: d.createdBy } }];
    }
    case 'CreateToken': {
      const principal = livePrincipal(state);
      const d = command.data;
      const wanted = d.expiresAt;
      if (wanted && wanted.getTime() <= d.now.getTime()) throw new ValidationError('expiresAt', 'A token must expire in the future');
      // The cap is exact text; the comparison is to the millisecond below it, so a wanted instant that
      // passes is never later than the stored cap, microseconds included.
      const capMs = d.cap === null ? null : Date.parse(d.cap);
      if (capMs !== null && Number.isNaN(capMs)) throw new Error(`Not an instant: ${d.cap}`);
      if (capMs !== null && wanted && wanted.getTime() > capMs) {
        throw new ValidationError('expiresAt', `The token you are using expires at ${new Date(capMs).toISOString()}; a token it creates cannot expire later`);
      }
      const name = rules.text(d.name, 'name').trim();
      if (name.length === 0 || name.length > TOKEN_NAME_MAX) throw new ValidationError('name', `A token name is 1-${TOKEN_NAME_MAX} characters`);
      if (principal.tokens.some((t) => t.tokenId === d.tokenId)) throw new ValidationError('tokenId', 'This token id is already in use');
      return [
        {
          type: 'TokenCreated',
          data: { tokenId: d.tokenId, name, createdBy: d.createdBy, expiresAt: wanted ? wanted.toISOString() : d.cap },
          privateData: { secretHash: d.secretHash },
        },
      ];
    }
    case 'RevokeToken': {
      const token = livePrincipal(state).tokens.find((t) => t.tokenId === command.data.tokenId);
      if (!token) throw new NotFoundError('No such token');
      // Revoked already: it stays revoked since then.
      return token.revokedAt === null ? [{ type: 'TokenRevoked', data: { tokenId: token.tokenId } }] : [];
    }
    default:
      return assertNever(command, 'command');
  }
}
