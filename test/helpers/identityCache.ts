import { once } from 'node:events';
import type { App } from '../../src/app.ts';

/** A counter of an app's /metrics, by its labels (0 before its first count). */
export async function counterOf(app: App, name: string, labels: Record<string, string>): Promise<number> {
  const metric = app.metrics.registry.getSingleMetric(name);
  if (!metric) throw new Error(`No metric ${name}`);
  const found = (await metric.get()).values.find((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l));
  return found?.value ?? 0;
}

const invalidations = (app: App, cause: string) => counterOf(app, 'cairn_identity_cache_invalidations_total', { cause });

/**
 * Resolves once the NOTIFY of each access-control command this app ran has reached its listener (each
 * such command, in a test that appends events with every one, sends one). On PostgreSQL they arrive on
 * the listening connection a moment after the command returned, and each empties the identity cache:
 * a test that counts on an identity staying cached waits for them first, woken by each emptying of the
 * cache, rather than for a guessed delay.
 */
export async function accessNotificationsArrived(app: App): Promise<void> {
  for (;;) {
    const stop = new AbortController();
    // Listening before counting: an emptying between the count and the wait is not missed.
    const next = once(app.identities, 'emptied', { signal: stop.signal }).catch(() => {});
    if ((await invalidations(app, 'notify')) >= (await invalidations(app, 'command'))) {
      stop.abort();
      return;
    }
    await next;
  }
}
