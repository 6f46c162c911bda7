import type { Transaction } from 'kysely';
import { ConflictError } from '../domain/errors.ts';
import type { Database, Db } from './database.ts';
import { StreamVersionConflict } from './eventLog.ts';
import { isDatabaseUnavailable, isRetryableTransactionError, OutcomeUnknown } from './pgErrors.ts';

/**
 * Runs a command's work (lock, load, decide, append, project) in one transaction, for model and
 * access-control streams alike. A version conflict or a serialization failure is retried a bounded number of
 * times, never anything else; after the last, `conflictMessage` is the client's CONFLICT.
 *
 * The transaction is a controlled one so that a connection lost during COMMIT is told apart from one lost
 * before it: before, nothing was done (the caller may say so); during, the write may have committed, and
 * OutcomeUnknown says exactly that.
 */
export async function inCommandTransaction<T>(
  db: Db,
  work: (trx: Transaction<Database>) => Promise<T>,
  options: { maxAttempts?: number; conflictMessage: string },
): Promise<T> {
  const maxAttempts = options.maxAttempts ?? 5;
  for (let attempt = 1; ; attempt++) {
    try {
      const trx = await db.startTransaction().execute();
      let result: T;
      try {
        result = await work(trx);
      } catch (error) {
        // On a dead connection this fails too; it still releases the connection.
        await trx.rollback().execute().catch(() => {});
        throw error;
      }
      try {
        await trx.commit().execute();
      } catch (error) {
        if (!trx.isRolledBack) await trx.rollback().execute().catch(() => {});
        if (isDatabaseUnavailable(error)) throw new OutcomeUnknown(error);
        throw error;
      }
      return result;
    } catch (error) {
      const retryable = error instanceof StreamVersionConflict || isRetryableTransactionError(error);
      if (!retryable) throw error;
      if (attempt >= maxAttempts) throw new ConflictError(options.conflictMessage);
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 10 * attempt));
    }
  }
}
