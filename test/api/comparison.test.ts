import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clockPast } from '../helpers/clock.ts';
import { givenModel, type Served, serveTestApi } from '../helpers/fixtures.ts';
import { Comparison, CreateVersion, DeleteVersion, PublishVersion, RecordEvaluation } from './operations.ts';

// Model.comparison through the API: settings aligned across versions (nested objects flattened, missing keys
// null), metrics of each version's latest evaluation per dataset, and the refusals of its `numbers`.
let s: Served;

beforeAll(async () => {
  s = await serveTestApi();
});
afterAll(() => s?.close());

async function versionWith(modelId: string, hyperparameters: Record<string, unknown>, config: Record<string, unknown> = {}) {
  const { createVersion } = await s.api.ok(CreateVersion, { input: { modelId, hyperparameters, config } });
  if (createVersion.__typename !== 'CreateVersionSuccess') throw new Error(JSON.stringify(createVersion));
  return createVersion.version.number;
}

async function evaluate(modelId: string, number: number, uri: string, metrics: Record<string, number>) {
  const { recordEvaluation } = await s.api.ok(RecordEvaluation, { input: { modelId, number, dataset: { uri }, metrics } });
  if (recordEvaluation.__typename !== 'RecordEvaluationSuccess') throw new Error(JSON.stringify(recordEvaluation));
  return recordEvaluation.evaluation;
}

const compare = (id: string, numbers: number[], asOf?: string) => s.api.run(Comparison, { id, numbers, ...(asOf && { asOf }) });

describe('comparison', () => {
  it('aligns hyperparameters and config across versions in the order asked: dotted keys, arrays whole, null where a key is missing', async () => {
    const { id } = await givenModel(s);
    const one = await versionWith(id, { lr: 0.1, optimizer: { name: 'adam', beta: 0.9 }, layers: [64, 32] }, { threshold: 0.5, features: { drop: ['id'] } });
    const two = await versionWith(id, { lr: 0.1, optimizer: { name: 'sgd' }, layers: [32, 64], seed: 7 }, { features: { drop: ['id'] } });
    const three = await versionWith(id, { lr: 0.01, optimizer: { beta: 0.9, name: 'adam' }, layers: [64, 32], extra: {} });
    await s.api.ok(PublishVersion, { modelId: id, number: two });
    const { data, errors } = await compare(id, [three, one, two]);
    expect(errors).toBeUndefined();
    const { comparison } = data!.model!;
    expect(comparison.versions.map((v) => v.number)).toEqual([three, one, two]);
    expect(comparison.rows).toEqual([
      { section: 'HYPERPARAMETERS', key: 'extra', dataset: null, values: [{}, null, null], differs: true },
      { section: 'HYPERPARAMETERS', key: 'layers', dataset: null, values: [[64, 32], [64, 32], [32, 64]], differs: true },
      { section: 'HYPERPARAMETERS', key: 'lr', dataset: null, values: [0.01, 0.1, 0.1], differs: true },
      { section: 'HYPERPARAMETERS', key: 'optimizer.beta', dataset: null, values: [0.9, 0.9, null], differs: true },
      { section: 'HYPERPARAMETERS', key: 'optimizer.name', dataset: null, values: ['adam', 'adam', 'sgd'], differs: true },
      { section: 'HYPERPARAMETERS', key: 'seed', dataset: null, values: [null, null, 7], differs: true },
      { section: 'CONFIG', key: 'features.drop', dataset: null, values: [null, ['id'], ['id']], differs: true },
      { section: 'CONFIG', key: 'threshold', dataset: null, values: [null, 0.5, null], differs: true },
    ]);
    // Two versions alike in a key do not differ there.
    const pair = (await compare(id, [one, three])).data!.model!.comparison.rows;
    expect(pair.filter((r) => !r.differs).map((r) => r.key)).toEqual(['layers', 'optimizer.beta', 'optimizer.name']);
  });

  it('takes METRICS from the latest evaluation of each version on each dataset, by dataset URI then metric name', async () => {
    const { id } = await givenModel(s);
    const a = await versionWith(id, {});
    const b = await versionWith(id, {});
    await evaluate(id, a, 's3://d/test.csv', { auc: 0.8, loss: 0.5 });
    const earlier = await evaluate(id, b, 's3://d/test.csv', { auc: 0.7 });
    await evaluate(id, a, 'dataset:7', { auc: 0.6 });
    const expected = (bAuc: number) => [
      { section: 'METRICS', key: 'auc', dataset: 'dataset:7', values: [0.6, null], differs: true },
      { section: 'METRICS', key: 'auc', dataset: 's3://d/test.csv', values: [0.8, bAuc], differs: bAuc !== 0.8 },
      { section: 'METRICS', key: 'loss', dataset: 's3://d/test.csv', values: [0.5, null], differs: true },
    ];
    expect((await compare(id, [a, b])).data!.model!.comparison.rows).toEqual(expected(0.7));
    await clockPast(earlier.recordedAt);
    const asOf = new Date().toISOString();
    await clockPast(asOf);
    await evaluate(id, b, 's3://d/test.csv', { auc: 0.8 });
    expect((await compare(id, [a, b])).data!.model!.comparison.rows).toEqual(expected(0.8));
    // As of a time before that evaluation, the comparison is what it was then.
    const then = await compare(id, [a, b], asOf);
    expect(then.errors).toBeUndefined();
    expect(then.data!.model!.comparison.rows).toEqual(expected(0.7));
  });

  it('takes 2 to 10 distinct numbers: 0, 1 or 11, or a repeated number, is a VALIDATION error', async () => {
    const { id } = await givenModel(s, { versions: 11 });
    for (const numbers of [[], [1], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]]) {
      const { data, errors } = await compare(id, numbers);
      expect(data?.model ?? null).toBeNull();
      expect(errors, JSON.stringify(numbers)).toHaveLength(1);
      expect(errors![0]).toMatchObject({ message: `\`numbers\` takes 2 to 10 version numbers, not ${numbers.length}`, extensions: { code: 'VALIDATION', field: 'numbers' } });
    }
    const repeated = await compare(id, [1, 2, 1]);
    expect(repeated.errors![0]).toMatchObject({ message: expect.stringMatching(/more than once/), extensions: { code: 'VALIDATION', field: 'numbers' } });
    const ten = await compare(id, [10, 9, 8, 7, 6, 5, 4, 3, 2, 1]);
    expect(ten.errors).toBeUndefined();
    expect(ten.data!.model!.comparison.versions.map((v) => v.number)).toEqual([10, 9, 8, 7, 6, 5, 4, 3, 2, 1]);
    expect(ten.data!.model!.comparison.rows).toEqual([]);
  });

  it('is a NOT_FOUND error naming a deleted or missing number', async () => {
    const { id, name } = await givenModel(s, { versions: 3 });
    expect((await s.api.ok(DeleteVersion, { modelId: id, number: 2 })).deleteVersion.__typename).toBe('DeleteVersionSuccess');
    for (const missing of [2, 99]) {
      const { data, errors } = await compare(id, [1, missing, 3]);
      expect(data?.model ?? null).toBeNull();
      expect(errors).toHaveLength(1);
      expect(errors![0]).toMatchObject({ message: `Model "${name}" has no version ${missing}`, extensions: { code: 'NOT_FOUND', number: missing } });
      expect(JSON.stringify(errors)).not.toMatch(/at .*\.ts|node_modules|select |stack/i);
    }
  });
});
