import { afterAll, beforeAll, expect, it } from 'vitest';
import { givenContext, givenModel, givenPrincipal, type Served, serveTestApi } from '../helpers/fixtures.ts';

let s: Served;
beforeAll(async () => {
  s = await serveTestApi();
});
afterAll(() => s?.close());

it('fixtures make a context, a viewer there, and a model it can read', async () => {
  const ctx = await givenContext(s);
  const viewer = await givenPrincipal(s, 'viewer', { context: ctx.name });
  const model = await givenModel(s, { context: ctx.name, versions: 1 });
  const { body } = await s.gql(viewer.secret, 'query ($id: ID!) { model(id: $id) { name } }', { id: model.id }, ctx.name);
  expect(body.data.model.name).toBe(model.name);
});
