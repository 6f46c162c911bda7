import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DomainError } from '../../src/domain/errors.ts';
import { handleCommand } from '../../src/store/handleCommand.ts';
import { rebuildProjections } from '../../src/store/rebuild.ts';
import { defaultContextId, openTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { modelCommand, onStream } from '../helpers/modelCommands.ts';
import { limits } from '../helpers/modelSpecification.ts';
import { allEvents, readModelRows, rowsFromFold } from '../helpers/readModels.ts';

let t: TestDatabase;
let contextId: string;

beforeAll(async () => {
  t = await openTestDatabase();
  contextId = await defaultContextId(t.db);
});
afterAll(() => t?.close());

it('keeps live projections equal to rebuilt projections and to an in-memory fold of the log', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(fc.tuple(fc.integer({ min: 0, max: 2 }), modelCommand), { minLength: 1, maxLength: 25 }), async (steps) => {
      const ids = [randomUUID(), randomUUID(), randomUUID()];
      for (const [which, cmd] of steps) {
        const id = ids[which]!;
        const c = onStream(cmd, id, contextId);
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
