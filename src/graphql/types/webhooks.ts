import { ForbiddenError, NotFoundError, ValidationError } from '../../domain/errors.ts';
import type { DeliveryRecord, DeliveryStatus, WebhookRecord } from '../../store/webhooks.ts';
import { deliveriesOf, findWebhook as findWebhookOrNull } from '../../store/webhooks.ts';
import * as webhooks from '../../webhooks/service.ts';
import { builder } from '../builder.ts';
import { checkPageSize, DEFAULT_PAGE_SIZE, invalidArgument } from '../pagination.ts';
import { eventMetadata } from '../runCommand.ts';

const admin = { permission: 'context:admin' } as const;
const adminErrors = [ValidationError, NotFoundError, ForbiddenError];

const DeliveryStatusEnum = builder.enumType('DeliveryStatus', {
  description: 'PENDING: to be attempted (again); SUCCEEDED: a 2xx came back in time; FAILED: every attempt failed (redeliverWebhook tries again).',
  values: ['PENDING', 'SUCCEEDED', 'FAILED'] as const,
});

const WebhookDeliveryRef = builder.objectRef<DeliveryRecord>('WebhookDelivery').implement({
  description: 'One event sent to one webhook: at least once, retried with backoff until a 2xx or the last attempt.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'Sent as the Cairn-Delivery header: the same on every attempt, so a receiver can tell a repeat.' }),
    eventId: t.exposeID('eventId'),
    eventType: t.exposeString('eventType'),
    position: t.exposeString('position', { description: "The event's position in the log: receivers order by it." }),
    status: t.field({ type: DeliveryStatusEnum, resolve: (d) => d.status }),
    attempts: t.exposeInt('attempts'),
    lastResponseStatus: t.exposeInt('lastResponseStatus', { nullable: true }),
    lastError: t.exposeString('lastError', { nullable: true, description: 'Why the last attempt failed, in a line; null after a success.' }),
    lastAttemptAt: t.expose('lastAttemptAt', { type: 'DateTime', nullable: true }),
    nextAttemptAt: t.expose('nextAttemptAt', { type: 'DateTime', nullable: true }),
  }),
});

const WebhookRef = builder.objectRef<WebhookRecord>('Webhook').implement({
  description: "Where this context's model events are POSTed, signed with the webhook's secret (Cairn-Signature).",
  fields: (t) => ({
    id: t.exposeID('id'),
    url: t.exposeString('url'),
    eventTypes: t.exposeStringList('eventTypes', { description: 'The event types it is sent; empty: all of them.' }),
    modelId: t.exposeID('modelId', { nullable: true, description: "Only this model's events; null: every model of the context." }),
    description: t.exposeString('description', { nullable: true }),
    active: t.exposeBoolean('active', { description: 'An inactive webhook is sent nothing: its deliveries wait, and go out once it is active again.' }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    createdBy: t.exposeString('createdBy', { nullable: true }),
    deliveries: t.connection(
      {
        type: WebhookDeliveryRef,
        description: 'Its deliveries, newest event first. Cursors are event positions.',
        args: { status: t.arg({ type: DeliveryStatusEnum }) },
        resolve: async (webhook, args, ctx) => {
          checkPageSize(args);
          if (args.last != null || args.before != null) throw invalidArgument('Deliveries are paged forwards only: use first and after', args.last != null ? 'last' : 'before');
          if (args.after != null && !/^[1-9][0-9]{0,18}$/.test(args.after)) throw invalidArgument('`after` is not a cursor this list gave out', 'after');
          const first = args.first ?? DEFAULT_PAGE_SIZE;
          const rows = await deliveriesOf(ctx.db, webhook.id, { first: first + 1, after: args.after ?? null, status: (args.status as DeliveryStatus | null) ?? null });
          const page = rows.slice(0, first);
          return {
            edges: page.map((node) => ({ cursor: node.position, node })),
            pageInfo: { hasNextPage: rows.length > first, hasPreviousPage: false, startCursor: page[0]?.position ?? null, endCursor: page.at(-1)?.position ?? null },
          };
        },
      },
      { name: 'WebhookDeliveryConnection' },
      { name: 'WebhookDeliveryEdge' },
    ),
  }),
});

const CreateWebhookInput = builder.inputType('CreateWebhookInput', {
  fields: (t) => ({
    url: t.string({ required: true, description: 'http:// or https://, on a public address (CAIRN_WEBHOOK_ALLOW_PRIVATE=true allows others); no user:password@.' }),
    eventTypes: t.stringList({ description: 'ModelCreated, VersionPublished, AliasSet ...; absent or empty: all.' }),
    modelId: t.id({ description: "Only this model's events." }),
    description: t.string(),
  }),
});

const UpdateWebhookInput = builder.inputType('UpdateWebhookInput', {
  fields: (t) => ({
    id: t.id({ required: true }),
    url: t.string(),
    eventTypes: t.stringList({ description: 'Absent: as it is; null or empty: all.' }),
    active: t.boolean(),
    description: t.string({ description: 'Absent: as it is; null: none.' }),
  }),
});

const CreateWebhookSuccess = builder.objectRef<{ webhook: WebhookRecord; secret: string }>('CreateWebhookSuccess').implement({
  fields: (t) => ({
    webhook: t.field({ type: WebhookRef, resolve: (r) => r.webhook }),
    secret: t.exposeString('secret', {
      description: 'Shown this once: the key of the HMAC in Cairn-Signature. Cairn keeps it encrypted and never shows it again.',
    }),
  }),
});

builder.queryFields((t) => ({
  webhook: t.field({
    type: WebhookRef,
    nullable: true,
    description: "One of this context's webhooks (its administrators only); null when there is none with this id here.",
    authScopes: admin,
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_r, { id }, ctx) => (await findWebhookOrNull(ctx.db, ctx.contextId, String(id))) ?? null,
  }),
  webhooks: t.field({
    type: [WebhookRef],
    description: "This context's webhooks (its administrators only), oldest first.",
    authScopes: admin,
    resolve: (_r, _a, ctx) => webhooks.listWebhooks(ctx.db, ctx.contextId),
  }),
}));

builder.mutationFields((t) => ({
  createWebhook: t.field({
    type: CreateWebhookSuccess,
    description: "Sends this context's model events to a URL from now on. The answer holds the signing secret, once.",
    authScopes: admin,
    args: { input: t.arg({ type: CreateWebhookInput, required: true }) },
    errors: { types: adminErrors, directResult: true },
    resolve: (_r, { input }, ctx) =>
      webhooks.createWebhook(
        ctx.db,
        ctx.webhooks.box,
        ctx.config.webhooks,
        ctx.contextId,
        ctx.identity.principal.name,
        { url: input.url, eventTypes: input.eventTypes, modelId: input.modelId?.toString(), description: input.description },
        eventMetadata(ctx),
      ),
  }),
  updateWebhook: t.field({
    type: WebhookRef,
    authScopes: admin,
    args: { input: t.arg({ type: UpdateWebhookInput, required: true }) },
    errors: { types: adminErrors, dataField: { name: 'webhook' } },
    resolve: (_r, { input }, ctx) =>
      webhooks.updateWebhook(
        ctx.db,
        ctx.config.webhooks,
        ctx.contextId,
        {
          id: String(input.id),
          url: input.url,
          ...('eventTypes' in input && { eventTypes: input.eventTypes ?? null }),
          active: input.active,
          ...('description' in input && { description: input.description ?? null }),
        },
        eventMetadata(ctx),
      ),
  }),
  deleteWebhook: t.field({
    type: WebhookRef,
    description: 'Deletes a webhook and its deliveries: nothing more is sent to it.',
    authScopes: admin,
    args: { id: t.arg.id({ required: true }) },
    errors: { types: adminErrors, dataField: { name: 'webhook' } },
    resolve: (_r, { id }, ctx) => webhooks.deleteWebhook(ctx.db, ctx.contextId, String(id), eventMetadata(ctx)),
  }),
  redeliverWebhook: t.field({
    type: WebhookDeliveryRef,
    description: 'Makes a delivery due again now, with a fresh allowance of attempts (a FAILED one, or one to send once more).',
    authScopes: admin,
    args: { deliveryId: t.arg.id({ required: true }) },
    errors: { types: adminErrors, dataField: { name: 'delivery' } },
    resolve: async (_r, { deliveryId }, ctx) => {
      const delivery = await webhooks.redeliverWebhook(ctx.db, ctx.contextId, String(deliveryId));
      ctx.webhooks.worker?.wake();
      return delivery;
    },
  }),
}));
