import { afterAll, beforeAll, expect, it } from 'vitest';
import { openTestApi, type TestApi } from '../helpers/api.ts';
import { clockPast } from '../helpers/clock.ts';
import { CreateModel, CreateVersion, DeleteVersion, ModelById, PublishVersion, UpdateVersion } from './operations.ts';

let api: TestApi;
beforeAll(async () => {
  api = await openTestApi();
});
afterAll(() => api?.close());

it('runs the whole seed workflow: versions, a deletion that leaves a gap, publish, history, as-of', async () => {
  const created = (await api.ok(CreateModel, { input: { name: 'credit-risk', tags: ['finance'] } })).createModel;
  if (created.__typename !== 'CreateModelSuccess') throw new Error(JSON.stringify(created));
  const id = created.model.id;

  const numbers: number[] = [];
  let lastCreatedAt = '';
  for (let i = 1; i <= 3; i++) {
    const v = (await api.ok(CreateVersion, { input: { modelId: id, description: `v${i}`, hyperparameters: { round: i } } })).createVersion;
    if (v.__typename !== 'CreateVersionSuccess') throw new Error(JSON.stringify(v));
    numbers.push(v.version.number);
    lastCreatedAt = v.version.createdAt;
  }
  expect(numbers).toEqual([1, 2, 3]);

  // "Before the deletion" is the time the third version was recorded (the server's timestamp, not this
  // test's clock); what follows is recorded later.
  const beforeDeletion = new Date(lastCreatedAt);
  await clockPast(beforeDeletion);

  expect((await api.ok(DeleteVersion, { modelId: id, number: 2 })).deleteVersion.__typename).toBe('DeleteVersionSuccess');
  const fourth = (await api.ok(CreateVersion, { input: { modelId: id } })).createVersion;
  expect(fourth.__typename === 'CreateVersionSuccess' && fourth.version.number).toBe(4);

  expect((await api.ok(PublishVersion, { modelId: id, number: 3 })).publishVersion.__typename).toBe('PublishVersionSuccess');
  const refused = (await api.ok(UpdateVersion, { input: { modelId: id, number: 3, description: 'changed' } })).updateVersion;
  expect(refused).toMatchObject({ __typename: 'VersionPublishedError', code: 'VERSION_PUBLISHED' });

  const now = (await api.ok(ModelById, { id })).model!;
  expect(now.versions.edges.map((e) => [e.node.number, e.node.status])).toEqual([
    [1, 'DRAFT'],
    [3, 'PUBLISHED'],
    [4, 'DRAFT'],
  ]);
  expect(now.versionCount).toBe(3);
  expect(now.latestVersion?.number).toBe(4);
  expect(now.versions.edges.find((e) => e.node.number === 3)?.node.description).toBe('v3');

  expect(now.history.edges.map((e) => e.node.type)).toEqual([
    'ModelCreated',
    'VersionCreated',
    'VersionCreated',
    'VersionCreated',
    'VersionDeleted',
    'VersionCreated',
    'VersionPublished',
  ]);
  expect(now.history.totalCount).toBe(7);
  expect(now.history.edges[4]!.node.data).toEqual({ number: 2 });
  const positions = now.history.edges.map((e) => BigInt(e.node.position));
  expect([...positions].sort((a, b) => (a < b ? -1 : 1))).toEqual(positions);

  const then = (await api.ok(ModelById, { id, asOf: beforeDeletion.toISOString() })).model!;
  expect(then.versions.edges.map((e) => e.node.number)).toEqual([1, 2, 3]);
  expect(then.versions.edges.every((e) => e.node.status === 'DRAFT')).toBe(true);
  expect(then.versionCount).toBe(3);
  expect(then.history.totalCount).toBe(4);

  expect((await api.ok(ModelById, { id, asOf: '2000-01-01T00:00:00Z' })).model).toBeNull();
});
