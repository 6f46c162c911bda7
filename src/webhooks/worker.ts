import type { Logger } from 'pino';
import type { Db } from '../store/database.ts';
import { EVENTS_CHANNEL } from '../store/eventFeed.ts';
import { ACCESS_CHANNEL } from '../store/identities.ts';
import type { Store } from '../store/open.ts';
import { isDatabaseUnavailable } from '../store/pgErrors.ts';
import * as store from '../store/webhooks.ts';
import { attemptDelivery, signatureHeader } from './deliver.ts';
import type { SecretBox } from './secrets.ts';

export interface WebhookWorkerOptions {
  timeoutMs: number;
  backoffMs: number;
  maxAttempts: number;
  allowPrivate: boolean;
  /** Attempts in flight at once, per process. */
  concurrency?: number;
  /** The longest sleep between looks at the table (a redelivery, another process's work). */
  pollMs?: number;
  /** How long past the attempt's timeout its lease lasts: a process that died mid-attempt holds the delivery that long. */
  leaseMarginMs: number;
}

export interface WebhookObserver {
  attempted?(outcome: store.DeliveryStatus, durationMs: number): void;
}

export interface WebhookWorker {
  /** Look now (an event was appended, a delivery made due). */
  wake(): void;
  /** Resolves when this process next records an attempt (the event a test waits for). */
  attempted(): Promise<void>;
  close(): Promise<void>;
}

/** The wait before attempt n + 1 after n failed: backoff, doubling, times a jitter in [0.8, 1.2). */
export function backoffDelay(backoffMs: number, failedAttempts: number, random = Math.random): number {
  return Math.round(backoffMs * 2 ** (failedAttempts - 1) * (0.8 + 0.4 * random()));
}

/**
 * Delivers webhooks from this process. Every process runs one; they share the work through the database:
 * one dispatches the log into deliveries at a time (the cursor row, SKIP LOCKED), and each attempt is leased
 * to one process (SKIP LOCKED again). Woken by the log's NOTIFY, by a delivery falling due, and at least every
 * pollMs; idle while there is no webhook.
 */
export async function startWebhookWorker(
  db: Db,
  listen: Store['listen'],
  box: SecretBox,
  options: WebhookWorkerOptions,
  logger: Logger,
  observer: WebhookObserver = {},
): Promise<WebhookWorker> {
  const concurrency = options.concurrency ?? 8;
  const pollMs = options.pollMs ?? 2000;
  const leaseMs = options.timeoutMs + options.leaseMarginMs;
  let closed = false;
  let active = await store.anyWebhooks(db).catch(() => true);
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> | null = null;
  let again = false;
  const attemptWaiters: (() => void)[] = [];

  const schedule = (ms: number) => {
    if (closed) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => wake(), Math.max(0, Math.min(ms, pollMs)));
    timer.unref();
  };

  async function attempt(delivery: store.ClaimedDelivery): Promise<void> {
    const body = await store.webhookEventBody(db, delivery.eventId);
    const at = new Date();
    let result: { ok: boolean; status: number | null; error: string | null; durationMs: number };
    if (body === null) {
      result = { ok: false, status: null, error: 'the event is no longer in the log', durationMs: 0 };
    } else {
      let secret: string;
      try {
        secret = box.open(delivery.secretCiphertext);
      } catch {
        secret = '';
      }
      result = secret
        ? await attemptDelivery({
            url: delivery.url,
            body,
            headers: {
              'Cairn-Event': delivery.eventType,
              'Cairn-Delivery': delivery.id,
              'Cairn-Signature': signatureHeader(secret, body, Math.floor(Date.now() / 1000)),
            },
            timeoutMs: options.timeoutMs,
            allowPrivate: options.allowPrivate,
          })
        : { ok: false, status: null, error: "the webhook's secret cannot be read with this server's key", durationMs: 0 };
    }
    const outcome: store.DeliveryStatus = result.ok ? 'SUCCEEDED' : delivery.attemptInRound >= options.maxAttempts ? 'FAILED' : 'PENDING';
    const nextAttemptAt = outcome === 'PENDING' ? new Date(Date.now() + backoffDelay(options.backoffMs, delivery.attemptInRound)) : null;
    await store.recordAttempt(db, { delivery, at, responseStatus: result.status, error: result.error, durationMs: Math.round(result.durationMs), outcome, nextAttemptAt });
    observer.attempted?.(outcome, result.durationMs);
    for (const resolve of attemptWaiters.splice(0)) resolve();
    logger.debug({ delivery: delivery.id, webhook: delivery.webhookId, attempt: delivery.attempt, status: result.status, outcome }, 'webhook attempt');
  }

  async function run(): Promise<void> {
    do {
      again = false;
      if (!active) break;
      // The log into deliveries, a batch at a time, until caught up.
      while (!closed && (await store.dispatchEvents(db, 500)) === 500);
      // Then attempts, a batch at a time, until nothing is due.
      for (;;) {
        if (closed) return;
        const claimed = await store.claimDueDeliveries(db, concurrency, leaseMs);
        if (claimed.length === 0) break;
        await Promise.all(claimed.map((d) => attempt(d).catch((error: unknown) => logger.warn({ err: error, delivery: d.id }, 'webhook attempt not recorded'))));
      }
    } while (again && !closed);
    const due = await store.nextDueAt(db);
    schedule(due ? due.getTime() - Date.now() : pollMs);
  }

  function wake(): void {
    if (closed) return;
    if (running) {
      again = true;
      return;
    }
    running = run()
      .catch((error: unknown) => {
        if (!isDatabaseUnavailable(error)) logger.warn({ err: error }, 'webhook worker');
        schedule(pollMs);
      })
      .finally(() => {
        running = null;
        if (again) wake();
      });
  }

  const unlistenEvents = await listen(EVENTS_CHANNEL, () => {
    if (active) wake();
  });
  // Webhooks are settings of the context streams, whose appends NOTIFY the access channel.
  const unlistenAccess = await listen(ACCESS_CHANNEL, () => {
    void store.anyWebhooks(db).then((now) => {
      active = now;
      if (now) wake();
    }, () => undefined);
  });
  wake();

  return {
    wake: () => {
      active = true;
      wake();
    },
    attempted: () => new Promise((resolve) => attemptWaiters.push(resolve)),
    async close() {
      closed = true;
      if (timer) clearTimeout(timer);
      await unlistenEvents();
      await unlistenAccess();
      await running;
    },
  };
}
