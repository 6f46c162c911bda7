import type { Compilable, Transaction } from 'kysely';
import { NameTakenError } from '../domain/errors.ts';
import type { ModelCommand } from '../domain/model/commands.ts';
import { type DecideLimits, decide } from '../domain/model/decide.ts';
import type { EventMetadata, ModelEvent, RecordedEvent } from '../domain/model/events.ts';
import { evolve, fold, type ModelState } from '../domain/model/evolve.ts';
import { inCommandTransaction } from './commandTransaction.ts';
import type { Database, Db, Executor } from './database.ts';
import { appendToStreamWith, lockStream, readStream, StreamVersionConflict } from './eventLog.ts';
import { type KeyScope, recordCommandWrite, recordedCommand } from './idempotency.ts';
import { isDatabaseUnavailable, isRetryableTransactionError, isUniqueViolation, OutcomeUnknown } from './pgErrors.ts';
import { readModelWrites } from './projections/modelRows.ts';
import { type LoadedState, loadState, SNAPSHOT_EVERY, snapshotDue, snapshotWrite } from './snapshots.ts';
import { cachedState, cacheState } from './stateCache.ts';

export interface CommandResult {
  /** The events this command appended (none when it changed nothing). */
  events: RecordedEvent[];
  /** The model's state after them. */
  state: ModelState;
  /** The model's state before them. */
  previous: ModelState;
  /** The stream the command ran on (a repeat of a CreateModel names the model the first run created). */
  streamId: string;
  /** True when the command had committed before under the request's idempotency key, and was not run again. */
  replayed: boolean;
}

export interface HandleOptions {
  limits: DecideLimits;
  metadata: EventMetadata;
  /** Checks the current state before deciding (the caller's access to this model); throws to refuse. */
  guard?: (state: ModelState) => void;
  /** Runs in the transaction just before the events are appended (an upload commits its blobs here). */
  beforeAppend?: (trx: Transaction<Database>, events: readonly ModelEvent[]) => Promise<void>;
  /** Attempts when the stream moved on between read and append. */
  maxAttempts?: number;
  /** The request's idempotency key and this command's ordinal in the request: recorded with the events. */
  idempotency?: { scope: KeyScope; ordinal: number };
  /** The model as a precheck loaded it moments ago: only the events appended since are read and folded. */
  known?: LoadedState;
  /** The stream's state is stored as a snapshot each time it crosses a multiple of this many events (tests lower it). */
  snapshotEvery?: number;
  /** False: neither start from nor keep this process's latest state of the model (stateCache.ts); a benchmark of loading sets it. */
  cache?: boolean;
}

/**
 * Load -> decide -> append + project. Loading is a snapshot of the model's state plus the events after it
 * (see snapshots.ts), so a command costs the same on a stream of 20 events or 20,000; appending is one
 * statement that inserts the events and writes the read models' rows (and a snapshot, and the idempotency
 * record, when there is one to write) together: see appendToStreamWith.
 *
 * A command without an idempotency key or files to commit first runs optimistically, with no transaction:
 * read the state (one statement), decide, append at the version read (one statement, atomic by itself).
 * The unique (stream, version) constraint is the guard: when another writer appended meanwhile, the
 * statement fails whole and the command runs again the careful way. That way takes a transaction-scoped
 * advisory lock on the stream first, so that concurrent commands on one model queue up instead of failing
 * in turn: with purely optimistic appends, 40 concurrent writers would need up to 40 rounds of retries.
 * A conflict there (or a serialization failure) is retried a bounded number of times, never anything else.
 *
 * The transaction is a controlled one so that a connection lost during COMMIT is told apart from one lost
 * before it: before, nothing was done (the caller may say so); during, the write may have committed, and
 * OutcomeUnknown says exactly that. An optimistic append is its own COMMIT: a connection lost under it is
 * OutcomeUnknown too. With an idempotency key, the command's outcome is recorded in the same statement as
 * its events, so a repeat after such a failure finds it (and returns it) instead of appending again.
 */
export async function handleCommand(db: Db, streamId: string, command: ModelCommand, options: HandleOptions): Promise<CommandResult> {
  const given = options.known?.state;
  if (given && given.status !== 'absent' && given.id !== streamId) throw new Error(`A state of ${given.id} was given for stream ${streamId}`);
  const cache = options.cache !== false;
  const known = cache ? later(options.known, cachedState(db, streamId)) : options.known;
  const start = { ...options, known };
  const optimistic = !options.idempotency && !options.beforeAppend ? await optimistically(db, streamId, command, start) : null;
  const result: CommandResult & { snapshotVersion?: number } =
    optimistic ??
    (await inCommandTransaction(db, (trx) => decideAndAppend(trx, streamId, command, start), {
      maxAttempts: options.maxAttempts,
      conflictMessage: 'The model changed while this request ran; try again',
    }));
  // Only what has committed: a state kept from a transaction that then failed would hold events the log has not.
  if (cache && !result.replayed && result.snapshotVersion !== undefined && result.state.status !== 'absent') {
    cacheState(db, streamId, { state: result.state, snapshotVersion: result.snapshotVersion });
  }
  return result;
}

const later = (a: LoadedState | undefined, b: LoadedState | undefined) => (!a ? b : !b ? a : a.state.streamVersion >= b.state.streamVersion ? a : b);

/**
 * One try without a lock or transaction, on one connection; null when another writer got there first.
 * With a state this process already holds (its last command's), the append alone: if the stream moved on
 * since, the append meets the newer event's version and fails whole, and the state is read after all. Only
 * an append is trusted from such a state: a refusal, or nothing to do, is decided again on the state read.
 */
function optimistically(db: Db, streamId: string, command: ModelCommand, options: HandleOptions): Promise<Written | null> {
  return db.connection().execute(async (connection) => {
    const attempt = async (loaded: LoadedState & { readAt: Date }, held: boolean): Promise<Written | null> => {
      try {
        const written = await decideAndWrite(connection, streamId, command, options, loaded);
        return held && written.events.length === 0 ? null : written;
      } catch (error) {
        if (error instanceof StreamVersionConflict || isRetryableTransactionError(error)) return null;
        if (error instanceof AppendFailed && isDatabaseUnavailable(error.cause)) throw new OutcomeUnknown(error.cause);
        if (held && !(error instanceof AppendFailed)) return null;
        throw error instanceof AppendFailed ? error.cause : error;
      }
    };
    const held = options.known && options.known.state.status === 'live' ? await attempt({ ...options.known, readAt: new Date() }, true) : null;
    return held ?? attempt(await loadState(connection, streamId, options.known), false);
  });
}

async function decideAndAppend(trx: Transaction<Database>, streamId: string, command: ModelCommand, options: HandleOptions): Promise<CommandResult | Written> {
  const key = options.idempotency;
  // Locks the key's row first: two runs of one key queue here, and the second finds the first's outcome.
  const recorded = key ? await recordedCommand(trx, key.scope, key.ordinal) : null;
  if (recorded) return replay(trx, recorded);
  await lockStream(trx, streamId);
  const loaded = await loadState(trx, streamId, options.known);
  try {
    return await decideAndWrite(trx, streamId, command, options, loaded);
  } catch (error) {
    throw error instanceof AppendFailed ? error.cause : error;
  }
}

/** The append statement failed (and not on a version conflict): it may have committed if it was its own transaction. */
class AppendFailed extends Error {}

/** A command's result, and the stream version of the snapshot its state can next be folded from. */
type Written = CommandResult & { snapshotVersion: number };

async function decideAndWrite(
  db: Executor,
  streamId: string,
  command: ModelCommand,
  options: HandleOptions,
  loaded: LoadedState & { readAt: Date },
): Promise<Written> {
  const { state, snapshotVersion } = loaded;
  // Files and idempotency records are written only on the locked path, in its transaction.
  const trx = db.isTransaction ? (db as Transaction<Database>) : undefined;
  options.guard?.(state);
  const decided = decide(command, state, options.limits);
  if (decided.length === 0) return { events: [], state, previous: state, streamId, replayed: false, snapshotVersion };
  if (trx) await options.beforeAppend?.(trx, decided);
  // A model's context is its creator's choice, then the state's: it never changes.
  const contextId = command.type === 'CreateModel' ? command.data.contextId : state.status === 'live' ? state.contextId : null;
  const stream = { id: streamId, type: 'model' as const, contextId };
  const { metadata } = options;
  // Times follow stream order whatever the clocks say: never before the stream's previous event.
  const recordedAt = state.status === 'live' && state.updatedAt > loaded.readAt ? state.updatedAt : loaded.readAt;
  // The state after the events, folded before they are stored: their rows are written with them.
  const after = decided.reduce(
    (s, e, i) => evolve(s, { ...e, eventId: '', schemaVersion: 0, streamId, streamType: 'model', contextId, streamVersion: state.streamVersion + i + 1, position: '', recordedAt, metadata, privateData: null }),
    state,
  );
  const writes: Compilable[] = readModelWrites(db, state, after);
  const snapshot = snapshotDue(snapshotVersion, state, after, options.snapshotEvery ?? SNAPSHOT_EVERY);
  if (snapshot) writes.push(snapshotWrite(db, streamId, after));
  const key = options.idempotency;
  if (key && trx) writes.push(recordCommandWrite(trx, key.scope, key.ordinal, { streamId, fromVersion: state.streamVersion, toVersion: after.streamVersion }));
  let events: RecordedEvent[];
  try {
    events = await appendToStreamWith(db, stream, state.streamVersion, decided, metadata, { recordedAt, writes });
  } catch (error) {
    if (error instanceof StreamVersionConflict || isRetryableTransactionError(error)) throw error;
    if (isUniqueViolation(error, 'models_context_name_key') && after.status === 'live') throw new NameTakenError(after.name);
    throw new AppendFailed('The append failed', { cause: error });
  }
  return { events, state: after, previous: state, streamId, replayed: false, snapshotVersion: snapshot ? after.streamVersion : snapshotVersion };
}

/**
 * The result of a command that committed before, rebuilt from the log: the same events, before and after.
 * A full fold: the snapshot is the stream's latest state, past the version a repeat needs (repeats are rare).
 */
async function replay(trx: Transaction<Database>, outcome: { streamId: string; fromVersion: number; toVersion: number }): Promise<CommandResult> {
  const stream = (await readStream(trx, outcome.streamId)).filter((e) => e.streamVersion <= outcome.toVersion);
  const before = stream.filter((e) => e.streamVersion <= outcome.fromVersion);
  const events = stream.filter((e) => e.streamVersion > outcome.fromVersion);
  const previous = fold(before);
  return { events, state: events.reduce(evolve, previous), previous, streamId: outcome.streamId, replayed: true };
}
