import { afterAll, beforeAll, expect, it } from 'vitest';
import { openTestApi, type TestApi } from '../helpers/api.ts';
import { openTestDatabase } from '../helpers/database.ts';
import { allEvents } from '../helpers/readModels.ts';
import { CreateModel, CreateVersion, PublishVersion, Releases, SetAlias } from '../api/operations.ts';

// Only a server runs commands side by side: 20 clients move one alias at once, each to its own version.
// Whatever order they land in, the alias ends where the log's last AliasSet put it, every success is one
// event, and the events form one chain (each previousNumber is the number the event before it set).
const CLIENTS = 20;
let api: TestApi;

beforeAll(async () => {
  api = await openTestApi({ database: await openTestDatabase('postgres'), env: { CAIRN_MAX_VERSIONS: String(CLIENTS + 10) } });
});
afterAll(() => api?.close());

it(`moves one alias from ${CLIENTS} concurrent clients into one consistent chain, one AliasSet per success`, async () => {
  const { createModel } = await api.ok(CreateModel, { input: { name: 'contended' } });
  if (createModel.__typename !== 'CreateModelSuccess') throw new Error(JSON.stringify(createModel));
  const id = createModel.model.id;
  // Version 1 holds the alias first; versions 2 to 21 are the ones the clients point it at.
  for (let n = 1; n <= CLIENTS + 1; n++) {
    expect((await api.ok(CreateVersion, { input: { modelId: id } })).createVersion.__typename).toBe('CreateVersionSuccess');
    expect((await api.ok(PublishVersion, { modelId: id, number: n })).publishVersion.__typename).toBe('PublishVersionSuccess');
  }
  expect((await api.ok(SetAlias, { input: { modelId: id, alias: 'production', number: 1 } })).setAlias.__typename).toBe('SetAliasSuccess');

  const answers = await Promise.all(
    Array.from({ length: CLIENTS }, (_, i) => api.ok(SetAlias, { input: { modelId: id, alias: 'production', number: i + 2 } }).then((d) => d.setAlias)),
  );
  for (const answer of answers) expect(['SetAliasSuccess', 'ConflictError']).toContain(answer.__typename);
  const successes = answers.filter((a) => a.__typename === 'SetAliasSuccess');
  // Commands on one model queue behind its lock: all, or nearly all, get through.
  expect(successes.length).toBeGreaterThan(0);

  const events = (await allEvents(api.t.db)).filter((e) => e.streamId === id && e.type === 'AliasSet').map((e) => e.data as { alias: string; number: number; previousNumber: number | null });
  expect(events).toHaveLength(1 + successes.length);
  expect(events[0]).toEqual({ alias: 'production', number: 1, previousNumber: null });
  for (let i = 1; i < events.length; i++) expect(events[i]!.previousNumber, `event ${i}`).toBe(events[i - 1]!.number);
  // Each success is its own version's event, and each event some success's.
  expect(events.slice(1).map((e) => e.number).sort((a, b) => a - b)).toEqual(
    successes.map((a) => (a.__typename === 'SetAliasSuccess' ? a.alias.version.number : 0)).sort((a, b) => a - b),
  );
  for (const [i, answer] of answers.entries()) if (answer.__typename === 'SetAliasSuccess') expect(answer.alias).toMatchObject({ name: 'production', version: { number: i + 2 } });

  const last = events.at(-1)!.number;
  const model = (await api.ok(Releases, { id })).model!;
  expect(model.aliases.map((a) => [a.name, a.version.number])).toEqual([['production', last]]);
  expect(model.versions.edges.filter((e) => e.node.aliases.length > 0).map((e) => [e.node.number, e.node.aliases])).toEqual([[last, ['production']]]);
  const row = await api.t.db.selectFrom('models').select('aliases').where('id', '=', id).executeTakeFirstOrThrow();
  expect(row.aliases).toEqual([expect.objectContaining({ name: 'production', number: last })]);
});
