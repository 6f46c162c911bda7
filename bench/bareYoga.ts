// The read ceiling for npm run bench: a bare Yoga server answering the benchmark's query shape from
// memory (50 models, 10 versions each, one format per version): no database, no auth, no Pothos.
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { createSchema, createYoga } from 'graphql-yoga';

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

const yoga = createYoga({
  logging: false,
  maskedErrors: true,
  schema: createSchema({
    typeDefs: /* GraphQL */ `
      type Format { id: String! size: Float! sha256: String! }
      type Version { number: Int! status: String! formats: [Format!]! }
      type VersionEdge { node: Version! }
      type VersionConnection { edges: [VersionEdge!]! }
      type Model { id: ID! name: String! versions(first: Int): VersionConnection! }
      type ModelEdge { node: Model! }
      type ModelConnection { edges: [ModelEdge!]! }
      type Query { models(first: Int): ModelConnection! }
    `,
    resolvers: {
      Query: { models: (_: unknown, { first }: { first: number }) => connection(models.slice(0, first)) },
      Model: { versions: (m: (typeof models)[number], { first }: { first: number }) => connection(m.versions.slice(0, first)) },
    },
  }),
});

const server = http.createServer(yoga);
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  const address = server.address();
  console.log(JSON.stringify({ port: typeof address === 'object' && address ? address.port : 0 }));
});
process.once('SIGTERM', () => server.close(() => process.exit(0)));
