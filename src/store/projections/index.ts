import type { RecordedAccessEvent } from '../../domain/access/events.ts';
import type { Executor } from '../database.ts';
import { accessControlProjection } from './accessControl.ts';
import { MODEL_TABLES } from './modelRows.ts';
import type { Projection } from './projection.ts';

/**
 * The projections that run event by event, inline: access control. A model stream's read models (models,
 * versions, formats) are written from its folded state instead, in the statement that appends its events
 * (modelRows.ts); the rebuild writes both kinds from folds.
 */
export const projections: readonly Projection[] = [accessControlProjection];

/** Every read-model table, children first (the order the rebuild drops and renames them in): a model row needs its context's row. */
export const readModelTables = [...accessControlProjection.tables, ...MODEL_TABLES].reverse();

export async function project(trx: Executor, events: readonly RecordedAccessEvent[]): Promise<void> {
  for (const event of events) {
    for (const projection of projections) {
      if (projection.handles.includes(event.type)) await projection.apply(trx, event);
    }
  }
}
