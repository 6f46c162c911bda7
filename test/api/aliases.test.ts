import { print } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clockPast } from '../helpers/clock.ts';
import { givenContext, givenModel, givenPrincipal, type Served, serveTestApi } from '../helpers/fixtures.ts';
import { CreateModel, DeleteAliasedVersion, DeleteModel, PublishVersion, RecordEvaluation, Releases, RemoveAlias, SetAlias, VersionByAlias } from './operations.ts';

// Aliases through the API: set, move and remove; Model.version(alias); as of a time between two moves;
// history; the deleteVersion guard; a deleted model's aliases; who may set them.
let s: Served;
let viewer: string;

beforeAll(async () => {
  s = await serveTestApi();
  viewer = (await givenPrincipal(s, 'viewer')).secret;
});
afterAll(() => s?.close());

const MISSING = '00000000-0000-4000-8000-000000000000';

const eventCount = async () => Number((await s.api.t.db.selectFrom('events').select((e) => e.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n);

/** A model with draft version 1 and published versions 2 to `versions`. */
async function released(versions = 3, name?: string) {
  const model = await givenModel(s, { versions, name });
  for (let n = 2; n <= versions; n++) expect((await s.api.ok(PublishVersion, { modelId: model.id, number: n })).publishVersion.__typename).toBe('PublishVersionSuccess');
  return model;
}

const set = (modelId: string, alias: string, number: number) => s.api.ok(SetAlias, { input: { modelId, alias, number } }).then((d) => d.setAlias);
const remove = (modelId: string, alias: string) => s.api.ok(RemoveAlias, { modelId, alias }).then((d) => d.removeAlias);

async function setOk(modelId: string, alias: string, number: number) {
  const result = await set(modelId, alias, number);
  if (result.__typename !== 'SetAliasSuccess') throw new Error(JSON.stringify(result));
  return result;
}

const versionByAlias = async (id: string, alias: string, asOf?: string) => (await s.api.ok(VersionByAlias, { id, alias, ...(asOf && { asOf }) })).model!.version;

const aliasEvents = async (id: string) =>
  (await s.api.ok(Releases, { id })).model!.history.edges.map((e) => e.node).filter((e) => e.type === 'AliasSet' || e.type === 'AliasRemoved');

describe('setAlias and removeAlias', () => {
  it('sets an alias on a published version, moves it, leaves it where it points, and removes it', async () => {
    const { id } = await released();
    const first = await setOk(id, 'production', 2);
    expect(first.alias).toEqual({ name: 'production', setAt: expect.any(String), setBy: expect.any(String), version: { number: 2, aliases: ['production'] } });
    expect(first.model.aliases).toEqual([first.alias]);
    expect(await versionByAlias(id, 'production')).toMatchObject({ number: 2, aliases: ['production'] });

    await clockPast(first.alias.setAt);
    const moved = await setOk(id, 'production', 3);
    expect(moved.alias).toMatchObject({ name: 'production', version: { number: 3, aliases: ['production'] } });
    expect(Date.parse(moved.alias.setAt)).toBeGreaterThan(Date.parse(first.alias.setAt));
    expect(await versionByAlias(id, 'production')).toMatchObject({ number: 3 });
    const versions = (await s.api.ok(Releases, { id })).model!.versions.edges.map((e) => [e.node.number, e.node.aliases]);
    expect(versions).toEqual([
      [1, []],
      [2, []],
      [3, ['production']],
    ]);

    // Where it already points: success, and nothing recorded (setAt unchanged).
    const before = await eventCount();
    const again = await setOk(id, 'production', 3);
    expect(again.alias).toEqual(moved.alias);
    expect(await eventCount()).toBe(before);

    const removed = await remove(id, 'production');
    expect(removed).toEqual({ __typename: 'RemoveAliasSuccess', model: { id, aliases: [] } });
    expect(await versionByAlias(id, 'production')).toBeNull();
    expect((await s.api.ok(VersionByAlias, { id, number: 3 })).model!.version).toMatchObject({ number: 3, aliases: [] });
    expect(await remove(id, 'production')).toMatchObject({ __typename: 'NotFoundError', code: 'NOT_FOUND', message: expect.stringMatching(/no alias "production"/) });

    expect(await aliasEvents(id)).toEqual([
      { type: 'AliasSet', data: { alias: 'production', number: 2, previousNumber: null } },
      { type: 'AliasSet', data: { alias: 'production', number: 3, previousNumber: 2 } },
      { type: 'AliasRemoved', data: { alias: 'production', number: 3 } },
    ]);
  });

  it('lists a model’s aliases by name, each with the version it points at', async () => {
    const { id } = await released();
    await setOk(id, 'staging', 3);
    await setOk(id, 'production', 2);
    const last = await setOk(id, 'champion', 3);
    expect(last.model.aliases.map((a) => [a.name, a.version.number])).toEqual([
      ['champion', 3],
      ['production', 2],
      ['staging', 3],
    ]);
    expect(last.alias.version.aliases).toEqual(['champion', 'staging']);
  });

  it('refuses a draft (VERSION_NOT_PUBLISHED), a missing version or model (NOT_FOUND), a bad name and an 11th alias (VALIDATION), recording nothing', async () => {
    const { id } = await released();
    for (let i = 0; i < 10; i++) await setOk(id, `alias-${i}`, 2);
    const before = await eventCount();
    expect(await set(id, 'production', 1)).toMatchObject({ __typename: 'VersionNotPublishedError', code: 'VERSION_NOT_PUBLISHED', number: 1 });
    expect(await set(id, 'alias-0', 1)).toMatchObject({ __typename: 'VersionNotPublishedError', number: 1 });
    expect(await set(id, 'alias-0', 9)).toMatchObject({ __typename: 'NotFoundError', code: 'NOT_FOUND' });
    expect(await set(MISSING, 'production', 2)).toMatchObject({ __typename: 'NotFoundError', code: 'NOT_FOUND' });
    for (const name of ['', '1abc', 'Prod', 'a'.repeat(33), '42', 'pro duction']) {
      expect(await set(id, name, 2), JSON.stringify(name)).toMatchObject({ __typename: 'ValidationError', code: 'VALIDATION', field: 'alias' });
    }
    expect(await set(id, 'eleventh', 2)).toMatchObject({ __typename: 'ValidationError', code: 'VALIDATION', message: expect.stringMatching(/at most 10 aliases/) });
    expect(await remove(id, 'eleventh')).toMatchObject({ __typename: 'NotFoundError', code: 'NOT_FOUND' });
    expect(await remove(MISSING, 'alias-0')).toMatchObject({ __typename: 'NotFoundError', code: 'NOT_FOUND' });
    expect(await eventCount()).toBe(before);
    // One of the ten still moves.
    expect((await setOk(id, 'alias-0', 3)).alias.version.number).toBe(3);
  });

  it('takes a number or an alias in Model.version, not both nor neither', async () => {
    const { id } = await released();
    await setOk(id, 'production', 2);
    for (const variables of [{ id }, { id, number: 2, alias: 'production' }]) {
      const { data, errors } = await s.api.run(VersionByAlias, variables);
      expect(data?.model?.version ?? null).toBeNull();
      expect(errors![0]).toMatchObject({ message: 'Give either `number` or `alias`', extensions: { code: 'VALIDATION' } });
    }
    expect(await versionByAlias(id, 'canary')).toBeNull();
  });
});

describe('aliases as of a past time', () => {
  it('shows an alias where it was between two moves, with its version’s evaluations as they were then', async () => {
    const { id } = await released(4);
    const dataset = { uri: 's3://d/holdout.csv', name: null };
    const evaluate = async (number: number, auc: number) => {
      const { recordEvaluation } = await s.api.ok(RecordEvaluation, { input: { modelId: id, number, dataset, metrics: { auc } } });
      if (recordEvaluation.__typename !== 'RecordEvaluationSuccess') throw new Error(JSON.stringify(recordEvaluation));
      return recordEvaluation.evaluation;
    };
    /** A time after everything so far, before everything after. */
    const now = async (after: string) => {
      await clockPast(after);
      const at = new Date().toISOString();
      await clockPast(at);
      return at;
    };
    const beforeAnyAlias = await now(new Date().toISOString());

    await setOk(id, 'production', 2);
    const early = await evaluate(2, 0.8);
    const betweenMoves = await now(early.recordedAt);
    const late = await evaluate(2, 0.85);
    const moved = await setOk(id, 'production', 3);
    const afterFirstMove = await now(moved.alias.setAt);
    await setOk(id, 'production', 4);

    const then = (await s.api.ok(Releases, { id, asOf: betweenMoves })).model!;
    expect(then.aliases.map((a) => [a.name, a.version.number, a.version.aliases])).toEqual([['production', 2, ['production']]]);
    expect(then.aliases[0]!.version.evaluations).toEqual([early]);
    expect(then.versions.edges.map((e) => [e.node.number, e.node.aliases])).toEqual([
      [1, []],
      [2, ['production']],
      [3, []],
      [4, []],
    ]);
    expect(await versionByAlias(id, 'production', betweenMoves)).toEqual({ number: 2, aliases: ['production'], evaluations: [early] });

    expect(await versionByAlias(id, 'production', afterFirstMove)).toMatchObject({ number: 3, aliases: ['production'] });
    expect((await s.api.ok(Releases, { id, asOf: afterFirstMove })).model!.versions.edges[1]!.node.evaluations).toEqual([early, late]);
    expect(await versionByAlias(id, 'production')).toMatchObject({ number: 4 });
    expect((await s.api.ok(Releases, { id, asOf: beforeAnyAlias })).model!.aliases).toEqual([]);
    expect(await versionByAlias(id, 'production', beforeAnyAlias)).toBeNull();

    expect((await aliasEvents(id)).map((e) => e.data)).toEqual([
      { alias: 'production', number: 2, previousNumber: null },
      { alias: 'production', number: 3, previousNumber: 2 },
      { alias: 'production', number: 4, previousNumber: 3 },
    ]);
  });
});

describe('deleting what aliases point at', () => {
  it('refuses deleteVersion with VERSION_ALIASED naming every alias, and deletes once they moved', async () => {
    const { id } = await released();
    await setOk(id, 'production', 2);
    await setOk(id, 'champion', 2);
    await setOk(id, 'staging', 3);
    const before = await eventCount();
    const refused = (await s.api.ok(DeleteAliasedVersion, { modelId: id, number: 2 })).deleteVersion;
    expect(refused).toMatchObject({ __typename: 'VersionAliasedError', code: 'VERSION_ALIASED', number: 2, aliases: ['champion', 'production'] });
    expect(await eventCount()).toBe(before);
    await setOk(id, 'production', 3);
    expect((await s.api.ok(DeleteAliasedVersion, { modelId: id, number: 2 })).deleteVersion).toMatchObject({ aliases: ['champion'] });
    expect((await remove(id, 'champion')).__typename).toBe('RemoveAliasSuccess');
    expect((await s.api.ok(DeleteAliasedVersion, { modelId: id, number: 2 })).deleteVersion).toMatchObject({ __typename: 'DeleteVersionSuccess', model: { id, versionCount: 2 } });
    // An unaliased draft is deleted as before.
    expect((await s.api.ok(DeleteAliasedVersion, { modelId: id, number: 1 })).deleteVersion.__typename).toBe('DeleteVersionSuccess');
  });

  it('removes a deleted model’s aliases: a new model of the same name has none', async () => {
    const { id, name } = await released();
    await setOk(id, 'production', 2);
    expect((await s.api.ok(DeleteModel, { id })).deleteModel.__typename).toBe('DeleteModelSuccess');
    expect((await s.api.ok(Releases, { id })).model).toBeNull();
    expect(await set(id, 'production', 2)).toMatchObject({ code: 'NOT_FOUND' });
    const { createModel } = await s.api.ok(CreateModel, { input: { name } });
    if (createModel.__typename !== 'CreateModelSuccess') throw new Error(JSON.stringify(createModel));
    const again = (await s.api.ok(Releases, { name })).model!;
    expect(again.id).toBe(createModel.model.id);
    expect(again.aliases).toEqual([]);
    expect(await versionByAlias(again.id, 'production')).toBeNull();
    const row = await s.api.t.db.selectFrom('models').select('aliases').where('id', '=', again.id).executeTakeFirstOrThrow();
    expect(row.aliases).toEqual([]);
  });
});

describe('who may set aliases', () => {
  it('refuses a viewer setAlias and removeAlias (FORBIDDEN), who still reads the aliases', async () => {
    const { id } = await released();
    const set = await setOk(id, 'production', 2);
    const asViewer = { authorization: `Bearer ${viewer}` };
    const before = await eventCount();
    const refusedSet = await s.api.run(SetAlias, { input: { modelId: id, alias: 'production', number: 3 } }, asViewer);
    expect(refusedSet.data!.setAlias).toMatchObject({ __typename: 'ForbiddenError', code: 'FORBIDDEN' });
    const refusedRemove = await s.api.run(RemoveAlias, { modelId: id, alias: 'production' }, asViewer);
    expect(refusedRemove.data!.removeAlias).toMatchObject({ __typename: 'ForbiddenError', code: 'FORBIDDEN' });
    expect(await eventCount()).toBe(before);
    const read = await s.api.run(Releases, { id }, asViewer);
    expect(read.errors).toBeUndefined();
    expect(read.data!.model!.aliases.map(({ version: { evaluations: _e, ...version }, ...a }) => ({ ...a, version }))).toEqual([set.alias]);
    const byAlias = await s.api.run(VersionByAlias, { id, alias: 'production' }, asViewer);
    expect(byAlias.data!.model!.version).toMatchObject({ number: 2 });
  });

  it('answers NOT_FOUND to another context’s caller for a model it cannot see, changing nothing', async () => {
    const { id } = await released();
    await setOk(id, 'production', 2);
    const other = await givenContext(s);
    const admin = (await givenPrincipal(s, 'admin', { context: other.name })).secret;
    const before = await eventCount();
    const calls: [string, string, Record<string, unknown>][] = [
      ['setAlias', print(SetAlias), { input: { modelId: id, alias: 'production', number: 3 } }],
      ['removeAlias', print(RemoveAlias), { modelId: id, alias: 'production' }],
      ['recordEvaluation', print(RecordEvaluation), { input: { modelId: id, number: 2, dataset: { uri: 'dataset:1' }, metrics: { auc: 1 } } }],
    ];
    for (const [field, query, variables] of calls) {
      const { status, body } = await s.gql(admin, query, variables, other.name);
      expect(status, field).toBe(200);
      expect(body.data[field], field).toMatchObject({ __typename: 'NotFoundError', code: 'NOT_FOUND' });
    }
    const read = await s.gql(admin, print(Releases), { id }, other.name);
    expect(read.body).toEqual({ data: { model: null } });
    expect(await eventCount()).toBe(before);
    expect(await versionByAlias(id, 'production')).toMatchObject({ number: 2 });
  });
});
