import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN } from '../helpers/api.ts';
import { givenContext, givenModel, givenPrincipal, type Served, serveTestApi } from '../helpers/fixtures.ts';
import { postMultipart } from '../helpers/multipart.ts';
import { readModelRows } from '../helpers/readModels.ts';

// Another context's ids: for a caller of context B, a model of context A is not there at all. Every write
// answers NOT_FOUND (typed, as for an id nobody has) and changes nothing; every read, as-of ones included,
// finds nothing. The same calls by A's administrator succeed, so the ids themselves are good.
let s: Served;
let contextA: { id: string; name: string };
let contextB: { id: string; name: string };
/** An administrator of B only. */
let tokenB: string;
let model: { id: string; name: string };

beforeAll(async () => {
  s = await serveTestApi();
  contextA = await givenContext(s);
  contextB = await givenContext(s);
  tokenB = (await givenPrincipal(s, 'admin', { context: contextB.name })).secret;
  model = await givenModel(s, { context: contextA.name, versions: 2 });
  const upload = await uploadAs(ADMIN_TOKEN, contextA.name, 2, 'a model file of A');
  expect(upload.body.data.uploadFormat.__typename).toBe('UploadFormatSuccess');
});
afterAll(() => s?.close());

const UPLOAD = `mutation ($input: UploadFormatInput!) { uploadFormat(input: $input) { __typename ... on Error { code message } } }`;
const uploadAs = (token: string, context: string, number: number, content: string) =>
  postMultipart(`${s.url}/graphql`, UPLOAD, { input: { modelId: model.id, number, format: 'pkl', file: null } }, [{ path: 'variables.input.file', data: new TextEncoder().encode(content), name: 'm.pkl' }], {
    authorization: `Bearer ${token}`,
    'x-cairn-context': context,
  });

/** Files under the app's data directory (blobs and staging). */
const filesIn = (dir: string): string[] =>
  fs.existsSync(dir) ? (fs.readdirSync(dir, { recursive: true }) as string[]).filter((f) => fs.statSync(path.join(dir, f)).isFile()).sort() : [];

/** What a refused call must leave as it was: the log, the read models, the blobs and every stored file. */
async function everything() {
  const events = await s.api.t.db.selectFrom('events').select(['position', 'type']).orderBy('position').execute();
  const blobs: string[] = [];
  for await (const sha256 of s.api.app.blobs.list()) blobs.push(sha256);
  return { events, rows: await readModelRows(s.api.t.db), blobs: blobs.sort(), files: filesIn(s.api.config.dataDir) };
}

const WRITES: [field: string, query: string, variables: () => Record<string, unknown>][] = [
  ['publishVersion', 'mutation ($id: ID!) { publishVersion(modelId: $id, number: 1) { __typename ... on Error { code message } } }', () => ({ id: model.id })],
  ['deleteVersion', 'mutation ($id: ID!) { deleteVersion(modelId: $id, number: 1) { __typename ... on Error { code message } } }', () => ({ id: model.id })],
  ['deleteFormat', 'mutation ($id: ID!) { deleteFormat(modelId: $id, number: 2, format: "pkl") { __typename ... on Error { code message } } }', () => ({ id: model.id })],
  ['updateModel', 'mutation ($id: ID!) { updateModel(input: { id: $id, description: "B was here" }) { __typename ... on Error { code message } } }', () => ({ id: model.id })],
  ['updateVersion', 'mutation ($id: ID!) { updateVersion(input: { modelId: $id, number: 1, description: "B" }) { __typename ... on Error { code message } } }', () => ({ id: model.id })],
  ['createVersion', 'mutation ($id: ID!) { createVersion(input: { modelId: $id }) { __typename ... on Error { code message } } }', () => ({ id: model.id })],
  // Last: were it let through, every write after it would meet a deleted model, NOT_FOUND for another reason.
  ['deleteModel', 'mutation ($id: ID!) { deleteModel(id: $id) { __typename ... on Error { code message } } }', () => ({ id: model.id })],
];
const write = (field: string) => WRITES.find(([f]) => f === field)!;

describe("a token of context B, on a model of context A's", () => {
  it('uploadFormat: NOT_FOUND, and no blob, staging file, format or event is stored', async () => {
    const before = await everything();
    const { status, body } = await uploadAs(tokenB, contextB.name, 1, 'a file B tries to put into A');
    expect(status).toBe(200);
    expect(body.data.uploadFormat).toMatchObject({ __typename: 'NotFoundError', code: 'NOT_FOUND' });
    expect(await everything()).toEqual(before);
  });

  it('naming context A instead: 404, that context is not visible to it, and nothing changes', async () => {
    const before = await everything();
    const [, query, variables] = write('deleteModel');
    const named = await s.gql(tokenB, query, variables(), contextA.name);
    const upload = await uploadAs(tokenB, contextA.name, 1, 'again, into A');
    for (const { status, body } of [named, upload]) {
      expect([status, body.data, body.errors?.map((e: any) => e.extensions.code)]).toEqual([404, undefined, ['NOT_FOUND']]);
    }
    expect(await everything()).toEqual(before);
  });

  const READ = `query ($id: ID, $name: String, $asOf: DateTime) { model(id: $id, name: $name, asOf: $asOf) {
    id name versionCount history { totalCount edges { node { type recordedAt } } } } }`;

  it('reads nothing: not the model, not as of a time, not its history, by id or by name', async () => {
    const now = new Date().toISOString();
    for (const variables of [{ id: model.id }, { id: model.id, asOf: now }, { name: model.name }, { name: model.name, asOf: now }]) {
      const { status, body } = await s.gql(tokenB, READ, variables, contextB.name);
      expect([status, body.errors, body.data.model], JSON.stringify(variables)).toEqual([200, undefined, null]);
      // A's administrator, asking the same, gets it: the question itself is a good one.
      const own = await s.asAdmin(READ, variables, contextA.name);
      expect(own.model).toMatchObject({ id: model.id, name: model.name });
      expect(own.model.history.totalCount).toBeGreaterThan(0);
    }
  });

  it("reads nothing as of a time when a since deleted model of A's was live", async () => {
    const gone = await givenModel(s, { context: contextA.name, versions: 1 });
    const { model: live } = await s.asAdmin(READ, { id: gone.id }, contextA.name);
    expect(live.history.totalCount).toBe(2);
    const wasLive = live.history.edges.at(-1).node.recordedAt;
    expect((await s.asAdmin('mutation ($id: ID!) { deleteModel(id: $id) { __typename } }', { id: gone.id }, contextA.name)).deleteModel.__typename).toBe('DeleteModelSuccess');

    // Its log still says what it was, and to A it does: to B it was never there.
    expect((await s.asAdmin(READ, { id: gone.id, asOf: wasLive }, contextA.name)).model).toMatchObject({ id: gone.id, versionCount: 1 });
    const { body } = await s.gql(tokenB, READ, { id: gone.id, asOf: wasLive }, contextB.name);
    expect([body.errors, body.data.model]).toEqual([undefined, null]);
  });

  it('cannot follow its events', async () => {
    const { body } = await s.gql(tokenB, 'subscription ($id: ID) { modelEvents(modelId: $id) { type } }', { id: model.id }, contextB.name);
    expect(body.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });

  for (const [field, query, variables] of WRITES) {
    it(`${field}: NOT_FOUND, and nothing changes`, async () => {
      const before = await everything();
      const { status, body } = await s.gql(tokenB, query, variables(), contextB.name);
      expect([status, body.errors]).toEqual([200, undefined]);
      expect(body.data[field]).toMatchObject({ __typename: 'NotFoundError', code: 'NOT_FOUND' });
      expect(await everything()).toEqual(before);
    });
  }

  it("leaves A's model as A made it: A's administrator can still do all of it", async () => {
    const [, publish, variables] = write('publishVersion');
    expect((await s.asAdmin(publish, variables(), contextA.name)).publishVersion.__typename).toBe('PublishVersionSuccess');
    const { model: now } = await s.asAdmin('query ($id: ID!) { model(id: $id) { description versionCount } }', { id: model.id }, contextA.name);
    expect(now).toEqual({ description: null, versionCount: 2 });
  });
});
