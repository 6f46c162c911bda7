import type { RecordedAccessEvent } from '../../domain/access/events.ts';
import type { RecordedEvent } from '../../domain/model/events.ts';
import type { Executor } from '../database.ts';
import { accessControlProjection } from './accessControl.ts';
import { formatsProjection } from './formats.ts';
import { modelsProjection } from './models.ts';
import type { Projection } from './projection.ts';
import { versionsProjection } from './versions.ts';

/** In dependency order: a model row needs its context's row, a version row its model row, a format row its version row. */
export const projections: readonly Projection[] = [accessControlProjection, modelsProjection, versionsProjection, formatsProjection];

/** Every projection's read-model tables, children first (the order the rebuild drops and renames them in). */
export const readModelTables = projections.flatMap((p) => p.tables).reverse();

export async function project(trx: Executor, events: readonly (RecordedEvent | RecordedAccessEvent)[]): Promise<void> {
  for (const event of events) {
    for (const projection of projections) {
      if (projection.handles.includes(event.type)) await projection.apply(trx, event);
    }
  }
}
