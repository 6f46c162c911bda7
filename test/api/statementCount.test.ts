import { afterAll, beforeAll, expect, it } from 'vitest';
import { statementCounter } from '../helpers/statementCounters.ts';
import { handleCommand } from '../../src/store/handleCommand.ts';
import { openTestApi, type TestApi } from '../helpers/api.ts';
import { SHA } from '../helpers/modelSpecification.ts';
import { CreateModel, CreateVersion, ModelsWithVersions } from './operations.ts';

/** Counts every statement the app sends to the database. */
const counter = statementCounter();

let api: TestApi;
beforeAll(async () => {
  api = await openTestApi({ store: (t) => ({ ...t.store, db: t.db.withPlugin(counter.plugin) }) });
});
afterAll(() => api?.close());

async function seed(models: number) {
  for (let i = 0; i < models; i++) {
    const m = (await api.ok(CreateModel, { input: { name: `m-${String(i).padStart(3, '0')}-${models}` } })).createModel;
    if (m.__typename !== 'CreateModelSuccess') throw new Error(JSON.stringify(m));
    for (let v = 0; v < 2; v++) {
      const created = (await api.ok(CreateVersion, { input: { modelId: m.model.id } })).createVersion;
      if (created.__typename !== 'CreateVersionSuccess') throw new Error(JSON.stringify(created));
      await handleCommand(
        api.t.db,
        m.model.id,
        { type: 'UploadFormat', data: { number: created.version.number, format: 'pkl', sha256: SHA, size: 1, contentType: 'application/octet-stream', filename: 'm.pkl' } },
        { limits: api.config.limits, metadata: { actor: null, requestId: null } },
      );
    }
  }
}

async function statementsFor(first: number) {
  counter.statements = 0;
  const data = await api.ok(ModelsWithVersions, { first });
  return { statements: counter.statements, data };
}

it('lists 100 models with their versions and formats in the same few statements as 5', async () => {
  await seed(100);
  const small = await statementsFor(5);
  const large = await statementsFor(100);
  expect(large.data.models.edges).toHaveLength(100);
  expect(large.data.models.edges.every((e) => e.node.versions.edges.length === 2 && e.node.versions.edges[0]!.node.formats[0]?.sha256 === SHA)).toBe(true);
  // models page + count + versions + formats. Identifying the caller costs none: the seeding warmed the
  // identity cache for the administrator's token (a cold request runs one more; a revocation empties it,
  // test/security/identityCache.test.ts). A warm read was 5 statements before the cache.
  expect(large.statements).toBe(4);
  expect(large.statements).toBe(small.statements);
}, 120_000);
