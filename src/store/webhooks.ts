import { sql } from 'kysely';
import { isUuid } from '../domain/ids.ts';
import type { Db, Executor } from './database.ts';
import { compareFeedCursors, eventColumns, type FeedCursor, feedCursorAt, feedHead, readFeed, toRecorded } from './eventLog.ts';
import type { DeliveryStatus } from './tables/webhooks.ts';
import { publicEventData } from './upcast.ts';

export type { DeliveryStatus };

/** A webhook as its read model holds it. */
export interface WebhookRecord {
  id: string;
  contextId: string;
  url: string;
  eventTypes: string[];
  modelId: string | null;
  description: string | null;
  active: boolean;
  createdAt: Date;
  createdBy: string | null;
  secretCiphertext: string;
}

const webhookColumns = ['id', 'context_id', 'url', 'event_types', 'model_id', 'description', 'active', 'created_at', 'created_by', 'secret_ciphertext'] as const;

function toWebhook(row: {
  id: string;
  context_id: string;
  url: string;
  event_types: string[];
  model_id: string | null;
  description: string | null;
  active: boolean;
  created_at: Date;
  created_by: string | null;
  secret_ciphertext: string;
}): WebhookRecord {
  return {
    id: row.id,
    contextId: row.context_id,
    url: row.url,
    eventTypes: row.event_types,
    modelId: row.model_id,
    description: row.description,
    active: row.active,
    createdAt: row.created_at,
    createdBy: row.created_by,
    secretCiphertext: row.secret_ciphertext,
  };
}

export async function webhooksOf(db: Executor, contextId: string): Promise<WebhookRecord[]> {
  const rows = await db.selectFrom('webhooks').select(webhookColumns).where('context_id', '=', contextId).orderBy('created_position').execute();
  return rows.map(toWebhook);
}

export async function findWebhook(db: Executor, contextId: string, id: string): Promise<WebhookRecord | undefined> {
  if (!isUuid(id)) return undefined;
  const row = await db.selectFrom('webhooks').select(webhookColumns).where('context_id', '=', contextId).where('id', '=', id).executeTakeFirst();
  return row && toWebhook(row);
}

export const anyWebhooks = async (db: Executor): Promise<boolean> => (await db.selectFrom('webhooks').select('id').limit(1).executeTakeFirst()) !== undefined;

/**
 * Turns the next model events (in feed order, after the shared cursor) into deliveries for the webhooks that
 * want them (a paused one too: its deliveries wait for it), and moves the cursor past them, in one transaction. The cursor's row is taken with SKIP LOCKED:
 * while one process dispatches, the others skip (0). How many events it went past.
 */
export async function dispatchEvents(db: Db, limit: number): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const { rows } = await sql<{ transaction_id: string; position: string }>`
      select transaction_id::text, position::text from webhook_dispatch where id = 1 for update skip locked`.execute(trx);
    const cursor = rows[0];
    if (!cursor) return 0;
    const oldest = (await trx.selectFrom('webhooks').select((eb) => eb.fn.min('created_position').as('p')).executeTakeFirst())?.p;
    if (oldest == null) {
      // Nothing wants events: the cursor goes to the head, so that a new webhook does not wait for a long scan.
      const head = await feedHead(trx);
      await sql`update webhook_dispatch set transaction_id = ${head.transactionId}::xid8, position = ${head.position} where id = 1`.execute(trx);
      return 0;
    }
    // No webhook wants what came before the first of them was made: a cursor left behind (while there were
    // none, nothing moved it) starts there rather than scanning the log. Events whose transactions overlapped
    // that creation may be sent or not, as they may for any webhook. (Looked up only while the cursor lags.)
    let from: FeedCursor = { transactionId: cursor.transaction_id, position: cursor.position };
    if (BigInt(cursor.position) < BigInt(oldest)) {
      const floor = await feedCursorAt(trx, String(oldest));
      if (floor && compareFeedCursors(from, floor) < 0) from = floor;
    }
    const entries = await readFeed(trx, from, limit);
    const last = entries.at(-1)?.cursor;
    if (!last) return 0;
    await sql`
      insert into webhook_deliveries (webhook_id, context_id, event_id, event_position, event_type, status, next_attempt_at)
      select w.id, w.context_id, e.event_id, e.position, e.type, 'PENDING', now()
      from events e join webhooks w on w.context_id = e.context_id
      where (e.transaction_id, e.position) > (${from.transactionId}::xid8, ${from.position}::bigint)
        and (e.transaction_id, e.position) <= (${last.transactionId}::xid8, ${last.position}::bigint)
        and e.stream_type = 'model'
        and w.created_position < e.position
        and (w.model_id is null or w.model_id = e.stream_id)
        and (jsonb_array_length(w.event_types) = 0 or w.event_types ? e.type)
      on conflict do nothing`.execute(trx);
    await sql`update webhook_dispatch set transaction_id = ${last.transactionId}::xid8, position = ${last.position} where id = 1`.execute(trx);
    return entries.length;
  });
}

/** A delivery taken by this process for one attempt. */
export interface ClaimedDelivery {
  id: string;
  webhookId: string;
  eventId: string;
  eventType: string;
  /** This attempt's number, counted over the delivery's life (1 for the first). */
  attempt: number;
  /** Attempts made since the last redelivery, this one included: what the limit counts. */
  attemptInRound: number;
  url: string;
  secretCiphertext: string;
}

/**
 * Takes up to `limit` due deliveries of active webhooks for one attempt each: counts the attempt and leases
 * the delivery for `leaseMs` (past the attempt's timeout). A process that dies mid-attempt leaves its lease
 * to run out, and the delivery is taken again (at least once). SKIP LOCKED: processes take different ones.
 */
export async function claimDueDeliveries(db: Db, limit: number, leaseMs: number): Promise<ClaimedDelivery[]> {
  const { rows } = await sql<{
    id: string;
    webhook_id: string;
    event_id: string;
    event_type: string;
    attempts: number;
    attempts_base: number;
    url: string;
    secret_ciphertext: string;
  }>`
    with due as (
      select d.id from webhook_deliveries d join webhooks w on w.id = d.webhook_id
      where d.status = 'PENDING' and w.active and d.next_attempt_at <= now() and (d.leased_until is null or d.leased_until < now())
      order by d.next_attempt_at, d.event_position
      limit ${limit}
      for update of d skip locked
    )
    update webhook_deliveries d
    set leased_until = now() + make_interval(secs => ${leaseMs / 1000}), attempts = d.attempts + 1
    from due, webhooks w
    where d.id = due.id and w.id = d.webhook_id
    returning d.id, d.webhook_id, d.event_id, d.event_type, d.attempts, d.attempts_base, w.url, w.secret_ciphertext`.execute(db);
  return rows.map((r) => ({
    id: r.id,
    webhookId: r.webhook_id,
    eventId: r.event_id,
    eventType: r.event_type,
    attempt: r.attempts,
    attemptInRound: r.attempts - r.attempts_base,
    url: r.url,
    secretCiphertext: r.secret_ciphertext,
  }));
}

/** The event's public shape, as every webhook receives it: the body of its deliveries. */
export async function webhookEventBody(db: Executor, eventId: string): Promise<string | null> {
  const row = await db.selectFrom('events').select(eventColumns).where('event_id', '=', eventId).executeTakeFirst();
  if (!row) return null;
  const event = toRecorded(row);
  return JSON.stringify({
    id: event.eventId,
    type: event.type,
    position: event.position,
    modelId: event.streamId,
    contextId: event.contextId,
    recordedAt: event.recordedAt.toISOString(),
    actor: event.metadata.actor ?? null,
    data: publicEventData(event),
  });
}

export interface AttemptRecord {
  delivery: ClaimedDelivery;
  at: Date;
  responseStatus: number | null;
  error: string | null;
  durationMs: number;
  /** SUCCEEDED, FAILED (no attempts left), or PENDING again at `nextAttemptAt`. */
  outcome: DeliveryStatus;
  nextAttemptAt: Date | null;
}

/** Records an attempt and the delivery's new status; the lease ends. */
export async function recordAttempt(db: Db, record: AttemptRecord): Promise<void> {
  const { delivery } = record;
  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto('webhook_attempts')
      .values({ delivery_id: delivery.id, attempt: delivery.attempt, at: record.at, response_status: record.responseStatus, error: record.error, duration_ms: record.durationMs })
      .onConflict((oc) => oc.doNothing())
      .execute();
    // Only while the lease is this attempt's: had it run out and another process taken the delivery, that
    // process's attempt says what happens next.
    await trx
      .updateTable('webhook_deliveries')
      .set({
        status: record.outcome,
        next_attempt_at: record.nextAttemptAt,
        leased_until: null,
        last_response_status: record.responseStatus,
        last_error: record.error,
        last_attempt_at: record.at,
      })
      .where('id', '=', delivery.id)
      .where('attempts', '=', delivery.attempt)
      .execute();
  });
}

/**
 * When the next delivery this process could take falls due (null: none pending): a pending delivery of an
 * active webhook, at its due time or, while another process holds it, when that lease runs out. (A paused
 * webhook's deliveries and leased ones are not due: the worker would otherwise wake for them at once, again
 * and again.)
 */
export async function nextDueAt(db: Executor): Promise<Date | null> {
  const { rows } = await sql<{ due: Date | null }>`
    select min(greatest(d.next_attempt_at, coalesce(d.leased_until, d.next_attempt_at))) as due
    from webhook_deliveries d join webhooks w on w.id = d.webhook_id
    where d.status = 'PENDING' and w.active`.execute(db);
  const due = rows[0]?.due ?? null;
  return due === null ? null : new Date(due);
}

export interface DeliveryRecord {
  id: string;
  webhookId: string;
  eventId: string;
  eventType: string;
  position: string;
  status: DeliveryStatus;
  attempts: number;
  lastResponseStatus: number | null;
  lastError: string | null;
  lastAttemptAt: Date | null;
  nextAttemptAt: Date | null;
}

const deliveryColumns = [
  'id',
  'webhook_id',
  'event_id',
  'event_type',
  'event_position',
  'status',
  'attempts',
  'last_response_status',
  'last_error',
  'last_attempt_at',
  'next_attempt_at',
] as const;

function toDelivery(r: {
  id: string;
  webhook_id: string;
  event_id: string;
  event_type: string;
  event_position: string;
  status: DeliveryStatus;
  attempts: number;
  last_response_status: number | null;
  last_error: string | null;
  last_attempt_at: Date | null;
  next_attempt_at: Date | null;
}): DeliveryRecord {
  return {
    id: r.id,
    webhookId: r.webhook_id,
    eventId: r.event_id,
    eventType: r.event_type,
    position: String(r.event_position),
    status: r.status,
    attempts: r.attempts,
    lastResponseStatus: r.last_response_status,
    lastError: r.last_error,
    lastAttemptAt: r.last_attempt_at,
    nextAttemptAt: r.status === 'PENDING' ? r.next_attempt_at : null,
  };
}

/** A webhook's deliveries, newest event first, after the cursor (an event position) when given. */
export async function deliveriesOf(db: Executor, webhookId: string, options: { first: number; after: string | null; status: DeliveryStatus | null }): Promise<DeliveryRecord[]> {
  let query = db.selectFrom('webhook_deliveries').select(deliveryColumns).where('webhook_id', '=', webhookId);
  if (options.after !== null) query = query.where('event_position', '<', options.after);
  if (options.status !== null) query = query.where('status', '=', options.status);
  return (await query.orderBy('event_position', 'desc').limit(options.first).execute()).map(toDelivery);
}

/** The delivery, if it is one of this context's webhooks'. */
export async function findDelivery(db: Executor, contextId: string, deliveryId: string): Promise<DeliveryRecord | undefined> {
  if (!isUuid(deliveryId)) return undefined;
  const row = await db.selectFrom('webhook_deliveries').select(deliveryColumns).where('id', '=', deliveryId).where('context_id', '=', contextId).executeTakeFirst();
  return row && toDelivery(row);
}

/** Makes a delivery due again now, with a fresh allowance of attempts. */
export async function redeliver(db: Executor, contextId: string, deliveryId: string): Promise<boolean> {
  if (!isUuid(deliveryId)) return false;
  const result = await db
    .updateTable('webhook_deliveries')
    .set((eb) => ({ status: 'PENDING', next_attempt_at: sql<Date>`now()`, attempts_base: eb.ref('attempts') }))
    .where('id', '=', deliveryId)
    .where('context_id', '=', contextId)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** Deliveries by status, and the age of the oldest pending one in seconds (0 when none): for /metrics. */
export async function deliveryStats(db: Executor): Promise<{ counts: Record<DeliveryStatus, number>; oldestPendingSeconds: number }> {
  const { rows } = await sql<{ status: DeliveryStatus; n: string; oldest: string | null }>`
    select status, count(*)::text as n,
      extract(epoch from now() - min(created_at) filter (where status = 'PENDING'))::text as oldest
    from webhook_deliveries group by status`.execute(db);
  const counts: Record<DeliveryStatus, number> = { PENDING: 0, SUCCEEDED: 0, FAILED: 0 };
  let oldestPendingSeconds = 0;
  for (const r of rows) {
    counts[r.status] = Number(r.n);
    if (r.oldest !== null) oldestPendingSeconds = Number(r.oldest);
  }
  return { counts, oldestPendingSeconds };
}
