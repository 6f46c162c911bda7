import { NameTakenError } from '../../domain/errors.ts';
import { ACCESS_EVENT_TYPES, type AccessEvent } from '../../domain/access/events.ts';
import { occurredAt } from '../../domain/access/evolve.ts';
import { isUniqueViolation } from '../pgErrors.ts';
import type { Projection } from './projection.ts';
import { assertNever } from '../../domain/exhaustive.ts';


/** The unique indexes that hold the name rules across streams, and the name each one guards. */
const NAME_INDEXES = ['contexts_name_key', 'principals_name_key', 'groups_context_name_key'];

/**
 * The access-control tables, from the context, group and principal streams: a request's identity is read
 * from them (one statement per request), never from the log. Rows take their times from their events
 * (occurredAt), so a rebuild writes them again exactly. The unique indexes on names hold the rule "names are
 * unique" across streams: a violation is the command's NameTakenError, as for models.
 */
export const accessControlProjection: Projection = {
  name: 'accessControl',
  // Parents first.
  tables: ['contexts', 'principals', 'groups', 'tokens', 'group_members', 'role_grants', 'webhooks'],
  handles: ACCESS_EVENT_TYPES,
  async apply(trx, event) {
    const e = event as AccessEvent;
    const at = occurredAt(event);
    try {
      switch (e.type) {
        case 'ContextCreated':
          await trx.insertInto('contexts').values({ id: event.streamId, name: e.data.name, created_at: at }).execute();
          return;
        case 'RoleGranted':
          await trx
            .insertInto('role_grants')
            .values({ id: e.data.grantId, context_id: event.streamId, role: e.data.role, principal_id: e.data.principalId, group_id: e.data.groupId })
            .execute();
          return;
        case 'RoleRevoked':
          await trx.deleteFrom('role_grants').where('id', '=', e.data.grantId).execute();
          return;
        case 'WebhookCreated': {
          const d = e.data;
          await trx
            .insertInto('webhooks')
            .values({
              id: d.webhookId, context_id: event.streamId, url: d.url, event_types: JSON.stringify(d.eventTypes), model_id: d.modelId, description: d.description,
              active: d.active, secret_ciphertext: e.privateData.secretCiphertext, created_at: at, created_by: d.createdBy, created_position: event.position,
            })
            .execute();
          return;
        }
        case 'WebhookUpdated': {
          const d = e.data;
          await trx
            .updateTable('webhooks')
            .set({ url: d.url, event_types: JSON.stringify(d.eventTypes), description: d.description, active: d.active })
            .where('id', '=', d.webhookId)
            .execute();
          return;
        }
        case 'WebhookDeleted':
          await trx.deleteFrom('webhooks').where('id', '=', e.data.webhookId).execute();
          // Its deliveries (state of the dispatcher's, not a read model) go with it.
          await trx.deleteFrom('webhook_deliveries').where('webhook_id', '=', e.data.webhookId).execute();
          return;
        case 'GroupCreated':
          await trx.insertInto('groups').values({ id: event.streamId, context_id: event.contextId!, name: e.data.name, created_at: at }).execute();
          return;
        case 'GroupMemberAdded':
          await trx
            .insertInto('group_members')
            .values({ group_id: event.streamId, principal_id: e.data.principalId })
            .onConflict((oc) => oc.doNothing())
            .execute();
          return;
        case 'GroupMemberRemoved':
          await trx.deleteFrom('group_members').where('group_id', '=', event.streamId).where('principal_id', '=', e.data.principalId).execute();
          return;
        case 'PrincipalCreated': {
          const d = e.data;
          await trx
            .insertInto('principals')
            .values({ id: event.streamId, name: d.name, kind: d.kind, superuser: d.superuser, home_context_id: d.homeContextId, created_by: d.createdBy, created_at: at })
            .execute();
          return;
        }
        case 'TokenCreated': {
          const d = e.data;
          await trx
            .insertInto('tokens')
            .values({
              id: d.tokenId,
              principal_id: event.streamId,
              name: d.name,
              secret_hash: e.privateData.secretHash,
              created_at: at,
              expires_at: d.expiresAt,
              revoked_at: null,
              created_by: d.createdBy,
            })
            .execute();
          return;
        }
        case 'TokenRevoked':
          // In the revoking transaction: the next request with the token is refused.
          await trx.updateTable('tokens').set({ revoked_at: at }).where('id', '=', e.data.tokenId).where('revoked_at', 'is', null).execute();
          return;
        default:
          return assertNever(e);
      }
    } catch (error) {
      if (NAME_INDEXES.some((index) => isUniqueViolation(error, index)) && (e.type === 'ContextCreated' || e.type === 'GroupCreated' || e.type === 'PrincipalCreated')) {
        throw new NameTakenError(e.data.name);
      }
      throw error;
    }
  },
};
