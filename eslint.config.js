import js from '@eslint/js';
import importX, { createNodeResolver } from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';

const FOCUSED_TESTS = {
  selector: "CallExpression[callee.object.name=/^(it|test|describe)$/][callee.property.name=/^(only|skip|todo)$/]",
  message: 'No focused or skipped tests land.',
};

// The layering of src/ (README: "How it is built"). Only src/store runs SQL: elsewhere neither Kysely's
// values (sql, Kysely, the dialects) nor a database driver is imported, and no query is started on a Db a
// function was handed (the calls below); Kysely's types (Transaction, Kysely as a type) are fine anywhere.
const QUERY_CALLS = ['selectFrom', 'selectNoFrom', 'insertInto', 'replaceInto', 'updateTable', 'deleteFrom', 'mergeInto', 'transaction'];
const QUERIES_OUTSIDE_STORE = {
  selector: `CallExpression[callee.property.name=/^(${QUERY_CALLS.join('|')})$/]`,
  message: 'Only src/store runs SQL: add a store function and call it.',
};
const DATABASE_PACKAGES = ['kysely', 'pg', '@electric-sql/pglite'].map((name) => ({
  name,
  allowTypeImports: true,
  message: 'Only src/store talks to the database: add a store function and call it.',
}));

/** What each layer must not import, by directory (or file) of src/. The domain is apart: nothing outside it. */
const MAY_NOT_IMPORT = {
  store: ['files', 'auth', 'webhooks', 'archive', 'graphql', 'http', 'ops', 'app.ts', 'main.ts'],
  files: ['auth', 'webhooks', 'archive', 'graphql', 'http', 'ops', 'app.ts', 'main.ts'],
  auth: ['files', 'webhooks', 'archive', 'graphql', 'http', 'ops', 'app.ts', 'main.ts'],
  webhooks: ['files', 'auth', 'archive', 'graphql', 'http', 'ops', 'app.ts', 'main.ts'],
  // Export and import: the log and the blobs, nothing of a request's.
  archive: ['auth', 'webhooks', 'graphql', 'http', 'ops', 'app.ts', 'main.ts'],
  graphql: ['archive', 'http', 'ops', 'app.ts', 'main.ts'],
  http: ['ops', 'app.ts', 'main.ts'],
};

const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
// no-restricted-imports matches the specifier as written, so a file `depth` directories below src/ reaches
// src/<name> as ../ repeated depth times; the globs below go four directories down.
const DEPTHS = [1, 2, 3, 4];
const fileGlob = (dir, depth) => `src/${dir}/${'*/'.repeat(depth - 1)}*.ts`;
const up = (depth) => `^(\\.\\./){${depth}}`;

function layerImports(layer, depth, { database }) {
  const patterns =
    layer === 'domain'
      ? [{ regex: `^(?!\\.\\.?/)|${up(depth)}`, caseSensitive: true, message: 'The domain imports nothing outside src/domain: no package, no other layer. Pass what it needs in.' }]
      : MAY_NOT_IMPORT[layer].map((target) => ({
          regex: `${up(depth)}${escape(target)}${target.endsWith('.ts') ? '$' : '(/|$)'}`,
          caseSensitive: true,
          message: `src/${layer} must not import src/${target} (the layering: README, "How it is built").`,
        }));
  return ['error', { paths: database ? [] : DATABASE_PACKAGES, patterns }];
}

function layering() {
  // Every file of src/ but the store's (the layers' blocks below repeat this, as a later block's options replace it).
  const blocks = [
    {
      files: ['src/**/*.ts'],
      ignores: ['src/store/**'],
      rules: {
        'no-restricted-imports': ['error', { paths: DATABASE_PACKAGES }],
        'no-restricted-syntax': ['error', FOCUSED_TESTS, QUERIES_OUTSIDE_STORE],
      },
    },
  ];
  for (const layer of ['domain', ...Object.keys(MAY_NOT_IMPORT)]) {
    for (const depth of DEPTHS) {
      blocks.push({
        files: [fileGlob(layer, depth)],
        rules: {
          'no-restricted-imports': layerImports(layer, depth, { database: layer === 'store' }),
          'no-restricted-syntax': ['error', FOCUSED_TESTS, ...(layer === 'store' ? [] : [QUERIES_OUTSIDE_STORE])],
        },
      });
    }
  }
  // No import cycles in src/ (type-only imports aside: they vanish at run time).
  blocks.push({
    files: ['src/**/*.ts'],
    plugins: { 'import-x': importX },
    settings: {
      'import-x/extensions': ['.ts', '.js'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
      'import-x/resolver-next': [createNodeResolver()],
    },
    rules: { 'import-x/no-cycle': ['error', { ignoreExternal: true }] },
  });
  return blocks;
}

export default tseslint.config(
  { ignores: ['node_modules/', 'data/', 'dist/', 'coverage/', 'test/artifacts/', 'src/client/generated/', 'test/generated/', 'web/dist/', 'web/graphiql/dist/', 'web/src/generated/', 'clients/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  // Plain JavaScript entry points run on Node.
  { files: ['**/*.js'], languageOptions: { globals: { process: 'readonly', console: 'readonly' } } },
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
      'no-restricted-syntax': ['error', FOCUSED_TESTS],
    },
  },
  ...layering(),
);
