import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CairnClient, type WebhookDelivery } from '../../src/client/index.ts';
import { ADMIN_TOKEN } from '../helpers/api.ts';
import { givenContext, givenModel, type Served, serveTestApi } from '../helpers/fixtures.ts';
import { signatureValid, startReceiver } from '../helpers/webhookReceiver.ts';

// The TypeScript client's webhook methods against a served app whose targets may be on this machine.

let s: Served;
beforeAll(async () => {
  s = await serveTestApi({ env: { CAIRN_WEBHOOK_ALLOW_PRIVATE: 'true', CAIRN_WEBHOOK_BACKOFF_MS: '100' } });
});
afterAll(() => s?.close());

describe('webhooks from the TypeScript client', () => {
  it('creates one for a model given by name, pages its deliveries, redelivers, updates and deletes it; refusals are typed results', async () => {
    const context = await givenContext(s);
    const client = new CairnClient({ url: s.url, token: ADMIN_TOKEN, context: context.name });
    const r = await startReceiver();
    try {
      const model = await givenModel(s, { context: context.name });
      const created = await client.createWebhook({ url: r.url, model: model.name, description: 'deploys' });
      if (created.__typename !== 'CreateWebhookSuccess') throw new Error(JSON.stringify(created));
      const { webhook, secret } = created;
      expect(webhook).toMatchObject({ url: r.url, modelId: model.id, eventTypes: [], description: 'deploys', active: true });
      expect(await client.listWebhooks()).toEqual([webhook]);

      for (let i = 0; i < 3; i++) await s.asAdmin('mutation ($id: ID!) { createVersion(input: { modelId: $id }) { __typename } }', { id: model.id }, context.name);
      const got = await r.received(3);
      expect(got.every((g) => signatureValid(secret, g.headers['cairn-signature'] as string, g.body))).toBe(true);
      let all: WebhookDelivery[];
      for (;;) {
        const attempted = s.api.app.webhooks.attempted();
        all = (await client.listDeliveries(webhook.id, { status: 'SUCCEEDED' }))!.deliveries;
        if (all.length === 3) break;
        await attempted;
      }
      // Two pages of two and one, newest first, the same as the one page.
      const first = (await client.listDeliveries(webhook.id, { first: 2 }))!;
      expect(first.hasNextPage).toBe(true);
      const second = (await client.listDeliveries(webhook.id, { first: 2, after: first.endCursor! }))!;
      expect(second.hasNextPage).toBe(false);
      expect([...first.deliveries, ...second.deliveries]).toEqual(all);
      expect(all.map((d) => d.eventType)).toEqual(['VersionCreated', 'VersionCreated', 'VersionCreated']);
      expect(await client.listDeliveries(randomUUID())).toBeNull();

      const again = await client.redeliver(all[2]!.id);
      expect(again).toMatchObject({ __typename: 'RedeliverWebhookSuccess', delivery: { id: all[2]!.id, status: 'PENDING' } });
      const [, , , fourth] = await r.received(4);
      expect(fourth!.headers['cairn-delivery']).toBe(all[2]!.id);

      const updated = await client.updateWebhook(webhook.id, { active: false, eventTypes: ['AliasSet'], description: null });
      expect(updated).toMatchObject({ __typename: 'UpdateWebhookSuccess', webhook: { active: false, eventTypes: ['AliasSet'], description: null } });
      expect(await client.updateWebhook(webhook.id, { url: 'ftp://example.org/' })).toMatchObject({ __typename: 'ValidationError', code: 'VALIDATION', field: 'url' });
      expect(await client.createWebhook({ url: 'http://example.org/', eventTypes: ['Nope'] })).toMatchObject({ __typename: 'ValidationError', field: 'eventTypes' });
      await expect(client.createWebhook({ url: 'http://example.org/', model: 'no-such-model' })).rejects.toMatchObject({ code: 'NOT_FOUND' });

      expect(await client.deleteWebhook(webhook.id)).toMatchObject({ __typename: 'DeleteWebhookSuccess', webhook: { id: webhook.id } });
      expect(await client.listWebhooks()).toEqual([]);
      expect(await client.deleteWebhook(webhook.id)).toMatchObject({ __typename: 'NotFoundError', code: 'NOT_FOUND' });
      expect(await client.redeliver(all[0]!.id)).toMatchObject({ code: 'NOT_FOUND' });
    } finally {
      await r.close();
    }
  });
});
