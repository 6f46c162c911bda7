import type { AccessEventType, RecordedAccessEvent } from '../../domain/access/events.ts';
import type { Database, Executor } from '../database.ts';

/**
 * A read model projected event by event: the tables it owns and the SQL it runs for each event it handles.
 * It runs inline, in the transaction that appends the events; `npm run rebuild` writes the same rows from folds.
 */
export interface Projection {
  name: string;
  tables: readonly (keyof Database)[];
  handles: readonly AccessEventType[];
  apply(trx: Executor, event: RecordedAccessEvent): Promise<void>;
}

/**
 * Closes a projection's switch over the events: a new event type fails to compile in every projection until
 * each says what it does with it, nothing included, rather than being skipped by a `default`.
 */
export { assertNever } from '../../domain/exhaustive.ts';
