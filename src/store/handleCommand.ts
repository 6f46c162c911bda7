import { sql, type Transaction } from 'kysely';
import { ConflictError } from '../domain/errors.ts';
import type { ModelCommand } from '../domain/model/commands.ts';
import { type DecideLimits, decide } from '../domain/model/decide.ts';
import type { EventMetadata, ModelEvent, RecordedEvent } from '../domain/model/events.ts';
import { evolve, fold, type ModelState } from '../domain/model/evolve.ts';
import type { Database, Db } from './database.ts';
import { appendToStream, readStream, StreamVersionConflict } from './eventLog.ts';
import { isRetryableTransactionError } from './pgErrors.ts';
import { project } from './projections/index.ts';

export interface CommandResult {
  /** The events this command appended (none when it changed nothing). */
  events: RecordedEvent[];
  /** The model's state after them. */
  state: ModelState;
  /** The model's state before them. */
  previous: ModelState;
}

export interface HandleOptions {
  limits: DecideLimits;
  metadata: EventMetadata;
  /** Checks the current state before deciding (the caller's access to this model); throws to refuse. */
  guard?: (state: ModelState) => void;
  /** Runs in the transaction just before the events are appended (an upload commits its blobs here). */
  beforeAppend?: (trx: Transaction<Database>, events: readonly ModelEvent[]) => Promise<void>;
  /** Attempts when the stream moved on between read and append. */
  maxAttempts?: number;
}

/**
 * Load -> fold -> decide -> append + project, in one transaction.
 *
 * Writers to one stream first take a transaction-scoped advisory lock on it, so that concurrent commands
 * on one model queue up instead of failing in turn: with purely optimistic appends, 40 concurrent writers
 * would need up to 40 rounds of retries. The expected-version check in appendToStream still guards every
 * append; a conflict (or a serialization failure) is retried a bounded number of times, never anything else.
 */
export async function handleCommand(db: Db, streamId: string, command: ModelCommand, options: HandleOptions): Promise<CommandResult> {
  const maxAttempts = options.maxAttempts ?? 5;
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.transaction().execute(async (trx) => {
        await sql`select pg_advisory_xact_lock(hashtextextended(${streamId}, 0))`.execute(trx);
        const state = fold(await readStream(trx, streamId));
        options.guard?.(state);
        const decided = decide(command, state, options.limits);
        if (decided.length > 0) await options.beforeAppend?.(trx, decided);
        const events = await appendToStream(trx, streamId, state.streamVersion, decided, options.metadata);
        await project(trx, events);
        return { events, state: events.reduce(evolve, state), previous: state };
      });
    } catch (error) {
      const retryable = error instanceof StreamVersionConflict || isRetryableTransactionError(error);
      if (!retryable) throw error;
      if (attempt >= maxAttempts) throw new ConflictError('The model changed while this request ran; try again');
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 10 * attempt));
    }
  }
}
