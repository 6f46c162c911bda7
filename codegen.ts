import type { CodegenConfig } from '@graphql-codegen/cli';

// Typed documents from the committed schema: `graphql(...)` calls in the listed files get exact result and
// variable types. Run `npm run codegen` after changing an operation or the schema.
const config: CodegenConfig = {
  schema: 'schema/schema.graphql',
  ignoreNoDocuments: true,
  generates: {
    'web/src/generated/': {
      documents: ['web/src/**/*.tsx', '!web/src/generated/**'],
      preset: 'client',
      config: {
        importExtension: '.ts',
        useTypeImports: true,
        scalars: { DateTime: 'string', JSON: 'unknown', Upload: 'null' },
        enumsAsTypes: true,
      },
      presetConfig: { fragmentMasking: false },
    },
    'src/client/generated/': {
      documents: ['src/client/**/*.ts', '!src/client/generated/**'],
      preset: 'client',
      config: {
        importExtension: '.ts',
        useTypeImports: true,
        scalars: { DateTime: 'string', JSON: 'unknown', Upload: 'null' },
        enumsAsTypes: true,
      },
      presetConfig: { fragmentMasking: false },
    },
    'test/generated/': {
      documents: ['test/**/*.ts', '!test/generated/**'],
      preset: 'client',
      config: {
        importExtension: '.ts',
        useTypeImports: true,
        scalars: { DateTime: 'string', JSON: 'unknown', Upload: 'null' },
        enumsAsTypes: true,
      },
      presetConfig: { fragmentMasking: false },
    },
  },
};

export default config;
