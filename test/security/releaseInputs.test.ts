import { print } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN } from '../helpers/api.ts';
import { givenContext, givenModel, givenPrincipal, type Served, serveTestApi } from '../helpers/fixtures.ts';
import { readModelRows } from '../helpers/readModels.ts';
import { Comparison, PublishVersion, RecordEvaluation, Releases, RemoveAlias, SetAlias, VersionByAlias } from '../api/operations.ts';

// Hostile values in every field issue 17 added (aliases, metric names, notes, datasets), JSON built to
// hurt (1,000 levels deep, 2 MB), metrics that are not an object, another context's ids, no token and a
// revoked one. Each gets a typed refusal, changes nothing, and says nothing of the server's insides.
let s: Served;
let model: { id: string; name: string };

beforeAll(async () => {
  s = await serveTestApi();
  model = await givenModel(s, { versions: 2 });
  expect((await s.api.ok(PublishVersion, { modelId: model.id, number: 2 })).publishVersion.__typename).toBe('PublishVersionSuccess');
  expect((await s.api.ok(SetAlias, { input: { modelId: model.id, alias: 'production', number: 2 } })).setAlias.__typename).toBe('SetAliasSuccess');
});
afterAll(() => s?.close());

/** What a refused call must leave as it was: the log and the read models. */
async function everything() {
  const events = await s.api.t.db.selectFrom('events').select(['position', 'type']).orderBy('position').execute();
  return { events, rows: await readModelRows(s.api.t.db) };
}

/** No stack trace, SQL, file path or masked bug in an answer. */
function expectNothingInside(text: string, context: string) {
  expect(text, context).not.toMatch(/Unexpected error/);
  expect(text, context).not.toMatch(/\bat .*\((?:file:|\/)|\.ts:\d+|node_modules|\/work\/|\/tmp\/|"stack"/);
  expect(text, context).not.toMatch(/\b(select|insert into|update \w+ set|delete from)\b.*\b(from|values|where)\b/i);
  expect(text, context).not.toMatch(/\b(syntax error|violates|relation "|column "|invalid byte sequence|unsupported Unicode escape)/i);
}

const RECORD = print(RecordEvaluation);
const SET = print(SetAlias);
const REMOVE = print(RemoveAlias);

const evaluation = (extra: Record<string, unknown>) => ({ input: { modelId: model.id, number: 2, dataset: { uri: 's3://d/holdout.csv', name: 'holdout' }, metrics: { auc: 0.9 }, ...extra } });

/** Sends one call as the administrator and expects it refused as VALIDATION naming `field`, with nothing changed. */
async function refused(query: string, variables: Record<string, unknown>, resultKey: string, field: string | RegExp) {
  const before = await everything();
  const { status, body, headers } = await s.gql(ADMIN_TOKEN, query, variables);
  const text = JSON.stringify(body);
  const context = `${resultKey} ${text.slice(0, 300)}`;
  expect(status, context).toBe(200);
  expect(headers.get('content-type'), context).toMatch(/json/);
  expect(body.errors, context).toBeUndefined();
  expect(body.data[resultKey], context).toMatchObject({ __typename: 'ValidationError', code: 'VALIDATION', field });
  expectNothingInside(text, context);
  expect(await everything(), context).toEqual(before);
}

const HOSTILE: [what: string, value: (around: string) => string][] = [
  ['a NUL', (v) => `${v}\u0000`],
  ['a lone high surrogate', (v) => `${v}\ud800`],
  ['a lone low surrogate', (v) => `\udc00${v}`],
  ['reversed surrogates', (v) => `${v}\udc00\ud800`],
];

describe('NUL and lone surrogates', () => {
  for (const [what, hostile] of HOSTILE) {
    it(`refuses ${what} in an alias (setAlias and removeAlias)`, async () => {
      await refused(SET, { input: { modelId: model.id, alias: hostile('production'), number: 2 } }, 'setAlias', 'alias');
      await refused(REMOVE, { modelId: model.id, alias: hostile('production') }, 'removeAlias', 'alias');
    });

    it(`refuses ${what} in a metric name, the notes, the dataset's URI and its name`, async () => {
      await refused(RECORD, evaluation({ metrics: { [hostile('auc')]: 0.9 } }), 'recordEvaluation', 'metrics');
      await refused(RECORD, evaluation({ notes: hostile('notes') }), 'recordEvaluation', 'notes');
      await refused(RECORD, evaluation({ dataset: { uri: hostile('s3://d/holdout.csv') } }), 'recordEvaluation', 'dataset.uri');
      await refused(RECORD, evaluation({ dataset: { uri: 's3://d/holdout.csv', name: hostile('holdout') } }), 'recordEvaluation', 'dataset.name');
    });

    it(`finds no version for an alias with ${what}, without an unexpected error`, async () => {
      const { status, body } = await s.gql(ADMIN_TOKEN, print(VersionByAlias), { id: model.id, alias: hostile('production') });
      const text = JSON.stringify(body);
      expect(status, text).toBeLessThan(500);
      expectNothingInside(text, text);
      // Either no such version, or a typed VALIDATION: never the version `production` points at.
      if (body.errors) expect(body.errors[0].extensions.code, text).toBe('VALIDATION');
      else expect(body.data.model.version, text).toBeNull();
    });
  }
});

describe('JSON built to hurt, and metrics that are not an object', () => {
  const deep = (levels: number): unknown => {
    let value: unknown = 0.5;
    for (let i = 0; i < levels; i++) value = { a: value };
    return value;
  };

  it('refuses metrics nested 1,000 levels deep, as the metrics or as one metric', async () => {
    await refused(RECORD, evaluation({ metrics: deep(1000) }), 'recordEvaluation', /^metrics/);
    // The depth rule of every JSON argument refuses it before the metrics' own: the field is `metrics` either way.
    await refused(RECORD, evaluation({ metrics: { auc: deep(1000) } }), 'recordEvaluation', /^metrics/);
    await refused(RECORD, evaluation({ metrics: { auc: JSON.parse('['.repeat(1000) + ']'.repeat(1000)) } }), 'recordEvaluation', /^metrics/);
  });

  it('refuses 2 MB of metrics: many names, one long name, one long value', async () => {
    const many = Object.fromEntries(Array.from({ length: 150_000 }, (_, i) => [`metric_${i}`, i]));
    expect(JSON.stringify(many).length).toBeGreaterThan(2_000_000);
    await refused(RECORD, evaluation({ metrics: many }), 'recordEvaluation', 'metrics');
    await refused(RECORD, evaluation({ metrics: { ['k'.repeat(2_000_000)]: 1 } }), 'recordEvaluation', 'metrics');
    await refused(RECORD, evaluation({ metrics: { auc: 'x'.repeat(2_000_000) } }), 'recordEvaluation', /^metrics/);
    await refused(RECORD, evaluation({ metrics: { auc: Array.from({ length: 500_000 }, () => 1) } }), 'recordEvaluation', /^metrics/);
  });

  it('refuses metrics that are an array, a string, a number, a boolean or null', async () => {
    for (const metrics of [[{ auc: 0.9 }], [], 'auc=0.9', '{"auc":0.9}', 0.9, true, null]) {
      if (metrics === null) {
        // `metrics: JSON!` with null is refused by GraphQL itself, before any resolver: a typed error all the same.
        const before = await everything();
        const { status, body } = await s.gql(ADMIN_TOKEN, RECORD, evaluation({ metrics }));
        expect(status).toBeLessThan(500);
        expect(body.errors?.[0]?.message).toMatch(/metrics/);
        expectNothingInside(JSON.stringify(body), 'null metrics');
        expect(await everything()).toEqual(before);
        continue;
      }
      await refused(RECORD, evaluation({ metrics }), 'recordEvaluation', 'metrics');
    }
  });

  it('keeps a metric named __proto__ or constructor exactly, as data and not as a prototype', async () => {
    const metrics = JSON.parse('{"__proto__": 0.25, "constructor": 0.5, "toString": 1}');
    const { body } = await s.gql(ADMIN_TOKEN, RECORD, evaluation({ metrics }));
    expect(body.data.recordEvaluation).toMatchObject({ __typename: 'RecordEvaluationSuccess' });
    expect(JSON.stringify(body.data.recordEvaluation.evaluation.metrics)).toBe('{"__proto__":0.25,"constructor":0.5,"toString":1}');
    const compared = await s.gql(ADMIN_TOKEN, print(Comparison), { id: model.id, numbers: [1, 2] });
    const rows = compared.body.data.model.comparison.rows.map((r: { key: string; values: unknown[] }) => [r.key, r.values]);
    expect(rows).toEqual([
      ['__proto__', [null, 0.25]],
      ['constructor', [null, 0.5]],
      ['toString', [null, 1]],
    ]);
  });
});

describe('callers who may not', () => {
  it('answers NOT_FOUND to another context’s administrator for each write, and finds nothing to read', async () => {
    const other = await givenContext(s);
    const admin = (await givenPrincipal(s, 'admin', { context: other.name })).secret;
    const before = await everything();
    for (const [field, query, variables] of [
      ['recordEvaluation', RECORD, evaluation({})],
      ['setAlias', SET, { input: { modelId: model.id, alias: 'production', number: 1 } }],
      ['removeAlias', REMOVE, { modelId: model.id, alias: 'production' }],
    ] as const) {
      const { status, body } = await s.gql(admin, query, variables, other.name);
      expect(status, field).toBe(200);
      expect(body.data[field], field).toMatchObject({ __typename: 'NotFoundError', code: 'NOT_FOUND' });
      expectNothingInside(JSON.stringify(body), field);
    }
    for (const query of [print(Releases), print(VersionByAlias)]) {
      const { body } = await s.gql(admin, query, { id: model.id, alias: 'production' }, other.name);
      expect(body).toEqual({ data: { model: null } });
    }
    const compared = await s.gql(admin, print(Comparison), { id: model.id, numbers: [1, 2] }, other.name);
    expect(compared.body).toEqual({ data: { model: null } });
    expect(await everything()).toEqual(before);
  });

  it('answers 401 UNAUTHENTICATED to no token and to a revoked one, for every write and read', async () => {
    const revoked = await givenPrincipal(s, 'admin');
    const { body: revocation } = await s.gql(ADMIN_TOKEN, 'mutation ($id: ID!) { revokeToken(id: $id) { __typename } }', { id: revoked.tokenId });
    expect(revocation.data.revokeToken.__typename).toBe('RevokeTokenSuccess');
    const before = await everything();
    for (const token of [null, revoked.secret]) {
      for (const [what, query, variables] of [
        ['recordEvaluation', RECORD, evaluation({})],
        ['setAlias', SET, { input: { modelId: model.id, alias: 'canary', number: 2 } }],
        ['removeAlias', REMOVE, { modelId: model.id, alias: 'production' }],
        ['aliases', print(Releases), { id: model.id }],
        ['comparison', print(Comparison), { id: model.id, numbers: [1, 2] }],
      ] as const) {
        const context = `${what} ${token ? 'revoked' : 'no token'}`;
        const { status, body } = await s.gql(token, query, variables);
        expect(status, context).toBe(401);
        expect(body.errors?.[0]?.extensions?.code, context).toBe('UNAUTHENTICATED');
        expect(body.data ?? null, context).toBeNull();
        expectNothingInside(JSON.stringify(body), context);
      }
    }
    expect(await everything()).toEqual(before);
  });
});
