import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type App, createApp } from '../../src/app.ts';
import { createLogger } from '../../src/logger.ts';
import { adminHeaders, openTestApi, type TestApi } from '../helpers/api.ts';
import { clockPast } from '../helpers/clock.ts';
import { CreateModel, CreateVersion, UpdateVersion } from './operations.ts';

// Each process caches models' versions and formats under the stream version it read them at. Two apps on
// one database stand for two processes: what one writes, the other must show on its next read.
let api: TestApi;
let other: App;

beforeAll(async () => {
  api = await openTestApi();
  other = await createApp(api.config, api.t.store, createLogger('silent'));
});
afterAll(async () => {
  await other?.close();
  await api?.close();
});

async function runOn(app: App, query: string, variables: Record<string, unknown> = {}) {
  const response = await app.yoga.fetch('http://cairn.test/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...adminHeaders },
    body: JSON.stringify({ query, variables }),
  });
  return ((await response.json()) as any).data;
}

const LIST = '{ models(first: 50) { edges { node { name versions { edges { node { number config formats { id } } } } } } } }';
const versionsOf = (data: any, name: string) => data.models.edges.find((e: any) => e.node.name === name).node.versions.edges.map((e: any) => e.node);

describe('the read cache', () => {
  it('shows on one app what another app wrote since, and serves repeated reads from the cache', async () => {
    const created = (await api.ok(CreateModel, { input: { name: 'cached' } })).createModel;
    if (created.__typename !== 'CreateModelSuccess') throw new Error('not created');
    const id = created.model.id;
    await api.ok(CreateVersion, { input: { modelId: id, config: { threshold: 0.5 } } });

    // The other app reads (and caches) the model's versions.
    expect(versionsOf(await runOn(other, LIST), 'cached')).toEqual([{ number: 1, config: { threshold: 0.5 }, formats: [] }]);

    // Written through the first app: a new version and a changed config.
    await api.ok(CreateVersion, { input: { modelId: id } });
    await api.ok(UpdateVersion, { input: { modelId: id, number: 1, config: { threshold: 0.7 } } });
    expect(versionsOf(await runOn(other, LIST), 'cached')).toEqual([
      { number: 1, config: { threshold: 0.7 }, formats: [] },
      { number: 2, config: {}, formats: [] },
    ]);

    // The same read again costs only the statement that reads the page of models (the caller is cached too).
    let statements = 0;
    const counting = { ...api.t.store, db: api.t.db.withPlugin({ transformQuery: (a) => (statements++, a.node), transformResult: async (a) => a.result }) };
    const counted = await createApp(api.config, counting, createLogger('silent'));
    try {
      statements = 0;
      await runOn(counted, LIST);
      const cold = statements;
      statements = 0;
      expect(versionsOf(await runOn(counted, LIST), 'cached')).toHaveLength(2);
      // Cold: the caller, the page, the versions, the formats; warm: no caller, versions or formats.
      expect(cold).toBe(4);
      expect(statements).toBe(1);
    } finally {
      await counted.close();
    }
  });

  it('is not used for a model as it was (asOf)', async () => {
    const created = (await api.ok(CreateModel, { input: { name: 'then-and-now' } })).createModel;
    if (created.__typename !== 'CreateModelSuccess') throw new Error('not created');
    const first = (await api.ok(CreateVersion, { input: { modelId: created.model.id } })).createVersion;
    if (first.__typename !== 'CreateVersionSuccess') throw new Error('not created');
    // As of the first version's own timestamp; the second is recorded later.
    const before = first.version.createdAt;
    await clockPast(before);
    await api.ok(CreateVersion, { input: { modelId: created.model.id } });
    const query = `query ($id: ID!, $asOf: DateTime) { model(id: $id, asOf: $asOf) { versions { edges { node { number } } } } }`;
    const now = await runOn(other, query, { id: created.model.id });
    const then = await runOn(other, query, { id: created.model.id, asOf: before });
    expect(now.model.versions.edges).toHaveLength(2);
    expect(then.model.versions.edges).toHaveLength(1);
  });
});
