import { GraphQLError } from 'graphql';
import type { Db } from '../store/database.ts';
import { AuthenticationError, type Identity, identify, UnknownContextError } from './identity.ts';
import type { IdentityCache } from './identityCache.ts';
import { bearerToken } from './tokens.ts';

export const CONTEXT_HEADER = 'x-cairn-context';

/** A request refused before it reaches a resolver, with the HTTP status it gets. */
export class RequestRefused extends Error {
  constructor(
    readonly status: 401 | 404,
    readonly code: 'UNAUTHENTICATED' | 'NOT_FOUND',
    message: string,
  ) {
    super(message);
  }

  toGraphQLError(): GraphQLError {
    return new GraphQLError(this.message, { extensions: { code: this.code, http: { status: this.status } } });
  }
}

/**
 * The identity behind a request's `Authorization` and `X-Cairn-Context` headers, or a RequestRefused;
 * through the process's identity cache when it is given one.
 */
export async function identifyRequest(db: Db, header: (name: string) => string | null | undefined, cache?: IdentityCache): Promise<Identity> {
  const secret = bearerToken(header('authorization'));
  if (!secret) throw new RequestRefused(401, 'UNAUTHENTICATED', 'Send an API token: Authorization: Bearer <token>');
  try {
    return await identify(db, secret, header(CONTEXT_HEADER) ?? null, cache);
  } catch (error) {
    if (error instanceof AuthenticationError) throw new RequestRefused(401, 'UNAUTHENTICATED', error.message);
    if (error instanceof UnknownContextError) throw new RequestRefused(404, 'NOT_FOUND', error.message);
    throw error;
  }
}
