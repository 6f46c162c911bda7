import { randomUUID } from 'node:crypto';
import { ForbiddenError, NameTakenError, NotFoundError, ValidationError } from '../../domain/errors.ts';
import { isUuid } from '../../domain/ids.ts';
import { isText, NAME_MAX } from '../../domain/rules.ts';
import { modelAsOf } from '../../store/modelHistory.ts';
import {
  countModels,
  findModelByName,
  findModels,
  type ModelOrderField,
  type ModelRecord,
  recordsFromState,
  sortValue,
} from '../../store/readModels.ts';
import { builder } from '../builder.ts';
import type { GraphQLContext } from '../context.ts';
import { modelCommandErrors } from '../errors.ts';
import { cursorPage, decodeCursor, decodeNumberCursor, encodeCursor, invalidArgument, MAX_PAGE_SIZE, totalCountOf } from '../pagination.ts';
import { runCommand } from '../runCommand.ts';
import { ModelRef, type VersionNode, VersionRef, VersionStatusEnum, versionsOf } from './refs.ts';

const OrderFieldEnum = builder.enumType('ModelOrderField', { values: ['NAME', 'CREATED_AT', 'UPDATED_AT'] as const });
const OrderDirectionEnum = builder.enumType('OrderDirection', { values: ['ASC', 'DESC'] as const });
const ModelOrder = builder.inputType('ModelOrder', {
  fields: (t) => ({
    field: t.field({ type: OrderFieldEnum, required: true }),
    direction: t.field({ type: OrderDirectionEnum, required: true }),
  }),
});

/** A model in this request's context, by id; null when there is none (or it is another context's). */
export async function loadModel(ctx: GraphQLContext, id: string): Promise<ModelRecord | null> {
  if (!isUuid(id)) return null;
  const model = await ctx.loaders.model.load(id.toLowerCase());
  return model && model.contextId === ctx.contextId ? model : null;
}

async function loadModelOrThrow(ctx: GraphQLContext, id: string): Promise<ModelRecord> {
  const model = await loadModel(ctx, id);
  if (!model) throw new NotFoundError('No such model');
  return model;
}

/** The model as its log says it was at `time`, or null if it did not exist (or no longer existed) then. */
async function modelThen(ctx: GraphQLContext, id: string, time: Date): Promise<ModelRecord | null> {
  const { state, position } = await modelAsOf(ctx.db, id, { time });
  if (state.status !== 'live' || state.contextId !== ctx.contextId) return null;
  return recordsFromState(state, position!);
}

ModelRef.implement({
  description: 'A trained model: named, tagged, described, with numbered versions.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'A UUID.' }),
    name: t.exposeString('name'),
    description: t.exposeString('description', { nullable: true, description: 'Plain text or markdown.' }),
    tags: t.exposeStringList('tags'),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime', description: 'When anything about the model last changed, its versions included.' }),
    createdBy: t.exposeString('createdBy', { nullable: true }),
    versionCount: t.exposeInt('versionCount', { description: 'Live versions.' }),
    latestVersion: t.field({
      type: VersionRef,
      nullable: true,
      description: 'The live version with the highest number.',
      resolve: async (model, _args, ctx) => (await versionsOf(model, ctx)).at(-1) ?? null,
    }),
    version: t.field({
      type: VersionRef,
      nullable: true,
      description: 'A live version by number, or the one an alias points at (`alias: "production"`); give one of the two. Null when there is none.',
      args: { number: t.arg.int(), alias: t.arg.string() },
      resolve: async (model, { number, alias }, ctx) => {
        if ((number == null) === (alias == null)) throw invalidArgument('Give either `number` or `alias`');
        const wanted = number ?? model.aliases.find((a) => a.name === alias)?.number;
        return wanted === undefined ? null : ((await versionsOf(model, ctx)).find((v) => v.number === wanted) ?? null);
      },
    }),
    versions: t.connection(
      {
        type: VersionRef,
        description: 'Live versions by number; the numbers of deleted versions stay missing.',
        args: { status: t.arg({ type: VersionStatusEnum }) },
        resolve: async (model, args, ctx) => {
          const all = (await versionsOf(model, ctx)).filter((v) => !args.status || v.status === args.status);
          return cursorPage<VersionNode>(
            args,
            { toCursor: (v) => String(v.number), defaultSize: MAX_PAGE_SIZE, totalCount: all.length },
            ({ after, before, limit, inverted }) => {
              const a = after === undefined ? -Infinity : decodeNumberCursor(after, 'after');
              const b = before === undefined ? Infinity : decodeNumberCursor(before, 'before');
              const inRange = all.filter((v) => v.number > a && v.number < b);
              return (inverted ? inRange.reverse() : inRange).slice(0, limit);
            },
          );
        },
      },
      { name: 'VersionConnection', fields: (c) => ({ totalCount: c.int({ resolve: totalCountOf }) }) },
      { name: 'VersionEdge' },
    ),
    // history: in modelHistory.ts.
  }),
});

interface ModelCursor {
  o: ModelOrderField;
  v: string;
  id: string;
}
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** Every part the keyset query uses is as sortValue() made it: a lower-cased name, or an instant it can cast. */
function isModelCursor(x: unknown): x is ModelCursor {
  if (typeof x !== 'object' || x === null || Array.isArray(x)) return false;
  const { o, v, id } = x as Record<string, unknown>;
  if (typeof o !== 'string' || !['NAME', 'CREATED_AT', 'UPDATED_AT'].includes(o) || typeof v !== 'string' || typeof id !== 'string' || !isUuid(id)) return false;
  // PostgreSQL has no year 0; the cast of any other instant of this shape succeeds.
  if (o !== 'NAME') return ISO_INSTANT.test(v) && !v.startsWith('0000') && !Number.isNaN(Date.parse(v)) && new Date(v).toISOString() === v;
  // Lower-casing can lengthen a name (İ becomes two code units), never beyond twice.
  return v.length <= 2 * NAME_MAX && isText(v);
}

builder.queryFields((t) => ({
  model: t.field({
    authScopes: { permission: 'model:view' },
    type: ModelRef,
    nullable: true,
    description: 'A model by id, or by name (case-insensitively); with asOf, the model as it was then.',
    args: {
      id: t.arg.id(),
      name: t.arg.string(),
      asOf: t.arg({
        type: 'DateTime',
        description:
          "The model as it stood after the last of its events (in the model's own order) recorded at or before this time: always a state it was really in, never a mix. Its `history` then ends at that event; null if it did not exist yet, or was deleted, then.",
      }),
    },
    resolve: async (_root, { id, name, asOf }, ctx) => {
      if ((id == null) === (name == null)) throw invalidArgument('Give either `id` or `name`');
      const current = id != null ? await loadModel(ctx, String(id)) : await findModelByName(ctx.db, ctx.contextId, name!);
      if (!asOf) return current;
      // A deleted model is no longer in the read models, but its log still says what it was.
      const modelId = current?.id ?? (id != null && isUuid(String(id)) ? String(id).toLowerCase() : null);
      return modelId ? modelThen(ctx, modelId, asOf) : null;
    },
  }),
  models: t.connection(
    {
      authScopes: { permission: 'model:view' },
      type: ModelRef,
      description: "This context's models. `search` matches name, description and tags; `tags` keeps models carrying all of them.",
      args: {
        search: t.arg.string(),
        tags: t.arg.stringList(),
        orderBy: t.arg({ type: ModelOrder }),
      },
      resolve: async (_root, args, ctx) => {
        const orderBy = args.orderBy?.field ?? 'NAME';
        const descending = args.orderBy?.direction === 'DESC';
        const filter = { contextId: ctx.contextId, search: args.search, tags: args.tags };
        const parse = (cursor: string | undefined, field: 'after' | 'before') => {
          if (cursor === undefined) return undefined;
          const c = decodeCursor(cursor, isModelCursor, field);
          if (c.o !== orderBy) throw invalidArgument('The cursor belongs to another ordering of this list', field);
          return { value: c.v, id: c.id };
        };
        const page = await cursorPage<ModelRecord>(
          args,
          { toCursor: (m) => encodeCursor({ o: orderBy, v: sortValue(m, orderBy), id: m.id }), totalCount: () => countModels(ctx.db, filter) },
          ({ after, before, limit, inverted }) =>
            findModels(ctx.db, filter, { orderBy, descending, after: parse(after, 'after'), before: parse(before, 'before'), limit, inverted }),
        );
        for (const edge of page.edges) ctx.loaders.primeModel(edge.node);
        return page;
      },
    },
    { name: 'ModelConnection', fields: (c) => ({ totalCount: c.int({ resolve: totalCountOf }) }) },
      { name: 'ModelEdge' },
  ),
}));

const CreateModelInput = builder.inputType('CreateModelInput', {
  fields: (t) => ({
    name: t.string({ required: true, description: '1-200 characters; unique in the context, case-insensitively.' }),
    description: t.string({ description: 'Plain text or markdown, at most 100 KB.' }),
    tags: t.stringList({ description: 'Each 1-32 characters, no commas; duplicates are dropped.' }),
  }),
});

const UpdateModelInput = builder.inputType('UpdateModelInput', {
  fields: (t) => ({
    id: t.id({ required: true }),
    name: t.string(),
    description: t.string({ description: 'null clears it; absent leaves it.' }),
    tags: t.stringList({ description: 'Replaces the tags.' }),
  }),
});

const DeleteModelSuccess = builder.objectRef<{ id: string }>('DeleteModelSuccess').implement({
  fields: (t) => ({ id: t.exposeID('id') }),
});

builder.mutationFields((t) => ({
  createModel: t.field({
    authScopes: { permission: 'model:create' },
    type: ModelRef,
    args: { input: t.arg({ type: CreateModelInput, required: true }) },
    errors: { types: [ValidationError, NameTakenError, ForbiddenError], dataField: { name: 'model' } },
    resolve: async (_root, { input }, ctx) => {
      const id = randomUUID();
      // A repeat under an idempotency key names the model its first run created.
      const { streamId } = await runCommand(ctx, id, { type: 'CreateModel', data: { modelId: id, contextId: ctx.contextId, ...input } });
      return loadModelOrThrow(ctx, streamId);
    },
  }),
  updateModel: t.field({
    authScopes: { permission: 'model:update' },
    type: ModelRef,
    args: { input: t.arg({ type: UpdateModelInput, required: true }) },
    errors: { types: [...modelCommandErrors, NameTakenError], dataField: { name: 'model' } },
    resolve: async (_root, { input: { id, ...changes } }, ctx) => {
      await runCommand(ctx, String(id), { type: 'UpdateModel', data: changes });
      return loadModelOrThrow(ctx, String(id));
    },
  }),
  deleteModel: t.field({
    authScopes: { permission: 'model:delete' },
    type: DeleteModelSuccess,
    args: { id: t.arg.id({ required: true }) },
    errors: { types: modelCommandErrors, directResult: true },
    description: 'Deletes the model, all its versions and their files. Irreversible; the name becomes free.',
    resolve: async (_root, { id }, ctx) => {
      await runCommand(ctx, String(id), { type: 'DeleteModel', data: {} });
      return { id: String(id).toLowerCase() };
    },
  }),
}));
