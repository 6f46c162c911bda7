import fs from 'node:fs';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fold } from '../../src/domain/model/evolve.ts';
import { readStream } from '../../src/store/eventLog.ts';
import { migrateToLatest } from '../../src/store/open.ts';
import { rebuildProjections } from '../../src/store/rebuild.ts';
import { currentSchemaVersion, UnknownSchemaVersionError, upcast } from '../../src/store/upcast.ts';
import { adminHeaders } from '../helpers/api.ts';
import { defaultContextId, migrateTestDatabaseTo, openTestDatabase } from '../helpers/database.ts';
import { type Served, serveTestApi } from '../helpers/fixtures.ts';
import { allEvents, readModelRows, rowsFromFold } from '../helpers/readModels.ts';
import { sseReader } from '../helpers/sse.ts';

const MODEL = '7e570000-0000-4000-8000-000000000001';
const fixture = fs.readFileSync(new URL('../fixtures/events-v1.sql', import.meta.url), 'utf8');

describe('upcast', () => {
  it('brings a ModelCreated of schema version 1 to the current shape: the id and context are the envelope', () => {
    expect(currentSchemaVersion('ModelCreated')).toBe(2);
    expect(upcast('ModelCreated', 1, { modelId: MODEL, contextId: 'c', name: 'n', description: null, tags: [] })).toEqual({ name: 'n', description: null, tags: [] });
    expect(upcast('ModelCreated', 2, { name: 'n', description: null, tags: [] })).toEqual({ name: 'n', description: null, tags: [] });
    expect(upcast('VersionPublished', 1, { number: 3 })).toEqual({ number: 3 });
  });

  it('refuses a payload at a version newer than this code knows, naming it', () => {
    expect(() => upcast('ModelCreated', 3, {})).toThrow(UnknownSchemaVersionError);
    expect(() => upcast('ModelCreated', 3, {})).toThrow(/ModelCreated is at schema version 3/);
    expect(() => upcast('VersionPublished', 0, {})).toThrow(UnknownSchemaVersionError);
  });
});

describe('a log written at schema version 1, then migrated', () => {
  let s: Served;
  let context: string;

  beforeAll(async () => {
    const database = await openTestDatabase(undefined, { migrated: false });
    await migrateTestDatabaseTo(database.db, '2026-11-29T0900_event_time');
    await sql.raw(fixture).execute(database.db);
    await migrateToLatest(database.db);
    context = await defaultContextId(database.db);
    s = await serveTestApi({ database });
  });
  afterAll(() => s?.close());

  it('gives every old event an envelope: an id, its stream type, the model context', async () => {
    const { rows } = await sql<{ event_id: string; stream_type: string; context_id: string; schema_version: number }>`
      select event_id, stream_type, context_id, schema_version from events where stream_id = ${MODEL} order by stream_version`.execute(s.api.t.db);
    expect(rows).toHaveLength(6);
    expect(new Set(rows.map((r) => r.event_id)).size).toBe(6);
    for (const r of rows) expect(r).toMatchObject({ stream_type: 'model', context_id: context, schema_version: 1 });
  });

  it('folds the old events in the current shape', async () => {
    const events = await readStream(s.api.t.db, MODEL);
    expect(events[0]).toMatchObject({ type: 'ModelCreated', schemaVersion: 2, streamType: 'model', contextId: context });
    expect(events[0]!.data).toEqual({ name: 'churn-v1', description: 'Written at schema version 1', tags: ['legacy'] });
    const state = fold(events);
    expect(state).toMatchObject({ status: 'live', id: MODEL, contextId: context, name: 'churn-v1', highestNumber: 2 });
    expect(state.status === 'live' && state.versions.map((v) => [v.number, v.status])).toEqual([[1, 'PUBLISHED']]);
  });

  it('rebuilds the read models from the old events as the fold gives them, and a new command projects on top', async () => {
    await rebuildProjections(s.api.t.store);
    const rows = await readModelRows(s.api.t.db);
    expect(rows).toEqual(rowsFromFold(await allEvents(s.api.t.db)));
    expect(rows.models.find((m) => m.id === MODEL)).toMatchObject({ context_id: context, name: 'churn-v1', version_count: 1, highest_number: 2 });
    const created = await s.asAdmin('mutation ($id: ID!) { createVersion(input: { modelId: $id }) { ... on CreateVersionSuccess { version { number } } } }', { id: MODEL });
    expect(created.createVersion.version.number).toBe(3);
  });

  it('shows the old events in history in the current shape, with the public data a client read before', async () => {
    const data = await s.asAdmin('query ($id: ID!) { model(id: $id) { history(first: 3) { edges { node { type actor requestId data } } } } }', { id: MODEL });
    const nodes = data.model.history.edges.map((e: { node: unknown }) => e.node);
    expect(nodes.map((n: { type: string }) => n.type)).toEqual(['ModelCreated', 'VersionCreated', 'FormatUploaded']);
    expect(nodes[0]).toMatchObject({ actor: 'alice', requestId: 'req-1' });
    expect(nodes[0].data).toEqual({ modelId: MODEL, contextId: context, name: 'churn-v1', description: 'Written at schema version 1', tags: ['legacy'] });
  });

  it('replays the old events to a subscriber in the current shape', async () => {
    const abort = new AbortController();
    const response = await fetch(`${s.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...adminHeaders },
      body: JSON.stringify({ query: 'subscription ($id: ID) { modelEvents(modelId: $id, after: "0") { type modelId data } }', variables: { id: MODEL } }),
      signal: abort.signal,
    });
    const events = sseReader(response.body!);
    try {
      const first = await events.next();
      expect(first.errors).toBeUndefined();
      expect(first.data.modelEvents).toEqual({
        type: 'ModelCreated',
        modelId: MODEL,
        data: { modelId: MODEL, contextId: context, name: 'churn-v1', description: 'Written at schema version 1', tags: ['legacy'] },
      });
      expect((await events.next()).data.modelEvents.type).toBe('VersionCreated');
    } finally {
      events.cancel();
      abort.abort();
    }
  });
});
