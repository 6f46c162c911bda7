import { type ExpressionBuilder, sql } from 'kysely';
import { isUuid } from '../domain/ids.ts';
import type { AliasState, EvaluationState, FormatState, LiveModel, VersionState } from '../domain/model/evolve.ts';
import type { Database, Executor } from './database.ts';

/** What the read side serves: rows of the read models, or the same shapes folded from the log (as-of reads). */
/** A stored file as the read side serves it: the domain's format state, with its model and version. */
export type FormatRecord = FormatState & { modelId: string; number: number };

/** A version as the read side serves it: the domain's version state, less its formats and evaluations (loaded apart). */
export type VersionRecord = Omit<VersionState, 'formats' | 'evaluations'> & { modelId: string };

/** A recorded evaluation as the read side serves it, with its model and version. */
export type EvaluationRecord = EvaluationState & { modelId: string; number: number };

export type AliasRecord = AliasState;

export interface ModelRecord {
  id: string;
  contextId: string;
  name: string;
  description: string | null;
  tags: string[];
  createdAt: Date;
  createdBy: string | null;
  updatedAt: Date;
  versionCount: number;
  /** How many events its stream had when this row was read: the read-model rows of a model are a function of it. */
  streamVersion: number;
  /** By name. */
  aliases: AliasRecord[];
  /** Set when this is the model as it was in the past: its versions, formats and evaluations then, and how far the fold went. */
  asOf?: { position: string; versions: VersionRecord[]; formats: FormatRecord[]; evaluations: EvaluationRecord[] };
}

type Row<T extends keyof Database> = { [K in keyof Database[T]]: Database[T][K] extends import('kysely').ColumnType<infer S, any, any> ? S : Database[T][K] };

const toModel = (r: Row<'models'>): ModelRecord => ({
  id: r.id,
  contextId: r.context_id,
  name: r.name,
  description: r.description,
  tags: r.tags,
  createdAt: r.created_at,
  createdBy: r.created_by,
  updatedAt: r.updated_at,
  versionCount: r.version_count,
  streamVersion: r.stream_version,
  aliases: r.aliases.map((a) => ({ ...a, setAt: new Date(a.setAt) })),
});

const toVersion = (r: Row<'versions'>): VersionRecord => ({
  modelId: r.model_id,
  number: r.number,
  status: r.status,
  description: r.description,
  tags: r.tags,
  hyperparameters: r.hyperparameters,
  config: r.config,
  records: r.records,
  createdAt: r.created_at,
  createdBy: r.created_by,
  updatedAt: r.updated_at,
  publishedAt: r.published_at,
  publishedBy: r.published_by,
});

const toFormat = (r: Row<'formats'>): FormatRecord => ({
  modelId: r.model_id,
  number: r.number,
  format: r.format,
  filename: r.filename,
  size: Number(r.size),
  sha256: r.sha256,
  contentType: r.content_type,
  uploadedAt: r.uploaded_at,
  uploadedBy: r.uploaded_by,
});

const toEvaluation = (r: Row<'evaluations'>): EvaluationRecord => ({
  id: r.id,
  modelId: r.model_id,
  number: r.number,
  streamVersion: r.stream_version,
  dataset: { uri: r.dataset_uri, name: r.dataset_name },
  metrics: r.metrics,
  notes: r.notes,
  recordedAt: r.recorded_at,
  recordedBy: r.recorded_by,
});

/**
 * A live model's records as the read models hold them at its stream version: what loadModels, loadVersions
 * and loadFormats return for it (versions by number, files by version number and format id).
 */
export function recordsOf(state: LiveModel): { model: ModelRecord; versions: VersionRecord[]; formats: FormatRecord[]; evaluations: EvaluationRecord[] } {
  const { status: _status, highestNumber: _highest, versions, ...model } = state;
  return {
    model: { ...model, versionCount: versions.length },
    versions: versions.map((v) => versionRecordOf(state.id, v)),
    formats: versions.flatMap((v) => v.formats.map((f) => ({ ...f, modelId: state.id, number: v.number }))),
    evaluations: versions.flatMap((v) => v.evaluations.map((e) => ({ ...e, modelId: state.id, number: v.number }))),
  };
}

// A version a command did not touch is the same object before and after it (evolve keeps it), and so is
// its record: a model of 1,000 versions costs a lookup per version, and the read cache measures it once.
const versionRecords = new WeakMap<VersionState, VersionRecord>();

function versionRecordOf(modelId: string, version: VersionState): VersionRecord {
  let record = versionRecords.get(version);
  if (!record) {
    const { formats: _formats, evaluations: _evaluations, ...v } = version;
    versionRecords.set(version, (record = { ...v, modelId }));
  }
  return record;
}

const sizes = new WeakMap<object, number>();

/** About how many bytes an evaluation takes in memory: its metrics (up to 200) dominate. */
export const evaluationBytes = (e: { metrics: object; notes: string | null }) => 400 + (e.notes?.length ?? 0) * 2 + Object.keys(e.metrics).length * 80;

/**
 * About how many bytes a version takes in memory (its JSON settings can be large, up to 1 MB each; the rest
 * is small), for the caches' bounds; measured once per object (versions are never changed in place).
 */
export function versionBytes(
  v: Pick<VersionRecord, 'description' | 'hyperparameters' | 'config' | 'records'> & { formats?: readonly unknown[]; evaluations?: readonly { metrics: object; notes: string | null }[] },
): number {
  let size = sizes.get(v);
  if (size === undefined) {
    size = 512 + (v.description?.length ?? 0) * 2 + JSON.stringify(v.hyperparameters).length + JSON.stringify(v.config).length + JSON.stringify(v.records).length + (v.formats?.length ?? 0) * 300;
    // A version's evaluations ride in the command's state (not in the read cache's version records).
    for (const e of v.evaluations ?? []) size += evaluationBytes(e);
    sizes.set(v, size);
  }
  return size;
}

/** Models by id, in the order asked, null where there is none. */
export async function loadModels(db: Executor, ids: readonly string[]): Promise<(ModelRecord | null)[]> {
  const valid = ids.filter(isUuid);
  const rows = valid.length ? await db.selectFrom('models').selectAll().where('id', 'in', valid).execute() : [];
  const byId = new Map(rows.map((r) => [r.id, toModel(r)]));
  return ids.map((id) => byId.get(id.toLowerCase()) ?? null);
}

export async function findModelByName(db: Executor, contextId: string, name: string): Promise<ModelRecord | null> {
  const row = await db
    .selectFrom('models')
    .selectAll()
    .where('context_id', '=', contextId)
    .where(sql`lower(name)`, '=', name.trim().toLowerCase())
    .executeTakeFirst();
  return row ? toModel(row) : null;
}

/**
 * A format of a live version, when its model is in this context; null otherwise (another context's is not
 * there at all). The model by id (or, failing that, by name, case-insensitively), the version by number or by
 * the alias that points at it: one statement, so a container polling `/files/churn/production/pkl` costs one
 * read whichever version the alias names.
 */
export async function findFormat(
  db: Executor,
  contextId: string,
  where: { modelId?: string; name?: string; number?: number; alias?: string; format: string },
): Promise<FormatRecord | null> {
  let q = db
    .selectFrom('formats')
    .innerJoin('models', 'models.id', 'formats.model_id')
    .selectAll('formats')
    .where('models.context_id', '=', contextId)
    .where('formats.format', '=', where.format);
  const byName = where.name === undefined ? undefined : where.name.trim().toLowerCase();
  if (where.modelId !== undefined && byName !== undefined) {
    q = q.where((eb) => eb.or([eb('models.id', '=', where.modelId!), eb(sql`lower(models.name)`, '=', byName)])).orderBy(sql`models.id = ${where.modelId}::uuid`, 'desc');
  } else if (where.modelId !== undefined) q = q.where('formats.model_id', '=', where.modelId);
  else if (byName !== undefined) q = q.where(sql`lower(models.name)`, '=', byName);
  else return null;
  if (where.number !== undefined) q = q.where('formats.number', '=', where.number);
  else if (where.alias !== undefined) {
    q = q.where('formats.number', '=', sql<number>`(select (a->>'number')::int from jsonb_array_elements(models.aliases) a where a->>'name' = ${where.alias})`);
  } else return null;
  const row = await q.limit(1).executeTakeFirst();
  return row ? toFormat(row) : null;
}

/** A model's child rows as they were when its stream had `streamVersion` events (null: no such model). */
export interface AtStreamVersion<T> {
  streamVersion: number | null;
  rows: T[];
}

/**
 * Every live version of each model, by number, with the stream version the same statement saw on the
 * model's row: the pair is consistent, so it can be cached under that stream version.
 */
export async function loadVersions(db: Executor, modelIds: readonly string[]): Promise<AtStreamVersion<VersionRecord>[]> {
  const rows = await db
    .selectFrom('models as m')
    .leftJoin('versions as v', 'v.model_id', 'm.id')
    .select('m.id as model_row_id')
    .select('m.stream_version as model_stream_version')
    .selectAll('v')
    .where('m.id', 'in', modelIds)
    .orderBy('m.id')
    .orderBy('v.number')
    .execute();
  return atStreamVersion(modelIds, rows, (r) => (r.number === null ? null : toVersion(r as Row<'versions'>)));
}

/** Every format of every live version of each model, by version number and format id; as loadVersions. */
export async function loadFormats(db: Executor, modelIds: readonly string[]): Promise<AtStreamVersion<FormatRecord>[]> {
  const rows = await db
    .selectFrom('models as m')
    .leftJoin('formats as f', 'f.model_id', 'm.id')
    .select('m.id as model_row_id')
    .select('m.stream_version as model_stream_version')
    .selectAll('f')
    .where('m.id', 'in', modelIds)
    .orderBy('m.id')
    .orderBy('f.number')
    .orderBy('f.format')
    .execute();
  return atStreamVersion(modelIds, rows, (r) => (r.format === null ? null : toFormat(r as Row<'formats'>)));
}

/** Every evaluation of every live version of each model, by version number, in the order recorded; as loadVersions. */
export async function loadEvaluations(db: Executor, modelIds: readonly string[]): Promise<AtStreamVersion<EvaluationRecord>[]> {
  const rows = await db
    .selectFrom('models as m')
    .leftJoin('evaluations as e', 'e.model_id', 'm.id')
    .select('m.id as model_row_id')
    .select('m.stream_version as model_stream_version')
    .selectAll('e')
    .where('m.id', 'in', modelIds)
    .orderBy('m.id')
    .orderBy('e.number')
    .orderBy('e.stream_version')
    .execute();
  return atStreamVersion(modelIds, rows, (r) => (r.id === null ? null : toEvaluation(r as Row<'evaluations'>)));
}

function atStreamVersion<R extends { model_row_id: string; model_stream_version: number }, T>(
  keys: readonly string[],
  rows: R[],
  toRecord: (row: R) => T | null,
): AtStreamVersion<T>[] {
  const map = new Map<string, AtStreamVersion<T>>();
  for (const row of rows) {
    let entry = map.get(row.model_row_id);
    if (!entry) map.set(row.model_row_id, (entry = { streamVersion: row.model_stream_version, rows: [] }));
    const record = toRecord(row);
    if (record !== null) entry.rows.push(record);
  }
  return keys.map((k) => map.get(k) ?? { streamVersion: null, rows: [] });
}

export type ModelOrderField = 'NAME' | 'CREATED_AT' | 'UPDATED_AT';

export interface ModelFilter {
  contextId: string;
  search?: string | null;
  tags?: readonly string[] | null;
}

export interface ModelPage {
  orderBy: ModelOrderField;
  descending: boolean;
  /** Keyset cursor: the sort value and id of the row to continue after. */
  after?: { value: string; id: string };
  before?: { value: string; id: string };
  limit: number;
  /** Read backwards from `before` (for `last`); the caller reverses the rows. */
  inverted: boolean;
}

const sortColumn = {
  // Code-point order, named here rather than left to the database's collation: the same list on PGlite and on
  // any PostgreSQL, and the keyset cursor below compares under the same collation as the ORDER BY.
  NAME: sql<string>`lower(name) collate "C"`,
  CREATED_AT: sql<string>`created_at`,
  UPDATED_AT: sql<string>`updated_at`,
} as const;

/** The value a page cursor carries for a model under an ordering. */
export function sortValue(model: ModelRecord, orderBy: ModelOrderField): string {
  return orderBy === 'NAME' ? model.name.toLowerCase() : (orderBy === 'CREATED_AT' ? model.createdAt : model.updatedAt).toISOString();
}

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

function filtered(eb: ExpressionBuilder<Database, 'models'>, filter: ModelFilter) {
  const conditions = [eb('context_id', '=', filter.contextId)];
  const search = filter.search?.trim();
  if (search) {
    const pattern = `%${escapeLike(search)}%`;
    conditions.push(
      eb.or([
        eb('name', 'ilike', pattern),
        eb('description', 'ilike', pattern),
        eb(sql`array_to_string(tags, ' ')`, 'ilike', pattern),
      ]),
    );
  }
  if (filter.tags?.length) {
    const wanted = filter.tags.map((t) => t.trim().toLowerCase());
    conditions.push(eb(sql`(select coalesce(array_agg(lower(t)), '{}') from unnest(tags) as t)`, '@>', sql`${wanted}::text[]`));
  }
  return eb.and(conditions);
}

/** One page of a context's models, by keyset: stable while models are added. */
export async function findModels(db: Executor, filter: ModelFilter, page: ModelPage): Promise<ModelRecord[]> {
  const column = sortColumn[page.orderBy];
  // Reading backwards flips the direction; the caller reverses the rows back.
  const descending = page.descending !== page.inverted;
  const direction = descending ? sql`desc` : sql`asc`;
  let q = db.selectFrom('models').selectAll().where((eb) => filtered(eb, filter));
  const cast = page.orderBy === 'NAME' ? sql`` : sql`::timestamptz`;
  if (page.after) {
    const op = page.descending ? sql`<` : sql`>`;
    q = q.where(sql<boolean>`(${column}, id) ${op} (${page.after.value}${cast}, ${page.after.id}::uuid)`);
  }
  if (page.before) {
    const op = page.descending ? sql`>` : sql`<`;
    q = q.where(sql<boolean>`(${column}, id) ${op} (${page.before.value}${cast}, ${page.before.id}::uuid)`);
  }
  const rows = await q.orderBy(sql`${column} ${direction}`).orderBy(sql`id ${direction}`).limit(page.limit).execute();
  return rows.map(toModel);
}

export async function countModels(db: Executor, filter: ModelFilter): Promise<number> {
  const row = await db
    .selectFrom('models')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where((eb) => filtered(eb, filter))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** The read-side shapes of a model folded from its log, as it was at `position`. */
export function recordsFromState(state: LiveModel, position: string): ModelRecord {
  const { model, versions, formats, evaluations } = recordsOf(state);
  return { ...model, asOf: { position, versions, formats, evaluations } };
}
