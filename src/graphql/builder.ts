import SchemaBuilder from '@pothos/core';
import ComplexityPlugin from '@pothos/plugin-complexity';
import ErrorsPlugin from '@pothos/plugin-errors';
import RelayPlugin from '@pothos/plugin-relay';
import ScopeAuthPlugin from '@pothos/plugin-scope-auth';
import type { Permission } from '../auth/permissions.ts';
import { ForbiddenError } from '../domain/errors.ts';
import { getNullableType, GraphQLError, type GraphQLResolveInfo, isListType } from 'graphql';
import { DateTimeResolver, JSONResolver } from 'graphql-scalars';
import { GraphQLUpload } from 'graphql-upload-minimal';
import type { FileUpload } from '../files/uploads.ts';
import type { GraphQLContext } from './context.ts';
import InputHygienePlugin from './inputHygiene.ts';

const capitalize = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/**
 * Limits on what one operation may ask for; past them the operation is refused before it runs. A page of
 * 100 models with 30 versions each and their formats costs about 70,000; a page of pages of pages, millions.
 */
export const QUERY_LIMITS = { depth: 12, breadth: 200, complexity: 100_000 };

/** A connection costs its page size times its items; its `edges` list is that same page, not ten more. */
function fieldComplexity(args: Record<string, unknown>, _ctx: unknown, field: { name: string; type: unknown; args: readonly { name: string }[] }) {
  if (field.args.some((a) => a.name === 'first')) {
    const size = (args.first ?? args.last ?? 20) as number;
    return { field: 1, multiplier: Math.max(size, 1) };
  }
  if (field.name === 'edges') return { field: 1, multiplier: 1 };
  return isListType(getNullableType(field.type as never)) ? { field: 1, multiplier: 10 } : 1;
}

/** Whether the field being resolved has ForbiddenError in its result union (the errors plugin's field extension). */
function hasForbiddenErrorMember(info: GraphQLResolveInfo): boolean {
  const errors = info.parentType.getFields()[info.fieldName]?.extensions?.pothosErrors;
  return Array.isArray(errors) && errors.includes(ForbiddenError);
}

export const builder = new SchemaBuilder<{
  Context: GraphQLContext;
  Scalars: {
    DateTime: { Input: Date; Output: Date };
    JSON: { Input: unknown; Output: unknown };
    Upload: { Input: Promise<FileUpload>; Output: never };
  };
  DefaultFieldNullability: false;
  AuthScopes: { permission: Permission; superuser: boolean };
}>({
  // Scope checks run inside the errors plugin's wrapper, so a refusal becomes the mutation's ForbiddenError.
  // Input hygiene is last, so innermost: its refusals are the errors plugin's to turn into ValidationError members.
  plugins: [ErrorsPlugin, ScopeAuthPlugin, RelayPlugin, ComplexityPlugin, InputHygienePlugin],
  scopeAuth: {
    authScopes: (ctx) => ({
      permission: (permission: Permission) => ctx.identity.permissions.has(permission),
      superuser: ctx.identity.principal.superuser,
    }),
    // A field without that union member (a query) refuses with a GraphQL error coded FORBIDDEN, which Yoga
    // neither masks nor logs as an unexpected error.
    unauthorizedError: (_parent, _ctx, info, result) =>
      hasForbiddenErrorMember(info) ? new ForbiddenError(result.message) : new GraphQLError(result.message, { extensions: { code: 'FORBIDDEN' } }),
    authorizeOnSubscribe: true,
  },
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
    fieldComplexity,
  },
});

builder.addScalarType('DateTime', DateTimeResolver);
builder.addScalarType('JSON', JSONResolver);
// A file part of a GraphQL multipart request (https://github.com/jaydenseric/graphql-multipart-request-spec).
builder.addScalarType('Upload', GraphQLUpload as never);

builder.queryType({});
builder.mutationType({});
builder.subscriptionType({});
