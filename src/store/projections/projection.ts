import type { AccessEventType, RecordedAccessEvent } from '../../domain/access/events.ts';
import type { ModelEventType, RecordedEvent } from '../../domain/model/events.ts';
import type { Database, Executor } from '../database.ts';

/**
 * A read model: the tables it owns and the SQL it runs for each event it handles. It runs inline, in the
 * transaction that appends the events, and again from the log alone in `npm run rebuild`.
 */
export interface Projection {
  name: string;
  tables: readonly (keyof Database)[];
  handles: readonly (ModelEventType | AccessEventType)[];
  apply(trx: Executor, event: RecordedEvent | RecordedAccessEvent): Promise<void>;
}

/**
 * Closes a projection's switch over the events: a new event type fails to compile in every projection until
 * each says what it does with it, nothing included, rather than being skipped by a `default`.
 */
export { assertNever } from '../../domain/exhaustive.ts';
