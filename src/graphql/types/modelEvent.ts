import { GraphQLError } from 'graphql';
import { type AccessVerdict, checkAccessNow, type LiveAccess, liveAccessOf } from '../../auth/revalidate.ts';
import type { ModelEvent, ModelEventType, RecordedEvent } from '../../domain/model/events.ts';
import { type EventFeed, UnknownPositionError } from '../../store/eventFeed.ts';
import type { FeedCursor } from '../../store/eventLog.ts';
import { countModelHistory, modelHistory } from '../../store/modelHistory.ts';
import { isDatabaseUnavailable } from '../../store/pgErrors.ts';
import { publicEventData } from '../../store/upcast.ts';
import { builder } from '../builder.ts';
import type { GraphQLContext } from '../context.ts';
import { cursorPage, FROM_THE_BEGINNING, invalidArgument, isPosition, type PageArgs, positionPageArgs } from '../pagination.ts';
import { DatasetRecordRef } from './datasetRecord.ts';
import { loadModel } from './model.ts';

type EventOf<T extends ModelEventType> = RecordedEvent<Extract<ModelEvent, { type: T }>>;

export const ModelEventRef = builder.interfaceRef<RecordedEvent>('ModelEvent');

ModelEventRef.implement({
  description:
    "One entry of a model's log: what happened, when, and who did it. Each event type is an object type with its own typed fields (`... on VersionCreatedEvent { number }`); `type` names it too.",
  // Every event type has its object type (EVENT_TYPES below says so to the compiler).
  resolveType: (e): string => EVENT_TYPES[e.type].name,
  fields: (t) => ({
    id: t.exposeID('eventId', { description: "The event's own id, a UUID: the same wherever the event is read." }),
    schemaVersion: t.exposeInt('schemaVersion', { description: "The version of this event type's shape, always the current one: older events are read brought up to it." }),
    position: t.exposeString('position', { description: 'Global and increasing, from 1; pass it as `after` to resume after this event (`after: "0"`: from the beginning).' }),
    type: t.exposeString('type', { description: "ModelCreated, VersionPublished, FormatUploaded, ...: the object type's name without `Event`." }),
    recordedAt: t.expose('recordedAt', { type: 'DateTime' }),
    actor: t.string({ nullable: true, resolve: (e) => e.metadata.actor }),
    requestId: t.string({ nullable: true, resolve: (e) => e.metadata.requestId }),
    modelId: t.id({ resolve: (e) => e.streamId }),
    data: t.field({
      type: 'JSON',
      description: "The event's payload as JSON, in the current schema version.",
      deprecationReason: "Use the typed fields of the event's type (`... on VersionCreatedEvent { number }`).",
      resolve: (e) => publicEventData(e),
    }),
  }),
});

const interfaces = [ModelEventRef];

/**
 * What `changed` lists: the fields an update event set, in a fixed order. Each update's fields are written as
 * an object whose keys must be exactly its payload's, so a field added to the payload is not left out.
 */
const changedFields = <D extends object>(fields: Record<Exclude<keyof D, 'number'>, true>) => {
  const names = Object.keys(fields);
  return (data: D) => names.filter((f) => Object.hasOwn(data, f));
};
const modelChanged = changedFields<EventOf<'ModelUpdated'>['data']>({ name: true, description: true, tags: true });
const versionChanged = changedFields<EventOf<'VersionUpdated'>['data']>({ description: true, tags: true, hyperparameters: true, config: true, records: true });

// The values of an update sit in an object of their own rather than beside the created event's fields of the
// same names: those are non-null (`name: String!`), these null when unchanged (`name: String`), and GraphQL
// refuses a document that selects both under one name (fields that "return conflicting types").
const ModelChangesRef = builder.objectRef<EventOf<'ModelUpdated'>['data']>('ModelChanges').implement({
  description: "The values a ModelUpdated set; null for a field it left as it was (the event's `changed` tells which it set, so a description set to null is told apart).",
  fields: (t) => ({
    name: t.string({ nullable: true, resolve: (d) => d.name ?? null }),
    description: t.string({ nullable: true, resolve: (d) => d.description ?? null }),
    tags: t.stringList({ nullable: true, resolve: (d) => d.tags ?? null }),
  }),
});

const VersionChangesRef = builder.objectRef<EventOf<'VersionUpdated'>['data']>('VersionChanges').implement({
  description: "The settings a VersionUpdated set; null for one it left as it was (the event's `changed` tells which it set, so a description set to null is told apart).",
  fields: (t) => ({
    description: t.string({ nullable: true, resolve: (d) => d.description ?? null }),
    tags: t.stringList({ nullable: true, resolve: (d) => d.tags ?? null }),
    hyperparameters: t.field({ type: 'JSON', nullable: true, resolve: (d) => d.hyperparameters ?? null }),
    config: t.field({ type: 'JSON', nullable: true, resolve: (d) => d.config ?? null }),
    records: t.field({ type: [DatasetRecordRef], nullable: true, resolve: (d) => d.records ?? null }),
  }),
});

const ModelCreatedEventRef = builder.objectRef<EventOf<'ModelCreated'>>('ModelCreatedEvent').implement({
  description: 'The model was created, in a context, with a name, a description and tags.',
  interfaces,
  fields: (t) => ({
    name: t.string({ resolve: (e) => e.data.name }),
    description: t.string({ nullable: true, resolve: (e) => e.data.description }),
    tags: t.stringList({ resolve: (e) => e.data.tags }),
    contextId: t.id({
      resolve: (e) => {
        // Every model stream's envelope names its context (the migration that added the column filled it in).
        if (e.contextId === null) throw new Error(`model ${e.streamId} has an event without a context`);
        return e.contextId;
      },
    }),
  }),
});

const ModelUpdatedEventRef = builder.objectRef<EventOf<'ModelUpdated'>>('ModelUpdatedEvent').implement({
  description: "The model's name, description or tags changed.",
  interfaces,
  fields: (t) => ({
    changed: t.stringList({ description: 'The fields of `changes` this update set (name, description, tags); the others kept their value.', resolve: (e) => modelChanged(e.data) }),
    changes: t.field({ type: ModelChangesRef, resolve: (e) => e.data }),
  }),
});

const ModelDeletedEventRef = builder.objectRef<EventOf<'ModelDeleted'>>('ModelDeletedEvent').implement({
  description: 'The model was deleted, with its versions and files; its log stays.',
  interfaces,
});

const VersionCreatedEventRef = builder.objectRef<EventOf<'VersionCreated'>>('VersionCreatedEvent').implement({
  description: 'A version was created, a draft, with its settings.',
  interfaces,
  fields: (t) => ({
    number: t.int({ resolve: (e) => e.data.number }),
    description: t.string({ nullable: true, resolve: (e) => e.data.description }),
    tags: t.stringList({ resolve: (e) => e.data.tags }),
    hyperparameters: t.field({ type: 'JSON', resolve: (e) => e.data.hyperparameters }),
    config: t.field({ type: 'JSON', resolve: (e) => e.data.config }),
    records: t.field({ type: [DatasetRecordRef], resolve: (e) => e.data.records }),
  }),
});

const VersionUpdatedEventRef = builder.objectRef<EventOf<'VersionUpdated'>>('VersionUpdatedEvent').implement({
  description: "A draft version's settings changed.",
  interfaces,
  fields: (t) => ({
    number: t.int({ resolve: (e) => e.data.number }),
    changed: t.stringList({
      description: 'The fields of `changes` this update set (description, tags, hyperparameters, config, records); the others kept their value.',
      resolve: (e) => versionChanged(e.data),
    }),
    changes: t.field({ type: VersionChangesRef, resolve: (e) => e.data }),
  }),
});

const VersionPublishedEventRef = builder.objectRef<EventOf<'VersionPublished'>>('VersionPublishedEvent').implement({
  description: 'A version was published: from now on it and its files do not change.',
  interfaces,
  fields: (t) => ({ number: t.int({ resolve: (e) => e.data.number }) }),
});

const VersionDeletedEventRef = builder.objectRef<EventOf<'VersionDeleted'>>('VersionDeletedEvent').implement({
  description: 'A version was deleted, with its files; its number is not given again.',
  interfaces,
  fields: (t) => ({ number: t.int({ resolve: (e) => e.data.number }) }),
});

const FormatUploadedEventRef = builder.objectRef<EventOf<'FormatUploaded'>>('FormatUploadedEvent').implement({
  description: "A draft version's file in one format was stored, new or in place of the one it had.",
  interfaces,
  fields: (t) => ({
    number: t.int({ resolve: (e) => e.data.number }),
    format: t.string({ description: 'The format id: pkl, rda, pmml, ...', resolve: (e) => e.data.format }),
    sha256: t.string({ resolve: (e) => e.data.sha256 }),
    size: t.float({ description: 'Bytes.', resolve: (e) => e.data.size }),
    filename: t.string({ description: 'The name the file was uploaded with.', resolve: (e) => e.data.filename }),
    contentType: t.string({ resolve: (e) => e.data.contentType }),
    replaced: t.boolean({ description: 'Whether it replaced a file the version already had in this format.', resolve: (e) => e.data.replaced }),
  }),
});

const FormatDeletedEventRef = builder.objectRef<EventOf<'FormatDeleted'>>('FormatDeletedEvent').implement({
  description: "A draft version's file in one format was deleted.",
  interfaces,
  fields: (t) => ({
    number: t.int({ resolve: (e) => e.data.number }),
    format: t.string({ resolve: (e) => e.data.format }),
  }),
});

const EvaluationRecordedEventRef = builder.objectRef<EventOf<'EvaluationRecorded'>>('EvaluationRecordedEvent').implement({
  description: "A version's results on a dataset were recorded (draft or published: the version itself does not change).",
  interfaces,
  fields: (t) => ({
    number: t.int({ resolve: (e) => e.data.number }),
    evaluationId: t.id({ resolve: (e) => e.data.evaluationId }),
    dataset: t.field({ type: DatasetRecordRef, resolve: (e) => e.data.dataset }),
    metrics: t.field({ type: 'JSON', description: 'Metric names to numbers.', resolve: (e) => e.data.metrics }),
    notes: t.string({ nullable: true, resolve: (e) => e.data.notes }),
  }),
});

const AliasSetEventRef = builder.objectRef<EventOf<'AliasSet'>>('AliasSetEvent').implement({
  description: 'An alias was set to a published version: new, or moved from the version it pointed at.',
  interfaces,
  fields: (t) => ({
    alias: t.string({ resolve: (e) => e.data.alias }),
    number: t.int({ description: 'The version it points at now.', resolve: (e) => e.data.number }),
    previousNumber: t.int({ nullable: true, description: 'The version it pointed at before; null when the alias is new.', resolve: (e) => e.data.previousNumber }),
  }),
});

const AliasRemovedEventRef = builder.objectRef<EventOf<'AliasRemoved'>>('AliasRemovedEvent').implement({
  description: 'An alias was removed.',
  interfaces,
  fields: (t) => ({
    alias: t.string({ resolve: (e) => e.data.alias }),
    number: t.int({ description: 'The version it pointed at.', resolve: (e) => e.data.number }),
  }),
});

/** The object type of each event type: a new event type does not compile until it has one. */
const EVENT_TYPES = {
  ModelCreated: ModelCreatedEventRef,
  ModelUpdated: ModelUpdatedEventRef,
  ModelDeleted: ModelDeletedEventRef,
  VersionCreated: VersionCreatedEventRef,
  VersionUpdated: VersionUpdatedEventRef,
  VersionPublished: VersionPublishedEventRef,
  VersionDeleted: VersionDeletedEventRef,
  FormatUploaded: FormatUploadedEventRef,
  FormatDeleted: FormatDeletedEventRef,
  EvaluationRecorded: EvaluationRecordedEventRef,
  AliasSet: AliasSetEventRef,
  AliasRemoved: AliasRemovedEventRef,
} satisfies { readonly [T in ModelEventType]: { $inferType: EventOf<T> } };

/** A model's history as a connection; cursors are positions. `upTo` bounds it for as-of reads. */
export async function resolveHistory(ctx: GraphQLContext, modelId: string, pageArgs: PageArgs, upTo?: string) {
  const args = positionPageArgs(pageArgs);
  return cursorPage<RecordedEvent>(
    args,
    { toCursor: (e) => e.position, totalCount: () => countModelHistory(ctx.db, modelId, upTo) },
    ({ after, before, limit, inverted }) => {
      for (const c of [after, before]) if (c !== undefined && !isPosition(c)) throw invalidArgument('The cursor is not one this list gave out');
      return modelHistory(ctx.db, modelId, { after, before, upTo, limit, descending: inverted });
    },
  );
}

/**
 * The feed from a cursor, less what this request may not see: other contexts' models. Every model event's
 * envelope names its model's context, so the filter needs no statement.
 */
async function* visibleEvents(ctx: GraphQLContext, from: FeedCursor, streamId: string | undefined, signal: AbortSignal): AsyncGenerator<RecordedEvent> {
  for await (const event of ctx.feed.follow({ from, streamId, signal })) {
    if (streamId === undefined && event.contextId !== ctx.contextId) continue;
    yield event;
  }
}

/** The last thing a subscription sends when its caller may no longer have it: the resolver throws `error`. */
class StreamEnded {
  constructor(readonly error: GraphQLError) {}
}

function endedBecause(verdict: Exclude<AccessVerdict, 'ok'>): StreamEnded {
  const [code, message] =
    verdict === 'token-gone'
      ? ['UNAUTHENTICATED', 'The token was revoked or has expired']
      : verdict === 'context-gone'
        ? ['NOT_FOUND', 'The context is no longer visible to you']
        : ['NOT_FOUND', 'The model was deleted'];
  return new StreamEnded(new GraphQLError(message, { extensions: { code } }));
}

/**
 * One clock per interval for every subscription in the process, so that idle streams re-check together: their
 * checks go to the database as one statement per tick (see checkAccessNow), not one per stream at its own time.
 */
const clocks = new Map<number, { listeners: Set<() => void>; timer: NodeJS.Timeout }>();
function atNextTick(ms: number, listener: () => void): () => void {
  let clock = clocks.get(ms);
  if (!clock) {
    const listeners = new Set<() => void>();
    const timer = setInterval(() => {
      for (const l of [...listeners]) l();
    }, ms);
    timer.unref();
    clocks.set(ms, (clock = { listeners, timer }));
  }
  const { listeners, timer } = clock;
  listeners.add(listener);
  return () => {
    listeners.delete(listener);
    if (listeners.size === 0 && clocks.get(ms)?.timer === timer) {
      clearInterval(timer);
      clocks.delete(ms);
    }
  };
}

/** Waits `ms` or until `signal` aborts. */
const pause = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done);
  });

/** What `read` answers, asked again (with backoff) while the database cannot be reached; throws once `signal` aborts. */
async function whenDatabaseAnswers<T>(read: () => Promise<T>, signal: AbortSignal): Promise<T> {
  for (let waitMs = 250; ; waitMs = Math.min(waitMs * 2, 5000)) {
    try {
      return await read();
    } catch (error) {
      if (!isDatabaseUnavailable(error) || signal.aborted) throw error;
      await pause(waitMs, signal);
      if (signal.aborted) throw error;
    }
  }
}

/**
 * The caller's access now. While the database cannot be reached the answer is not known: the stream holds its
 * next event (delivers nothing) and asks again, as the feed itself waits out a restart.
 */
const accessNow = (ctx: GraphQLContext, access: LiveAccess, signal: AbortSignal): Promise<AccessVerdict> =>
  whenDatabaseAnswers(() => checkAccessNow(ctx.db, access), signal);

/**
 * The visible events, each delivered only after its caller's token and access are checked again (so an event
 * appended after a revocation is never sent), and re-checked at least every `streamRecheckMs` while no event
 * comes, so an idle stream ends too. It ends with a StreamEnded when a check fails, and when `signal` aborts.
 */
async function* checkedEvents(ctx: GraphQLContext, from: FeedCursor, streamId: string | undefined, signal: AbortSignal): AsyncGenerator<RecordedEvent | StreamEnded> {
  const access = liveAccessOf(ctx.identity, streamId);
  // Per event: the token and the context (one statement for every subscriber woken by the same event).
  const perEvent = liveAccessOf(ctx.identity);
  const source = visibleEvents(ctx, from, streamId, signal);
  let pending: Promise<IteratorResult<RecordedEvent>> | null = null;
  try {
    while (!signal.aborted) {
      pending ??= source.next();
      let stop = () => {};
      let onAbort = () => {};
      const outcome = await Promise.race([
        pending.then((result) => ({ result })),
        new Promise<'tick'>((resolve) => {
          stop = atNextTick(ctx.config.streamRecheckMs, () => resolve('tick'));
          onAbort = () => resolve('tick');
          signal.addEventListener('abort', onAbort);
        }),
      ]).finally(() => {
        stop();
        signal.removeEventListener('abort', onAbort);
      });
      if (signal.aborted) return;
      if (outcome === 'tick') {
        let verdict: AccessVerdict;
        try {
          verdict = await checkAccessNow(ctx.db, access);
        } catch (error) {
          // Unknown while the database restarts: the next tick asks again, and no event goes out unchecked.
          if (isDatabaseUnavailable(error)) continue;
          throw error;
        }
        if (verdict !== 'ok') return yield endedBecause(verdict);
        continue;
      }
      pending = null;
      if (outcome.result.done) return;
      const event = outcome.result.value;
      const verdict = await accessNow(ctx, perEvent, signal);
      if (verdict !== 'ok') return yield endedBecause(verdict);
      yield event;
      if (streamId !== undefined && event.type === 'ModelDeleted') return yield endedBecause('model-gone');
    }
  } finally {
    // Lets the feed go: at once when the source is paused at an event, else (a read pending) when the abort reaches it.
    void source.return(undefined).catch(() => {});
  }
}

/** Open subscriptions per token, per process (each app has its own feed). */
const openStreams = new WeakMap<EventFeed, Map<string, number>>();

/** Takes one of the token's subscription slots, or refuses with 429; the function returned gives it back (once). */
function takeStreamSlot(ctx: GraphQLContext): () => void {
  let counts = openStreams.get(ctx.feed);
  if (!counts) openStreams.set(ctx.feed, (counts = new Map()));
  const { tokenId } = ctx.identity;
  const open = counts.get(tokenId) ?? 0;
  if (open >= ctx.config.maxSubscriptionsPerToken) {
    throw new GraphQLError(`This token already has ${open} subscriptions open, the most it may; close one first`, {
      extensions: { code: 'TOO_MANY_REQUESTS', limit: ctx.config.maxSubscriptionsPerToken, http: { status: 429, headers: { 'retry-after': '5' } } },
    });
  }
  counts.set(tokenId, open + 1);
  let released = false;
  return () => {
    if (released) return;
    released = true;
    const left = (counts.get(tokenId) ?? 1) - 1;
    if (left > 0) counts.set(tokenId, left);
    else counts.delete(tokenId);
  };
}

/**
 * The subscription's iterator. Closing it (the client went away) aborts the feed at once, even while it
 * waits for an event, and gives the token's slot back; so does its end.
 */
function subscription(ctx: GraphQLContext, from: FeedCursor, streamId: string | undefined, release: () => void): AsyncIterableIterator<RecordedEvent | StreamEnded> {
  const abort = new AbortController();
  const inner = checkedEvents(ctx, from, streamId, abort.signal);
  const end = () => {
    abort.abort();
    release();
  };
  const iterator: AsyncIterableIterator<RecordedEvent | StreamEnded> = {
    next: () =>
      inner.next().then(
        (result) => {
          if (result.done) end();
          return result;
        },
        (error: unknown) => {
          end();
          throw error;
        },
      ),
    return: (value?: unknown) => {
      end();
      return inner.return(value as undefined);
    },
    throw: (error?: unknown) => {
      end();
      return inner.throw(error);
    },
    [Symbol.asyncIterator]: () => iterator,
  };
  return iterator;
}

builder.subscriptionFields((t) => ({
  modelEvents: t.field({
    authScopes: { permission: 'model:view' },
    type: ModelEventRef,
    description:
      "Every new event in this context, or one model's. With `after` (a position), first the events after it, then live ones: a client that reconnects with its last position misses nothing and sees nothing twice; `after: \"0\"` replays from the beginning (a model's ModelCreated first). The stream ends with UNAUTHENTICATED when the token is revoked or expires, and with NOT_FOUND when the caller loses access to the context or the model is deleted. A token may hold a limited number open at once (TOO_MANY_REQUESTS, HTTP 429, beyond it).",
    args: { modelId: t.arg.id(), after: t.arg.string() },
    subscribe: async (_root, { modelId, after }, ctx) => {
      if (after != null && after !== FROM_THE_BEGINNING && !isPosition(after)) {
        throw invalidArgument('`after` is a position (a whole number from 1 to 9223372036854775807), or "0" for the beginning');
      }
      let streamId: string | undefined;
      if (modelId != null) {
        const model = await loadModel(ctx, String(modelId));
        if (!model) throw new GraphQLError('No such model', { extensions: { code: 'NOT_FOUND' } });
        streamId = model.id;
      }
      let from: FeedCursor;
      try {
        from = await ctx.feed.cursor(after);
      } catch (error) {
        if (error instanceof UnknownPositionError) throw new GraphQLError(error.message, { extensions: { code: 'NOT_FOUND' } });
        throw error;
      }
      return subscription(ctx, from, streamId, takeStreamSlot(ctx));
    },
    resolve: (event) => {
      if (event instanceof StreamEnded) throw event.error;
      return event;
    },
  }),
}));
