import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { givenModel, givenPrincipal, type Served, serveTestApi } from '../helpers/fixtures.ts';
import { Comparison, DeleteVersion, ModelById, PublishVersion, RecordEvaluation, Releases } from './operations.ts';

// recordEvaluation through the API: what a success answers, where the evaluation shows, and each refusal
// typed and changing nothing.
let s: Served;
let viewer: string;

beforeAll(async () => {
  s = await serveTestApi();
  viewer = (await givenPrincipal(s, 'viewer')).secret;
});
afterAll(() => s?.close());

const MISSING = '00000000-0000-4000-8000-000000000000';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const DATASET = { uri: 's3://data/holdout.csv', name: 'holdout' };

const eventCount = async () => Number((await s.api.t.db.selectFrom('events').select((e) => e.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n);

/** A model with a draft version 1 and a published version 2. */
async function released() {
  const model = await givenModel(s, { versions: 2 });
  const { publishVersion } = await s.api.ok(PublishVersion, { modelId: model.id, number: 2 });
  expect(publishVersion.__typename).toBe('PublishVersionSuccess');
  return model;
}

const record = (modelId: string, number: number, metrics: unknown, extra: { notes?: string | null; dataset?: { uri: string; name?: string | null } } = {}) =>
  s.api.ok(RecordEvaluation, { input: { modelId, number, dataset: DATASET, metrics, ...extra } }).then((d) => d.recordEvaluation);

async function versionUpdatedAt(id: string, number: number) {
  const model = (await s.api.ok(ModelById, { id })).model!;
  return model.versions.edges.find((e) => e.node.number === number)!.node;
}

describe('recordEvaluation', () => {
  it('records on a draft: the evaluation, and the version with it, its updatedAt unchanged', async () => {
    const { id } = await released();
    const before = await versionUpdatedAt(id, 1);
    const result = await record(id, 1, { auc: 0.91, f1: 0.8 }, { notes: 'first look' });
    if (result.__typename !== 'RecordEvaluationSuccess') throw new Error(JSON.stringify(result));
    expect(result.evaluation).toEqual({
      id: expect.stringMatching(UUID),
      dataset: DATASET,
      metrics: { auc: 0.91, f1: 0.8 },
      notes: 'first look',
      recordedAt: expect.any(String),
      recordedBy: expect.any(String),
    });
    expect(Date.parse(result.evaluation.recordedAt)).toBeGreaterThanOrEqual(Date.parse(before.createdAt));
    expect(result.version).toEqual({ number: 1, status: 'DRAFT', updatedAt: expect.any(String), evaluations: [result.evaluation] });
    // Recording a result does not change the version.
    const after = await versionUpdatedAt(id, 1);
    expect(after).toEqual(before);
  });

  it('records on a published version, in the order recorded; the latest shows in the comparison', async () => {
    const { id } = await released();
    const first = await record(id, 2, { auc: 0.8 });
    const second = await record(id, 2, { auc: 0.85, loss: 0.3 }, { dataset: { uri: 'dataset:42' } });
    const third = await record(id, 2, { auc: 0.9 });
    if (first.__typename !== 'RecordEvaluationSuccess' || second.__typename !== 'RecordEvaluationSuccess' || third.__typename !== 'RecordEvaluationSuccess') {
      throw new Error(JSON.stringify([first, second, third]));
    }
    expect(second.evaluation.dataset).toEqual({ uri: 'dataset:42', name: null });
    expect(third.version.evaluations.map((e) => e.id)).toEqual([first.evaluation.id, second.evaluation.id, third.evaluation.id]);
    expect(third.version.status).toBe('PUBLISHED');
    const model = (await s.api.ok(Releases, { id })).model!;
    const v2 = model.versions.edges.find((e) => e.node.number === 2)!.node;
    expect(v2.evaluations).toEqual(third.version.evaluations);
    expect(model.versions.edges.find((e) => e.node.number === 1)!.node.evaluations).toEqual([]);
    const history = model.history.edges.map((e) => e.node).filter((e) => e.type === 'EvaluationRecorded');
    expect(history.map((e) => (e.data as { evaluationId: string }).evaluationId)).toEqual([first.evaluation.id, second.evaluation.id, third.evaluation.id]);
    const { comparison } = (await s.api.ok(Comparison, { id, numbers: [2, 1] })).model!;
    // By dataset URI (dataset:42 before s3://...), then metric name.
    expect(comparison.rows).toEqual([
      { section: 'METRICS', key: 'auc', dataset: 'dataset:42', values: [0.85, null], differs: true },
      { section: 'METRICS', key: 'loss', dataset: 'dataset:42', values: [0.3, null], differs: true },
      { section: 'METRICS', key: 'auc', dataset: DATASET.uri, values: [0.9, null], differs: true },
    ]);
  });

  it('refuses bad metrics, notes and datasets with a typed VALIDATION naming the field, and records nothing', async () => {
    const { id } = await released();
    const many = Object.fromEntries(Array.from({ length: 201 }, (_, i) => [`m${i}`, i]));
    const cases: [metrics: unknown, extra: Parameters<typeof record>[3], field: string][] = [
      [{}, {}, 'metrics'],
      [many, {}, 'metrics'],
      [[0.9], {}, 'metrics'],
      ['{"auc": 0.9}', {}, 'metrics'],
      [0.9, {}, 'metrics'],
      [{ auc: '0.9' }, {}, 'metrics.auc'],
      [{ auc: null }, {}, 'metrics.auc'],
      [{ auc: { value: 0.9 } }, {}, 'metrics.auc'],
      [{ auc: [0.9] }, {}, 'metrics.auc'],
      [{ auc: true }, {}, 'metrics.auc'],
      [{ ['k'.repeat(65)]: 1 }, {}, 'metrics'],
      [{ '': 1 }, {}, 'metrics'],
      [{ ' auc': 1 }, {}, 'metrics'],
      [{ auc: 1 }, { notes: 'x'.repeat(10 * 1024 + 1) }, 'notes'],
      [{ auc: 1 }, { dataset: { uri: 'holdout.csv' } }, 'dataset.uri'],
      [{ auc: 1 }, { dataset: { uri: '' } }, 'dataset.uri'],
      [{ auc: 1 }, { dataset: { uri: 'dataset:1', name: 'x'.repeat(201) } }, 'dataset.name'],
    ];
    const before = await eventCount();
    for (const [metrics, extra, field] of cases) {
      const result = await record(id, 2, metrics, extra);
      expect(result, JSON.stringify([metrics, extra]).slice(0, 200)).toMatchObject({ __typename: 'ValidationError', code: 'VALIDATION', field });
    }
    expect(await eventCount()).toBe(before);
    // The limits themselves are allowed.
    const fits = await record(id, 2, { ...Object.fromEntries(Object.entries(many).slice(2)), ['k'.repeat(64)]: 1 }, { notes: 'x'.repeat(10 * 1024) });
    expect(fits).toMatchObject({ __typename: 'RecordEvaluationSuccess', evaluation: { notes: 'x'.repeat(10 * 1024) } });
    if (fits.__typename === 'RecordEvaluationSuccess') expect(Object.keys(fits.evaluation.metrics as object)).toHaveLength(200);
  });

  it('is NOT_FOUND for a missing or deleted version and a missing or deleted model, recording nothing', async () => {
    const { id } = await released();
    expect((await s.api.ok(DeleteVersion, { modelId: id, number: 1 })).deleteVersion.__typename).toBe('DeleteVersionSuccess');
    const doomed = await released();
    await s.asAdmin('mutation ($id: ID!) { deleteModel(id: $id) { __typename } }', { id: doomed.id });
    const before = await eventCount();
    for (const [modelId, number] of [
      [id, 1],
      [id, 7],
      [MISSING, 1],
      [doomed.id, 2],
    ] as const) {
      const result = await record(modelId, number, { auc: 0.5 });
      expect(result, `${modelId} ${number}`).toMatchObject({ __typename: 'NotFoundError', code: 'NOT_FOUND' });
    }
    expect(await record(id, 1, { auc: 0.5 })).toMatchObject({ message: expect.stringMatching(/no version 1/) });
    expect(await record(id, 0, { auc: 0.5 })).toMatchObject({ code: 'VALIDATION', field: 'number' });
    expect(await eventCount()).toBe(before);
  });

  it('is FORBIDDEN to a viewer, who still reads evaluations and the comparison', async () => {
    const { id } = await released();
    const recorded = await record(id, 2, { auc: 0.7 });
    if (recorded.__typename !== 'RecordEvaluationSuccess') throw new Error(JSON.stringify(recorded));
    const before = await eventCount();
    const asViewer = { authorization: `Bearer ${viewer}` };
    const refused = await s.api.run(RecordEvaluation, { input: { modelId: id, number: 2, dataset: DATASET, metrics: { auc: 1 } } }, asViewer);
    expect(refused.errors).toBeUndefined();
    expect(refused.data!.recordEvaluation).toMatchObject({ __typename: 'ForbiddenError', code: 'FORBIDDEN' });
    expect(await eventCount()).toBe(before);
    const read = await s.api.run(Releases, { id }, asViewer);
    expect(read.errors).toBeUndefined();
    expect(read.data!.model!.versions.edges.find((e) => e.node.number === 2)!.node.evaluations).toEqual([recorded.evaluation]);
    const compared = await s.api.run(Comparison, { id, numbers: [1, 2] }, asViewer);
    expect(compared.errors).toBeUndefined();
    expect(compared.data!.model!.comparison.rows).toEqual([{ section: 'METRICS', key: 'auc', dataset: DATASET.uri, values: [null, 0.7], differs: true }]);
  });
});
