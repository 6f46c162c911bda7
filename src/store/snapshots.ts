import { sql } from 'kysely';
import { type AliasState, type EvaluationState, type FormatState, fold, initialState, type ModelState, type VersionState } from '../domain/model/evolve.ts';
import type { JsonValue } from '../domain/rules.ts';
import type { Executor } from './database.ts';
import { eventColumns, readStream, toRecordedEvent } from './eventLog.ts';

/**
 * The shape of ModelState as this code writes and reads it. Raise it whenever ModelState or evolve()
 * changes what a fold yields: every stored snapshot of another number is then ignored (the command folds
 * from the start and writes a new one), so no migration and no rebuild is needed.
 */
// 2: versions' evaluations and models' aliases.
export const SNAPSHOT_STATE_VERSION = 2;

/**
 * A command writes a snapshot when the stream crosses a multiple of this many events: a command then folds
 * at most this many events (plus its own) whatever the stream's length. A snapshot costs one upsert of the
 * state (a few kB for a model at its 30 versions), so every 50 events keeps that write under 2% of commands.
 */
export const SNAPSHOT_EVERY = 50;

/** The state as JSON holds it: each Date as its ISO string, everything else as it is. */
type Stored<T> = T extends Date
  ? string
  : T extends JsonValue
    ? T
    : T extends readonly (infer U)[]
      ? Stored<U>[]
      : T extends object
        ? { [K in keyof T]: Stored<T[K]> }
        : T;

export type StoredState = Stored<ModelState>;

// Each Date is named here, and the spreads are typed so that a new Date field anywhere in ModelState fails
// to compile until it is named too (a Date is not a string, nor a string a Date), instead of coming back
// from a snapshot as a string.
const iso = (d: Date) => d.toISOString();

function date(value: unknown): Date {
  const d = typeof value === 'string' ? new Date(value) : new Date(Number.NaN);
  if (Number.isNaN(d.getTime())) throw new Error(`Not a time: ${JSON.stringify(value)}`);
  return d;
}

const encodeFormat = (f: FormatState): Stored<FormatState> => ({ ...f, uploadedAt: iso(f.uploadedAt) });

const encodeEvaluation = (e: EvaluationState): Stored<EvaluationState> => ({ ...e, recordedAt: iso(e.recordedAt) });
const encodeAlias = (a: AliasState): Stored<AliasState> => ({ ...a, setAt: iso(a.setAt) });

const encodeVersion = (v: VersionState): Stored<VersionState> => ({
  ...v,
  formats: v.formats.map(encodeFormat),
  evaluations: v.evaluations.map(encodeEvaluation),
  createdAt: iso(v.createdAt),
  updatedAt: iso(v.updatedAt),
  publishedAt: v.publishedAt && iso(v.publishedAt),
});

const decodeFormat = (f: Stored<FormatState>): FormatState => ({ ...f, uploadedAt: date(f.uploadedAt) });

const decodeEvaluation = (e: Stored<EvaluationState>): EvaluationState => ({ ...e, recordedAt: date(e.recordedAt) });
const decodeAlias = (a: Stored<AliasState>): AliasState => ({ ...a, setAt: date(a.setAt) });

const decodeVersion = (v: Stored<VersionState>): VersionState => ({
  ...v,
  formats: v.formats.map(decodeFormat),
  evaluations: v.evaluations.map(decodeEvaluation),
  createdAt: date(v.createdAt),
  updatedAt: date(v.updatedAt),
  publishedAt: v.publishedAt === null ? null : date(v.publishedAt),
});

/** The state as a snapshot stores it (JSON.stringify it). */
export function encodeState(state: ModelState): StoredState {
  if (state.status !== 'live') return state;
  return {
    ...state,
    versions: state.versions.map(encodeVersion),
    aliases: state.aliases.map(encodeAlias),
    createdAt: iso(state.createdAt),
    updatedAt: iso(state.updatedAt),
  };
}

/**
 * The state a snapshot stored, with its times revived; throws when the value is not a state at
 * `streamVersion` (a snapshot is only trusted as far as it says what it is).
 */
export function decodeState(value: unknown, streamVersion: number): ModelState {
  const s = value as StoredState | null;
  if (typeof s !== 'object' || s === null || s.streamVersion !== streamVersion) throw new Error(`Not a state at stream version ${streamVersion}`);
  switch (s.status) {
    case 'absent':
      return s;
    case 'deleted':
      return { status: 'deleted', streamVersion: s.streamVersion, id: s.id };
    case 'live':
      return { ...s, versions: s.versions.map(decodeVersion), aliases: s.aliases.map(decodeAlias), createdAt: date(s.createdAt), updatedAt: date(s.updatedAt) };
    default:
      throw new Error(`Not a model state: ${JSON.stringify((s as { status?: unknown }).status)}`);
  }
}

/** A model's current state, and where the snapshot it can next be folded from stands. */
export interface LoadedState {
  state: ModelState;
  /** The stream version of the stored snapshot this state was folded from (0: none). */
  snapshotVersion: number;
}

type EventRow = Parameters<typeof toRecordedEvent>[0];

/**
 * A stream's current state: its snapshot (if it has one of this code's SNAPSHOT_STATE_VERSION) and the
 * events after it, in one statement, with the database's clock (`readAt`). A writer then either appends at
 * the version read, guarded by the unique stream-version constraint, or holds the stream's lock, taken in
 * an earlier statement (a statement sees only what had committed when it began). `known` is a state of the
 * same stream read earlier (handleCommand checks that it is): an event never changes once appended, so
 * only the events after it are read, unless a newer snapshot lies beyond it.
 */
export async function loadState(db: Executor, streamId: string, known?: LoadedState): Promise<LoadedState & { readAt: Date }> {
  const knownVersion = known?.state.streamVersion ?? 0;
  // The snapshot's state rides on the first row only; each event row carries the columns readStream's do.
  const { rows } = await sql<Partial<EventRow> & { snapshot_version: number | null; snapshot_state: unknown; read_at: Date }>`
    select clock_timestamp() as read_at, s.stream_version as snapshot_version,
      case when row_number() over (order by e.stream_version) = 1 then s.state end as snapshot_state,
      e.*
    from (values (1)) as one (x)
    left join snapshots s on s.stream_id = ${streamId}::uuid and s.state_version = ${SNAPSHOT_STATE_VERSION} and s.stream_version > ${knownVersion}
    left join lateral (
      select ${sql.join(eventColumns.map((c) => sql.ref(c)))} from events
      where events.stream_id = ${streamId}::uuid and events.stream_version > coalesce(s.stream_version, ${knownVersion})
    ) e on true
    order by e.stream_version`.execute(db);
  const first = rows[0]!;
  let base: LoadedState = known ?? { state: initialState(), snapshotVersion: 0 };
  if (first.snapshot_version !== null) {
    try {
      base = { state: decodeState(first.snapshot_state, first.snapshot_version), snapshotVersion: first.snapshot_version };
    } catch {
      // A cache, not the truth: a snapshot that does not read as a state is passed over, and the next command replaces it.
      const events = await readStream(db, streamId);
      const { rows: clock } = await sql<{ read_at: Date }>`select clock_timestamp() as read_at`.execute(db);
      return { state: fold(events.filter((e) => e.streamVersion > knownVersion), known?.state), snapshotVersion: 0, readAt: clock[0]!.read_at };
    }
  }
  const events = rows.filter((r) => r.stream_version != null).map((r) => toRecordedEvent(r as EventRow));
  return { state: fold(events, base.state), snapshotVersion: base.snapshotVersion, readAt: first.read_at };
}

/**
 * Whether a command that took a stream from `before` to `after`, loaded from a snapshot at `snapshotVersion`,
 * writes a new one: when the stream crossed a multiple of `every` events since that snapshot (a stream
 * without one, or with one of another state version, gets one at its next command), or when the model was
 * deleted (the row then shrinks to three fields, and commands on a deleted model, all refused, stay cheap).
 */
export function snapshotDue(snapshotVersion: number, before: ModelState, after: ModelState, every: number): boolean {
  if (!(every >= 1)) throw new Error(`Snapshots every ${every} events: not a positive number`);
  return Math.floor(after.streamVersion / every) > Math.floor(snapshotVersion / every) || (after.status === 'deleted' && before.status !== 'deleted');
}

/**
 * Stores the state as the stream's snapshot. Not run here: the command sends it in the statement that
 * appends its events (handleCommand), after reading the stream at the version before them.
 */
export function snapshotWrite(db: Executor, streamId: string, state: ModelState) {
  return db
    .insertInto('snapshots')
    .values({ stream_id: streamId, stream_version: state.streamVersion, state_version: SNAPSHOT_STATE_VERSION, state: JSON.stringify(encodeState(state)) })
    .onConflict((oc) =>
      oc.column('stream_id').doUpdateSet((eb) => ({
        stream_version: eb.ref('excluded.stream_version'),
        state_version: eb.ref('excluded.state_version'),
        state: eb.ref('excluded.state'),
        taken_at: eb.ref('excluded.taken_at'),
      })),
    );
}
