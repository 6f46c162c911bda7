import { GraphQLError } from 'graphql';
import * as directory from '../../auth/directory.ts';
import { contextsOf, type Principal } from '../../auth/identity.ts';
import { PERMISSIONS, ROLES } from '../../auth/permissions.ts';
import { ConflictError, ForbiddenError, NameTakenError, NotFoundError, ValidationError } from '../../domain/errors.ts';
import { builder } from '../builder.ts';
import { eventMetadata } from '../runCommand.ts';

const RoleEnum = builder.enumType('Role', { values: ROLES });
const PermissionEnum = builder.enumType('Permission', {
  values: Object.fromEntries(PERMISSIONS.map((p) => [p.replace(':', '_').toUpperCase(), { value: p }])) as Record<string, { value: (typeof PERMISSIONS)[number] }>,
});
const PrincipalKindEnum = builder.enumType('PrincipalKind', { values: { USER: { value: 'user' as const }, SERVICE: { value: 'service' as const } } });

const ContextRef = builder.objectRef<{ id: string; name: string }>('Context').implement({
  description: 'A workspace that owns models; roles are granted per context.',
  fields: (t) => ({ id: t.exposeID('id'), name: t.exposeString('name') }),
});

const PrincipalRef = builder.objectRef<Principal>('Principal').implement({
  description: 'A user or a service account; it authenticates with its API tokens.',
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.exposeString('name'),
    kind: t.field({ type: PrincipalKindEnum, resolve: (p) => p.kind }),
    superuser: t.exposeBoolean('superuser', { description: 'The bootstrap administrator: administers every context.' }),
  }),
});

const TokenRef = builder.objectRef<directory.TokenRecord>('Token').implement({
  description: 'An API token, without its secret (shown once, when created, and stored only as a hash).',
  fields: (t) => ({
    id: t.exposeID('id'),
    principalId: t.exposeID('principalId'),
    name: t.exposeString('name'),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    expiresAt: t.expose('expiresAt', { type: 'DateTime', nullable: true }),
    revokedAt: t.expose('revokedAt', { type: 'DateTime', nullable: true }),
    createdBy: t.exposeString('createdBy', {
      nullable: true,
      description: 'The name of the principal that created it; null for the bootstrap token and for tokens made before creators were recorded.',
    }),
  }),
});

const GroupRef = builder.objectRef<directory.GroupRecord>('Group').implement({
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.exposeString('name'),
    members: t.field({ type: [PrincipalRef], resolve: (g, _args, ctx) => directory.groupMembers(ctx.db, g.id) }),
  }),
});

const RoleGrantRef = builder.objectRef<directory.GrantRecord>('RoleGrant').implement({
  fields: (t) => ({
    id: t.exposeID('id'),
    role: t.field({ type: RoleEnum, resolve: (g) => g.role }),
    principalId: t.exposeID('principalId', { nullable: true }),
    groupId: t.exposeID('groupId', { nullable: true }),
  }),
});

const MeRef = builder.objectRef<object>('Me').implement({
  description: 'Who the caller is, and what it may do in the current context.',
  fields: (t) => ({
    principal: t.field({ type: PrincipalRef, resolve: (_m, _a, ctx) => ctx.identity.principal }),
    tokenId: t.id({ resolve: (_m, _a, ctx) => ctx.identity.tokenId }),
    context: t.field({ type: ContextRef, resolve: (_m, _a, ctx) => ctx.identity.context }),
    roles: t.field({ type: [RoleEnum], resolve: (_m, _a, ctx) => ctx.identity.roles }),
    permissions: t.field({ type: [PermissionEnum], resolve: (_m, _a, ctx) => PERMISSIONS.filter((p) => ctx.identity.permissions.has(p)) }),
    contexts: t.field({ type: [ContextRef], description: 'Every context the caller has a role in.', resolve: (_m, _a, ctx) => contextsOf(ctx.db, ctx.identity.principal) }),
  }),
});

const admin = { permission: 'context:admin' } as const;

/** A query has no result union: its refusals are GraphQL errors with their code, not masked as unexpected. */
async function asQueryError<T>(result: Promise<T>): Promise<T> {
  try {
    return await result;
  } catch (error) {
    if (error instanceof ForbiddenError || error instanceof NotFoundError) throw new GraphQLError(error.message, { extensions: { code: error.code } });
    throw error;
  }
}

builder.queryFields((t) => ({
  me: t.field({ type: MeRef, resolve: () => ({}) }),
  principals: t.field({
    type: [PrincipalRef],
    description: 'The principals created in this context or holding a role in it.',
    authScopes: admin,
    resolve: (_r, _a, ctx) => directory.listPrincipals(ctx.db, ctx.identity),
  }),
  groups: t.field({ type: [GroupRef], authScopes: admin, resolve: (_r, _a, ctx) => directory.listGroups(ctx.db, ctx.contextId) }),
  roleGrants: t.field({ type: [RoleGrantRef], authScopes: admin, resolve: (_r, _a, ctx) => directory.listGrants(ctx.db, ctx.contextId) }),
  tokens: t.field({
    type: [TokenRef],
    description: "A principal's tokens: your own, or, as an administrator of a context, those of the principals created in it.",
    args: { principalId: t.arg.id() },
    resolve: (_r, { principalId }, ctx) => asQueryError(directory.listTokens(ctx.db, ctx.identity, String(principalId ?? ctx.identity.principal.id))),
  }),
}));

const CreateTokenInput = builder.inputType('CreateTokenInput', {
  fields: (t) => ({
    principalId: t.id({ description: 'Whose token; yourself when absent.' }),
    name: t.string({ required: true, description: 'What it is for: "ci", "notebook" ...' }),
    expiresAt: t.field({
      type: 'DateTime',
      description: "When it stops working. A token created with a token that expires expires no later: by default, at the same time.",
    }),
  }),
});

const CreateTokenSuccess = builder.objectRef<{ secret: string; token: directory.TokenRecord }>('CreateTokenSuccess').implement({
  fields: (t) => ({
    secret: t.exposeString('secret', { description: 'Shown this once: Cairn keeps only its hash. Send it as `Authorization: Bearer <secret>`.' }),
    token: t.field({ type: TokenRef, resolve: (r) => r.token }),
  }),
});

const GrantInput = builder.inputType('RoleGrantInput', {
  fields: (t) => ({
    role: t.field({ type: RoleEnum, required: true }),
    principalId: t.id(),
    groupId: t.id({ description: 'Give either a principal or a group of this context.' }),
  }),
});

const RevokeRoleSuccess = builder.objectRef<{ revoked: number }>('RevokeRoleSuccess').implement({
  fields: (t) => ({ revoked: t.exposeInt('revoked') }),
});

const adminErrors = [ValidationError, NotFoundError, ForbiddenError];

builder.mutationFields((t) => ({
  createContext: t.field({
    type: ContextRef,
    description: 'A new context (superusers only).',
    authScopes: { superuser: true },
    args: { name: t.arg.string({ required: true }) },
    errors: { types: [...adminErrors, NameTakenError], dataField: { name: 'context' } },
    resolve: (_r, { name }, ctx) => directory.createContext(ctx.db, name, ctx.identity.principal, eventMetadata(ctx)),
  }),
  createPrincipal: t.field({
    type: PrincipalRef,
    description:
      "A new user or service account, with no role yet: grant it one, then create its token. It belongs to this context: this context's administrators manage its tokens.",
    authScopes: admin,
    args: { name: t.arg.string({ required: true }), kind: t.arg({ type: PrincipalKindEnum, required: true }) },
    errors: { types: [...adminErrors, NameTakenError], dataField: { name: 'principal' } },
    resolve: (_r, { name, kind }, ctx) => directory.createPrincipal(ctx.db, ctx.identity, name, kind, eventMetadata(ctx)),
  }),
  createToken: t.field({
    type: CreateTokenSuccess,
    args: { input: t.arg({ type: CreateTokenInput, required: true }) },
    errors: { types: adminErrors, directResult: true },
    resolve: (_r, { input }, ctx) =>
      directory.createToken(
        ctx.db,
        ctx.identity,
        { principalId: String(input.principalId ?? ctx.identity.principal.id), name: input.name, expiresAt: input.expiresAt },
        eventMetadata(ctx),
      ),
  }),
  revokeToken: t.field({
    type: TokenRef,
    description: 'Revokes a token with immediate effect.',
    args: { id: t.arg.id({ required: true }) },
    errors: { types: adminErrors, dataField: { name: 'token' } },
    resolve: (_r, { id }, ctx) => directory.revokeToken(ctx.db, ctx.identity, String(id), eventMetadata(ctx)),
  }),
  createGroup: t.field({
    type: GroupRef,
    authScopes: admin,
    args: { name: t.arg.string({ required: true }) },
    errors: { types: [...adminErrors, NameTakenError], dataField: { name: 'group' } },
    resolve: (_r, { name }, ctx) => directory.createGroup(ctx.db, ctx.contextId, name, eventMetadata(ctx)),
  }),
  addGroupMember: t.field({
    type: GroupRef,
    authScopes: admin,
    args: { groupId: t.arg.id({ required: true }), principalId: t.arg.id({ required: true }) },
    errors: { types: adminErrors, dataField: { name: 'group' } },
    resolve: (_r, a, ctx) => directory.setGroupMember(ctx.db, ctx.contextId, String(a.groupId), String(a.principalId), true, eventMetadata(ctx)),
  }),
  removeGroupMember: t.field({
    type: GroupRef,
    authScopes: admin,
    args: { groupId: t.arg.id({ required: true }), principalId: t.arg.id({ required: true }) },
    errors: { types: adminErrors, dataField: { name: 'group' } },
    resolve: (_r, a, ctx) => directory.setGroupMember(ctx.db, ctx.contextId, String(a.groupId), String(a.principalId), false, eventMetadata(ctx)),
  }),
  grantRole: t.field({
    type: RoleGrantRef,
    authScopes: admin,
    args: { input: t.arg({ type: GrantInput, required: true }) },
    // CONFLICT only when the context's stream keeps moving under the command, more often than it is retried.
    errors: { types: [...adminErrors, ConflictError], dataField: { name: 'grant' } },
    resolve: (_r, { input }, ctx) =>
      directory.grantRole(ctx.db, ctx.contextId, { role: input.role, principalId: input.principalId?.toString(), groupId: input.groupId?.toString() }, eventMetadata(ctx)),
  }),
  revokeRole: t.field({
    type: RevokeRoleSuccess,
    authScopes: admin,
    args: { input: t.arg({ type: GrantInput, required: true }) },
    errors: { types: adminErrors, directResult: true },
    resolve: async (_r, { input }, ctx) => ({
      revoked: await directory.revokeRole(
        ctx.db,
        ctx.contextId,
        { role: input.role, principalId: input.principalId?.toString(), groupId: input.groupId?.toString() },
        eventMetadata(ctx),
      ),
    }),
  }),
}));
