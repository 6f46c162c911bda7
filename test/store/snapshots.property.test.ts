import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DomainError } from '../../src/domain/errors.ts';
import type { ModelCommand } from '../../src/domain/model/commands.ts';
import { fold, initialState, type ModelState } from '../../src/domain/model/evolve.ts';
import { readStream } from '../../src/store/eventLog.ts';
import { handleCommand } from '../../src/store/handleCommand.ts';
import { decodeState, type LoadedState, loadState } from '../../src/store/snapshots.ts';
import { defaultContextId, openTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { acceptedModelCommand, modelCommand, onStream } from '../helpers/modelCommands.ts';
import { limits } from '../helpers/modelSpecification.ts';

let t: TestDatabase;
let contextId: string;

beforeAll(async () => {
  t = await openTestDatabase();
  contextId = await defaultContextId(t.db);
});
afterAll(() => t?.close());

// Both models are created first, then get mostly commands that are accepted (versions created more often
// than anything else, so that the others find one), some of any kind, and seldom a deletion: a stream must
// grow long enough to cross several multiples of N.
const ofType = (type: ModelCommand['type'], from = acceptedModelCommand) => from.filter((c) => c.type === type);
const command = fc.oneof(
  { arbitrary: ofType('CreateVersion'), weight: 36 },
  { arbitrary: ofType('UpdateVersion'), weight: 24 },
  { arbitrary: ofType('UploadFormat'), weight: 24 },
  { arbitrary: ofType('DeleteVersion'), weight: 18 },
  { arbitrary: ofType('DeleteFormat'), weight: 12 },
  { arbitrary: ofType('PublishVersion'), weight: 12 },
  { arbitrary: ofType('UpdateModel'), weight: 12 },
  { arbitrary: ofType('RecordEvaluation'), weight: 12 },
  { arbitrary: ofType('SetAlias'), weight: 12 },
  { arbitrary: ofType('RemoveAlias'), weight: 6 },
  { arbitrary: modelCommand.filter((c) => c.type !== 'DeleteModel'), weight: 24 },
  { arbitrary: ofType('DeleteModel', modelCommand), weight: 1 },
);

/**
 * Version numbers are never reused, so a stream soon outgrows the generator's 1-5: a command's number
 * picks one of the model's live versions instead (5: the next number, which no version has yet).
 */
function aimed(command: ModelCommand, state: ModelState | undefined): ModelCommand {
  if (state?.status !== 'live' || !('number' in command.data)) return command;
  const live = state.versions;
  const n = command.data.number;
  const number = n === 5 || live.length === 0 ? state.highestNumber + 1 : live[(n - 1) % live.length]!.number;
  return { ...command, data: { ...command.data, number } } as ModelCommand;
}

const step = fc.record({
  stream: fc.integer({ min: 0, max: 1 }),
  command,
  // Some commands start from a state loaded steps earlier, as an upload starts from its precheck's.
  known: fc.option(fc.nat({ max: 6 }), { nil: undefined }),
});

it('loads from snapshot + tail the state a full fold gives, and the state each command returned', async () => {
  // What the runs covered, so that the property cannot hold vacuously (on streams too short to snapshot).
  const seen = { longest: 0, snapshots: 0, fromKnown: 0, aliases: 0, evaluations: 0 };
  await fc.assert(
    fc.asyncProperty(fc.integer({ min: 1, max: 4 }), fc.array(step, { minLength: 30, maxLength: 100, size: 'max' }), async (every, steps) => {
      const ids = [randomUUID(), randomUUID()];
      const returned = new Map<string, ModelState>();
      const loadedBefore = new Map<string, LoadedState[]>();
      const creates = ids.map((id, i) => ({ stream: i, command: onStream({ type: 'CreateModel', data: { modelId: id, contextId, name: `model ${id}` } }, id, contextId), known: undefined }));
      for (const s of [...creates, ...steps]) {
        const id = ids[s.stream]!;
        const history = loadedBefore.get(id) ?? [];
        const known = s.known === undefined || history.length === 0 ? undefined : history[history.length - 1 - (s.known % history.length)];
        try {
          const result = await handleCommand(t.db, id, aimed(onStream(s.command, id, contextId), returned.get(id)), {
            limits: { ...limits, maxVersions: 3, maxFormats: 2 },
            metadata: { actor: 'prop', requestId: null },
            snapshotEvery: every,
            known,
          });
          returned.set(id, result.state);
          if (known) seen.fromKnown++;
        } catch (error) {
          if (!(error instanceof DomainError)) throw error;
        }
        const loaded = await loadState(t.db, id);
        expect(loaded.state).toEqual(returned.get(id) ?? initialState());
        loadedBefore.set(id, [...history, loaded]);
      }
      for (const id of ids) {
        const events = await readStream(t.db, id);
        const full = fold(events);
        const { state } = await loadState(t.db, id);
        expect(state).toEqual(full);
        expect(state).toEqual(returned.get(id) ?? initialState());
        const row = await t.db.selectFrom('snapshots').selectAll().where('stream_id', '=', id).executeTakeFirst();
        // Every stream that crossed a multiple of N has a snapshot, and no more than N-1 events lie after it
        // (or none: a deleted model's snapshot is its last state).
        expect(row !== undefined).toBe(full.streamVersion >= every || full.status === 'deleted');
        seen.longest = Math.max(seen.longest, full.streamVersion);
        seen.aliases += events.filter((e) => e.type === 'AliasSet' || e.type === 'AliasRemoved').length;
        seen.evaluations += events.filter((e) => e.type === 'EvaluationRecorded').length;
        if (row) {
          seen.snapshots++;
          expect(decodeState(row.state, row.stream_version)).toEqual(fold(events.filter((e) => e.streamVersion <= row.stream_version)));
          expect(Math.floor(row.stream_version / every)).toBe(Math.floor(full.streamVersion / every));
          if (full.status === 'deleted') expect(row.stream_version).toBe(full.streamVersion);
        }
      }
    }),
    { numRuns: 40 },
  );
  expect(seen.longest).toBeGreaterThanOrEqual(12);
  expect(seen.snapshots).toBeGreaterThanOrEqual(20);
  expect(seen.fromKnown).toBeGreaterThanOrEqual(20);
  expect(seen.aliases).toBeGreaterThanOrEqual(5);
  expect(seen.evaluations).toBeGreaterThanOrEqual(20);
  // 40 runs of up to 100 commands, each checked against a full fold: some 30 s on a loaded machine, beyond the suite's default.
}, 120_000);
