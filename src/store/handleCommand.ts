import type { Transaction } from 'kysely';
import type { ModelCommand } from '../domain/model/commands.ts';
import { type DecideLimits, decide } from '../domain/model/decide.ts';
import type { EventMetadata, ModelEvent, RecordedEvent } from '../domain/model/events.ts';
import { evolve, fold, type ModelState } from '../domain/model/evolve.ts';
import { inCommandTransaction } from './commandTransaction.ts';
import type { Database, Db } from './database.ts';
import { appendToStream, lockStream, readStream } from './eventLog.ts';
import { type KeyScope, recordCommand, recordedCommand } from './idempotency.ts';
import { project } from './projections/index.ts';
import { type LoadedState, loadState, SNAPSHOT_EVERY, saveSnapshot, snapshotDue } from './snapshots.ts';

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
}

/**
 * Load -> decide -> append + project, in one transaction. Loading is a snapshot of the model's state plus
 * the events after it (see snapshots.ts), so a command costs the same on a stream of 20 events or 20,000.
 *
 * Writers to one stream first take a transaction-scoped advisory lock on it, so that concurrent commands
 * on one model queue up instead of failing in turn: with purely optimistic appends, 40 concurrent writers
 * would need up to 40 rounds of retries. The expected-version check in appendToStream still guards every
 * append; a conflict (or a serialization failure) is retried a bounded number of times, never anything else.
 *
 * The transaction is a controlled one so that a connection lost during COMMIT is told apart from one lost
 * before it: before, nothing was done (the caller may say so); during, the write may have committed, and
 * OutcomeUnknown says exactly that. With an idempotency key, the command's outcome is recorded in the same
 * transaction, so a repeat after such a failure finds it (and returns it) instead of appending again.
 */
export async function handleCommand(db: Db, streamId: string, command: ModelCommand, options: HandleOptions): Promise<CommandResult> {
  return inCommandTransaction(db, (trx) => decideAndAppend(trx, streamId, command, options), {
    maxAttempts: options.maxAttempts,
    conflictMessage: 'The model changed while this request ran; try again',
  });
}

async function decideAndAppend(trx: Transaction<Database>, streamId: string, command: ModelCommand, options: HandleOptions): Promise<CommandResult> {
  const key = options.idempotency;
  // Locks the key's row first: two runs of one key queue here, and the second finds the first's outcome.
  const recorded = key ? await recordedCommand(trx, key.scope, key.ordinal) : null;
  if (recorded) return replay(trx, recorded);
  await lockStream(trx, streamId);
  const { state, snapshotVersion } = await loadState(trx, streamId, options.known);
  options.guard?.(state);
  const decided = decide(command, state, options.limits);
  if (decided.length > 0) await options.beforeAppend?.(trx, decided);
  // A model's context is its creator's choice, then the state's: it never changes.
  const contextId = command.type === 'CreateModel' ? command.data.contextId : state.status === 'live' ? state.contextId : null;
  const events = decided.length === 0 ? [] : await appendToStream(trx, { id: streamId, type: 'model', contextId }, state.streamVersion, decided, options.metadata);
  await project(trx, events);
  const after = events.reduce(evolve, state);
  if (snapshotDue(snapshotVersion, state, after, options.snapshotEvery ?? SNAPSHOT_EVERY)) await saveSnapshot(trx, streamId, after);
  if (key) await recordCommand(trx, key.scope, key.ordinal, { streamId, fromVersion: state.streamVersion, toVersion: state.streamVersion + events.length });
  return { events, state: after, previous: state, streamId, replayed: false };
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
