import { createYoga, maskError, type Plugin, type YogaServerInstance } from 'graphql-yoga';
import type { BlobStore } from './files/blobStore.ts';
import { openBlobStore } from './files/openBlobStore.ts';
import { bootstrapAdmin } from './auth/bootstrap.ts';
import { IdentityCache } from './auth/identityCache.ts';
import { identifyRequest, RequestRefused } from './auth/requestIdentity.ts';
import { openLinkSigner } from './auth/signedLinks.ts';
import type { Config } from './config.ts';
import { createLoaders, createReadCache, type GraphQLContext } from './graphql/context.ts';
import { EXAMPLE_OPERATION, renderCairnGraphiQL, useGraphiQLPageHeaders } from './graphql/graphiql.ts';
import { schema } from './graphql/schema.ts';
import { useRefusalLog } from './graphql/refusalLog.ts';
import { requestIdFrom } from './http/requestId.ts';
import { createRequestHandler, type RequestHandler, type ServerContext } from './http/server.ts';
import type { Logger } from './logger.ts';
import { createMetrics, type Metrics } from './metrics.ts';
import { useOperationMetrics } from './graphql/operationMetrics.ts';
import { serviceError } from './graphql/serviceErrors.ts';
import { storageFullCode } from './store/pgErrors.ts';
import { useIdempotencyKeys } from './graphql/idempotency.ts';
import { createEventFeed, type EventFeed } from './store/eventFeed.ts';
import { ACCESS_CHANNEL, onAccessControlChange } from './store/identities.ts';
import type { Store } from './store/open.ts';
import { sharedListen } from './store/sharedListen.ts';
import { deliveryStats } from './store/webhooks.ts';
import { openSecretBox } from './webhooks/secrets.ts';
import { startWebhookWorker, type WebhookWorker } from './webhooks/worker.ts';
import { Gauge } from 'prom-client';

/** Hands Yoga the operations graphql-upload-minimal parsed, instead of letting it read the request body. */
const useParsedUploads = (): Plugin<object, ServerContext> => ({
  onRequestParse({ serverContext, setRequestParser }) {
    const operations = serverContext?.uploadOperations;
    if (operations) setRequestParser(() => operations as never);
  },
});

export interface App {
  yoga: YogaServerInstance<ServerContext, GraphQLContext>;
  /** The Node HTTP handler: GraphQL, health, and (later) files. */
  handle: RequestHandler;
  store: Store;
  feed: EventFeed;
  blobs: BlobStore;
  /** The first administrator's token, when this start created it (an empty database); shown once. */
  bootstrapToken: string | null;
  close(): Promise<void>;
  /** What /metrics shows (main.ts serves it on a listener of its own when CAIRN_METRICS_PORT is set). */
  metrics: Metrics;
  /** Who the tokens seen lately are (src/auth/identityCache.ts). */
  identities: IdentityCache;
  /** This process's webhook deliverer (src/webhooks/worker.ts). */
  webhooks: WebhookWorker;
}

export { CSRF_HEADER } from './http/server.ts';

/** Wires a Cairn server around an open store. Does not listen: main.ts does, tests call `yoga.fetch` or `handle`. */
export async function createApp(
  config: Config,
  store: Store,
  logger: Logger,
  blobStore?: BlobStore,
): Promise<App> {
  const metrics = createMetrics();
  const readCache = createReadCache();
  const stored = blobStore ?? (await openBlobStore(config));
  // Every byte an upload brings in passes through stage().
  const blobs: BlobStore = {
    ...stored,
    async stage(source, options) {
      const staged = await stored.stage(source, options);
      metrics.uploadBytes.inc(staged.size);
      return staged;
    },
  };
  const bootstrapToken = await bootstrapAdmin(store.db, config.bootstrapToken);
  // Read once: its key never changes, and every process on the database has the same one.
  const links = await openLinkSigner(store.db);
  const identities = new IdentityCache({
    observer: {
      hit: () => metrics.identityLookups.inc({ cache: 'hit' }),
      miss: () => metrics.identityLookups.inc({ cache: 'miss' }),
    },
  });
  // Counted, and said at debug level (a test of several processes waits for these lines).
  identities.on('emptied', (cause) => {
    metrics.identityInvalidations.inc({ cause });
    logger.debug({ cause }, 'identity cache emptied');
  });
  // Emptied by this process's access-control commands before they return, and by every other's NOTIFY.
  const stopFollowingCommands = onAccessControlChange(() => identities.invalidate('command'));
  const listen = sharedListen(store.listen);
  const unlistenAccess = await listen(
    ACCESS_CHANNEL,
    () => identities.invalidate('notify'),
    () => identities.suspend(),
  );
  const webhookBox = await openSecretBox(store.db);
  const webhookWorker = await startWebhookWorker(store.db, listen, webhookBox, config.webhooks, logger, {
    attempted: (outcome, durationMs) => {
      metrics.webhookAttempts.inc({ outcome });
      metrics.webhookAttemptDuration.observe(durationMs / 1000);
    },
  });
  // Asked of the database when /metrics is read: the deliveries of every process, not this one's. The two
  // gauges of one scrape (collected together) share one query.
  let reading: ReturnType<typeof deliveryStats> | null = null;
  const stats = () => (reading ??= deliveryStats(store.db).finally(() => (reading = null)));
  new Gauge({
    name: 'cairn_webhook_deliveries',
    help: 'Webhook deliveries by status (all processes)',
    labelNames: ['status'],
    registers: [metrics.registry],
    async collect() {
      for (const [status, n] of Object.entries((await stats()).counts)) this.set({ status }, n);
    },
  });
  new Gauge({
    name: 'cairn_webhook_oldest_pending_seconds',
    help: 'Age of the oldest webhook delivery still PENDING (0: none)',
    registers: [metrics.registry],
    async collect() {
      this.set((await stats()).oldestPendingSeconds);
    },
  });
  const feed = await createEventFeed({ db: store.db, listen }, {
    observer: {
      read: (events) => metrics.projectionLag.set((Date.now() - events[events.length - 1]!.recordedAt.getTime()) / 1000),
      following: (delta) => metrics.subscribers.inc(delta),
      heldBack: () => metrics.feedHeldBack.inc(),
    },
  });

  const yoga = createYoga<ServerContext, GraphQLContext>({
    schema,
    graphqlEndpoint: '/graphql',
    landingPage: false,
    // The HTTP layer answers preflights and sets the CORS headers of /graphql and /files/ alike (http/cors.ts).
    cors: false,
    // Uploads go through graphql-upload-minimal in the HTTP layer, streaming; Yoga would buffer them.
    multipart: false,
    logging: yogaLogger(logger),
    // Unexpected errors reach clients as "Unexpected error." with no stack, SQL or path; they are logged here.
    // A database that cannot be reached is said as such, retryable, rather than as an unexpected error;
    // so is a full disk or database (STORAGE_FULL, HTTP 507).
    maskedErrors: {
      maskError: (error, message, isDev) => serviceError(error) ?? maskError(error, message, isDev),
    },
    // Our own GraphiQL page (web/graphiql): it asks for the token first; a first visit shows the example.
    graphiql: { defaultQuery: EXAMPLE_OPERATION },
    renderGraphiQL: renderCairnGraphiQL,
    plugins: [
      useGraphiQLPageHeaders(),
      useRefusalLog(logger),
      useParsedUploads(),
      useOperationMetrics(metrics),
      useIdempotencyKeys(store.db, logger),
    ],
    context: async ({ request, identity: known }): Promise<GraphQLContext> => {
      let identity = known;
      try {
        identity ??= await identifyRequest(store.db, (name) => request.headers.get(name), identities);
      } catch (error) {
        throw error instanceof RequestRefused ? error.toGraphQLError() : error;
      }
      return {
        db: store.db,
        config,
        feed,
        blobs,
        links,
        identity,
        contextId: identity.context.id,
        requestId: requestIdFrom(request.headers.get('x-request-id')),
        metrics,
        loaders: createLoaders(store.db, readCache),
        webhooks: { box: webhookBox, worker: webhookWorker },
      };
    },
  });

  return {
    yoga,
    handle: createRequestHandler({ yoga, store, blobs, links, config, logger, metrics, identities }),
    store,
    feed,
    blobs,
    bootstrapToken,
    async close() {
      stopFollowingCommands();
      await webhookWorker.close();
      await unlistenAccess();
      await feed.close();
      await yoga.dispose();
    },
    metrics,
    identities,
    webhooks: webhookWorker,
  };
}

/**
 * The logger Yoga is given: Yoga logs every error it masks at error level, with its stack; a full disk or
 * database is an operator's matter that maskError answers as STORAGE_FULL, so it is said once, at warn.
 */
function yogaLogger(logger: Logger): Logger {
  return Object.assign(Object.create(logger) as Logger, {
    error(...args: unknown[]) {
      const full = storageFullCode(args[0]);
      if (full) logger.warn({ code: full }, 'no room left to store what a request sent; answered STORAGE_FULL');
      else Reflect.apply(logger.error, logger, args);
    },
  });
}
