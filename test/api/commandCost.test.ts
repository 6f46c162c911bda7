// What a command reads of its model's log: the snapshot and the events after it, and an upload (which
// checks its command before reading the body, then runs it) each event once.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { eventRowCounter } from '../helpers/statementCounters.ts';
import { handleCommand } from '../../src/store/handleCommand.ts';
import { SNAPSHOT_EVERY } from '../../src/store/snapshots.ts';
import { listen, openTestApi, type TestApi } from '../helpers/api.ts';
import { postMultipart } from '../helpers/multipart.ts';
import { CreateModel, CreateVersion } from './operations.ts';

/** Counts the event rows the app reads (not an append's RETURNING). */
const counter = eventRowCounter();

let api: TestApi;
let server: Awaited<ReturnType<typeof listen>>;
beforeAll(async () => {
  api = await openTestApi({ store: (t) => ({ ...t.store, db: t.db.withPlugin(counter.plugin) }) });
  server = await listen(api.app);
});
afterAll(async () => {
  await server?.close();
  await api?.close();
});

/** A model with a draft version and a stream of `events` events. */
async function longModel(name: string, events: number) {
  const m = (await api.ok(CreateModel, { input: { name } })).createModel;
  if (m.__typename !== 'CreateModelSuccess') throw new Error(JSON.stringify(m));
  const v = (await api.ok(CreateVersion, { input: { modelId: m.model.id } })).createVersion;
  if (v.__typename !== 'CreateVersionSuccess') throw new Error(JSON.stringify(v));
  for (let i = 2; i < events; i++) {
    await handleCommand(api.t.db, m.model.id, { type: 'UpdateModel', data: { description: `d${i}` } }, { limits: api.config.limits, metadata: { actor: null, requestId: null } });
  }
  return { id: m.model.id, number: v.version.number };
}

/** How many events lie after the model's snapshot. */
async function tail(id: string) {
  const row = await api.t.db.selectFrom('snapshots').select('stream_version').where('stream_id', '=', id).executeTakeFirst();
  const { n } = await api.t.db.selectFrom('events').select((e) => e.fn.countAll<number>().as('n')).where('stream_id', '=', id).executeTakeFirstOrThrow();
  return Number(n) - (row?.stream_version ?? 0);
}

const UPLOAD = `mutation ($input: UploadFormatInput!) {
  uploadFormat(input: $input) { __typename ... on Error { code message } }
}`;

it('reads of a model of 3 × N events only what lies after its snapshot', async () => {
  const { id } = await longModel('long', 3 * SNAPSHOT_EVERY + 7);
  const after = await tail(id);
  expect(after).toBe(7);
  counter.eventRows = 0;
  const v = (await api.ok(CreateVersion, { input: { modelId: id } })).createVersion;
  expect(v.__typename).toBe('CreateVersionSuccess');
  expect(counter.eventRows).toBe(after);
});

it('reads each event once for an upload, though it checks the command before the body and runs it after', async () => {
  const { id, number } = await longModel('uploaded', 2 * SNAPSHOT_EVERY + 12);
  const after = await tail(id);
  expect(after).toBe(12);
  counter.eventRows = 0;
  const { body } = await postMultipart(`${server.url}/graphql`, UPLOAD, { input: { modelId: id, number, format: 'pkl', file: null } }, [
    { path: 'variables.input.file', data: new Uint8Array([1, 2, 3]), name: 'model.pkl' },
  ]);
  expect(body.data.uploadFormat).toEqual({ __typename: 'UploadFormatSuccess' });
  // The precheck reads the tail; the command, starting from the precheck's state, reads what came since: nothing.
  expect(counter.eventRows).toBe(after);
});

it('reads each event once for a version created with its files', async () => {
  const { id } = await longModel('created with files', SNAPSHOT_EVERY + 5);
  const after = await tail(id);
  expect(after).toBe(5);
  counter.eventRows = 0;
  const { body } = await postMultipart(
    `${server.url}/graphql`,
    `mutation ($input: CreateVersionInput!) { createVersion(input: $input) { __typename ... on Error { code message } } }`,
    { input: { modelId: id, formats: [{ format: 'pkl', file: null }] } },
    [{ path: 'variables.input.formats.0.file', data: new Uint8Array([4, 5, 6]), name: 'model.pkl' }],
  );
  expect(body.data.createVersion).toEqual({ __typename: 'CreateVersionSuccess' });
  expect(counter.eventRows).toBe(after);
});
