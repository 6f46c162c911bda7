import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

// graphql 16 ships CommonJS and ESM builds. Node (and so Yoga) loads the CommonJS one; vite would hand
// our code the ESM one, and a GraphQLError from one is not an instance of the other's, so Yoga would mask it.
const graphqlCommonJs = createRequire(import.meta.url).resolve('graphql');

// The store and API suites are written once and run as one project per database:
// PGlite always, PostgreSQL when TEST_DATABASE_URL is set (CI always sets it).
// The stock GraphQL clients (urql, Apollo, graphql-sse) run against both databases as well, and so does the CLI.
const databaseSuites = ['test/store/**/*.test.ts', 'test/api/**/*.test.ts', 'test/files/**/*.test.ts', 'test/security/**/*.test.ts', 'test/ops/**/*.test.ts', 'test/clients/stockClients.test.ts', 'test/cli/**/*.test.ts'];

// test/embedded/ holds what only the embedded database has (the data-directory lock); test/postgres/ what
// only a server can show (concurrent connections, several processes); test/clients/ runs the TypeScript,
// command-line and Python clients against a real server on the embedded database.
const databaseProject = (name: 'pglite' | 'postgres') => ({
  extends: true as const,
  test: {
    name,
    include: [...databaseSuites, ...(name === 'pglite' ? ['test/embedded/**/*.test.ts', 'test/clients/**/*.test.ts', 'test/e2e/**/*.test.ts'] : ['test/postgres/**/*.test.ts'])],
    env: { CAIRN_TEST_DB: name },
    globalSetup: name === 'pglite' ? ['test/helpers/globalSetup.ts'] : [],
  },
});

// Said once, so that a green run on the embedded database alone is not taken for the whole suite.
// (vitest loads this file once per project: the variable keeps the later loads quiet.)
if (!process.env.TEST_DATABASE_URL && !process.env.CAIRN_POSTGRES_NOT_RUN_SAID) {
  process.env.CAIRN_POSTGRES_NOT_RUN_SAID = '1';
  console.log('PostgreSQL suites not run: set TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test (a server where that user may create databases) to run them');
}

export default defineConfig({
  resolve: { alias: [{ find: /^graphql$/, replacement: graphqlCommonJs }] },
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/domain/**/*.test.ts', 'test/unit/**/*.test.ts', 'test/blobs/**/*.test.ts'] } },
      databaseProject('pglite'),
      ...(process.env.TEST_DATABASE_URL ? [databaseProject('postgres')] : []),
    ],
  },
});
