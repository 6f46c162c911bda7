import type { ModelEvent } from '../../domain/model/events.ts';
import { assertNever, type Projection } from './projection.ts';

const json = (v: unknown) => JSON.stringify(v);

/** One row per live version. Rows of a deleted model go with it (foreign key, on delete cascade). */
export const versionsProjection: Projection = {
  name: 'versions',
  tables: ['versions'],
  handles: ['VersionCreated', 'VersionUpdated', 'VersionPublished', 'VersionDeleted', 'FormatUploaded', 'FormatDeleted'],
  async apply(trx, event) {
    const e = event as ModelEvent;
    const at = event.recordedAt;
    switch (e.type) {
      case 'VersionCreated': {
        const d = e.data;
        await trx
          .insertInto('versions')
          .values({
            model_id: event.streamId,
            number: d.number,
            status: 'DRAFT',
            description: d.description,
            tags: d.tags,
            hyperparameters: json(d.hyperparameters),
            config: json(d.config),
            records: json(d.records),
            created_at: at,
            created_by: event.metadata.actor,
            updated_at: at,
            published_at: null,
            published_by: null,
          })
          .execute();
        return;
      }
      case 'VersionUpdated': {
        // Each column named: a payload key is not a column until this projection says so.
        const { number, description, tags, hyperparameters, config, records } = e.data;
        await trx
          .updateTable('versions')
          .set({
            ...(description !== undefined && { description }),
            ...(tags !== undefined && { tags }),
            ...(hyperparameters !== undefined && { hyperparameters: json(hyperparameters) }),
            ...(config !== undefined && { config: json(config) }),
            ...(records !== undefined && { records: json(records) }),
            updated_at: at,
          })
          .where('model_id', '=', event.streamId)
          .where('number', '=', number)
          .execute();
        return;
      }
      case 'VersionPublished':
        await trx
          .updateTable('versions')
          .set({ status: 'PUBLISHED', published_at: at, published_by: event.metadata.actor, updated_at: at })
          .where('model_id', '=', event.streamId)
          .where('number', '=', e.data.number)
          .execute();
        return;
      case 'VersionDeleted':
        await trx.deleteFrom('versions').where('model_id', '=', event.streamId).where('number', '=', e.data.number).execute();
        return;
      case 'FormatUploaded':
      case 'FormatDeleted':
        await trx
          .updateTable('versions')
          .set({ updated_at: at })
          .where('model_id', '=', event.streamId)
          .where('number', '=', e.data.number)
          .execute();
        return;
      case 'ModelCreated':
      case 'ModelUpdated':
      case 'ModelDeleted':
        // Not in `handles`: a model's deletion takes its versions with it (foreign key, on delete cascade).
        return;
      default:
        return assertNever(e);
    }
  },
};
