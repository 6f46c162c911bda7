import { type ExpressionBuilder, sql, type Transaction } from 'kysely';
import type { Database, Db, Executor } from './database.ts';
import type { IdempotentCommandOutcome } from './tables/idempotencyKeys.ts';

/**
 * Idempotency keys. A key belongs to the principal and context that sent it: the same string from another
 * caller is another key. A request claims its key before it runs (a repeat meanwhile is refused); each
 * command it runs records its outcome under the key in the command's own transaction (so a repeat after a
 * lost COMMIT reply finds it); its answer is stored when there is one to give again.
 */
export interface KeyScope {
  principalId: string;
  contextId: string;
  key: string;
}

/** How long an answer is kept for a repeat. */
export const KEY_TTL = '24 hours';
/** How long a claim keeps repeats out: a process that died with a claim releases it after this. */
export const KEY_LEASE = '5 minutes';
/** Expired keys deleted by each new key (cleanup on write). */
const EXPIRED_PER_WRITE = 100;

export type Claim =
  /** This request runs (a first run, or a repeat of one that ended without an answer to keep). */
  | { kind: 'run' }
  /** A repeat: here is the stored answer (JSON text). */
  | { kind: 'replay'; response: string }
  /** The key was used for a different request. */
  | { kind: 'mismatch' }
  /** A request with this key is running now. */
  | { kind: 'running' };

const byScope = (scope: KeyScope) => (eb: ExpressionBuilder<Database, 'idempotency_keys'>) =>
  eb.and({ principal_id: scope.principalId, context_id: scope.contextId, key: scope.key });

/**
 * Claims a key for a request with this fingerprint, or says why it may not run. A plain read comes first:
 * a running command holds the key's row locked, and a write would wait for it where a read does not.
 */
export async function claimKey(db: Db, scope: KeyScope, fingerprint: string, owner: string): Promise<Claim> {
  const lease = sql<Date>`now() + ${KEY_LEASE}::interval`;
  for (let attempt = 0; attempt < 3; attempt++) {
    const row = await db
      .selectFrom('idempotency_keys')
      .select((eb) => [
        'fingerprint',
        'response',
        eb(eb.ref('expires_at'), '<=', sql<Date>`now()`).as('expired'),
        eb(eb.ref('locked_until'), '>', sql<Date>`now()`).as('running'),
      ])
      .where(byScope(scope))
      .executeTakeFirst();
    if (!row) {
      const fresh = await db
        .insertInto('idempotency_keys')
        .values({
          principal_id: scope.principalId,
          context_id: scope.contextId,
          key: scope.key,
          fingerprint,
          expires_at: sql<Date>`now() + ${KEY_TTL}::interval`,
          locked_until: lease,
          claimed_by: owner,
        })
        .onConflict((oc) => oc.columns(['principal_id', 'context_id', 'key']).doNothing())
        .returning('key')
        .executeTakeFirst();
      if (!fresh) continue; // another request inserted it first
      await deleteExpiredKeys(db, EXPIRED_PER_WRITE);
      return { kind: 'run' };
    }
    if (row.expired) {
      // An expired key is ignored: taken over as new.
      const renewed = await db
        .updateTable('idempotency_keys')
        .set({
          fingerprint,
          created_at: sql<Date>`now()`,
          expires_at: sql<Date>`now() + ${KEY_TTL}::interval`,
          locked_until: lease,
          claimed_by: owner,
          commands: '{}',
          response: null,
        })
        .where(byScope(scope))
        .where('expires_at', '<=', sql<Date>`now()`)
        .returning('key')
        .executeTakeFirst();
      if (!renewed) continue;
      await deleteExpiredKeys(db, EXPIRED_PER_WRITE);
      return { kind: 'run' };
    }
    if (row.fingerprint !== fingerprint) return { kind: 'mismatch' };
    if (row.response !== null) return { kind: 'replay', response: row.response };
    if (row.running) return { kind: 'running' };
    // The same request, with no answer kept, that nobody runs now: it runs again (and finds what committed).
    const retaken = await db
      .updateTable('idempotency_keys')
      .set({ locked_until: lease, claimed_by: owner })
      .where(byScope(scope))
      .where('response', 'is', null)
      .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<=', sql<Date>`now()`)]))
      .returning('key')
      .executeTakeFirst();
    if (retaken) return { kind: 'run' };
  }
  return { kind: 'running' };
}

/** Keeps the answer for repeats, and ends the claim. */
export async function storeResponse(db: Db, scope: KeyScope, response: string): Promise<void> {
  await db.updateTable('idempotency_keys').set({ response, locked_until: null, claimed_by: null }).where(byScope(scope)).execute();
}

/** Ends the claim without an answer: a repeat runs again (and finds the commands that did commit). */
export async function releaseKey(db: Db, scope: KeyScope, owner: string): Promise<void> {
  await db.updateTable('idempotency_keys').set({ locked_until: null, claimed_by: null }).where(byScope(scope)).where('claimed_by', '=', owner).execute();
}

/**
 * In a command's transaction: what the command numbered `ordinal` in the request recorded under the key
 * when it committed before, or null. Locks the key's row, so that two runs of one key queue here.
 */
export async function recordedCommand(trx: Transaction<Database>, scope: KeyScope, ordinal: number): Promise<IdempotentCommandOutcome | null> {
  const row = await trx
    .selectFrom('idempotency_keys')
    .select(sql<IdempotentCommandOutcome | null>`commands -> ${String(ordinal)}`.as('outcome'))
    .where(byScope(scope))
    .forUpdate()
    .executeTakeFirst();
  return row?.outcome ?? null;
}

/**
 * In the command's transaction, beside its events: the outcome a repeat will find. Not run here: the command
 * sends it in the statement that appends its events (handleCommand).
 */
export function recordCommandWrite(trx: Transaction<Database>, scope: KeyScope, ordinal: number, outcome: IdempotentCommandOutcome) {
  return trx
    .updateTable('idempotency_keys')
    .set({ commands: sql`commands || jsonb_build_object(${String(ordinal)}::text, ${JSON.stringify(outcome)}::jsonb)` })
    .where(byScope(scope));
}

/** Deletes up to `limit` keys older than their 24 hours; returns how many. */
export async function deleteExpiredKeys(db: Executor, limit: number): Promise<number> {
  const result = await sql`
    delete from idempotency_keys where ctid in (
      select ctid from idempotency_keys where expires_at <= now() limit ${limit})`.execute(db);
  return Number(result.numAffectedRows ?? 0);
}
