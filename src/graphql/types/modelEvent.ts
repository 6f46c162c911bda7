import { GraphQLError } from 'graphql';
import type { RecordedEvent } from '../../domain/model/events.ts';
import { UnknownPositionError } from '../../store/eventFeed.ts';
import type { FeedCursor } from '../../store/eventLog.ts';
import { modelHistory } from '../../store/modelHistory.ts';
import { modelContextFromLog } from '../../store/readModels.ts';
import { builder } from '../builder.ts';
import type { GraphQLContext } from '../context.ts';
import { cursorPage, invalidArgument, type PageArgs } from '../pagination.ts';
import { loadModel } from './model.ts';

export const ModelEventRef = builder.objectRef<RecordedEvent>('ModelEvent').implement({
  description: 'One entry of a model\'s log: what happened, when, and who did it.',
  fields: (t) => ({
    position: t.exposeString('position', { description: 'Global and increasing; pass it as `after` to resume.' }),
    type: t.exposeString('type', { description: 'ModelCreated, VersionPublished, FormatUploaded, ...' }),
    recordedAt: t.expose('recordedAt', { type: 'DateTime' }),
    actor: t.string({ nullable: true, resolve: (e) => e.metadata.actor }),
    requestId: t.string({ nullable: true, resolve: (e) => e.metadata.requestId }),
    modelId: t.id({ resolve: (e) => e.streamId }),
    data: t.field({ type: 'JSON', resolve: (e) => e.data }),
  }),
});

const isPosition = (s: string) => /^\d{1,19}$/.test(s);

/** A model's history as a connection; cursors are positions. `upTo` bounds it for as-of reads. */
export async function resolveHistory(ctx: GraphQLContext, modelId: string, args: PageArgs, upTo?: string) {
  let count = ctx.db.selectFrom('events').select((eb) => eb.fn.countAll<string>().as('n')).where('stream_id', '=', modelId);
  if (upTo) count = count.where('position', '<=', upTo);
  return cursorPage<RecordedEvent>(
    args,
    { toCursor: (e) => e.position, totalCount: () => count.executeTakeFirstOrThrow().then((r) => Number(r.n)) },
    ({ after, before, limit, inverted }) => {
      for (const c of [after, before]) if (c !== undefined && !isPosition(c)) throw invalidArgument('The cursor is not one this list gave out');
      return modelHistory(ctx.db, modelId, { after, before, upTo, limit, descending: inverted });
    },
  );
}

/** The feed from a cursor, less what this request may not see: other contexts' models. */
async function* visibleEvents(ctx: GraphQLContext, from: FeedCursor, streamId: string | undefined): AsyncGenerator<RecordedEvent> {
  // Whose context a model is in never changes; remember it for the life of the subscription.
  const contexts = new Map<string, string | null>();
  const abort = new AbortController();
  try {
    for await (const event of ctx.feed.follow({ from, streamId, signal: abort.signal })) {
      if (streamId === undefined) {
        if (!contexts.has(event.streamId)) contexts.set(event.streamId, await modelContextFromLog(ctx.db, event.streamId));
        if (contexts.get(event.streamId) !== ctx.contextId) continue;
      }
      yield event;
    }
  } finally {
    abort.abort();
  }
}

builder.subscriptionFields((t) => ({
  modelEvents: t.field({
    authScopes: { permission: 'model:view' },
    type: ModelEventRef,
    description:
      "Every new event in this context, or one model's. With `after` (a position), first the events after it, then live ones: a client that reconnects with its last position misses nothing and sees nothing twice.",
    args: { modelId: t.arg.id(), after: t.arg.string() },
    subscribe: async (_root, { modelId, after }, ctx) => {
      let streamId: string | undefined;
      if (modelId != null) {
        const model = await loadModel(ctx, String(modelId));
        if (!model) throw new GraphQLError('No such model', { extensions: { code: 'NOT_FOUND' } });
        streamId = model.id;
      }
      if (after != null && !isPosition(after)) throw invalidArgument('`after` is a position, a whole number');
      let from: FeedCursor;
      try {
        from = await ctx.feed.cursor(after);
      } catch (error) {
        if (error instanceof UnknownPositionError) throw new GraphQLError(error.message, { extensions: { code: 'NOT_FOUND' } });
        throw error;
      }
      return visibleEvents(ctx, from, streamId);
    },
    resolve: (event) => event,
  }),
}));
