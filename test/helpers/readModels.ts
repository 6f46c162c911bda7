import type { RecordedEvent } from '../../src/domain/model/events.ts';
import { fold } from '../../src/domain/model/evolve.ts';
import type { Db } from '../../src/store/database.ts';
import { readAll } from '../../src/store/eventLog.ts';

/** Every read-model row, in key order, in one comparable shape. */
export async function readModelRows(db: Db) {
  const models = await db.selectFrom('models').selectAll().orderBy('id').execute();
  const versions = await db.selectFrom('versions').selectAll().orderBy('model_id').orderBy('number').execute();
  const formats = await db.selectFrom('formats').selectAll().orderBy('model_id').orderBy('number').orderBy('format').execute();
  const evaluations = await db.selectFrom('evaluations').selectAll().orderBy('model_id').orderBy('number').orderBy('stream_version').execute();
  return {
    models: models.map((m) => ({ ...m, created_at: m.created_at.toISOString(), updated_at: m.updated_at.toISOString() })),
    versions: versions.map((v) => ({
      ...v,
      created_at: v.created_at.toISOString(),
      updated_at: v.updated_at.toISOString(),
      published_at: v.published_at?.toISOString() ?? null,
    })),
    formats: formats.map((f) => ({ ...f, size: Number(f.size), uploaded_at: f.uploaded_at.toISOString() })),
    evaluations: evaluations.map((e) => ({ ...e, recorded_at: e.recorded_at.toISOString() })),
  };
}

export async function allEvents(db: Db): Promise<RecordedEvent[]> {
  return (await readAll(db, '0', 1_000_000, 'model')) as RecordedEvent[];
}

/** What the read models must hold, computed from the events alone by the domain's own fold. */
export function rowsFromFold(events: readonly RecordedEvent[]) {
  const streams = new Map<string, RecordedEvent[]>();
  for (const e of events) streams.set(e.streamId, [...(streams.get(e.streamId) ?? []), e]);
  const rows: Awaited<ReturnType<typeof readModelRows>> = { models: [], versions: [], formats: [], evaluations: [] };
  for (const [, stream] of [...streams].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const m = fold(stream);
    if (m.status !== 'live') continue;
    rows.models.push({
      id: m.id,
      context_id: m.contextId,
      name: m.name,
      description: m.description,
      tags: m.tags,
      created_at: m.createdAt.toISOString(),
      created_by: m.createdBy,
      updated_at: m.updatedAt.toISOString(),
      version_count: m.versions.length,
      highest_number: m.highestNumber,
      stream_version: m.streamVersion,
      aliases: m.aliases.map((a) => ({ name: a.name, number: a.number, setAt: a.setAt.toISOString(), setBy: a.setBy })),
    });
    for (const v of [...m.versions].sort((a, b) => a.number - b.number)) {
      rows.versions.push({
        model_id: m.id,
        number: v.number,
        status: v.status,
        description: v.description,
        tags: v.tags,
        hyperparameters: v.hyperparameters,
        config: v.config,
        records: v.records,
        created_at: v.createdAt.toISOString(),
        created_by: v.createdBy,
        updated_at: v.updatedAt.toISOString(),
        published_at: v.publishedAt?.toISOString() ?? null,
        published_by: v.publishedBy,
      });
      for (const f of v.formats) {
        rows.formats.push({
          model_id: m.id,
          number: v.number,
          format: f.format,
          filename: f.filename,
          size: f.size,
          sha256: f.sha256,
          content_type: f.contentType,
          uploaded_at: f.uploadedAt.toISOString(),
          uploaded_by: f.uploadedBy,
        });
      }
      for (const e of v.evaluations) {
        rows.evaluations.push({
          id: e.id,
          model_id: m.id,
          number: v.number,
          stream_version: e.streamVersion,
          dataset_uri: e.dataset.uri,
          dataset_name: e.dataset.name,
          metrics: e.metrics,
          notes: e.notes,
          recorded_at: e.recordedAt.toISOString(),
          recorded_by: e.recordedBy,
        });
      }
    }
  }
  return rows;
}
