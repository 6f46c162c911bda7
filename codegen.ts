import type { CodegenConfig } from '@graphql-codegen/cli';

// Typed documents from the committed schema: `graphql(...)` calls in each consumer's files get exact result
// and variable types. Run `npm run codegen` after changing an operation or the schema.
const typedDocuments = (documents: string, generated: string) => ({
  documents: [documents, `!${generated}**`],
  preset: 'client' as const,
  config: {
    importExtension: '.ts',
    useTypeImports: true,
    scalars: { DateTime: 'string', JSON: 'unknown', Upload: 'null' },
    enumsAsTypes: true,
  },
  presetConfig: { fragmentMasking: false },
});

const config: CodegenConfig = {
  schema: 'schema/schema.graphql',
  ignoreNoDocuments: true,
  generates: {
    'web/src/generated/': typedDocuments('web/src/**/*.tsx', 'web/src/generated/'),
    'src/client/generated/': typedDocuments('src/client/**/*.ts', 'src/client/generated/'),
    'test/generated/': typedDocuments('test/**/*.ts', 'test/generated/'),
    // Which types implement each interface and make up each union: Apollo Client's InMemoryCache needs it
    // (`possibleTypes`) to read the fields of a result union's error types. Beside the schema, for any client.
    'schema/possibleTypes.json': { plugins: ['fragment-matcher'], config: { apolloClientVersion: 3, deterministic: true } },
  },
};

export default config;
