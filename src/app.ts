import { randomUUID } from 'node:crypto';
import { useCSRFPrevention } from '@graphql-yoga/plugin-csrf-prevention';
import { createYoga, type YogaServerInstance } from 'graphql-yoga';
import type { Config } from './config.ts';
import { createLoaders, type GraphQLContext } from './graphql/context.ts';
import { EXAMPLE_OPERATION, renderLocalGraphiQL } from './graphql/graphiql.ts';
import { schema } from './graphql/schema.ts';
import { createRequestHandler, type RequestHandler } from './http/server.ts';
import type { Logger } from './logger.ts';
import { contextIdByName } from './store/contexts.ts';
import { createEventFeed, type EventFeed } from './store/eventFeed.ts';
import type { Store } from './store/open.ts';

export interface App {
  yoga: YogaServerInstance<Record<string, unknown>, GraphQLContext>;
  /** The Node HTTP handler: GraphQL, health, and (later) files. */
  handle: RequestHandler;
  store: Store;
  feed: EventFeed;
  close(): Promise<void>;
}

/** The header that marks a request as not a cross-site form post (see CSRF prevention below). */
export const CSRF_HEADER = 'x-cairn-csrf';

const requestIdFrom = (header: string | null) => (header && /^[\w.:-]{1,128}$/.test(header) ? header : randomUUID());

/** Wires a Cairn server around an open store. Does not listen: main.ts does, tests call `yoga.fetch` or `handle`. */
export async function createApp(config: Config, store: Store, logger: Logger): Promise<App> {
  const defaultContextId = await contextIdByName(store.db, 'default');
  if (!defaultContextId) throw new Error('The default context is missing: the database was not migrated');
  const feed = await createEventFeed(store);

  const yoga = createYoga<Record<string, unknown>, GraphQLContext>({
    schema,
    graphqlEndpoint: '/graphql',
    landingPage: false,
    // Uploads go through graphql-upload-minimal in the HTTP layer, streaming; Yoga would buffer them.
    multipart: false,
    logging: logger,
    // Unexpected errors reach clients as "Unexpected error." with no stack, SQL or path; they are logged here.
    maskedErrors: true,
    // This GraphiQL build shows `initialQuery` on a first visit (it ignores `defaultQuery`); both are given.
    graphiql: {
      title: 'Cairn',
      defaultQuery: EXAMPLE_OPERATION,
      ...{ initialQuery: EXAMPLE_OPERATION },
      headers: JSON.stringify({ [CSRF_HEADER]: '1' }),
    },
    renderGraphiQL: renderLocalGraphiQL,
    plugins: [
      // Browsers send form posts and simple GETs cross-site without asking; such requests must carry this header.
      useCSRFPrevention({ requestHeaders: [CSRF_HEADER, 'x-graphql-yoga-csrf', 'apollo-require-preflight'] }),
    ],
    context: ({ request }): GraphQLContext => ({
      db: store.db,
      config,
      feed,
      contextId: defaultContextId,
      actor: null,
      requestId: requestIdFrom(request.headers.get('x-request-id')),
      loaders: createLoaders(store.db),
    }),
  });

  return {
    yoga,
    handle: createRequestHandler({ yoga, store, config, logger }),
    store,
    feed,
    async close() {
      await feed.close();
      await yoga.dispose();
    },
  };
}
