import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handleCommand } from '../../src/store/handleCommand.ts';
import { openTestApi, type TestApi } from '../helpers/api.ts';
import { SHA } from '../helpers/modelSpecification.ts';
import { CreateModel, CreateVersion, DeleteFormat, DeleteVersion, ModelById, PublishVersion, UpdateVersion, Versions } from './operations.ts';

let api: TestApi;
beforeAll(async () => {
  api = await openTestApi({ env: { CAIRN_MAX_VERSIONS: '3' } });
});
afterAll(() => api?.close());

const MISSING = '00000000-0000-4000-8000-000000000000';

async function model(name: string) {
  const { createModel } = await api.ok(CreateModel, { input: { name } });
  if (createModel.__typename !== 'CreateModelSuccess') throw new Error(JSON.stringify(createModel));
  return createModel.model.id;
}

async function version(modelId: string) {
  const { createVersion } = await api.ok(CreateVersion, { input: { modelId } });
  if (createVersion.__typename !== 'CreateVersionSuccess') throw new Error(JSON.stringify(createVersion));
  return createVersion.version.number;
}

/** Files arrive with the upload issue's multipart path; until then a format is recorded straight through the store. */
async function recordFormat(modelId: string, number: number, format = 'pkl') {
  await handleCommand(
    api.t.db,
    modelId,
    { type: 'UploadFormat', data: { number, format, sha256: SHA, size: 42, contentType: 'application/octet-stream', filename: `model.${format}` } },
    { limits: api.config.limits, metadata: { actor: 'test', requestId: null } },
  );
}

describe('createVersion', () => {
  it('creates version 1 with its settings', async () => {
    const id = await model('cv-settings');
    const { createVersion } = await api.ok(CreateVersion, {
      input: {
        modelId: id,
        description: 'first',
        tags: ['baseline'],
        hyperparameters: { lr: 0.01, layers: [64, 32] },
        config: { threshold: 0.7 },
        records: [{ uri: 's3://data/train.parquet', name: 'train' }],
      },
    });
    expect(createVersion).toMatchObject({
      __typename: 'CreateVersionSuccess',
      version: {
        number: 1,
        status: 'DRAFT',
        description: 'first',
        tags: ['baseline'],
        hyperparameters: { lr: 0.01, layers: [64, 32] },
        config: { threshold: 0.7 },
        records: [{ uri: 's3://data/train.parquet', name: 'train' }],
        formats: [],
        publishedAt: null,
        model: { id, name: 'cv-settings' },
      },
    });
  });

  it('returns NOT_FOUND for a missing model, VALIDATION for a non-object config, VERSION_LIMIT_REACHED with the limit', async () => {
    expect((await api.ok(CreateVersion, { input: { modelId: MISSING } })).createVersion).toMatchObject({ code: 'NOT_FOUND' });
    const id = await model('cv-errors');
    const invalid = (await api.ok(CreateVersion, { input: { modelId: id, config: [1, 2] } })).createVersion;
    expect(invalid).toMatchObject({ __typename: 'ValidationError', code: 'VALIDATION', message: expect.stringMatching(/config must be a JSON object/) });
    for (let i = 0; i < 3; i++) await version(id);
    const limit = (await api.ok(CreateVersion, { input: { modelId: id } })).createVersion;
    expect(limit).toMatchObject({ __typename: 'VersionLimitError', code: 'VERSION_LIMIT_REACHED', limit: 3 });
    expect(limit.__typename === 'VersionLimitError' && limit.message).toMatch(/3 versions/);
  });
});

describe('updateVersion', () => {
  it('changes a draft, and refuses a published, missing or invalid one', async () => {
    const id = await model('uv');
    const n = await version(id);
    const ok = (await api.ok(UpdateVersion, { input: { modelId: id, number: n, description: 'tuned', hyperparameters: { lr: 0.1 } } })).updateVersion;
    expect(ok).toMatchObject({ __typename: 'UpdateVersionSuccess', version: { description: 'tuned', hyperparameters: { lr: 0.1 } } });
    expect((await api.ok(UpdateVersion, { input: { modelId: id, number: 99, description: 'x' } })).updateVersion).toMatchObject({ code: 'NOT_FOUND' });
    expect((await api.ok(UpdateVersion, { input: { modelId: id, number: n, records: [{ uri: 'no scheme' }] } })).updateVersion).toMatchObject({
      code: 'VALIDATION',
    });
    await api.ok(PublishVersion, { modelId: id, number: n });
    expect((await api.ok(UpdateVersion, { input: { modelId: id, number: n, description: 'x' } })).updateVersion).toMatchObject({
      __typename: 'VersionPublishedError',
      code: 'VERSION_PUBLISHED',
    });
  });
});

describe('publishVersion', () => {
  it('publishes once, recording when; then VERSION_PUBLISHED; NOT_FOUND for a missing version', async () => {
    const id = await model('pv');
    const n = await version(id);
    const { publishVersion } = await api.ok(PublishVersion, { modelId: id, number: n });
    expect(publishVersion).toMatchObject({ __typename: 'PublishVersionSuccess', version: { status: 'PUBLISHED', publishedAt: expect.any(String) } });
    expect((await api.ok(PublishVersion, { modelId: id, number: n })).publishVersion).toMatchObject({ code: 'VERSION_PUBLISHED' });
    expect((await api.ok(PublishVersion, { modelId: id, number: 7 })).publishVersion).toMatchObject({ code: 'NOT_FOUND' });
    expect((await api.ok(PublishVersion, { modelId: MISSING, number: 1 })).publishVersion).toMatchObject({ code: 'NOT_FOUND' });
  });
});

describe('deleteVersion', () => {
  it('deletes a draft or a published version, returning the model; NOT_FOUND after', async () => {
    const id = await model('dv');
    const a = await version(id);
    const b = await version(id);
    await api.ok(PublishVersion, { modelId: id, number: b });
    const first = (await api.ok(DeleteVersion, { modelId: id, number: a })).deleteVersion;
    expect(first).toMatchObject({ __typename: 'DeleteVersionSuccess', model: { versionCount: 1, latestVersion: { number: 2 } } });
    expect((await api.ok(DeleteVersion, { modelId: id, number: b })).deleteVersion).toMatchObject({ model: { versionCount: 0, latestVersion: null } });
    expect((await api.ok(DeleteVersion, { modelId: id, number: a })).deleteVersion).toMatchObject({ code: 'NOT_FOUND' });
  });
});

describe('deleteFormat', () => {
  it("deletes a draft's format; NOT_FOUND for one that is not there; VERSION_PUBLISHED once published", async () => {
    const id = await model('df');
    const n = await version(id);
    await recordFormat(id, n, 'pkl');
    await recordFormat(id, n, 'pmml');
    const before = await api.ok(ModelById, { id });
    expect(before.model?.versions.edges[0]?.node.formats.map((f) => f.id)).toEqual(['pkl', 'pmml']);
    expect(before.model?.versions.edges[0]?.node.formats[0]).toMatchObject({ size: 42, sha256: SHA, downloadUrl: `/files/${id}/${n}/pkl` });
    const { deleteFormat } = await api.ok(DeleteFormat, { modelId: id, number: n, format: 'pkl' });
    expect(deleteFormat).toMatchObject({ __typename: 'DeleteFormatSuccess', version: { formats: [{ id: 'pmml' }] } });
    expect((await api.ok(DeleteFormat, { modelId: id, number: n, format: 'pkl' })).deleteFormat).toMatchObject({ code: 'NOT_FOUND' });
    await api.ok(PublishVersion, { modelId: id, number: n });
    expect((await api.ok(DeleteFormat, { modelId: id, number: n, format: 'pmml' })).deleteFormat).toMatchObject({ code: 'VERSION_PUBLISHED' });
  });
});

describe('versions connection', () => {
  it('pages by number, filters by status, and keeps the gaps of deleted numbers', async () => {
    const id = await model('vc');
    for (let i = 0; i < 3; i++) await version(id);
    await api.ok(DeleteVersion, { modelId: id, number: 2 });
    await api.ok(PublishVersion, { modelId: id, number: 3 });
    const all = await api.ok(Versions, { id });
    expect(all.model?.versions.edges.map((e) => e.node.number)).toEqual([1, 3]);
    const page = await api.ok(Versions, { id, first: 1 });
    expect(page.model?.versions).toMatchObject({ totalCount: 2, pageInfo: { hasNextPage: true } });
    const next = await api.ok(Versions, { id, first: 1, after: page.model!.versions.pageInfo.endCursor });
    expect(next.model?.versions.edges.map((e) => e.node.number)).toEqual([3]);
    const last = await api.ok(Versions, { id, last: 1 });
    expect(last.model?.versions.edges.map((e) => e.node.number)).toEqual([3]);
    const published = await api.ok(Versions, { id, status: 'PUBLISHED' });
    expect(published.model?.versions.edges.map((e) => e.node.number)).toEqual([3]);
  });
});
