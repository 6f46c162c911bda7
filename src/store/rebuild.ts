import { sql } from 'kysely';
import { evolve, initialState, type LiveModel, type ModelState } from '../domain/model/evolve.ts';
import type { Db, Executor } from './database.ts';
import { readAll } from './eventLog.ts';
import { readModelTables } from './projections/index.ts';

const json = (v: unknown) => JSON.stringify(v);

/** Rows per multi-row INSERT: 13 columns × 1000 stays far below PostgreSQL's 65,535 parameters. */
const INSERT_ROWS = 1000;

async function insertAll<T>(rows: T[], insert: (chunk: T[]) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < rows.length; i += INSERT_ROWS) await insert(rows.slice(i, i + INSERT_ROWS));
}

/** The read-model rows of a live model: what the inline projections leave after the same events. */
async function writeModels(trx: Executor, models: LiveModel[]): Promise<void> {
  await insertAll(models, (chunk) =>
    trx
      .insertInto('models')
      .values(
        chunk.map((m) => ({
          id: m.id,
          context_id: m.contextId,
          name: m.name,
          description: m.description,
          tags: m.tags,
          created_at: m.createdAt,
          created_by: m.createdBy,
          updated_at: m.updatedAt,
          version_count: m.versions.length,
          highest_number: m.highestNumber,
          stream_version: m.streamVersion,
        })),
      )
      .execute(),
  );
  const versions = models.flatMap((m) => m.versions.map((v) => ({ m, v })));
  await insertAll(versions, (chunk) =>
    trx
      .insertInto('versions')
      .values(
        chunk.map(({ m, v }) => ({
          model_id: m.id,
          number: v.number,
          status: v.status,
          description: v.description,
          tags: v.tags,
          hyperparameters: json(v.hyperparameters),
          config: json(v.config),
          records: json(v.records),
          created_at: v.createdAt,
          created_by: v.createdBy,
          updated_at: v.updatedAt,
          published_at: v.publishedAt,
          published_by: v.publishedBy,
        })),
      )
      .execute(),
  );
  const formats = versions.flatMap(({ m, v }) => v.formats.map((f) => ({ m, v, f })));
  await insertAll(formats, (chunk) =>
    trx
      .insertInto('formats')
      .values(
        chunk.map(({ m, v, f }) => ({
          model_id: m.id,
          number: v.number,
          format: f.format,
          filename: f.filename,
          size: f.size,
          sha256: f.sha256,
          content_type: f.contentType,
          uploaded_at: f.uploadedAt,
          uploaded_by: f.uploadedBy,
        })),
      )
      .execute(),
  );
}

/**
 * Empties the read models and replays the whole log into them, in one transaction: readers see the old
 * rows until it commits, and writers wait on the truncated tables' locks, then project on top of the result.
 *
 * Replaying does not run the inline projections event by event (several statements per event): it folds
 * every stream with the domain's own `evolve`, then writes each live model's final rows in multi-row
 * INSERTs. The tests hold the two paths to the same rows (live projections == rebuilt == fold).
 */
export async function rebuildProjections(db: Db, options: { batchSize?: number } = {}): Promise<{ events: number }> {
  const batchSize = options.batchSize ?? 5000;
  return db.transaction().execute(async (trx) => {
    await sql`truncate table ${sql.join(readModelTables.map((t) => sql.table(t)))}`.execute(trx);
    const states = new Map<string, ModelState>();
    let after = '0';
    let count = 0;
    for (;;) {
      const batch = await readAll(trx, after, batchSize);
      if (batch.length === 0) break;
      for (const event of batch) states.set(event.streamId, evolve(states.get(event.streamId) ?? initialState(), event));
      count += batch.length;
      after = batch[batch.length - 1]!.position;
    }
    const live = [...states.values()].filter((s): s is LiveModel => s.status === 'live');
    await writeModels(trx, live);
    return { events: count };
  });
}
