import type { Compilable } from 'kysely';
import type { EvaluationState, FormatState, LiveModel, ModelState, VersionState } from '../../domain/model/evolve.ts';
import type { Executor } from '../database.ts';

/**
 * The read models of a model stream (models, versions, formats) are a function of its folded state: the row
 * of a live model, one row per live version, one per stored file. A command writes the difference between
 * the state before it and the state after it, each row at most once, so that every write of the command
 * can go into the one statement that appends its events (see handleCommand): a data-modifying CTE sees
 * none of its siblings' changes, so two writes of one row there would be unpredictable, and an event-by-
 * event projection (a version inserted, then updated by its file) could not share a statement.
 * The rebuild writes the same rows (rebuild.ts), from the same fold.
 */

/** A model stream's read-model tables, parents first (a version row needs its model's, a format row its version's). */
export const MODEL_TABLES = ['models', 'versions', 'formats', 'evaluations'] as const;

const json = (v: unknown) => JSON.stringify(v);

export const modelRow = (m: LiveModel) => ({
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
  aliases: m.aliases,
});

/** A model's columns as a statement's parameters: its aliases as JSON text. */
const modelColumns = (m: LiveModel) => ({ ...modelRow(m), aliases: json(m.aliases) });

/** A live version's row; its JSON columns as values (the rebuild sends them inside a JSON document, a command as text). */
export const versionRow = (modelId: string, v: VersionState) => ({
  model_id: modelId,
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
});

/** A stored file's row. */
export const formatRow = (modelId: string, number: number, f: FormatState) => ({
  model_id: modelId,
  number,
  format: f.format,
  filename: f.filename,
  size: f.size,
  sha256: f.sha256,
  content_type: f.contentType,
  uploaded_at: f.uploadedAt,
  uploaded_by: f.uploadedBy,
});

/** An evaluation's row; its metrics as a value (as versionRow's JSON). */
export const evaluationRow = (modelId: string, number: number, e: EvaluationState) => ({
  id: e.id,
  model_id: modelId,
  number,
  stream_version: e.streamVersion,
  dataset_uri: e.dataset.uri,
  dataset_name: e.dataset.name,
  metrics: e.metrics,
  notes: e.notes,
  recorded_at: e.recordedAt,
  recorded_by: e.recordedBy,
});

/** A version's columns as a statement's parameters: its JSON as text. */
function versionColumns(modelId: string, v: VersionState) {
  const { model_id: _m, number: _n, ...row } = versionRow(modelId, v);
  return { ...row, hyperparameters: json(row.hyperparameters), config: json(row.config), records: json(row.records) };
}

function formatColumns(modelId: string, number: number, f: FormatState) {
  const { model_id: _m, number: _n, format: _f, ...row } = formatRow(modelId, number, f);
  return row;
}

/** Equal as rows: the same columns with the same values (times compared as instants). */
const sameRow = (a: object, b: object) => JSON.stringify(a) === JSON.stringify(b);

/**
 * The statements (not yet run) that take a model's read-model rows from what `before` folds to to what
 * `after` does. Rows of a deleted model's versions and files go with its row (foreign keys, on delete cascade).
 */
export function readModelWrites(db: Executor, before: ModelState, after: ModelState): Compilable[] {
  const writes: Compilable[] = [];
  if (after.status !== 'live') {
    if (before.status === 'live') writes.push(db.deleteFrom('models').where('id', '=', before.id));
    return writes;
  }
  const id = after.id;
  const { id: _id, ...columns } = modelColumns(after);
  writes.push(before.status === 'live' ? db.updateTable('models').set(columns).where('id', '=', id) : db.insertInto('models').values(modelColumns(after)));
  const previous = new Map(before.status === 'live' ? before.versions.map((v) => [v.number, v]) : []);
  for (const v of after.versions) {
    const was = previous.get(v.number);
    previous.delete(v.number);
    // evolve keeps a version it does not change as the same object: most of a model's versions, unread.
    if (was === v) continue;
    const columns = versionColumns(id, v);
    if (!was) writes.push(db.insertInto('versions').values({ model_id: id, number: v.number, ...columns }));
    else if (!sameRow(versionColumns(id, was), columns)) writes.push(db.updateTable('versions').set(columns).where('model_id', '=', id).where('number', '=', v.number));
    const files = new Map((was?.formats ?? []).map((f) => [f.format, f]));
    for (const f of v.formats) {
      const had = files.get(f.format);
      files.delete(f.format);
      if (had === f) continue;
      const row = formatColumns(id, v.number, f);
      if (!had) writes.push(db.insertInto('formats').values({ model_id: id, number: v.number, format: f.format, ...row }));
      else if (!sameRow(formatColumns(id, v.number, had), row))
        writes.push(db.updateTable('formats').set(row).where('model_id', '=', id).where('number', '=', v.number).where('format', '=', f.format));
    }
    for (const format of files.keys()) writes.push(db.deleteFrom('formats').where('model_id', '=', id).where('number', '=', v.number).where('format', '=', format));
    // Evaluations are only ever added, at the end: the new ones are those past what the version had.
    for (const e of v.evaluations.slice(was?.evaluations.length ?? 0)) {
      writes.push(db.insertInto('evaluations').values({ ...evaluationRow(id, v.number, e), metrics: json(e.metrics) }));
    }
  }
  // A deleted version's files and evaluations go with its row.
  for (const number of previous.keys()) writes.push(db.deleteFrom('versions').where('model_id', '=', id).where('number', '=', number));
  return writes;
}
