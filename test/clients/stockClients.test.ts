// The GraphQL clients people already use, with their defaults and only a bearer token: urql (queries as
// GET), Apollo Client with apollo-upload-client (multipart uploads; error types read through the committed
// possibleTypes), and graphql-sse (subscriptions over server-sent events). Run on both databases.
import { createHash, randomBytes } from 'node:crypto';
import { ApolloClient, InMemoryCache } from '@apollo/client';
import type { ResultOf } from '@graphql-typed-document-node/core';
import UploadHttpLink from 'apollo-upload-client/UploadHttpLink.mjs';
import { print } from 'graphql';
import { createClient as createSseClient } from 'graphql-sse';
import { Client as UrqlClient, cacheExchange, fetchExchange } from 'urql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import generated from '../../schema/possibleTypes.json' with { type: 'json' };
import { graphql } from '../generated/index.ts';
import { ADMIN_TOKEN, listen, openTestApi, type TestApi } from '../helpers/api.ts';

let api: TestApi;
let server: Awaited<ReturnType<typeof listen>>;
let graphqlUrl: string;
const headers = { authorization: `Bearer ${ADMIN_TOKEN}` };

beforeAll(async () => {
  api = await openTestApi();
  server = await listen(api.app);
  graphqlUrl = `${server.url}/graphql`;
});
afterAll(async () => {
  await server?.close();
  await api?.close();
});

const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');

/** The requests a client sent, seen at its fetch: method and header names, to show what went over the wire. */
function watchedFetch() {
  const sent: { method: string; headers: string[] }[] = [];
  const fetchFn: typeof fetch = (input, init) => {
    sent.push({ method: init?.method ?? 'GET', headers: [...new Headers(init?.headers).keys()] });
    return fetch(input, init);
  };
  return { sent, fetch: fetchFn };
}

const ModelsPage = graphql(`
  query StockModelsPage {
    models(first: 5) {
      edges {
        node {
          id
          name
        }
      }
    }
  }
`);

const StockCreateModel = graphql(`
  mutation StockCreateModel($input: CreateModelInput!) {
    createModel(input: $input) {
      __typename
      ... on CreateModelSuccess {
        model {
          id
          name
        }
      }
      ... on Error {
        code
        message
      }
      ... on NameTakenError {
        name
      }
    }
  }
`);

const StockCreateVersion = graphql(`
  mutation StockCreateVersion($input: CreateVersionInput!) {
    createVersion(input: $input) {
      __typename
      ... on CreateVersionSuccess {
        version {
          number
          formats {
            id
            sha256
            size
            downloadUrl
          }
        }
      }
      ... on Error {
        code
        message
      }
      ... on ChecksumMismatchError {
        expected
        actual
      }
    }
  }
`);

const StockModelEvents = graphql(`
  subscription StockModelEvents($modelId: ID, $after: String) {
    modelEvents(modelId: $modelId, after: $after) {
      type
      modelId
      position
      ... on VersionCreatedEvent {
        number
      }
    }
  }
`);

const StockHistory = graphql(`
  query StockHistory($id: ID!) {
    model(id: $id) {
      history(first: 100) {
        edges {
          node {
            position
          }
        }
      }
    }
  }
`);

// A fragment on the ModelEvent interface: Apollo's cache matches it to each event's concrete type only
// through possibleTypes.
graphql(`
  fragment StockEvent on ModelEvent {
    id
    type
  }
`);

const StockTypedHistory = graphql(`
  query StockTypedHistory($id: ID!) {
    model(id: $id) {
      id
      history(first: 100) {
        edges {
          node {
            ...StockEvent
            ... on VersionCreatedEvent {
              number
            }
            ... on FormatUploadedEvent {
              number
              format
              sha256
              size
            }
          }
        }
      }
    }
  }
`);

async function createModel(name: string): Promise<string> {
  const r = (await api.ok(StockCreateModel, { input: { name } })).createModel;
  if (r.__typename !== 'CreateModelSuccess') throw new Error(JSON.stringify(r));
  return r.model.id;
}

describe('urql, with its defaults', () => {
  it('sends a query as GET and a mutation as POST, with only the bearer token, and gets both answered', async () => {
    const wire = watchedFetch();
    const client = new UrqlClient({ url: graphqlUrl, exchanges: [cacheExchange, fetchExchange], fetch: wire.fetch, fetchOptions: { headers } });
    const created = await client.mutation(StockCreateModel, { input: { name: 'urql-model' } }).toPromise();
    expect(created.error).toBeUndefined();
    expect(created.data?.createModel).toMatchObject({ __typename: 'CreateModelSuccess', model: { name: 'urql-model' } });
    const page = await client.query(ModelsPage, {}).toPromise();
    expect(page.error).toBeUndefined();
    expect(page.data?.models.edges.map((e) => e.node.name)).toContain('urql-model');
    expect(wire.sent.map((r) => r.method)).toEqual(['POST', 'GET']);
    for (const r of wire.sent) {
      expect(r.headers).toContain('authorization');
      expect(r.headers.filter((h) => h.includes('csrf') || h.includes('preflight'))).toEqual([]);
    }
  });
});

describe('Apollo Client with apollo-upload-client', () => {
  const apollo = (possibleTypes?: Record<string, string[]>) => {
    const wire = watchedFetch();
    const client = new ApolloClient({ link: new UploadHttpLink({ uri: graphqlUrl, headers, fetch: wire.fetch }), cache: new InMemoryCache({ possibleTypes }) });
    return { client, wire };
  };

  it('creates a version with its file in one multipart request, and reads an error type and the typed events through possibleTypes', async () => {
    const modelId = await createModel('apollo-model');
    const { client, wire } = apollo(generated.possibleTypes);
    const data = new Uint8Array(randomBytes(64 * 1024 + 3));
    const file = new File([data], 'model.pkl');
    const created = await client.mutate({ mutation: StockCreateVersion, variables: { input: { modelId, formats: [{ format: 'pkl', file: file as never, sha256: sha256(data) }] } } });
    const result = created.data?.createVersion;
    if (result?.__typename !== 'CreateVersionSuccess') throw new Error(JSON.stringify(created));
    expect(result.version).toMatchObject({ number: 1, formats: [{ id: 'pkl', sha256: sha256(data), size: data.length }] });
    const download = await fetch(`${server.url}${result.version.formats[0]!.downloadUrl}`, { headers });
    expect(new Uint8Array(await download.arrayBuffer())).toEqual(data);
    expect(wire.sent[0]!.method).toBe('POST');

    // A wrong checksum is a typed result, ChecksumMismatchError: its Error fields and its own arrive.
    const wrong = await client.mutate({ mutation: StockCreateVersion, variables: { input: { modelId, formats: [{ format: 'pkl', file: file as never, sha256: '0'.repeat(64) }] } } });
    expect(wrong.data?.createVersion).toEqual({
      __typename: 'ChecksumMismatchError',
      code: 'CHECKSUM_MISMATCH',
      message: expect.stringMatching(/\w/),
      expected: '0'.repeat(64),
      actual: sha256(data),
    });
    const taken = await client.mutate({ mutation: StockCreateModel, variables: { input: { name: 'APOLLO-MODEL' } } });
    expect(taken.data?.createModel).toMatchObject({ __typename: 'NameTakenError', code: 'NAME_TAKEN', message: expect.stringMatching(/\w/), name: 'APOLLO-MODEL' });

    // The model's events, each with its own type's fields; the refused version left none.
    const history = await client.query({ query: StockTypedHistory, variables: { id: modelId } });
    const event = (e: Record<string, unknown>) => ({ __typename: `${e.type}Event`, id: expect.stringMatching(/^[0-9a-f-]{36}$/), ...e });
    expect(history.data?.model?.history.edges.map((e) => e.node)).toEqual([
      event({ type: 'ModelCreated' }),
      event({ type: 'VersionCreated', number: 1 }),
      event({ type: 'FormatUploaded', number: 1, format: 'pkl', sha256: sha256(data), size: data.length }),
    ]);
    for (const r of wire.sent) expect(r.headers.filter((h) => h.includes('csrf') || h.includes('preflight'))).toEqual([]);
  });

  it('without possibleTypes drops the fields an error type has through the Error interface (why the file is there)', async () => {
    await createModel('apollo-bare');
    const { client } = apollo();
    const taken = await client.mutate({ mutation: StockCreateModel, variables: { input: { name: 'apollo-bare' } } });
    const result = taken.data?.createModel as Record<string, unknown> | undefined;
    expect(result).toMatchObject({ __typename: 'NameTakenError', name: 'apollo-bare' });
    expect(result?.code).toBeUndefined();
  });
});

describe('graphql-sse', () => {
  it("streams a model's event appended after the subscription is open", async () => {
    const modelId = await createModel('sse-model');
    const history = await api.ok(StockHistory, { id: modelId });
    const after = history.model!.history.edges.at(-1)!.node.position;
    const wire = watchedFetch();
    const client = createSseClient({ url: graphqlUrl, headers, fetchFn: wire.fetch, retryAttempts: 0 });
    let opened!: () => void;
    const connected = new Promise<void>((resolve) => (opened = resolve));
    // From the last event before subscribing: an event appended once the stream is open is the next one,
    // however the server orders registering the stream and answering its head.
    const events = client.iterate<ResultOf<typeof StockModelEvents>>({ query: print(StockModelEvents), variables: { modelId, after } }, { connected: () => opened() });
    try {
      const first = events.next();
      await connected;
      expect((await api.ok(StockCreateVersion, { input: { modelId } })).createVersion.__typename).toBe('CreateVersionSuccess');
      const { value } = await first;
      expect(value?.errors).toBeUndefined();
      expect(value?.data?.modelEvents).toEqual({ type: 'VersionCreated', modelId, position: expect.any(String), number: 1 });
      expect(BigInt(value!.data!.modelEvents.position)).toBeGreaterThan(BigInt(after));
    } finally {
      await events.return?.();
      client.dispose();
    }
    expect(wire.sent[0]).toMatchObject({ method: 'POST' });
    expect(wire.sent[0]!.headers).toContain('authorization');
    expect(wire.sent[0]!.headers.filter((h) => h.includes('csrf'))).toEqual([]);
  });
});
