import { sql } from 'kysely';
import { evolve, initialState, type LiveModel, type ModelState } from '../domain/model/evolve.ts';
import type { Db, Executor } from './database.ts';
import { readAll } from './eventLog.ts';
import { readModelTables } from './projections/index.ts';

/**
 * Rows per INSERT. Each INSERT sends its rows as one JSON parameter that PostgreSQL turns into rows
 * (`jsonb_to_recordset`): one parameter instead of 13 per row, which both pg and PGlite serialise and
 * parse much faster.
 */
const INSERT_ROWS = 5000;

/** The read-model tables' columns, as `jsonb_to_recordset` needs them (the migrations define the tables). */
const COLUMNS = {
  models: sql`id uuid, context_id uuid, name text, description text, tags text[], created_at timestamptz, created_by text, updated_at timestamptz, version_count integer, highest_number integer, stream_version integer`,
  versions: sql`model_id uuid, number integer, status text, description text, tags text[], hyperparameters jsonb, config jsonb, records jsonb, created_at timestamptz, created_by text, updated_at timestamptz, published_at timestamptz, published_by text`,
  formats: sql`model_id uuid, number integer, format text, filename text, size bigint, sha256 text, content_type text, uploaded_at timestamptz, uploaded_by text`,
};

async function insertRows(trx: Executor, table: keyof typeof COLUMNS, rows: object[]): Promise<void> {
  for (let i = 0; i < rows.length; i += INSERT_ROWS) {
    const chunk = JSON.stringify(rows.slice(i, i + INSERT_ROWS));
    await sql`insert into ${sql.table(table)} select * from jsonb_to_recordset(${chunk}::jsonb) as r(${COLUMNS[table]})`.execute(trx);
  }
}

/** The read-model rows of live models: what the inline projections leave after the same events. */
async function writeModels(trx: Executor, models: LiveModel[]): Promise<void> {
  await insertRows(
    trx,
    'models',
    models.map((m) => ({
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
  );
  const versions = models.flatMap((m) => m.versions.map((v) => ({ m, v })));
  await insertRows(
    trx,
    'versions',
    versions.map(({ m, v }) => ({
      model_id: m.id,
      number: v.number,
      status: v.status,
      description: v.description,
      tags: v.tags,
      hyperparameters: v.hyperparameters,
      config: v.config,
      records: v.records,
      created_at: v.createdAt,
      created_by: v.createdBy,
      updated_at: v.updatedAt,
      published_at: v.publishedAt,
      published_by: v.publishedBy,
    })),
  );
  await insertRows(
    trx,
    'formats',
    versions.flatMap(({ m, v }) =>
      v.formats.map((f) => ({
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
    ),
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
