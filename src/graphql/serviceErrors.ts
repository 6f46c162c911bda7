import { GraphQLError } from 'graphql';
import { isDatabaseUnavailable, OutcomeUnknown, storageFullCode } from '../store/pgErrors.ts';

/**
 * The GraphQL face of failures of the service rather than of the request: what a client is told, and the
 * HTTP status it comes with. The store recognises the failures (store/pgErrors.ts); these are the answers.
 */

/** What a client is told when the database cannot be reached: nothing was done, and it may try again. */
export const DATABASE_UNAVAILABLE = {
  message: 'The database is unavailable; try again shortly',
  extensions: { code: 'SERVICE_UNAVAILABLE', retryable: true },
} as const;

/**
 * What a client is told when the disk, the object store or the database is full: nothing was kept, and
 * the same request may succeed once room is made (HTTP 507, Retry-After in seconds).
 */
export const STORAGE_FULL = {
  message: 'The server has no room left to store this; nothing was kept. Try again later',
  extensions: { code: 'STORAGE_FULL', retryable: true },
} as const;
export const STORAGE_FULL_RETRY_AFTER_SECONDS = 60;

/** What a client is told when COMMIT's outcome is unknown: a repeat with the same Idempotency-Key is safe, one without is not. */
export const OUTCOME_UNKNOWN = {
  message:
    'The database connection failed while the change was being committed: it may or may not have been made. ' +
    'Send the request again with the same Idempotency-Key to find out safely; without one, check before repeating it.',
  extensions: { code: 'OUTCOME_UNKNOWN', retryable: false, outcomeUnknown: true },
} as const;

/**
 * The answer to an error that is the service's, for Yoga's maskError: null when it is none of these (then
 * it is masked as an unexpected error).
 */
export function serviceError(error: unknown): GraphQLError | null {
  const original = error instanceof GraphQLError ? (error.originalError ?? error) : error;
  const path = error instanceof GraphQLError ? error.path : undefined;
  // Checked first: its cause is a connection error too, but here something may have been done.
  if (original instanceof OutcomeUnknown) {
    return new GraphQLError(OUTCOME_UNKNOWN.message, { path, extensions: { ...OUTCOME_UNKNOWN.extensions, http: { status: 503 } } });
  }
  if (isDatabaseUnavailable(original)) {
    return new GraphQLError(DATABASE_UNAVAILABLE.message, {
      path,
      extensions: { ...DATABASE_UNAVAILABLE.extensions, http: { status: 503, headers: { 'retry-after': '1' } } },
    });
  }
  if (storageFullCode(original)) {
    return new GraphQLError(STORAGE_FULL.message, {
      path,
      extensions: { ...STORAGE_FULL.extensions, http: { status: 507, headers: { 'retry-after': String(STORAGE_FULL_RETRY_AFTER_SECONDS) } } },
    });
  }
  return null;
}
