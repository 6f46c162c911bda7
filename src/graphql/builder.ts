import SchemaBuilder from '@pothos/core';
import ComplexityPlugin from '@pothos/plugin-complexity';
import ErrorsPlugin from '@pothos/plugin-errors';
import RelayPlugin from '@pothos/plugin-relay';
import { DateTimeResolver, JSONResolver } from 'graphql-scalars';
import type { GraphQLContext } from './context.ts';

const capitalize = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** Limits on what one operation may ask for; past them the operation is refused before it runs. */
export const QUERY_LIMITS = { depth: 12, breadth: 200, complexity: 20_000 };

export const builder = new SchemaBuilder<{
  Context: GraphQLContext;
  Scalars: {
    DateTime: { Input: Date; Output: Date };
    JSON: { Input: unknown; Output: unknown };
  };
  DefaultFieldNullability: false;
}>({
  plugins: [ErrorsPlugin, RelayPlugin, ComplexityPlugin],
  defaultFieldNullability: false,
  relay: {
    clientMutationId: 'omit',
    cursorType: 'String',
    // Ids are the models' UUIDs, which scripts and URLs use as they are; no global-id Node interface.
    nodeQueryOptions: false,
    nodesQueryOptions: false,
  },
  errors: {
    // createModel -> CreateModelResult = CreateModelSuccess | ...errors
    defaultUnionOptions: { name: ({ fieldName }) => `${capitalize(fieldName)}Result` },
    defaultResultOptions: { name: ({ fieldName }) => `${capitalize(fieldName)}Success` },
  },
  complexity: {
    limit: QUERY_LIMITS,
    defaultListMultiplier: 10,
  },
});

builder.addScalarType('DateTime', DateTimeResolver);
builder.addScalarType('JSON', JSONResolver);

builder.queryType({});
builder.mutationType({});
builder.subscriptionType({});
