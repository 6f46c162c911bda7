import { sql } from 'kysely';
import { NameTakenError } from '../../domain/errors.ts';
import { MODEL_EVENT_TYPES, type ModelEvent } from '../../domain/model/events.ts';
import { isUniqueViolation } from '../pgErrors.ts';
import { assertNever, type Projection } from './projection.ts';

/** One row per live model. Its unique (context, lower(name)) index holds the name rule across streams. */
export const modelsProjection: Projection = {
  name: 'models',
  tables: ['models'],
  handles: MODEL_EVENT_TYPES,
  async apply(trx, event) {
    const e = event as ModelEvent;
    const touch = { updated_at: event.recordedAt, stream_version: event.streamVersion };
    const update = trx.updateTable('models').where('id', '=', event.streamId);
    try {
      switch (e.type) {
        case 'ModelCreated':
          await trx
            .insertInto('models')
            .values({
              id: event.streamId,
              context_id: event.contextId!,
              name: e.data.name,
              description: e.data.description,
              tags: e.data.tags,
              created_at: event.recordedAt,
              created_by: event.metadata.actor,
              version_count: 0,
              highest_number: 0,
              ...touch,
            })
            .execute();
          return;
        case 'ModelUpdated':
          // Each column named: a payload key is not a column until this projection says so.
          await update
            .set({
              ...(e.data.name !== undefined && { name: e.data.name }),
              ...(e.data.description !== undefined && { description: e.data.description }),
              ...(e.data.tags !== undefined && { tags: e.data.tags }),
              ...touch,
            })
            .execute();
          return;
        case 'ModelDeleted':
          await trx.deleteFrom('models').where('id', '=', event.streamId).execute();
          return;
        case 'VersionCreated':
          await update
            .set({
              ...touch,
              version_count: sql`version_count + 1`,
              highest_number: sql`greatest(highest_number, ${e.data.number}::int)`,
            })
            .execute();
          return;
        case 'VersionDeleted':
          await update.set({ ...touch, version_count: sql`version_count - 1` }).execute();
          return;
        case 'VersionUpdated':
        case 'VersionPublished':
        case 'FormatUploaded':
        case 'FormatDeleted':
          await update.set(touch).execute();
          return;
        default:
          return assertNever(e);
      }
    } catch (error) {
      if (isUniqueViolation(error, 'models_context_name_key') && (e.type === 'ModelCreated' || e.type === 'ModelUpdated')) {
        throw new NameTakenError(e.data.name ?? '');
      }
      throw error;
    }
  },
};
