import { describe, expect, it } from 'vitest';
import type { ContextCommand, GroupCommand, PrincipalCommand } from '../../src/domain/access/commands.ts';
import { decideContext, decideGroup, decidePrincipal } from '../../src/domain/access/decide.ts';
import type { AccessEvent, ContextEvent, GroupEvent, PrincipalEvent } from '../../src/domain/access/events.ts';
import { foldContext, foldGroup, foldPrincipal, occurredAt } from '../../src/domain/access/evolve.ts';
import type { Recorded, StreamType } from '../../src/domain/envelope.ts';
import { NotFoundError, ValidationError } from '../../src/domain/errors.ts';

const STREAM = '00000000-0000-4000-8000-0000000000a1';
const CONTEXT = '00000000-0000-4000-8000-0000000000c0';
const ALICE = '00000000-0000-4000-8000-0000000000b1';
const GROUP = '00000000-0000-4000-8000-0000000000d1';
const NOW = new Date('2026-12-02T09:00:00.000Z');

/** Bare events as the log would record them on one stream, a second apart. */
function recorded<E extends AccessEvent>(type: StreamType, events: readonly E[]): Recorded<E>[] {
  return events.map((e, i) => ({
    privateData: null,
    ...e,
    eventId: `00000000-0000-4000-8000-${String(i + 1).padStart(12, '0')}`,
    schemaVersion: 1,
    streamId: STREAM,
    streamType: type,
    contextId: CONTEXT,
    streamVersion: i + 1,
    position: String(i + 1),
    recordedAt: new Date(NOW.getTime() + i * 1000),
    metadata: { actor: 'root', requestId: null },
  })) as Recorded<E>[];
}

const context = (past: ContextEvent[], command: ContextCommand) => () => decideContext(command, foldContext(recorded('context', past)));
const group = (past: GroupEvent[], command: GroupCommand) => () => decideGroup(command, foldGroup(recorded('group', past)));
const principal = (past: PrincipalEvent[], command: PrincipalCommand) => () => decidePrincipal(command, foldPrincipal(recorded('principal', past)));

const created: ContextEvent = { type: 'ContextCreated', data: { name: 'research' } };
const granted: ContextEvent = { type: 'RoleGranted', data: { grantId: 'g-1', role: 'editor', principalId: ALICE, groupId: null } };
const alice: PrincipalEvent = { type: 'PrincipalCreated', data: { name: 'alice', kind: 'user', superuser: false, homeContextId: CONTEXT, createdBy: null } };
const token = (tokenId: string, expiresAt: string | null = null): PrincipalEvent => ({
  type: 'TokenCreated',
  data: { tokenId, name: 'ci', createdBy: null, expiresAt },
  privateData: { secretHash: 'h' },
});
const createToken = (data: Partial<Extract<PrincipalCommand, { type: 'CreateToken' }>['data']> = {}): PrincipalCommand => ({
  type: 'CreateToken',
  data: { tokenId: 't-2', name: ' ci ', createdBy: ALICE, expiresAt: null, cap: null, now: NOW, secretHash: 'hash', ...data },
});

describe('a context', () => {
  it('is created with a trimmed name, and its creator made administrator when it is no superuser', () => {
    expect(context([], { type: 'CreateContext', data: { name: ' research ', creatorGrant: null } })()).toEqual([created]);
    expect(context([], { type: 'CreateContext', data: { name: 'research', creatorGrant: { grantId: 'g-0', principalId: ALICE } } })()).toEqual([
      created,
      { type: 'RoleGranted', data: { grantId: 'g-0', role: 'admin', principalId: ALICE, groupId: null } },
    ]);
    expect(context([], { type: 'CreateContext', data: { name: 'no spaces', creatorGrant: null } })).toThrow(ValidationError);
    expect(context([created], { type: 'CreateContext', data: { name: 'again', creatorGrant: null } })).toThrow(ValidationError);
  });

  it('grants a role once: the same grant again records nothing; another role or grantee is a grant of its own', () => {
    const grant = (role: 'viewer' | 'editor', grantee: { principalId: string } | { groupId: string }): ContextCommand => ({ type: 'GrantRole', data: { grantId: 'g-2', role, grantee } });
    expect(context([created], grant('editor', { principalId: ALICE }))()).toEqual([{ type: 'RoleGranted', data: { ...granted.data, grantId: 'g-2' } }]);
    expect(context([created, granted], grant('editor', { principalId: ALICE }))()).toEqual([]);
    expect(context([created, granted], grant('viewer', { principalId: ALICE }))()).toEqual([
      { type: 'RoleGranted', data: { grantId: 'g-2', role: 'viewer', principalId: ALICE, groupId: null } },
    ]);
    expect(context([created, granted], grant('editor', { groupId: GROUP }))()).toEqual([
      { type: 'RoleGranted', data: { grantId: 'g-2', role: 'editor', principalId: null, groupId: GROUP } },
    ]);
    expect(context([], grant('editor', { principalId: ALICE }))).toThrow(NotFoundError);
  });

  it('revokes the grant in force, naming it; none: nothing', () => {
    const revoke: ContextCommand = { type: 'RevokeRole', data: { role: 'editor', grantee: { principalId: ALICE } } };
    expect(context([created, granted], revoke)()).toEqual([{ type: 'RoleRevoked', data: granted.data }]);
    expect(context([created, granted, { type: 'RoleRevoked', data: granted.data as never }], revoke)()).toEqual([]);
    expect(context([created], { type: 'RevokeRole', data: { role: 'editor', grantee: { principalId: ALICE, groupId: GROUP } as never } })).toThrow(ValidationError);
  });
});

describe('a group', () => {
  const made: GroupEvent = { type: 'GroupCreated', data: { name: 'modellers' } };
  it('adds a member once and removes only a member', () => {
    const add: GroupCommand = { type: 'AddGroupMember', data: { principalId: ALICE } };
    const remove: GroupCommand = { type: 'RemoveGroupMember', data: { principalId: ALICE } };
    const added: GroupEvent = { type: 'GroupMemberAdded', data: { principalId: ALICE } };
    expect(group([made], add)()).toEqual([added]);
    expect(group([made, added], add)()).toEqual([]);
    expect(group([made, added], remove)()).toEqual([{ type: 'GroupMemberRemoved', data: { principalId: ALICE } }]);
    expect(group([made], remove)()).toEqual([]);
    expect(group([], add)).toThrow(NotFoundError);
  });
});

describe("a principal's tokens", () => {
  it('are created with a trimmed name and the hash beside the payload', () => {
    expect(principal([alice], createToken())()).toEqual([
      { type: 'TokenCreated', data: { tokenId: 't-2', name: 'ci', createdBy: ALICE, expiresAt: null }, privateData: { secretHash: 'hash' } },
    ]);
    expect(principal([], createToken())).toThrow(NotFoundError);
    expect(principal([alice], createToken({ name: '   ' }))).toThrow(ValidationError);
    expect(principal([alice], createToken({ name: 'x'.repeat(101) }))).toThrow(ValidationError);
  });

  it('expire in the future, and no later than the token that makes them: with none asked for, at its exact instant', () => {
    const cap = '2026-12-02T10:00:00.123456Z';
    expect(principal([alice], createToken({ expiresAt: NOW }))).toThrow(/must expire in the future/);
    expect(principal([alice], createToken({ cap }))()[0]!.data).toMatchObject({ expiresAt: cap });
    expect(principal([alice], createToken({ cap, expiresAt: new Date('2026-12-02T10:00:00.123Z') }))()[0]!.data).toMatchObject({ expiresAt: '2026-12-02T10:00:00.123Z' });
    expect(principal([alice], createToken({ cap, expiresAt: new Date('2026-12-02T10:00:00.124Z') }))).toThrow(/cannot expire later/);
  });

  it('are revoked once; an unknown one is not found', () => {
    const revoke: PrincipalCommand = { type: 'RevokeToken', data: { tokenId: 't-1' } };
    expect(principal([alice, token('t-1')], revoke)()).toEqual([{ type: 'TokenRevoked', data: { tokenId: 't-1' } }]);
    expect(principal([alice, token('t-1'), { type: 'TokenRevoked', data: { tokenId: 't-1' } }], revoke)()).toEqual([]);
    expect(principal([alice], revoke)).toThrow(NotFoundError);
  });

  it('fold into the state the tables hold, with the times the events happened', () => {
    const events = recorded('principal', [alice, token('t-1', '2027-01-01T00:00:00.000001Z'), { type: 'TokenRevoked', data: { tokenId: 't-1' } }]);
    events[0]!.metadata = { actor: null, requestId: null, migrated: 'm', occurredAt: '2026-11-30T10:00:00.123456Z' };
    const state = foldPrincipal(events);
    expect(state).toEqual({
      status: 'live',
      id: STREAM,
      name: 'alice',
      kind: 'user',
      superuser: false,
      homeContextId: CONTEXT,
      createdBy: null,
      createdAt: '2026-11-30T10:00:00.123456Z',
      tokens: [{ tokenId: 't-1', name: 'ci', createdBy: null, expiresAt: '2027-01-01T00:00:00.000001Z', createdAt: occurredAt(events[1]!), revokedAt: occurredAt(events[2]!), secretHash: 'h' }],
    });
  });
});

describe('webhooks, on the context stream', () => {
  const HOOK = '00000000-0000-4000-8000-0000000000e1';
  const create = (data: Partial<Extract<ContextCommand, { type: 'CreateWebhook' }>['data']> = {}): ContextCommand => ({
    type: 'CreateWebhook',
    data: { webhookId: HOOK, url: 'https://ci.example.org/hook', eventTypes: null, modelId: null, description: null, createdBy: 'root', secretCiphertext: 'v1.a.b.c', ...data },
  });
  const made = (): ContextEvent[] => context([created], create({ eventTypes: ['AliasSet', 'VersionPublished'] }))();

  it('records the settings, normalised, and the sealed secret only as private data', () => {
    const [event] = made();
    expect(event).toEqual({
      type: 'WebhookCreated',
      data: { webhookId: HOOK, createdBy: 'root', url: 'https://ci.example.org/hook', eventTypes: ['VersionPublished', 'AliasSet'], modelId: null, description: null, active: true },
      privateData: { secretCiphertext: 'v1.a.b.c' },
    });
    const state = foldContext(recorded('context', [created, ...made()]));
    expect(state.status === 'live' && state.webhooks.map((w) => [w.webhookId, w.createdPosition, w.secretCiphertext])).toEqual([[HOOK, '2', 'v1.a.b.c']]);
  });

  it('refuses a URL that is not http(s), holds credentials or a fragment, an unknown event type, and a 21st webhook', () => {
    for (const url of ['ftp://x.org/', 'http://u:p@x.org/', 'https://x.org/#f', 'nothing', '', `https://x.org/${'a'.repeat(2048)}`, 'https://x.org/\u0000']) {
      expect(context([created], create({ url })), url).toThrow(ValidationError);
    }
    expect(context([created], create({ eventTypes: ['Nope'] }))).toThrow(/Not an event type: "Nope"/);
    const many = Array.from({ length: 20 }, (_, i) => context([created], create({ webhookId: `00000000-0000-4000-8000-0000000001${String(i).padStart(2, '0')}` }))()[0]!);
    expect(context([created, ...many], create())).toThrow(/at most 20 webhooks/);
    expect(context([], create())).toThrow(NotFoundError);
  });

  it('updates only what changes, says which, and deletes; an unknown webhook is NOT_FOUND', () => {
    const past = [created, ...made()];
    expect(context(past, { type: 'UpdateWebhook', data: { webhookId: HOOK, url: 'https://ci.example.org/hook' } })()).toEqual([]);
    const [updated] = context(past, { type: 'UpdateWebhook', data: { webhookId: HOOK, active: false, eventTypes: null } })();
    expect(updated).toMatchObject({ type: 'WebhookUpdated', data: { changed: ['eventTypes', 'active'], eventTypes: [], active: false, url: 'https://ci.example.org/hook' } });
    const state = foldContext(recorded('context', [...past, updated!]));
    expect(state.status === 'live' && state.webhooks[0]).toMatchObject({ active: false, eventTypes: [], secretCiphertext: 'v1.a.b.c' });
    expect(context(past, { type: 'DeleteWebhook', data: { webhookId: HOOK } })()).toEqual([{ type: 'WebhookDeleted', data: { webhookId: HOOK } }]);
    const gone = [...past, { type: 'WebhookDeleted', data: { webhookId: HOOK } } as ContextEvent];
    expect(context(gone, { type: 'DeleteWebhook', data: { webhookId: HOOK } })).toThrow(NotFoundError);
    expect(context(gone, { type: 'UpdateWebhook', data: { webhookId: HOOK, active: true } })).toThrow(NotFoundError);
  });
});
