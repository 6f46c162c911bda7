import type { ModelEvent } from '../../domain/model/events.ts';
import { assertNever, type Projection } from './projection.ts';

/** One row per stored file of a live version. */
export const formatsProjection: Projection = {
  name: 'formats',
  tables: ['formats'],
  handles: ['FormatUploaded', 'FormatDeleted'],
  async apply(trx, event) {
    const e = event as ModelEvent;
    switch (e.type) {
      case 'FormatUploaded': {
        const { number, format, filename, size, sha256, contentType } = e.data;
        const row = {
          filename,
          size,
          sha256,
          content_type: contentType,
          uploaded_at: event.recordedAt,
          uploaded_by: event.metadata.actor,
        };
        await trx
          .insertInto('formats')
          .values({ model_id: event.streamId, number, format, ...row })
          .onConflict((oc) => oc.columns(['model_id', 'number', 'format']).doUpdateSet(row))
          .execute();
        return;
      }
      case 'FormatDeleted':
        await trx
          .deleteFrom('formats')
          .where('model_id', '=', event.streamId)
          .where('number', '=', e.data.number)
          .where('format', '=', e.data.format)
          .execute();
        return;
      case 'ModelCreated':
      case 'ModelUpdated':
      case 'ModelDeleted':
      case 'VersionCreated':
      case 'VersionUpdated':
      case 'VersionPublished':
      case 'VersionDeleted':
        // Not in `handles`: a model's deletion takes its formats with it (foreign key, on delete cascade).
        return;
      default:
        return assertNever(e);
    }
  },
};
