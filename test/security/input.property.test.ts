import fc from 'fast-check';
import {
  getNamedType,
  getNullableType,
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLObjectType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isInterfaceType,
  isObjectType,
  isScalarType,
  isUnionType,
} from 'graphql';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schema } from '../../src/graphql/schema.ts';
import { ADMIN_TOKEN, adminHeaders } from '../helpers/api.ts';
import { givenModel, type Served, serveTestApi, uniqueName } from '../helpers/fixtures.ts';
import { multipartBody } from '../helpers/multipart.ts';

// Finding 7 of issue 12, strings and JSON: every string argument of every query, mutation and subscription
// (listed from the built schema, so a new one is covered the day it is added) is tried with NUL, lone
// surrogates, bidirectional controls and zero-width characters. A refusal is typed VALIDATION naming the
// argument, never "Unexpected error." or a 500, and changes nothing.

let s: Served;
let model: { id: string; name: string };
let webhookId: string;

beforeAll(async () => {
  // A webhook to reach Webhook.deliveries by: on this machine (nothing listens on port 9), for no event that comes.
  s = await serveTestApi({ env: { CAIRN_WEBHOOK_ALLOW_PRIVATE: 'true' } });
  model = await givenModel(s, { versions: 1 });
  const made = await s.asAdmin('mutation { createWebhook(input: { url: "http://127.0.0.1:9/", eventTypes: ["ModelDeleted"] }) { ... on CreateWebhookSuccess { webhook { id } } } }');
  webhookId = made.createWebhook.webhook.id;
});
afterAll(() => s?.close());

/** Rows in every table: a refused request leaves them all as they were (events, tokens, principals ...). */
async function snapshot(): Promise<Record<string, number>> {
  const db = s.api.t.db;
  const tables = await sql<{ name: string }>`select table_name as name from information_schema.tables where table_schema = current_schema() and table_type = 'BASE TABLE' order by 1`.execute(db);
  const counts: Record<string, number> = {};
  for (const { name } of tables.rows) counts[name] = Number((await sql<{ n: string }>`select count(*)::text as n from ${sql.table(name)}`.execute(db)).rows[0]!.n);
  return counts;
}

// ---- Every argument, from the schema ----------------------------------------------------------------------

/** How a query reaches an object type whose fields take arguments; `%` is where the field goes. */
const REACH: Record<string, { operation: 'query' | 'mutation' | 'subscription'; wrap: string }> = {
  Query: { operation: 'query', wrap: '%' },
  Mutation: { operation: 'mutation', wrap: '%' },
  Subscription: { operation: 'subscription', wrap: '%' },
  Model: { operation: 'query', wrap: 'model(id: $reachModel) { % }' },
  Version: { operation: 'query', wrap: 'model(id: $reachModel) { latestVersion { % } }' },
  Webhook: { operation: 'query', wrap: 'webhook(id: $reachWebhook) { % }' },
};

type Kind = 'text' | 'json';
/** A place in the variables that holds a string: where it is, and the `field` a refusal must name. */
interface Leaf {
  path: (string | number)[];
  field: string;
  kind: Kind;
}
interface Target {
  name: string;
  operation: 'query' | 'mutation' | 'subscription';
  query: string;
  variables: Record<string, unknown>;
  /** Variables paths of Upload arguments (sent as files of a multipart request). */
  uploads: string[];
  leaves: Leaf[];
  /** The result union has ValidationError: a refusal is that member, not a top-level error. */
  typed: boolean;
  resultKey: string;
}

const join = (field: string, name: string | number) => (field === '' ? String(name) : `${field}.${name}`);

/** A value of `type` that GraphQL accepts, with every optional string field given, and the string leaves in it. */
function baseline(type: GraphQLInputType, path: (string | number)[], field: string, leaves: Leaf[], uploads: string[], argName: string): unknown {
  if (isNonNullType(type)) return baseline(type.ofType, path, field, leaves, uploads, argName);
  if (isListType(type)) return [baseline(type.ofType, [...path, 0], join(field, 0), leaves, uploads, argName)];
  if (isInputObjectType(type)) {
    return Object.fromEntries(Object.values(type.getFields()).map((f) => [f.name, baseline(f.type, [...path, f.name], join(field, f.name), leaves, uploads, f.name)]));
  }
  if (isEnumType(type)) return type.getValues()[0]!.name;
  if (!isScalarType(type)) throw new Error(`no baseline for ${String(type)}`);
  switch (type.name) {
    case 'String':
      leaves.push({ path, field, kind: 'text' });
      return argName === 'format' ? 'pkl' : argName === 'uri' ? 's3://bucket/train.csv' : 'plain';
    case 'ID':
      leaves.push({ path, field, kind: 'text' });
      return model.id;
    case 'JSON':
      leaves.push({ path, field, kind: 'json' });
      return { key: 'value' };
    case 'Int':
      return 1;
    case 'Float':
      return 1.5;
    case 'Boolean':
      return true;
    case 'DateTime':
      return '2999-01-01T00:00:00.000Z';
    case 'Upload':
      uploads.push(['variables', ...path].join('.'));
      return null;
    default:
      throw new Error(`no baseline for scalar ${type.name}`);
  }
}

function selection(field: GraphQLField<unknown, unknown>): string {
  const named = getNamedType(field.type);
  if (isUnionType(named)) return '{ __typename ... on Error { code message } ... on ValidationError { field } }';
  if (isObjectType(named) || isInterfaceType(named)) return '{ __typename }';
  return '';
}

function targets(): Target[] {
  const out: Target[] = [];
  const withArgs = Object.values(schema.getTypeMap()).filter(
    (t): t is GraphQLObjectType => isObjectType(t) && !t.name.startsWith('__') && Object.values(t.getFields()).some((f) => f.args.length > 0),
  );
  for (const type of withArgs) {
    const reach = REACH[type.name];
    // A new type with arguments must say here how to reach it, or this test does not cover it.
    if (!reach) throw new Error(`add ${type.name} to REACH`);
    for (const field of Object.values(type.getFields())) {
      if (field.args.length === 0) continue;
      const leaves: Leaf[] = [];
      const uploads: string[] = [];
      const variables: Record<string, unknown> = {};
      field.args.forEach((arg: GraphQLArgument) => {
        // A mutation's `input` object is left out of the field path, as the commands' errors do.
        const root = arg.name === 'input' && isInputObjectType(getNullableType(arg.type)) ? '' : arg.name;
        variables[arg.name] = baseline(arg.type, [arg.name], root, leaves, uploads, arg.name);
      });
      const definitions = field.args.map((a) => `$${a.name}: ${String(a.type)}`);
      if (type.name === 'Model' || type.name === 'Version') {
        definitions.push('$reachModel: ID!');
        variables.reachModel = model.id;
      }
      if (type.name === 'Webhook') {
        definitions.push('$reachWebhook: ID!');
        variables.reachWebhook = webhookId;
      }
      const call = `${field.name}(${field.args.map((a) => `${a.name}: $${a.name}`).join(', ')}) ${selection(field)}`;
      out.push({
        name: `${type.name}.${field.name}`,
        operation: reach.operation,
        query: `${reach.operation} (${definitions.join(', ')}) { ${reach.wrap.replace('%', call)} }`,
        variables,
        uploads,
        leaves,
        typed: isUnionType(getNamedType(field.type)) && (getNamedType(field.type) as any).getTypes().some((t: GraphQLObjectType) => t.name === 'ValidationError'),
        resultKey: field.name,
      });
    }
  }
  return out;
}

/** Every string leaf of every argument, with its operation (made once the model it names exists). */
let LEAVES: { target: Target; leaf: Leaf }[];
beforeAll(() => {
  LEAVES = targets().flatMap((target) => target.leaves.map((leaf) => ({ target, leaf })));
});

/** Sends an operation as the administrator: JSON, multipart when it has files, SSE for a subscription. */
async function send(target: Target, variables: Record<string, unknown>): Promise<{ status: number; text: string; body: any }> {
  const headers: Record<string, string> = { ...adminHeaders };
  let init: RequestInit;
  if (target.uploads.length > 0) {
    const form = multipartBody(
      target.query,
      variables,
      target.uploads.map((path) => ({ path, data: new Uint8Array([1, 2, 3]), name: 'model.pkl' })),
    );
    init = { method: 'POST', body: form, headers };
  } else {
    if (target.operation === 'subscription') headers.accept = 'text/event-stream';
    init = { method: 'POST', body: JSON.stringify({ query: target.query, variables }), headers: { ...headers, 'content-type': 'application/json' } };
  }
  // A subscription that was not refused would stream on: the timeout makes that a failure, not a hang.
  const response = await fetch(`${s.url}/graphql`, { ...init, signal: AbortSignal.timeout(10_000) });
  const text = await response.text();
  if (target.operation === 'subscription') {
    const data = text.split('\n').find((line) => line.startsWith('data:') && line.length > 6);
    return { status: response.status, text, body: data ? JSON.parse(data.slice(5)) : undefined };
  }
  return { status: response.status, text, body: JSON.parse(text) };
}

/** The refusal is typed VALIDATION naming `field`: the union member where there is one, else a GraphQL error. */
function expectRefused(target: Target, r: { status: number; text: string; body: any }, field: string) {
  const context = `${target.name} ${field}: ${r.text.slice(0, 400)}`;
  expect(r.status, context).toBeLessThan(500);
  expect(r.text, context).not.toMatch(/Unexpected error/);
  if (target.typed) {
    expect(r.body?.data?.[target.resultKey], context).toMatchObject({ __typename: 'ValidationError', code: 'VALIDATION', field });
  } else {
    expect(r.body?.errors?.[0]?.extensions, context).toMatchObject({ code: 'VALIDATION', field });
  }
}

function setAt(value: any, path: (string | number)[], replace: (old: any) => any): any {
  const copy = structuredClone(value);
  let node = copy;
  for (const key of path.slice(0, -1)) node = node[key];
  const last = path.at(-1)!;
  node[last] = replace(node[last]);
  return copy;
}

const insertAt = (text: string, at: number, inserted: string) => {
  const i = at % (text.length + 1);
  return text.slice(0, i) + inserted + text.slice(i);
};

const BIDI = ['\u202a', '\u202b', '\u202c', '\u202d', '\u202e', '\u2066', '\u2067', '\u2068', '\u2069', '\u200e', '\u200f', '\u061c'];
const ZERO_WIDTH = ['\u200b', '\u200c', '\u200d', '\u2060', '\ufeff'];

/** What is never text: a NUL, or a lone high or low surrogate. */
const notText = fc.oneof(
  fc.constant('\u0000'),
  fc.integer({ min: 0xd800, max: 0xdbff }).map((c) => String.fromCharCode(c)),
  fc.integer({ min: 0xdc00, max: 0xdfff }).map((c) => String.fromCharCode(c)),
);
/** Text that is fine anywhere: accents, CJK, right-to-left letters, emoji as surrogate pairs and sequences. */
const PIECES = ['a', 'Z', '7', '-', 'é', 'ñ', 'Å', 'ß', '模型', '漢字', '한국어', 'نموذج', 'מודל', '😀', '🦊', '👩‍💻', '🏳️‍🌈', '𝔸'];
const goodText = (max: number) => fc.array(fc.constantFrom(...PIECES), { minLength: 1, maxLength: max }).map((p) => p.join(''));

describe('every string argument of the schema', () => {
  it('is listed from the schema: the mutations, queries, subscription and nested fields that take strings', () => {
    const names = new Set(LEAVES.map(({ target, leaf }) => `${target.name}:${leaf.field}`));
    for (const expected of [
      'Mutation.createModel:name',
      'Mutation.createModel:tags.0',
      'Mutation.createWebhook:url',
      'Mutation.createWebhook:eventTypes.0',
      'Mutation.updateWebhook:description',
      'Webhook.deliveries:after',
      'Mutation.createVersion:records.0.name',
      'Mutation.createVersion:hyperparameters',
      'Mutation.createVersion:formats.0.sha256',
      'Mutation.createToken:name',
      'Mutation.createContext:name',
      'Mutation.createPrincipal:name',
      'Mutation.grantRole:principalId',
      'Query.models:search',
      'Query.models:after',
      'Query.model:name',
      'Query.tokens:principalId',
      'Model.versions:before',
      'Version.format:id',
      'Subscription.modelEvents:modelId',
    ]) {
      expect(names).toContain(expected);
    }
    expect(LEAVES.length).toBeGreaterThan(50);
  });

  it('refuses NUL and lone surrogates anywhere in any of them, naming the argument, and changes nothing', async () => {
    const before = await snapshot();
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...LEAVES), goodText(6), notText, fc.nat(), fc.boolean(), async ({ target, leaf }, base, bad, at, inKey) => {
        const variables = setAt(target.variables, leaf.path, (old) => {
          if (leaf.kind === 'text') return insertAt(typeof old === 'string' && old.length > 0 ? old + base : base, at, bad);
          // JSON: in a key or in a string value, a level down.
          return inKey ? { ...old, [insertAt(base, at, bad)]: 1 } : { ...old, nested: [{ text: insertAt(base, at, bad) }] };
        });
        expectRefused(target, await send(target, variables), leaf.field);
      }),
      { numRuns: 250 },
    );
    expect(await snapshot()).toEqual(before);
  });

  it('refuses each of NUL, a lone high and a lone low surrogate in every one of them', async () => {
    // The property above samples; this goes through all of them once, so none is missed.
    const before = await snapshot();
    for (const { target, leaf } of LEAVES) {
      for (const bad of ['\u0000', '\ud800', '\udfff']) {
        const variables = setAt(target.variables, leaf.path, (old) => (leaf.kind === 'text' ? `x${bad}y` : { ...old, [`k${bad}`]: 1 }));
        expectRefused(target, await send(target, variables), leaf.field);
      }
    }
    expect(await snapshot()).toEqual(before);
  });
});

// ---- Names and tags ----------------------------------------------------------------------------------------

const RESULT = '__typename ... on Error { code message } ... on ValidationError { field }';

describe('names and tags', () => {
  /** The name and tag fields of the commands, each with a valid input to spoil. */
  const places = () => [
    { mutation: 'createModel', type: 'CreateModelInput', field: 'name', input: (v: string) => ({ name: v }) },
    { mutation: 'createModel', type: 'CreateModelInput', field: 'tags.1', input: (v: string) => ({ name: uniqueName('m'), tags: ['ok', v] }) },
    { mutation: 'updateModel', type: 'UpdateModelInput', field: 'name', input: (v: string) => ({ id: model.id, name: v }) },
    { mutation: 'updateModel', type: 'UpdateModelInput', field: 'tags.0', input: (v: string) => ({ id: model.id, tags: [v] }) },
    { mutation: 'createVersion', type: 'CreateVersionInput', field: 'tags.0', input: (v: string) => ({ modelId: model.id, tags: [v] }) },
    { mutation: 'updateVersion', type: 'UpdateVersionInput', field: 'tags.0', input: (v: string) => ({ modelId: model.id, number: 1, tags: [v] }) },
    { mutation: 'createVersion', type: 'CreateVersionInput', field: 'records.0.name', input: (v: string) => ({ modelId: model.id, records: [{ uri: 's3://b/train.csv', name: v }] }) },
    { mutation: 'updateVersion', type: 'UpdateVersionInput', field: 'records.0.name', input: (v: string) => ({ modelId: model.id, number: 1, records: [{ uri: 's3://b/t.csv', name: v }] }) },
  ];

  it('refuses bidirectional controls and zero-width characters in names, tags and dataset names, and changes nothing', async () => {
    const before = await snapshot();
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...places()), fc.constantFrom(...BIDI, ...ZERO_WIDTH), fc.stringMatching(/^[a-z0-9]{1,12}$/), fc.nat(), async (place, bad, base, at) => {
        const { body } = await s.gql(ADMIN_TOKEN, `mutation ($input: ${place.type}!) { ${place.mutation}(input: $input) { ${RESULT} } }`, {
          input: place.input(insertAt(base, at, bad)),
        });
        expect(body.data?.[place.mutation], JSON.stringify(body)).toMatchObject({ __typename: 'ValidationError', code: 'VALIDATION', field: place.field });
      }),
      { numRuns: 120 },
    );
    expect(await snapshot()).toEqual(before);
  });

  it('refuses a file name with a right-to-left override, and stores no format', async () => {
    const before = await snapshot();
    const query = `mutation ($f: Upload!) { uploadFormat(input: { modelId: "${model.id}", number: 1, format: "pkl", file: $f }) { ${RESULT} } }`;
    for (const name of ['model\u202egpj.pkl', 'mo\u200bdel.pkl', '\ufeffmodel.pkl']) {
      const form = multipartBody(query, { f: null }, [{ path: 'variables.f', data: new Uint8Array([1, 2, 3]), name }]);
      const response = await fetch(`${s.url}/graphql`, { method: 'POST', body: form, headers: { ...adminHeaders } });
      const body = (await response.json()) as any;
      expect(body.data.uploadFormat, name).toMatchObject({ __typename: 'ValidationError', field: 'file.filename' });
    }
    expect(await snapshot()).toEqual(before);
  });

  it('keeps valid text as it was sent: accents, CJK, right-to-left letters, emoji pairs and sequences', async () => {
    await fc.assert(
      fc.asyncProperty(goodText(12), goodText(4), goodText(40), async (name, tag, description) => {
        const unique = `${name}-${uniqueName('n')}`;
        const created = await s.asAdmin(
          `mutation ($input: CreateModelInput!) { createModel(input: $input) { ${RESULT} ... on CreateModelSuccess { model { id name tags description } } } }`,
          { input: { name: unique, tags: [tag], description } },
        );
        expect(created.createModel.__typename, JSON.stringify(created)).toBe('CreateModelSuccess');
        expect(created.createModel.model).toMatchObject({ name: unique, tags: [tag], description });
        const found = await s.asAdmin('query ($n: String!, $q: String!) { model(name: $n) { id } models(search: $q) { totalCount } }', { n: unique, q: name });
        expect(found.model.id).toBe(created.createModel.model.id);
        expect(found.models.totalCount).toBeGreaterThanOrEqual(1);
      }),
      { numRuns: 25 },
    );
  });

  it('keeps bidirectional and zero-width characters in free text, where they are not names', async () => {
    const description = 'left \u202eright\u202c, zero\u200bwidth, \u2067نموذج\u2069';
    const data = await s.asAdmin(`mutation ($input: UpdateModelInput!) { updateModel(input: $input) { ${RESULT} ... on UpdateModelSuccess { model { description } } } }`, {
      input: { id: model.id, description },
    });
    expect(data.updateModel.model.description).toBe(description);
  });
});

// ---- JSON ------------------------------------------------------------------------------------------------

const nest = (levels: number, inner: unknown = 1): unknown => {
  let value: unknown = { leaf: inner };
  // Objects and arrays in turn, an object outermost.
  for (let i = 1; i < levels; i++) value = (levels - i) % 2 === 0 ? [value] : { a: value };
  return value;
};
const depthOf = (v: unknown): number => (v !== null && typeof v === 'object' ? 1 + Math.max(0, ...Object.values(v).map(depthOf)) : 0);

describe('JSON settings', () => {
  const createVersion = (input: Record<string, unknown>) =>
    s.asAdmin(`mutation ($input: CreateVersionInput!) { createVersion(input: $input) { ${RESULT} ... on CreateVersionSuccess { version { number hyperparameters config } } } }`, {
      input: { modelId: model.id, ...input },
    });

  it('accepts 64 levels of nesting and refuses 65 (and 4,000), naming the field', async () => {
    expect(depthOf(nest(64))).toBe(64);
    const ok = await createVersion({ hyperparameters: nest(64) });
    expect(ok.createVersion.__typename).toBe('CreateVersionSuccess');
    expect(ok.createVersion.version.hyperparameters).toEqual(nest(64));
    const before = await snapshot();
    for (const [field, levels] of [['hyperparameters', 65], ['config', 65], ['config', 4000]] as const) {
      const refused = await createVersion({ [field]: nest(levels) });
      expect(refused.createVersion).toMatchObject({ __typename: 'ValidationError', code: 'VALIDATION', field });
      expect(refused.createVersion.message).toMatch(/64 levels/);
    }
    expect(await snapshot()).toEqual(before);
  });

  it('refuses JSON over 1 MB', async () => {
    const before = await snapshot();
    const refused = await createVersion({ config: { blob: 'x'.repeat(1024 * 1024) } });
    expect(refused.createVersion).toMatchObject({ __typename: 'ValidationError', code: 'VALIDATION', field: 'config' });
    expect(refused.createVersion.message).toMatch(/1 MB/);
    expect(await snapshot()).toEqual(before);
  });

  it('keeps integers up to ±(2^53 - 1) exactly and refuses larger ones, asking for a string', async () => {
    const exact = { max: 2 ** 53 - 1, min: -(2 ** 53 - 1), deep: [{ n: 2 ** 53 - 1 }], float: 1.5e300 / 1e300 };
    const ok = await createVersion({ hyperparameters: exact });
    expect(ok.createVersion.version.hyperparameters).toEqual(exact);
    const before = await snapshot();
    for (const n of [2 ** 53, -(2 ** 53), 2 ** 64, 1e300]) {
      const refused = await createVersion({ hyperparameters: { seed: { values: [1, n] } } });
      expect(refused.createVersion, String(n)).toMatchObject({ __typename: 'ValidationError', code: 'VALIDATION', field: 'hyperparameters' });
      expect(refused.createVersion.message).toMatch(/as a string/);
      expect(refused.createVersion.message).toContain('$.seed.values[1]');
    }
    // As a client sends it: 2^53 + 1 in the body's text, which JSON.parse rounds to 2^53.
    const raw = `{"query":"mutation ($input: CreateVersionInput!) { createVersion(input: $input) { ${RESULT} } }","variables":{"input":{"modelId":"${model.id}","config":{"id":9007199254740993}}}}`;
    const response = await fetch(`${s.url}/graphql`, { method: 'POST', body: raw, headers: { 'content-type': 'application/json', ...adminHeaders } });
    expect(((await response.json()) as any).data.createVersion).toMatchObject({ __typename: 'ValidationError', field: 'config' });
    expect(await snapshot()).toEqual(before);
  });

  it('refuses a number that is not finite, which a GraphQL literal can spell', async () => {
    const before = await snapshot();
    const data = await s.asAdmin(`mutation { createVersion(input: { modelId: "${model.id}", hyperparameters: { lr: 1e400 } }) { ${RESULT} } }`);
    expect(data.createVersion).toMatchObject({ __typename: 'ValidationError', code: 'VALIDATION', field: 'hyperparameters' });
    expect(await snapshot()).toEqual(before);
  });
});

// ---- Cursors -----------------------------------------------------------------------------------------------

const b64 = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

describe('cursors', () => {
  const MODELS = 'query ($after: String, $before: String, $orderBy: ModelOrder) { models(first: 5, after: $after, before: $before, orderBy: $orderBy) { totalCount edges { cursor } } }';
  const VERSIONS = 'query ($id: ID!, $after: String, $before: String) { model(id: $id) { versions(first: 5, after: $after, before: $before) { edges { cursor } } } }';
  const id = '00000000-0000-4000-8000-000000000000';

  function expectCursorRefused(r: { status: number; body: any }, field: 'after' | 'before') {
    expect(r.status, JSON.stringify(r.body)).toBeLessThan(500);
    expect(JSON.stringify(r.body)).not.toMatch(/Unexpected error/);
    expect(r.body.errors?.[0]?.extensions, JSON.stringify(r.body)).toMatchObject({ code: 'VALIDATION', field });
  }

  it('refuses forged, garbled and foreign cursors on the models and versions connections', async () => {
    const forged = [
      b64({ o: 'CREATED_AT', v: 'not a time', id }),
      b64({ o: 'UPDATED_AT', v: '0000-01-01T00:00:00.000Z', id }),
      b64({ o: 'NAME', v: 'a\u0000b', id }),
      b64({ o: 'NAME', v: 'x', id: 'not-a-uuid' }),
      b64({ o: 'NAME', v: 'x'.repeat(5000), id }),
      b64({ o: 'NAME', v: 42, id }),
      b64({ o: 'DROP TABLE', v: 'x', id }),
      b64([1, 2, 3]),
      b64('null'),
      b64('{"o":'),
      'not base64 at all!',
      '%%%',
      '',
      '1',
    ];
    for (const cursor of forged) {
      for (const field of ['after', 'before'] as const) {
        expectCursorRefused(await s.gql(ADMIN_TOKEN, MODELS, { [field]: cursor, orderBy: { field: cursor.length % 2 ? 'CREATED_AT' : 'NAME', direction: 'ASC' } }), field);
      }
    }
    // A cursor of the models list given to the versions list, and the other way round.
    const page = await s.asAdmin(MODELS, {});
    const modelCursor = page.models.edges[0].cursor;
    for (const cursor of [modelCursor, '0', '-1', '1.5', ' 1', '1e3', '0x10', 'Infinity', '99999999999999999999', '\u0661']) {
      expectCursorRefused(await s.gql(ADMIN_TOKEN, VERSIONS, { id: model.id, after: cursor }), 'after');
    }
    expectCursorRefused(await s.gql(ADMIN_TOKEN, MODELS, { after: '1' }), 'after');
    // A cursor of another ordering of the same list.
    expectCursorRefused(await s.gql(ADMIN_TOKEN, MODELS, { after: modelCursor, orderBy: { field: 'CREATED_AT', direction: 'ASC' } }), 'after');
  });

  it('answers any cursor a caller makes up with a page or VALIDATION, never an unexpected error', async () => {
    const made = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 60 }),
      fc.jsonValue({ maxDepth: 3 }).map(b64),
      fc.record({ o: fc.constantFrom('NAME', 'CREATED_AT', 'UPDATED_AT'), v: fc.oneof(fc.string({ unit: 'binary', maxLength: 30 }), fc.date({ noInvalidDate: true }).map((d) => d.toISOString())), id: fc.uuid() }).map(b64),
    );
    await fc.assert(
      fc.asyncProperty(made, fc.constantFrom('after', 'before'), fc.constantFrom('NAME', 'CREATED_AT', 'UPDATED_AT'), async (cursor, field, order) => {
        const r = await s.gql(ADMIN_TOKEN, MODELS, { [field]: cursor, orderBy: { field: order, direction: 'DESC' } });
        expect(r.status, JSON.stringify(r.body)).toBeLessThan(500);
        expect(JSON.stringify(r.body)).not.toMatch(/Unexpected error/);
        if (r.body.errors) expect(r.body.errors[0].extensions, JSON.stringify(r.body)).toMatchObject({ code: 'VALIDATION', field });
        else expect(typeof r.body.data.models.totalCount).toBe('number');
        const v = await s.gql(ADMIN_TOKEN, VERSIONS, { id: model.id, [field]: cursor });
        expect(v.status).toBeLessThan(500);
        if (v.body.errors) expect(v.body.errors[0].extensions, JSON.stringify(v.body)).toMatchObject({ code: 'VALIDATION', field });
      }),
      { numRuns: 150 },
    );
  });

  it('still pages with the cursors it gave out, both ways', async () => {
    for (let i = 0; i < 3; i++) await givenModel(s);
    for (const field of ['NAME', 'CREATED_AT', 'UPDATED_AT']) {
      const orderBy = { field, direction: 'ASC' };
      const all = await s.asAdmin('query ($o: ModelOrder) { models(first: 100, orderBy: $o) { edges { cursor } } }', { o: orderBy });
      const cursors = all.models.edges.map((e: any) => e.cursor);
      const next = await s.asAdmin('query ($o: ModelOrder, $a: String) { models(first: 2, after: $a, orderBy: $o) { edges { cursor } } }', { o: orderBy, a: cursors[0] });
      expect(next.models.edges.map((e: any) => e.cursor)).toEqual(cursors.slice(1, 3));
      const previous = await s.asAdmin('query ($o: ModelOrder, $b: String) { models(last: 2, before: $b, orderBy: $o) { edges { cursor } } }', { o: orderBy, b: cursors[3] });
      expect(previous.models.edges.map((e: any) => e.cursor)).toEqual(cursors.slice(1, 3));
    }
  });
});
