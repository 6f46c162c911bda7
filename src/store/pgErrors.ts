/** Recognises PostgreSQL errors by SQLSTATE; pg and PGlite both expose `code` and `constraint`. */
interface PgError {
  code?: unknown;
  constraint?: unknown;
}

export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  const e = error as PgError | null;
  return !!e && e.code === '23505' && (constraint === undefined || e.constraint === constraint);
}

/** Serialization failures and deadlocks: the transaction did nothing and may simply run again. */
export function isRetryableTransactionError(error: unknown): boolean {
  const e = error as PgError | null;
  return !!e && (e.code === '40001' || e.code === '40P01');
}

/** A lock not taken within `lock_timeout` (55P03): nothing was done by the statement that waited. */
export function isLockNotAvailable(error: unknown): boolean {
  const e = error as PgError | null;
  return !!e && e.code === '55P03';
}

/** Network errors of a connection to the server, as Node reports them. */
const CONNECTION_ERRNOS = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH']);

/**
 * The database cannot be reached or is restarting: connection exceptions (class 08), an administrator's
 * shutdown or a server still starting (57P01-57P03), a socket error, or pg's own words for a connection
 * that ended under it. Nothing was done; the request may be sent again once the server is back.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (let e = error as (PgError & { message?: unknown; cause?: unknown }) | null, depth = 0; e && depth < 5; e = e.cause as typeof e, depth++) {
    const code = typeof e.code === 'string' ? e.code : '';
    if (code.startsWith('08') || code === '57P01' || code === '57P02' || code === '57P03' || CONNECTION_ERRNOS.has(code)) return true;
    const message = typeof e.message === 'string' ? e.message : '';
    if (/Connection terminated|connection timeout|Client has encountered a connection error|timeout exceeded when trying to connect/i.test(message)) return true;
  }
  return false;
}

/** errno codes of a file system with no room left: the disk is full, or the user's quota is used up. */
const STORAGE_FULL_ERRNOS = new Set(['ENOSPC', 'EDQUOT']);
/** An object store's words for the same: MinIO's (HTTP 507) and Ceph's quota; S3 itself has no such answer. */
const STORAGE_FULL_S3_CODES = new Set(['XMinioStorageFull', 'QuotaExceeded']);

/**
 * Why there is no room to store a write, or null: PostgreSQL's disk_full (53100, which PGlite reports
 * too), a file system's ENOSPC or EDQUOT, or an object store's refusal, found on the error itself, its
 * `cause` chain or a GraphQL error's `originalError`.
 */
export function storageFullCode(error: unknown): string | null {
  type Chained = PgError & { name?: unknown; cause?: unknown; originalError?: unknown; $metadata?: { httpStatusCode?: unknown } };
  for (let e = error as Chained | null, depth = 0; e && typeof e === 'object' && depth < 8; e = (e.cause ?? e.originalError) as Chained | null, depth++) {
    const code = typeof e.code === 'string' ? e.code : '';
    if (code === '53100' || STORAGE_FULL_ERRNOS.has(code)) return code;
    const name = typeof e.name === 'string' ? e.name : '';
    if (STORAGE_FULL_S3_CODES.has(name)) return name;
    if (e.$metadata?.httpStatusCode === 507) return 'HTTP 507';
  }
  return null;
}

export const isStorageFull = (error: unknown): boolean => storageFullCode(error) !== null;

/**
 * The connection failed while COMMIT was under way: the write may or may not have committed, and nobody
 * can tell from here. Not "nothing was done": a repeat without an idempotency key could do it twice.
 */
export class OutcomeUnknown extends Error {
  constructor(cause: unknown) {
    super('The connection to the database failed during COMMIT', { cause });
  }
}
