// The public shapes of model events: each event type is an object type with typed fields, the same in
// history and in the subscription, beside the deprecated `data` (the JSON shape clients read before).
import { createHash } from 'node:crypto';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';
import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { MODEL_EVENT_TYPES } from '../../src/domain/model/events.ts';
import { graphql } from '../generated/index.ts';
import { adminHeaders, listen, openTestApi, type TestApi } from '../helpers/api.ts';
import { postMultipart } from '../helpers/multipart.ts';
import { sseReader } from '../helpers/sse.ts';

// Every field of every event type; the documents below spread it (codegen finds it by its graphql() call).
graphql(`
  fragment EventShape on ModelEvent {
    __typename
    id
    schemaVersion
    position
    type
    recordedAt
    actor
    requestId
    modelId
    data
    ... on ModelCreatedEvent {
      name
      description
      tags
      contextId
    }
    ... on ModelUpdatedEvent {
      changed
      changes {
        name
        description
        tags
      }
    }
    ... on VersionCreatedEvent {
      number
      description
      tags
      hyperparameters
      config
      records {
        uri
        name
      }
    }
    ... on VersionUpdatedEvent {
      number
      changed
      changes {
        description
        tags
        hyperparameters
        config
        records {
          uri
          name
        }
      }
    }
    ... on VersionPublishedEvent {
      number
    }
    ... on VersionDeletedEvent {
      number
    }
    ... on FormatUploadedEvent {
      number
      format
      sha256
      size
      filename
      contentType
      replaced
    }
    ... on FormatDeletedEvent {
      number
      format
    }
    ... on EvaluationRecordedEvent {
      number
      evaluationId
      dataset {
        uri
        name
      }
      metrics
      notes
    }
    ... on AliasSetEvent {
      alias
      number
      previousNumber
    }
    ... on AliasRemovedEvent {
      alias
      number
    }
  }
`);

const ShapesHistory = graphql(`
  query ShapesHistory($id: ID!) {
    model(id: $id) {
      history(first: 100) {
        edges {
          node {
            ...EventShape
          }
        }
      }
    }
  }
`);

const ShapesFeed = graphql(`
  subscription ShapesFeed($after: String) {
    modelEvents(after: $after) {
      ...EventShape
    }
  }
`);

const ShapesMe = graphql(`
  query ShapesMe {
    me {
      principal {
        name
      }
      context {
        id
      }
    }
  }
`);

const ShapesCreateModel = graphql(`
  mutation ShapesCreateModel($input: CreateModelInput!) {
    createModel(input: $input) {
      __typename
      ... on CreateModelSuccess {
        model {
          id
        }
      }
    }
  }
`);

const ShapesUpdateModel = graphql(`
  mutation ShapesUpdateModel($input: UpdateModelInput!) {
    updateModel(input: $input) {
      __typename
    }
  }
`);

const ShapesDeleteModel = graphql(`
  mutation ShapesDeleteModel($id: ID!) {
    deleteModel(id: $id) {
      __typename
    }
  }
`);

const ShapesCreateVersion = graphql(`
  mutation ShapesCreateVersion($input: CreateVersionInput!) {
    createVersion(input: $input) {
      __typename
    }
  }
`);

const ShapesUpdateVersion = graphql(`
  mutation ShapesUpdateVersion($input: UpdateVersionInput!) {
    updateVersion(input: $input) {
      __typename
    }
  }
`);

const ShapesPublishVersion = graphql(`
  mutation ShapesPublishVersion($modelId: ID!, $number: Int!) {
    publishVersion(modelId: $modelId, number: $number) {
      __typename
    }
  }
`);

const ShapesDeleteVersion = graphql(`
  mutation ShapesDeleteVersion($modelId: ID!, $number: Int!) {
    deleteVersion(modelId: $modelId, number: $number) {
      __typename
    }
  }
`);

const ShapesDeleteFormat = graphql(`
  mutation ShapesDeleteFormat($modelId: ID!, $number: Int!, $format: String!) {
    deleteFormat(modelId: $modelId, number: $number, format: $format) {
      __typename
    }
  }
`);

const ShapesRecordEvaluation = graphql(`
  mutation ShapesRecordEvaluation($input: RecordEvaluationInput!) {
    recordEvaluation(input: $input) {
      __typename
      ... on RecordEvaluationSuccess {
        evaluation {
          id
        }
      }
    }
  }
`);

const ShapesSetAlias = graphql(`
  mutation ShapesSetAlias($input: SetAliasInput!) {
    setAlias(input: $input) {
      __typename
    }
  }
`);

const ShapesRemoveAlias = graphql(`
  mutation ShapesRemoveAlias($modelId: ID!, $alias: String!) {
    removeAlias(modelId: $modelId, alias: $alias) {
      __typename
    }
  }
`);

const UPLOAD = 'mutation ($input: UploadFormatInput!) { uploadFormat(input: $input) { __typename } }';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');

let api: TestApi;
let server: Awaited<ReturnType<typeof listen>>;
beforeAll(async () => {
  api = await openTestApi();
  server = await listen(api.app);
});
afterAll(async () => {
  await server?.close();
  await api?.close();
});

/** Runs a mutation with its own request id and checks that it succeeded (its result's __typename). */
async function act<R, V extends Record<string, unknown>>(requestId: string, document: TypedDocumentNode<R, V>, variables: V, success: string): Promise<R> {
  const result = await api.run(document, variables, { 'x-request-id': requestId });
  expect(result.errors).toBeUndefined();
  expect(Object.values(result.data as Record<string, { __typename: string }>)[0]!.__typename).toBe(success);
  return result.data!;
}

async function upload(requestId: string, modelId: string, number: number, format: string, data: Uint8Array<ArrayBuffer>, name: string, type: string) {
  const { status, body } = await postMultipart(`${server.url}/graphql`, UPLOAD, { input: { modelId, number, format, file: null } }, [{ path: 'variables.input.file', data, name, type }], {
    ...adminHeaders,
    'x-request-id': requestId,
  });
  expect([status, body]).toEqual([200, { data: { uploadFormat: { __typename: 'UploadFormatSuccess' } } }]);
}

/** A context-wide subscription from the beginning of the log: it replays what is there, then goes on live. */
async function subscribeFromTheStart() {
  const abort = new AbortController();
  const response = await api.app.yoga.fetch('http://cairn.test/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...adminHeaders },
    body: JSON.stringify({ query: print(ShapesFeed), variables: { after: '0' } }),
    signal: abort.signal,
  });
  expect(response.headers.get('content-type')).toMatch(/text\/event-stream/);
  const reader = sseReader(response.body!);
  return {
    async next() {
      const message = await reader.next();
      expect(message.errors).toBeUndefined();
      return message.data.modelEvents;
    },
    close() {
      void reader.cancel();
      abort.abort();
    },
  };
}

it('gives each event type its typed fields, the same in history and in the subscription, with `data` in its old shape', async () => {
  const { me } = await api.ok(ShapesMe);
  const contextId = me.context.id;
  const actor = me.principal.name;
  const startedAt = Date.now();

  // A ModelCreated as Cairn wrote it before the envelope: at schema version 1, its model and context in the payload.
  const oldModelId = '0c2b1a4e-5d6f-4a7b-8c9d-0e1f2a3b4c5d';
  const oldPayload = { modelId: oldModelId, contextId, name: 'written-at-v1', description: null, tags: ['old'] };
  await sql`insert into events (stream_id, stream_type, context_id, stream_version, type, schema_version, data, metadata)
    values (${oldModelId}, 'model', ${contextId}, 1, 'ModelCreated', 1, ${JSON.stringify(oldPayload)}::jsonb, ${JSON.stringify({ actor: 'old-cairn', requestId: 'old-1' })}::jsonb)`.execute(api.t.db);

  const feed = await subscribeFromTheStart();
  try {
    const first = await feed.next();
    expect(first).toEqual({
      __typename: 'ModelCreatedEvent',
      id: expect.stringMatching(UUID),
      schemaVersion: 2,
      position: expect.stringMatching(/^[1-9][0-9]*$/),
      type: 'ModelCreated',
      recordedAt: expect.any(String),
      actor: 'old-cairn',
      requestId: 'old-1',
      modelId: oldModelId,
      data: oldPayload,
      name: 'written-at-v1',
      description: null,
      tags: ['old'],
      contextId,
    });

    const created = await act('shape-1', ShapesCreateModel, { input: { name: 'shapes', description: 'first', tags: ['a', 'b'] } }, 'CreateModelSuccess');
    if (created.createModel.__typename !== 'CreateModelSuccess') throw new Error('unreachable');
    const id = created.createModel.model.id;
    await act('shape-2', ShapesUpdateModel, { input: { id, description: null } }, 'UpdateModelSuccess');
    await act('shape-3', ShapesUpdateModel, { input: { id, name: 'renamed', tags: ['c'] } }, 'UpdateModelSuccess');
    const settings = { description: 'v1', tags: ['t'], hyperparameters: { lr: 0.1, layers: [64, 32] }, config: { threshold: 0.5 }, records: [{ uri: 's3://d/train.csv', name: 'train' }] };
    await act('shape-4', ShapesCreateVersion, { input: { modelId: id, ...settings } }, 'CreateVersionSuccess');
    await act('shape-5', ShapesUpdateVersion, { input: { modelId: id, number: 1, description: null, hyperparameters: { lr: 0.2 }, records: [{ uri: 'dataset:42' }] } }, 'UpdateVersionSuccess');
    const pickle = new TextEncoder().encode('first pickle');
    const again = new TextEncoder().encode('the pickle, retrained');
    await upload('shape-6', id, 1, 'pkl', pickle, 'model.pkl', 'application/octet-stream');
    await upload('shape-7', id, 1, 'pkl', again, 'retrained.pkl', 'application/x-python-pickle');
    await act('shape-8', ShapesDeleteFormat, { modelId: id, number: 1, format: 'pkl' }, 'DeleteFormatSuccess');
    await act('shape-9', ShapesPublishVersion, { modelId: id, number: 1 }, 'PublishVersionSuccess');
    await act('shape-10', ShapesCreateVersion, { input: { modelId: id } }, 'CreateVersionSuccess');
    await act('shape-11', ShapesDeleteVersion, { modelId: id, number: 2 }, 'DeleteVersionSuccess');
    const evaluation = { dataset: { uri: 's3://d/holdout.csv', name: 'holdout' }, metrics: { auc: 0.91, f1: 0.8 }, notes: 'first look' };
    const evaluated = await act('shape-12', ShapesRecordEvaluation, { input: { modelId: id, number: 1, ...evaluation } }, 'RecordEvaluationSuccess');
    if (evaluated.recordEvaluation.__typename !== 'RecordEvaluationSuccess') throw new Error('unreachable');
    const evaluationId = evaluated.recordEvaluation.evaluation.id;
    await act('shape-13', ShapesSetAlias, { input: { modelId: id, alias: 'production', number: 1 } }, 'SetAliasSuccess');
    await act('shape-14', ShapesRemoveAlias, { modelId: id, alias: 'production' }, 'RemoveAliasSuccess');
    // A deleted model has no history to query: its ModelDeleted is seen in the subscription only.
    const doomed = await act('shape-15', ShapesCreateModel, { input: { name: 'doomed' } }, 'CreateModelSuccess');
    if (doomed.createModel.__typename !== 'CreateModelSuccess') throw new Error('unreachable');
    const doomedId = doomed.createModel.model.id;
    await act('shape-16', ShapesDeleteModel, { id: doomedId }, 'DeleteModelSuccess');
    const finishedAt = Date.now();

    const file = (data: Uint8Array, filename: string, contentType: string, replaced: boolean) => ({
      number: 1,
      format: 'pkl',
      sha256: sha256(data),
      size: data.byteLength,
      filename,
      contentType,
      replaced,
    });
    const first1 = file(pickle, 'model.pkl', 'application/octet-stream', false);
    const second1 = file(again, 'retrained.pkl', 'application/x-python-pickle', true);
    const noSettings = { description: null, tags: [], hyperparameters: {}, config: {}, records: [] };
    // What each event carries besides the envelope: its typed fields, and `data` as clients read it before.
    const expected = [
      [id, 'ModelCreated', { name: 'shapes', description: 'first', tags: ['a', 'b'], contextId }, { modelId: id, contextId, name: 'shapes', description: 'first', tags: ['a', 'b'] }],
      [id, 'ModelUpdated', { changed: ['description'], changes: { name: null, description: null, tags: null } }, { description: null }],
      [id, 'ModelUpdated', { changed: ['name', 'tags'], changes: { name: 'renamed', description: null, tags: ['c'] } }, { name: 'renamed', tags: ['c'] }],
      [id, 'VersionCreated', { number: 1, ...settings }, { number: 1, ...settings }],
      [
        id,
        'VersionUpdated',
        {
          number: 1,
          changed: ['description', 'hyperparameters', 'records'],
          changes: { description: null, tags: null, hyperparameters: { lr: 0.2 }, config: null, records: [{ uri: 'dataset:42', name: null }] },
        },
        { number: 1, description: null, hyperparameters: { lr: 0.2 }, records: [{ uri: 'dataset:42', name: null }] },
      ],
      [id, 'FormatUploaded', first1, first1],
      [id, 'FormatUploaded', second1, second1],
      [id, 'FormatDeleted', { number: 1, format: 'pkl' }, { number: 1, format: 'pkl' }],
      [id, 'VersionPublished', { number: 1 }, { number: 1 }],
      [id, 'VersionCreated', { number: 2, ...noSettings }, { number: 2, ...noSettings }],
      [id, 'VersionDeleted', { number: 2 }, { number: 2 }],
      [id, 'EvaluationRecorded', { number: 1, evaluationId, ...evaluation }, { number: 1, evaluationId, ...evaluation }],
      [id, 'AliasSet', { alias: 'production', number: 1, previousNumber: null }, { alias: 'production', number: 1, previousNumber: null }],
      [id, 'AliasRemoved', { alias: 'production', number: 1 }, { alias: 'production', number: 1 }],
      [doomedId, 'ModelCreated', { name: 'doomed', description: null, tags: [], contextId }, { modelId: doomedId, contextId, name: 'doomed', description: null, tags: [] }],
      [doomedId, 'ModelDeleted', {}, {}],
    ] as const;
    const shapes = expected.map(([modelId, type, fields, data], i) => ({
      __typename: `${type}Event`,
      id: expect.stringMatching(UUID),
      schemaVersion: type === 'ModelCreated' ? 2 : 1,
      position: expect.stringMatching(/^[1-9][0-9]*$/),
      type,
      recordedAt: expect.any(String),
      actor,
      // Each request above appended one event, in this order.
      requestId: `shape-${i + 1}`,
      modelId,
      data,
      ...fields,
    }));

    const streamed = [];
    for (const _ of expected) streamed.push(await feed.next());
    expect(streamed).toEqual(shapes);
    expect(new Set(streamed.map((e) => e.type))).toEqual(new Set(MODEL_EVENT_TYPES));

    const all = [first, ...streamed];
    expect(new Set(all.map((e) => e.id)).size).toBe(all.length);
    const positions = all.map((e) => BigInt(e.position));
    expect(positions).toEqual([...positions].sort((a, b) => (a < b ? -1 : 1)));
    expect(new Set(positions).size).toBe(positions.length);
    for (const e of streamed) {
      const at = Date.parse(e.recordedAt);
      expect(at).toBeGreaterThanOrEqual(startedAt);
      expect(at).toBeLessThanOrEqual(finishedAt);
    }

    // History: the same events of the model that lives, field for field, ids included.
    const history = (await api.ok(ShapesHistory, { id })).model!.history.edges.map((e) => e.node);
    expect(history).toEqual(streamed.filter((e) => e.modelId === id));
    expect(history).toEqual(shapes.slice(0, 14));
  } finally {
    feed.close();
  }
});
