import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DomainError } from '../../src/domain/errors.ts';
import type { ModelCommand } from '../../src/domain/model/commands.ts';
import { handleCommand } from '../../src/store/handleCommand.ts';
import { rebuildProjections } from '../../src/store/rebuild.ts';
import { defaultContextId, openTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { limits } from '../helpers/modelSpecification.ts';
import { allEvents, readModelRows, rowsFromFold } from '../helpers/readModels.ts';

let t: TestDatabase;
let contextId: string;

beforeAll(async () => {
  t = await openTestDatabase();
  contextId = await defaultContextId(t.db);
});
afterAll(() => t?.close());

// Small pools make collisions likely: the same name twice, a deleted version updated, a limit reached.
const name = fc.constantFrom('alpha', 'Alpha', 'beta', 'gamma ', '');
const number = fc.integer({ min: 1, max: 5 });
const tagList = fc.array(fc.constantFrom('a', 'B', 'b', 'x'.repeat(33), 'prod'), { maxLength: 4 });
const json = fc.oneof(fc.dictionary(fc.constantFrom('lr', 'depth'), fc.integer()), fc.constant([1]));
const format = fc.constantFrom('pkl', 'rda', 'pmml', 'onnx');
const sha = fc.constantFrom('a'.repeat(64), 'b'.repeat(64));

const command: fc.Arbitrary<ModelCommand> = fc.oneof(
  fc.record({ name, tags: tagList }).map((d) => ({ type: 'CreateModel', data: { modelId: '', contextId: '', ...d } }) as ModelCommand),
  fc.record({ name: fc.option(name, { nil: undefined }), description: fc.option(fc.string(), { nil: undefined }), tags: fc.option(tagList, { nil: undefined }) }).map(
    (d) => ({ type: 'UpdateModel', data: d }) as ModelCommand,
  ),
  fc.constant({ type: 'DeleteModel', data: {} } as ModelCommand),
  fc.record({ hyperparameters: json, tags: tagList }).map((d) => ({ type: 'CreateVersion', data: d }) as ModelCommand),
  fc.record({ number, config: json, description: fc.string() }).map((d) => ({ type: 'UpdateVersion', data: d }) as ModelCommand),
  number.map((n) => ({ type: 'PublishVersion', data: { number: n } }) as ModelCommand),
  number.map((n) => ({ type: 'DeleteVersion', data: { number: n } }) as ModelCommand),
  fc.record({ number, format, sha256: sha, size: fc.integer({ min: 0, max: 2000 }) }).map(
    (d) => ({ type: 'UploadFormat', data: { ...d, contentType: 'application/octet-stream', filename: 'm.bin' } }) as ModelCommand,
  ),
  fc.record({ number, format }).map((d) => ({ type: 'DeleteFormat', data: d }) as ModelCommand),
);

it('keeps live projections equal to rebuilt projections and to an in-memory fold of the log', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(fc.tuple(fc.integer({ min: 0, max: 2 }), command), { minLength: 1, maxLength: 25 }), async (steps) => {
      const ids = [randomUUID(), randomUUID(), randomUUID()];
      for (const [which, cmd] of steps) {
        const id = ids[which]!;
        const c = cmd.type === 'CreateModel' ? { ...cmd, data: { ...cmd.data, modelId: id, contextId } } : cmd;
        const before = (await allEvents(t.db)).length;
        try {
          const { events } = await handleCommand(t.db, id, c, { limits: { ...limits, maxVersions: 3, maxFormats: 2 }, metadata: { actor: 'prop', requestId: null } });
          expect((await allEvents(t.db)).length).toBe(before + events.length);
        } catch (error) {
          if (!(error instanceof DomainError)) throw error;
          // A refused command appends nothing.
          expect((await allEvents(t.db)).length).toBe(before);
        }
      }
      const live = await readModelRows(t.db);
      expect(live).toEqual(rowsFromFold(await allEvents(t.db)));
      await rebuildProjections(t, { batchSize: 5 });
      expect(await readModelRows(t.db)).toEqual(live);
    }),
    { numRuns: 30 },
  );
});
