import type { RecordedAccessEvent } from '../../domain/access/events.ts';
import { occurredAt } from '../../domain/access/evolve.ts';
import { auditLog } from '../../store/auditLog.ts';
import { builder } from '../builder.ts';
import type { GraphQLContext } from '../context.ts';
import { cursorPage, type PageArgs, positionPageArgs } from '../pagination.ts';

const AuditStreamEnum = builder.enumType('AuditStreamType', {
  description: 'What an audit event is about: the context itself (its grants), one of its groups, or a principal (its tokens).',
  values: { CONTEXT: { value: 'context' as const }, GROUP: { value: 'group' as const }, PRINCIPAL: { value: 'principal' as const } },
});

const AuditEventRef = builder.objectRef<RecordedAccessEvent>('AuditEvent').implement({
  description:
    "One change of access control, as the log holds it: a context's creation, a role granted or revoked, a group made or its members changed, a principal made, a token made or revoked. Never a secret, nor a hash of one.",
  fields: (t) => ({
    id: t.id({ description: "The event's own id.", resolve: (e) => e.eventId }),
    position: t.exposeString('position', { description: 'Global and increasing; pass it as `after` to resume after this event (`after: "0"`: from the beginning).' }),
    type: t.exposeString('type', {
      description: 'ContextCreated, RoleGranted, RoleRevoked, GroupCreated, GroupMemberAdded, GroupMemberRemoved, PrincipalCreated, TokenCreated or TokenRevoked.',
    }),
    streamType: t.field({ type: AuditStreamEnum, description: 'Whose stream the event is in.', resolve: (e) => e.streamType as 'context' | 'group' | 'principal' }),
    streamId: t.id({ description: 'The id of the context, group or principal the event is about (a token belongs to its principal).', resolve: (e) => e.streamId }),
    actor: t.string({ nullable: true, description: 'Who did it; null for what Cairn did itself (its first start, a migration).', resolve: (e) => e.metadata.actor }),
    recordedAt: t.expose('recordedAt', { type: 'DateTime', description: 'When the log recorded it.' }),
    occurredAt: t.field({
      type: 'DateTime',
      description: 'When it happened: recordedAt, except for what a migration logged later (from the tables of a Cairn before access control was in the log).',
      resolve: (e) => new Date(occurredAt(e)),
    }),
    requestId: t.string({ nullable: true, resolve: (e) => e.metadata.requestId }),
    data: t.field({ type: 'JSON', description: "The event's payload, at its current schema version.", resolve: (e) => e.data }),
  }),
});

function resolveAuditLog(ctx: GraphQLContext, pageArgs: PageArgs) {
  const args = positionPageArgs(pageArgs);
  return cursorPage<RecordedAccessEvent>(args, { toCursor: (e) => e.position, totalCount: 0 }, ({ after, before, limit, inverted }) =>
    auditLog(ctx.db, ctx.contextId, { after, before, limit, descending: inverted }),
  );
}

builder.queryFields((t) => ({
  auditLog: t.connection(
    {
      type: AuditEventRef,
      authScopes: { permission: 'context:admin' },
      description:
        "This context's access-control events, oldest first (administrators only): its creation, its role grants and revocations, its groups and their members, and the principals homed in it or holding a role in it, with their tokens. Cursors are event positions.",
      resolve: (_root, args, ctx) => resolveAuditLog(ctx, args),
    },
    { name: 'AuditEventConnection' },
    { name: 'AuditEventEdge' },
  ),
}));
