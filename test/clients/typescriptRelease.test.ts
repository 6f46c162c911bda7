import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CairnClient, CairnRequestError } from '../../src/client/index.ts';
import { ADMIN_TOKEN } from '../helpers/api.ts';
import { givenModel, givenPrincipal, type Served, serveTestApi, uniqueName } from '../helpers/fixtures.ts';

// The TypeScript client's release path against a served app: evaluations, comparison, aliases and
// downloads by alias.

let s: Served;
let client: CairnClient;
let work: string;

beforeAll(async () => {
  s = await serveTestApi();
  client = new CairnClient({ url: s.url, token: ADMIN_TOKEN });
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-ts-release-'));
});
afterAll(async () => {
  await s?.close();
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');

/** A version of `model` with a pkl file of its own, published when asked. */
async function givenVersion(model: string, settings: { hyperparameters?: Record<string, unknown>; config?: Record<string, unknown> } = {}, publish = true) {
  const created = await client.createVersion(model, settings);
  if (created.__typename !== 'CreateVersionSuccess') throw new Error(JSON.stringify(created));
  const { number } = created.version;
  const data = new Uint8Array(randomBytes(500 + number));
  expect((await client.uploadFormat({ model, version: number, format: 'pkl', file: data })).__typename).toBe('UploadFormatSuccess');
  if (publish) expect((await client.publishVersion(model, number)).__typename).toBe('PublishVersionSuccess');
  return { number, data };
}

describe('evaluations from the TypeScript client', () => {
  it("records results on a draft and a published version, and reads them in the version's evaluations", async () => {
    const m = await givenModel(s);
    await givenVersion(m.name, {}, true);
    await givenVersion(m.name, {}, false);
    const recorded = await client.recordEvaluation(m.name, 1, { dataset: { uri: 's3://d/holdout.csv', name: 'holdout' }, metrics: { auc: 0.91, f1: 0.8 }, notes: 'seed 7' });
    if (recorded.__typename !== 'RecordEvaluationSuccess') throw new Error(JSON.stringify(recorded));
    expect(recorded.evaluation).toMatchObject({ dataset: { uri: 's3://d/holdout.csv', name: 'holdout' }, metrics: { auc: 0.91, f1: 0.8 }, notes: 'seed 7', recordedBy: 'admin' });
    expect(recorded.version).toEqual({ number: 1, status: 'PUBLISHED' });
    expect((await client.recordEvaluation(m.id, 2, { dataset: { uri: 'dataset:7' }, metrics: { rmse: 1.5 } })).__typename).toBe('RecordEvaluationSuccess');

    const v1 = await client.getVersion(m.name, 1);
    expect(v1?.evaluations).toEqual([recorded.evaluation]);
    expect((await client.getVersion(m.name, 2))?.evaluations).toEqual([expect.objectContaining({ dataset: { uri: 'dataset:7', name: null }, metrics: { rmse: 1.5 }, notes: null })]);
    const events = await client.history(m.name);
    expect(events.at(-1)).toMatchObject({ __typename: 'EvaluationRecordedEvent', number: 2, metrics: { rmse: 1.5 } });
  });

  it('returns VALIDATION for a string metric, no metrics and a key with spaces, NOT_FOUND for a missing version, FORBIDDEN for a viewer', async () => {
    const m = await givenModel(s, { versions: 1 });
    const dataset = { uri: 's3://d/x.csv' };
    for (const metrics of [{ auc: '0.9' }, {}, { ' auc': 0.9 }, { auc: null }]) {
      const r = await client.recordEvaluation(m.name, 1, { dataset, metrics: metrics as unknown as Record<string, number> });
      expect(r, JSON.stringify(metrics)).toMatchObject({ __typename: 'ValidationError', code: 'VALIDATION' });
    }
    expect(await client.recordEvaluation(m.name, 2, { dataset, metrics: { auc: 1 } })).toMatchObject({ __typename: 'NotFoundError', code: 'NOT_FOUND' });
    const viewer = await givenPrincipal(s, 'viewer');
    const asViewer = new CairnClient({ url: s.url, token: viewer.secret });
    expect(await asViewer.recordEvaluation(m.id, 1, { dataset, metrics: { auc: 1 } })).toMatchObject({ __typename: 'ForbiddenError', code: 'FORBIDDEN' });
    expect((await client.getVersion(m.id, 1))?.evaluations).toEqual([]);
  });
});

describe('compareVersions', () => {
  it('lines up keys missing from some versions and nested ones, with versions in the order asked', async () => {
    const m = await givenModel(s);
    await givenVersion(m.name, { hyperparameters: { optimizer: { name: 'adam', beta: 0.9 } }, config: { threshold: 0.5 } });
    await givenVersion(m.name, { hyperparameters: { optimizer: { name: 'adam' }, depth: 6 } });
    await client.recordEvaluation(m.name, 2, { dataset: { uri: 's3://d/h.csv' }, metrics: { auc: 0.7 } });
    await client.recordEvaluation(m.name, 2, { dataset: { uri: 's3://d/h.csv' }, metrics: { auc: 0.8 } });
    const { versions, rows } = await client.compareVersions(m.name, [2, 1]);
    expect(versions.map((v) => v.number)).toEqual([2, 1]);
    expect(rows).toEqual([
      { section: 'HYPERPARAMETERS', key: 'depth', dataset: null, values: [6, null], differs: true },
      { section: 'HYPERPARAMETERS', key: 'optimizer.beta', dataset: null, values: [null, 0.9], differs: true },
      { section: 'HYPERPARAMETERS', key: 'optimizer.name', dataset: null, values: ['adam', 'adam'], differs: false },
      { section: 'CONFIG', key: 'threshold', dataset: null, values: [null, 0.5], differs: true },
      { section: 'METRICS', key: 'auc', dataset: 's3://d/h.csv', values: [0.8, null], differs: true },
    ]);
  });

  it('throws NOT_FOUND for a version or a model that is not there, VALIDATION for one number', async () => {
    const m = await givenModel(s, { versions: 2 });
    await expect(client.compareVersions(m.name, [1, 3])).rejects.toMatchObject({ code: 'NOT_FOUND', message: expect.stringContaining('no version 3') });
    await expect(client.compareVersions(uniqueName('none'), [1, 2])).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(client.compareVersions(m.id, [1])).rejects.toBeInstanceOf(CairnRequestError);
    await expect(client.compareVersions(m.id, [1])).rejects.toMatchObject({ code: 'VALIDATION' });
  });
});

describe('aliases from the TypeScript client', () => {
  it('sets, moves and removes an alias; downloads by alias follow it, by model name too', async () => {
    const name = uniqueName('churn / eu ü');
    expect((await client.createModel({ name })).__typename).toBe('CreateModelSuccess');
    const v1 = await givenVersion(name);
    const v2 = await givenVersion(name);

    const set = await client.setAlias(name, 'production', 1);
    if (set.__typename !== 'SetAliasSuccess') throw new Error(JSON.stringify(set));
    expect(set.alias).toMatchObject({ name: 'production', version: { number: 1 }, setBy: 'admin' });
    expect(await client.getVersionByAlias(name, 'production')).toMatchObject({ number: 1, aliases: ['production'] });
    const first = await client.downloadFormat({ model: name, alias: 'production', format: 'pkl' });
    expect(first).toMatchObject({ version: 1, sha256: sha256(v1.data) });
    expect(sha256(first.bytes!)).toBe(sha256(v1.data));

    expect((await client.setAlias(name, 'production', 2)).__typename).toBe('SetAliasSuccess');
    const out = path.join(work, 'production.pkl');
    const moved = await client.downloadFormat({ model: name, alias: 'production', format: 'pkl', to: out });
    expect(moved).toMatchObject({ path: out, version: 2, sha256: sha256(v2.data) });
    expect(sha256(fs.readFileSync(out))).toBe(sha256(v2.data));
    // By number, as before; by id as well.
    expect((await client.downloadFormat({ model: name, version: 1, format: 'pkl' })).sha256).toBe(sha256(v1.data));
    expect((await client.downloadFormat({ model: await client.modelId(name), alias: 'production', format: 'pkl' })).sha256).toBe(sha256(v2.data));

    expect((await client.listAliases(name))?.map((a) => [a.name, a.version.number])).toEqual([['production', 2]]);
    expect((await client.getVersion(name, 1))?.aliases).toEqual([]);
    const removed = await client.removeAlias(name, 'production');
    expect(removed).toMatchObject({ __typename: 'RemoveAliasSuccess', model: { aliases: [] } });
    expect(await client.getVersionByAlias(name, 'production')).toBeNull();
    await expect(client.downloadFormat({ model: name, alias: 'production', format: 'pkl' })).rejects.toMatchObject({ status: 404, code: 'NOT_FOUND' });
    expect(await client.listAliases(uniqueName('none'))).toBeNull();
    expect((await client.history(name)).filter((e) => e.type.startsWith('Alias')).map((e) => e.__typename)).toEqual(['AliasSetEvent', 'AliasSetEvent', 'AliasRemovedEvent']);
  });

  it('returns VERSION_NOT_PUBLISHED for a draft, VERSION_ALIASED when deleting what an alias points at, FORBIDDEN for a viewer', async () => {
    const m = await givenModel(s);
    await givenVersion(m.name);
    await givenVersion(m.name, {}, false);
    expect(await client.setAlias(m.name, 'production', 2)).toMatchObject({ __typename: 'VersionNotPublishedError', code: 'VERSION_NOT_PUBLISHED', number: 2 });
    expect(await client.setAlias(m.name, 'Production', 1)).toMatchObject({ __typename: 'ValidationError', code: 'VALIDATION' });
    expect((await client.setAlias(m.name, 'production', 1)).__typename).toBe('SetAliasSuccess');
    expect(await client.deleteVersion(m.name, 1)).toMatchObject({ __typename: 'VersionAliasedError', code: 'VERSION_ALIASED', number: 1, aliases: ['production'] });
    expect(await client.removeAlias(m.name, 'staging')).toMatchObject({ __typename: 'NotFoundError', code: 'NOT_FOUND' });
    const viewer = new CairnClient({ url: s.url, token: (await givenPrincipal(s, 'viewer')).secret });
    expect(await viewer.setAlias(m.id, 'staging', 1)).toMatchObject({ __typename: 'ForbiddenError', code: 'FORBIDDEN' });
    expect(await viewer.removeAlias(m.id, 'production')).toMatchObject({ __typename: 'ForbiddenError', code: 'FORBIDDEN' });
    expect((await viewer.listAliases(m.id))?.map((a) => a.name)).toEqual(['production']);
    expect((await client.getVersion(m.id, 1))?.status).toBe('PUBLISHED');
  });
});
