// The ceilings for npm run bench: a bare Yoga server (no auth, no Pothos, no decider) that takes the
// benchmark's requests in the shapes Cairn's schema gives them, so that the same client text runs unchanged
// against both.
// - Reads: the benchmark's query shape answered from memory (50 models, 10 versions each, one format per
//   version): no database.
// - Writes, when BENCH_BARE_DATA_DIR is set: `createVersion` with Cairn's input runs ONE autocommitted
//   INSERT of the event row Cairn would append for it (the same columns, the same jsonb payload and
//   metadata) into `bench_bare_events`, a table made LIKE `events` (its defaults, checks and indexes; not its
//   triggers). The database is opened as Cairn opens its own (openStore, with DATABASE_URL and
//   DATABASE_POOL_SIZE): on PostgreSQL a `pg` pool of the same size; on the embedded database a PGlite of
//   its own in BENCH_BARE_DATA_DIR (one connection, Cairn's settings), as Cairn's directory is locked by Cairn.
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { createSchema, createYoga } from 'graphql-yoga';
import { JSONResolver } from 'graphql-scalars';
import { sql } from 'kysely';
import { openStore, type Store } from '../src/store/open.ts';

const models = Array.from({ length: 50 }, (_, m) => ({
  id: randomUUID(),
  name: `model-${m}`,
  versions: Array.from({ length: 10 }, (_, v) => ({
    number: v + 1,
    status: 'DRAFT',
    formats: [{ id: 'pkl', size: 1000 + v, sha256: 'a'.repeat(64) }],
  })),
}));
const connection = <T>(nodes: T[]) => ({ edges: nodes.map((node) => ({ node })) });

const dataDir = process.env.BENCH_BARE_DATA_DIR;
let store: Store | undefined;
if (dataDir) {
  store = await openStore({ databaseUrl: process.env.DATABASE_URL || undefined, databasePoolSize: Number(process.env.DATABASE_POOL_SIZE ?? 10), dataDir });
  await sql`create table if not exists bench_bare_events (like events including all)`.execute(store.db);
}

// The envelope Cairn writes for a command of the bench's admin: a context, an actor, the request's and caller's ids.
const contextId = randomUUID();
const principalId = randomUUID();
const tokenId = randomUUID();
// A stream version of this process's own for each row: the table keeps events' unique (stream_id, stream_version).
let streamVersion = 0;

interface CreateVersionInput {
  modelId: string;
  description?: string | null;
  tags?: string[] | null;
  hyperparameters?: Record<string, unknown> | null;
  config?: Record<string, unknown> | null;
  records?: { uri: string; name?: string | null }[] | null;
}

async function createVersion({ input }: { input: CreateVersionInput }) {
  if (!store) throw new Error('No database: start with BENCH_BARE_DATA_DIR');
  const number = ++streamVersion;
  const data = {
    number,
    description: input.description ?? null,
    tags: input.tags ?? [],
    hyperparameters: input.hyperparameters ?? {},
    config: input.config ?? {},
    records: (input.records ?? []).map((r) => ({ uri: r.uri, name: r.name ?? null })),
  };
  const metadata = { actor: 'bench-admin', requestId: randomUUID(), principalId, tokenId };
  await sql`insert into bench_bare_events (stream_id, stream_type, context_id, stream_version, type, schema_version, data, private_data, metadata, recorded_at)
    values (${input.modelId}::uuid, 'model', ${contextId}::uuid, ${number}, 'VersionCreated', 1, ${JSON.stringify(data)}::jsonb, null, ${JSON.stringify(metadata)}::jsonb, clock_timestamp())`.execute(store.db);
  return { version: { number } };
}

const yoga = createYoga({
  logging: false,
  maskedErrors: true,
  schema: createSchema({
    typeDefs: /* GraphQL */ `
      scalar JSON
      type Format { id: String! size: Float! sha256: String! }
      type Version { number: Int! status: String! formats: [Format!]! }
      type VersionEdge { node: Version! }
      type VersionConnection { edges: [VersionEdge!]! }
      type Model { id: ID! name: String! versions(first: Int): VersionConnection! }
      type ModelEdge { node: Model! }
      type ModelConnection { edges: [ModelEdge!]! }
      type Query { models(first: Int): ModelConnection! }
      input DatasetRecordInput { name: String uri: String! }
      input CreateVersionInput { modelId: ID! description: String tags: [String!] hyperparameters: JSON config: JSON records: [DatasetRecordInput!] }
      type CreateVersionSuccess { version: Version! }
      union CreateVersionResult = CreateVersionSuccess
      type Mutation { createVersion(input: CreateVersionInput!): CreateVersionResult! }
    `,
    resolvers: {
      JSON: JSONResolver,
      Query: { models: (_: unknown, { first }: { first: number }) => connection(models.slice(0, first)) },
      Model: { versions: (m: (typeof models)[number], { first }: { first: number }) => connection(m.versions.slice(0, first)) },
      Mutation: { createVersion: (_: unknown, args: { input: CreateVersionInput }) => createVersion(args) },
      CreateVersionResult: { __resolveType: () => 'CreateVersionSuccess' },
    },
  }),
});

const server = http.createServer(yoga);
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  const address = server.address();
  console.log(JSON.stringify({ port: typeof address === 'object' && address ? address.port : 0 }));
});
process.once('SIGTERM', () => server.close(() => void (store?.close() ?? Promise.resolve()).finally(() => process.exit(0))));
