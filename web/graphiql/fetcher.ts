import type { GraphiQLProps } from 'graphiql';
import { getOperationAST, GraphQLError, parse, type DocumentNode } from 'graphql';
import { createClient } from 'graphql-sse';

type Fetcher = GraphiQLProps['fetcher'];
type Params = Parameters<Fetcher>[0];

const ENDPOINT = '/graphql';

/** Before a token is given nothing is sent: GraphiQL gets this answer instead (it does not introspect then either). */
export const withoutToken: Fetcher = () => ({
  errors: [new GraphQLError('Paste your API token into the field above first: nothing was sent.')],
});

/**
 * Every request carries the token as `Authorization: Bearer`, with the Headers tab's headers beside it
 * (`X-Cairn-Context`, say). Queries and mutations are JSON POSTs; subscriptions go over server-sent events
 * (graphql-sse, one connection each). `onRefused` hears of a 401: the token is wrong, revoked or expired.
 */
export function withToken(token: string, onRefused: () => void): Fetcher {
  return async (params, options) => {
    const headers = new Headers();
    for (const [name, value] of Object.entries(options?.headers ?? {})) headers.set(name, String(value));
    headers.set('authorization', `Bearer ${token}`);
    if (isSubscription(params, options?.documentAST)) return subscribe(params, headers);
    headers.set('content-type', 'application/json');
    headers.set('accept', 'application/graphql-response+json, application/json');
    const response = await fetch(ENDPOINT, { method: 'POST', headers, body: JSON.stringify(params) });
    if (response.status === 401) onRefused();
    const text = await response.text();
    try {
      return JSON.parse(text);
    } catch {
      return { errors: [new GraphQLError(`HTTP ${response.status} ${response.statusText}: the answer is not JSON`)] };
    }
  };
}

function isSubscription(params: Params, document?: DocumentNode): boolean {
  try {
    return getOperationAST(document ?? parse(params.query), params.operationName ?? undefined)?.operation === 'subscription';
  } catch {
    // Not parsed: the server says what is wrong with it.
    return false;
  }
}

async function* subscribe(params: Params, headers: Headers) {
  const client = createClient({ url: ENDPOINT, headers: Object.fromEntries(headers), retryAttempts: 0 });
  try {
    yield* client.iterate({ query: params.query, variables: params.variables, operationName: params.operationName ?? undefined });
  } finally {
    client.dispose();
  }
}
