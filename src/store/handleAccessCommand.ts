import type { Transaction } from 'kysely';
import type { ContextCommand, GroupCommand, PrincipalCommand } from '../domain/access/commands.ts';
import { decideContext, decideGroup, decidePrincipal } from '../domain/access/decide.ts';
import type { AccessEvent, ContextEvent, GroupEvent, PrincipalEvent, RecordedAccessEvent } from '../domain/access/events.ts';
import {
  absent,
  type ContextState,
  evolveContext,
  evolveGroup,
  evolvePrincipal,
  type GroupState,
  type PrincipalState,
} from '../domain/access/evolve.ts';
import type { EventMetadata, Recorded, StreamType } from '../domain/envelope.ts';
import type { Database, Db } from './database.ts';
import { inCommandTransaction } from './commandTransaction.ts';
import { appendToStream, lockStream, readStreamOf } from './eventLog.ts';
import { accessControlChanged } from './identities.ts';
import { project } from './projections/index.ts';

/** An access-control aggregate: its stream type, its fold and its decider. */
export interface AccessAggregate<S, E extends AccessEvent, C> {
  type: Exclude<StreamType, 'model'>;
  evolve(state: S, event: Recorded<E>): S;
  decide(command: C, state: S): E[];
}

export const contextAggregate: AccessAggregate<ContextState, ContextEvent, ContextCommand> = { type: 'context', evolve: evolveContext, decide: decideContext };
export const groupAggregate: AccessAggregate<GroupState, GroupEvent, GroupCommand> = { type: 'group', evolve: evolveGroup, decide: decideGroup };
export const principalAggregate: AccessAggregate<PrincipalState, PrincipalEvent, PrincipalCommand> = { type: 'principal', evolve: evolvePrincipal, decide: decidePrincipal };

export interface AccessOutcome<S, E extends AccessEvent> {
  /** The stream's state before the command and after it. */
  before: S;
  state: S;
  /** What the command appended: none when it changed nothing. */
  events: Recorded<E>[];
}

/**
 * One command on one access-control stream, inside the caller's transaction: lock the stream, fold it,
 * decide, append at the version read, project inline. A transaction may run several (a new context and its
 * administrator's grant; the bootstrap principal, its token and its grant), each stream locked in turn.
 *
 * `contextId` is the context a new stream lives in (a context's own id, a group's context, a principal's
 * home); an existing stream keeps the one it was created with.
 */
export async function decideOnStream<S, E extends AccessEvent, C>(
  trx: Transaction<Database>,
  aggregate: AccessAggregate<S, E, C>,
  stream: { id: string; contextId: string | null },
  command: C,
  metadata: EventMetadata,
): Promise<AccessOutcome<S, E>> {
  await lockStream(trx, stream.id);
  const past = await readStreamOf<E>(trx, stream.id);
  if (past.some((e) => e.streamType !== aggregate.type)) throw new Error(`Stream ${stream.id} is not a ${aggregate.type} stream`);
  const before = past.reduce(aggregate.evolve, absent() as S);
  const decided = aggregate.decide(command, before);
  const ref = { id: stream.id, type: aggregate.type, contextId: past[0]?.contextId ?? stream.contextId };
  const events = await appendToStream(trx, ref, past.at(-1)?.streamVersion ?? 0, decided, metadata);
  await project(trx, events as readonly RecordedAccessEvent[]);
  return { before, state: events.reduce(aggregate.evolve, before), events };
}

/**
 * Runs `work` (commands on access-control streams, and the reads it answers with) in one transaction.
 * Writers lock each stream before reading it, so a version conflict is all but impossible; it and
 * serialization failures are retried a bounded number of times, nothing else. As for model commands, a
 * connection lost during COMMIT is OutcomeUnknown, not "nothing was done". Once it has ended, whatever its
 * outcome (an unknown one may have committed), this process's identity caches are emptied, before the
 * command returns: the next request with a token it revoked is refused.
 */
export async function handleAccessCommand<T>(db: Db, work: (trx: Transaction<Database>) => Promise<T>, maxAttempts = 5): Promise<T> {
  try {
    return await inCommandTransaction(db, work, { maxAttempts, conflictMessage: 'Access control changed while this request ran; try again' });
  } finally {
    accessControlChanged();
  }
}
