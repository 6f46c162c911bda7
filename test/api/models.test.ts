import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestApi, type TestApi } from '../helpers/api.ts';
import { CreateModel, DeleteModel, Formats, ModelById, Models, UpdateModel } from './operations.ts';

let api: TestApi;
beforeAll(async () => {
  api = await openTestApi();
});
afterAll(() => api?.close());

/** The order model names are listed in: their lower-case forms, compared code point by code point. */
function byLowerCasedCodePoints(a: string, b: string): number {
  const [x, y] = [[...a.toLowerCase()].map((c) => c.codePointAt(0)!), [...b.toLowerCase()].map((c) => c.codePointAt(0)!)];
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
  return x.length - y.length;
}

async function create(name: string, extra: { tags?: string[]; description?: string } = {}) {
  const { createModel } = await api.ok(CreateModel, { input: { name, ...extra } });
  if (createModel.__typename !== 'CreateModelSuccess') throw new Error(`create failed: ${JSON.stringify(createModel)}`);
  return createModel.model;
}

describe('createModel', () => {
  it('creates a model with a UUID, trimmed name, tags and description', async () => {
    // Recorded while the request was under way (to the millisecond recorded_at keeps, rounded either way).
    const sent = Date.now();
    const model = await create('  Churn  ', { tags: ['nlp', 'NLP', 'prod'], description: '# Churn\n*markdown*' });
    expect(model.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(model).toMatchObject({ name: 'Churn', tags: ['nlp', 'prod'], description: '# Churn\n*markdown*', versionCount: 0, latestVersion: null });
    expect(new Date(model.createdAt).getTime()).toBeGreaterThanOrEqual(sent - 1);
    expect(new Date(model.createdAt).getTime()).toBeLessThanOrEqual(Date.now() + 1);
  });

  it('returns VALIDATION with the field for a blank name or a long tag, and stores nothing', async () => {
    const before = (await api.ok(Models, {})).models.totalCount;
    const blank = (await api.ok(CreateModel, { input: { name: '   ' } })).createModel;
    expect(blank).toMatchObject({ __typename: 'ValidationError', code: 'VALIDATION', field: 'name' });
    const tag = (await api.ok(CreateModel, { input: { name: 'ok', tags: ['x'.repeat(33)] } })).createModel;
    expect(tag).toMatchObject({ __typename: 'ValidationError', code: 'VALIDATION', field: 'tags.0' });
    expect((await api.ok(Models, {})).models.totalCount).toBe(before);
  });

  it('returns NAME_TAKEN for a name in use, whatever its case', async () => {
    await create('Fraud');
    const result = (await api.ok(CreateModel, { input: { name: 'FRAUD' } })).createModel;
    expect(result).toMatchObject({ __typename: 'NameTakenError', code: 'NAME_TAKEN', name: 'FRAUD' });
  });
});

describe('updateModel', () => {
  it('changes name, description and tags; null clears the description', async () => {
    const model = await create('to-update', { description: 'old' });
    const { updateModel } = await api.ok(UpdateModel, { input: { id: model.id, name: 'updated', tags: ['a'], description: null } });
    expect(updateModel).toMatchObject({ __typename: 'UpdateModelSuccess', model: { name: 'updated', tags: ['a'], description: null } });
  });

  it('returns NOT_FOUND for an unknown or malformed id, VALIDATION for a bad name, NAME_TAKEN for a taken one', async () => {
    const model = await create('update-errors');
    await create('taken-name');
    const unknown = await api.ok(UpdateModel, { input: { id: '00000000-0000-4000-8000-000000000000', name: 'x' } });
    expect(unknown.updateModel).toMatchObject({ __typename: 'NotFoundError', code: 'NOT_FOUND' });
    const malformed = await api.ok(UpdateModel, { input: { id: 'not-a-uuid', name: 'x' } });
    expect(malformed.updateModel).toMatchObject({ __typename: 'NotFoundError', code: 'NOT_FOUND' });
    const invalid = await api.ok(UpdateModel, { input: { id: model.id, name: 'x'.repeat(201) } });
    expect(invalid.updateModel).toMatchObject({ __typename: 'ValidationError', code: 'VALIDATION' });
    const taken = await api.ok(UpdateModel, { input: { id: model.id, name: 'Taken-Name' } });
    expect(taken.updateModel).toMatchObject({ __typename: 'NameTakenError', code: 'NAME_TAKEN' });
  });
});

describe('deleteModel', () => {
  it('deletes the model, frees its name, and then says NOT_FOUND', async () => {
    const model = await create('doomed');
    expect((await api.ok(DeleteModel, { id: model.id })).deleteModel).toEqual({ __typename: 'DeleteModelSuccess', id: model.id });
    expect((await api.ok(ModelById, { id: model.id })).model).toBeNull();
    expect((await api.ok(DeleteModel, { id: model.id })).deleteModel).toMatchObject({ __typename: 'NotFoundError', code: 'NOT_FOUND' });
    await create('Doomed');
  });
});

describe('model and models', () => {
  it('finds a model by id or by name, case-insensitively', async () => {
    const model = await create('Lookup');
    expect((await api.ok(ModelById, { id: model.id })).model?.name).toBe('Lookup');
    expect((await api.ok(ModelById, { name: ' lookup ' })).model?.id).toBe(model.id);
    expect((await api.ok(ModelById, { name: 'nope' })).model).toBeNull();
  });

  it('refuses a lookup with neither or both of id and name, in words', async () => {
    const result = await api.run(ModelById, {});
    expect(result.errors?.[0]?.message).toMatch(/either `id` or `name`/);
  });

  it('searches name, description and tags case-insensitively, and filters by all given tags', async () => {
    await create('search-alpha', { tags: ['Vision', 'prod'] });
    await create('search-beta', { description: 'uses the ALPHA dataset', tags: ['vision'] });
    await create('search-gamma', { tags: ['prod'] });
    const byText = await api.ok(Models, { search: 'alpha', first: 100 });
    expect(byText.models.edges.map((e) => e.node.name).sort()).toEqual(['search-alpha', 'search-beta']);
    const byTagText = await api.ok(Models, { search: 'VISION', first: 100 });
    expect(byTagText.models.edges.map((e) => e.node.name).sort()).toEqual(['search-alpha', 'search-beta']);
    const byTags = await api.ok(Models, { tags: ['vision', 'PROD'], first: 100 });
    expect(byTags.models.edges.map((e) => e.node.name)).toEqual(['search-alpha']);
    expect(byTags.models.totalCount).toBe(1);
    const literal = await api.ok(Models, { search: '%', first: 100 });
    expect(literal.models.totalCount).toBe(0);
  });

  it('sorts by name and by dates, both directions', async () => {
    const names = (await api.ok(Models, { first: 100, orderBy: { field: 'NAME', direction: 'ASC' } })).models.edges.map((e) => e.node.name);
    expect(names).toEqual([...names].sort(byLowerCasedCodePoints));
    const desc = (await api.ok(Models, { first: 100, orderBy: { field: 'NAME', direction: 'DESC' } })).models.edges.map((e) => e.node.name);
    expect(desc).toEqual([...names].reverse());
    const newest = (await api.ok(Models, { first: 100, orderBy: { field: 'CREATED_AT', direction: 'DESC' } })).models.edges.map((e) => e.node.name);
    const oldest = (await api.ok(Models, { first: 100, orderBy: { field: 'CREATED_AT', direction: 'ASC' } })).models.edges.map((e) => e.node.name);
    expect(newest).toEqual([...oldest].reverse());
    const updated = (await api.ok(Models, { first: 1, orderBy: { field: 'UPDATED_AT', direction: 'DESC' } })).models.edges[0]!.node.name;
    expect(updated).toBe(newest[0]);
  });

  it('sorts names by the code points of their lower-case form, whatever the database collation, and pages in that order', async () => {
    for (const name of ['sort-b', 'sortA', 'sort_c', 'sort b', 'sort1', 'sortz', 'Sorté', 'sortf']) await create(name);
    // Spelled out rather than computed: a linguistic collation (en-US, say) puts "sort_c" before "sort-b" and
    // "Sorté" before "sortf"; code-point order puts space, '-', digits, '_', then letters, and 'é' after 'z'.
    const expected = ['sort b', 'sort-b', 'sort1', 'sort_c', 'sortA', 'sortf', 'sortz', 'Sorté'];
    expect([...expected].sort(byLowerCasedCodePoints)).toEqual(expected);
    for (const direction of ['ASC', 'DESC'] as const) {
      const order = direction === 'ASC' ? expected : [...expected].reverse();
      const all = await api.ok(Models, { search: 'sort', first: 100, orderBy: { field: 'NAME', direction } });
      expect(all.models.edges.map((e) => e.node.name)).toEqual(order);
      // The cursors follow the same order: three at a time, nothing repeated or skipped.
      const paged: string[] = [];
      let after: string | null | undefined;
      for (;;) {
        const page = await api.ok(Models, { search: 'sort', first: 3, after, orderBy: { field: 'NAME', direction } });
        paged.push(...page.models.edges.map((e) => e.node.name));
        if (!page.models.pageInfo.hasNextPage) break;
        after = page.models.pageInfo.endCursor;
      }
      expect(paged).toEqual(order);
    }
  });

  it('pages with cursors that stay stable while models are added, forwards and backwards', async () => {
    for (const n of ['page-b', 'page-d', 'page-f']) await create(n);
    const first = await api.ok(Models, { search: 'page-', first: 2 });
    expect(first.models.edges.map((e) => e.node.name)).toEqual(['page-b', 'page-d']);
    expect(first.models.pageInfo.hasNextPage).toBe(true);
    // Inserted before and after the cursor: the next page neither repeats nor skips.
    await create('page-a');
    await create('page-e');
    const next = await api.ok(Models, { search: 'page-', first: 10, after: first.models.pageInfo.endCursor });
    expect(next.models.edges.map((e) => e.node.name)).toEqual(['page-e', 'page-f']);
    expect(next.models.pageInfo.hasNextPage).toBe(false);
    expect(next.models.totalCount).toBe(5);
    const back = await api.ok(Models, { search: 'page-', last: 2, before: next.models.edges[0]!.cursor });
    expect(back.models.edges.map((e) => e.node.name)).toEqual(['page-b', 'page-d']);
    expect(back.models.pageInfo.hasPreviousPage).toBe(true);
  });

  it('refuses a page of more than 100, a cursor it did not give out, and one from another ordering', async () => {
    expect((await api.run(Models, { first: 101 })).errors?.[0]?.message).toMatch(/between 0 and 100/);
    expect((await api.run(Models, { first: 5, after: 'garbage' })).errors?.[0]?.message).toMatch(/cursor/);
    const page = await api.ok(Models, { first: 1 });
    const other = await api.run(Models, { first: 1, after: page.models.pageInfo.endCursor, orderBy: { field: 'CREATED_AT', direction: 'ASC' } });
    expect(other.errors?.[0]?.message).toMatch(/another ordering/);
  });

  it('lists the configured formats', async () => {
    expect((await api.ok(Formats, {})).formats).toEqual(['pkl', 'rda', 'pmml']);
  });
});
