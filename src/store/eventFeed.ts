import type { RecordedEvent } from '../domain/model/events.ts';
import { type FeedCursor, feedCursorAt, feedHead, readFeed } from './eventLog.ts';
import type { Store } from './open.ts';
import { isDatabaseUnavailable } from './pgErrors.ts';

export const EVENTS_CHANNEL = 'cairn_events';

export class UnknownPositionError extends Error {}

export interface FollowOptions {
  /** Where to start: see `cursor`. */
  from: FeedCursor;
  /** Only this model's events. */
  streamId?: string;
  signal?: AbortSignal;
}

export interface EventFeed {
  /**
   * The cursor to follow from: after the event at `after`, or (absent) now. Taken when a subscription is
   * made, not when its first event is pulled, so nothing appended in between is missed.
   */
  cursor(after?: string | null): Promise<FeedCursor>;
  follow(options: FollowOptions): AsyncGenerator<RecordedEvent>;
  close(): Promise<void>;
}

/** What a feed reports as it goes (the metrics: feed lag, subscribers). */
export interface FeedObserver {
  /** A follower read these events (in log order) from the log. */
  read?(events: readonly RecordedEvent[]): void;
  /** A follower started (+1) or stopped (-1). */
  following?(delta: 1 | -1): void;
}

/**
 * Follows the log for subscribers. The database's NOTIFY (sent by a trigger on every append, from any
 * process) only wakes followers; each then reads the log itself from its cursor, so a reconnecting client
 * that passes its last position gets the replay and then the live events with no gap and no duplicate.
 * A slow poll covers notifications lost while the listening connection was down.
 */
export async function createEventFeed(
  store: Pick<Store, 'db' | 'listen'>,
  options: { pollMs?: number; batchSize?: number; observer?: FeedObserver } = {},
): Promise<EventFeed> {
  const observer = options.observer ?? {};
  const waiters = new Set<() => void>();
  let generation = 0;
  let closed = false;
  const wake = () => {
    generation++;
    for (const w of [...waiters]) w();
  };
  const unlisten = await store.listen(EVENTS_CHANNEL, wake);
  const poll = setInterval(wake, options.pollMs ?? 30_000);
  poll.unref();
  const batchSize = options.batchSize ?? 200;

  /**
   * Waits for the next wake-up (a NOTIFY, the poll, close) after the one numbered `seen`, an abort, or
   * `ms` if given. Returns at once if a wake-up came since `seen`.
   */
  const nextWake = (seen: number, signal?: AbortSignal, ms?: number) =>
    new Promise<void>((resolve) => {
      if (generation !== seen || signal?.aborted) return resolve();
      const timer = ms === undefined ? undefined : setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        waiters.delete(done);
        signal?.removeEventListener('abort', done);
        resolve();
      }
      waiters.add(done);
      signal?.addEventListener('abort', done);
    });

  return {
    async cursor(after) {
      if (after == null) return feedHead(store.db);
      const cursor = await feedCursorAt(store.db, after);
      if (!cursor) throw new UnknownPositionError(`No event has position ${after}`);
      return cursor;
    },
    async *follow({ from, streamId, signal }) {
      let cursor = from;
      observer.following?.(1);
      try {
        let retryMs = 250;
        while (!signal?.aborted && !closed) {
          const seen = generation;
          let batch: Awaited<ReturnType<typeof readFeed>>;
          try {
            batch = await readFeed(store.db, cursor, batchSize, streamId);
            retryMs = 250;
          } catch (error) {
            // The database is restarting: the subscriber keeps its place and waits, rather than losing the stream.
            if (!isDatabaseUnavailable(error)) throw error;
            await nextWake(seen, signal, retryMs);
            retryMs = Math.min(retryMs * 2, 5000);
            continue;
          }
          if (batch.length > 0) observer.read?.(batch.map((b) => b.event));
          for (const { event, cursor: next } of batch) {
            cursor = next;
            yield event;
          }
          if (batch.length < batchSize) await nextWake(seen, signal);
        }
      } finally {
        observer.following?.(-1);
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(poll);
      for (const w of [...waiters]) w();
      await unlisten();
    },
  };
}
