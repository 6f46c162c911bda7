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
