import { randomUUID } from 'node:crypto';
import type { EventMetadata } from '../domain/envelope.ts';
import { NotFoundError, ValidationError } from '../domain/errors.ts';
import type { Db, Executor } from '../store/database.ts';
import { contextAggregate, decideOnStream, handleAccessCommand } from '../store/handleAccessCommand.ts';
import { loadModels } from '../store/readModels.ts';
import * as store from '../store/webhooks.ts';
import { newWebhookSecret, type SecretBox } from './secrets.ts';
import { refuseTarget } from './target.ts';

/**
 * Webhooks, managed by a context's administrators: each is a setting of the context's stream (WebhookCreated,
 * WebhookUpdated, WebhookDeleted), so the audit view shows who made it and where it sends, and an export
 * carries it. The target is checked for a public address here, where DNS can be asked; the worker checks
 * again at every attempt.
 */
export interface WebhookPolicy {
  allowPrivate: boolean;
}

export interface CreateWebhookInput {
  url: string;
  eventTypes?: string[] | null;
  modelId?: string | null;
  description?: string | null;
}

async function checkTarget(url: string, policy: WebhookPolicy): Promise<void> {
  const refused = await refuseTarget(url, { allowPrivate: policy.allowPrivate });
  if (refused) throw new ValidationError('url', refused);
}

export async function createWebhook(
  db: Db,
  box: SecretBox,
  policy: WebhookPolicy,
  contextId: string,
  createdBy: string | null,
  input: CreateWebhookInput,
  metadata: EventMetadata,
): Promise<{ webhook: store.WebhookRecord; secret: string }> {
  await checkTarget(input.url, policy);
  const modelId = input.modelId ?? null;
  if (modelId !== null) {
    const [model] = await loadModels(db, [modelId]);
    // Another context's model is as absent as one that never was.
    if (!model || model.contextId !== contextId) throw new NotFoundError('No such model in this context');
  }
  const secret = newWebhookSecret();
  const webhookId = randomUUID();
  await handleAccessCommand(db, (trx) =>
    decideOnStream(
      trx,
      contextAggregate,
      { id: contextId, contextId },
      {
        type: 'CreateWebhook',
        data: { webhookId, url: input.url, eventTypes: input.eventTypes ?? null, modelId, description: input.description ?? null, createdBy, secretCiphertext: box.seal(secret) },
      },
      metadata,
    ),
  );
  return { webhook: await findWebhook(db, contextId, webhookId), secret };
}

export async function findWebhook(db: Executor, contextId: string, id: string): Promise<store.WebhookRecord> {
  const webhook = await store.findWebhook(db, contextId, id);
  if (!webhook) throw new NotFoundError('No such webhook in this context');
  return webhook;
}

export const listWebhooks = (db: Executor, contextId: string) => store.webhooksOf(db, contextId);

export async function updateWebhook(
  db: Db,
  policy: WebhookPolicy,
  contextId: string,
  input: { id: string; url?: string | null; eventTypes?: string[] | null; active?: boolean | null; description?: string | null },
  metadata: EventMetadata,
): Promise<store.WebhookRecord> {
  const webhook = await findWebhook(db, contextId, input.id);
  if (input.url != null) await checkTarget(input.url, policy);
  await handleAccessCommand(db, (trx) =>
    decideOnStream(
      trx,
      contextAggregate,
      { id: contextId, contextId },
      {
        type: 'UpdateWebhook',
        data: {
          webhookId: webhook.id,
          // null for a required setting means "leave it"; for eventTypes null is "all", as at creation.
          ...(input.url != null && { url: input.url }),
          ...(input.eventTypes !== undefined && { eventTypes: input.eventTypes }),
          ...(input.active != null && { active: input.active }),
          ...(input.description !== undefined && { description: input.description }),
        },
      },
      metadata,
    ),
  );
  return findWebhook(db, contextId, webhook.id);
}

export async function deleteWebhook(db: Db, contextId: string, id: string, metadata: EventMetadata): Promise<store.WebhookRecord> {
  const webhook = await findWebhook(db, contextId, id);
  await handleAccessCommand(db, (trx) => decideOnStream(trx, contextAggregate, { id: contextId, contextId }, { type: 'DeleteWebhook', data: { webhookId: webhook.id } }, metadata));
  return webhook;
}

export async function redeliverWebhook(db: Db, contextId: string, deliveryId: string): Promise<store.DeliveryRecord> {
  if (!(await store.redeliver(db, contextId, deliveryId))) throw new NotFoundError('No such webhook delivery in this context');
  const delivery = await store.findDelivery(db, contextId, deliveryId);
  if (!delivery) throw new NotFoundError('No such webhook delivery in this context');
  return delivery;
}
