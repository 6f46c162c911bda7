import type { RecordedEvent } from '../domain/model/events.ts';
import { compareFeedCursors, FEED_START, type FeedCursor, feedCursorAt, feedHead, readFeedPage } from './eventLog.ts';
import type { Store } from './open.ts';
import { isDatabaseUnavailable } from './pgErrors.ts';

export const EVENTS_CHANNEL = 'cairn_events';

export class UnknownPositionError extends Error {}

const HELD_BACK_FIRST_MS = 50;
const HELD_BACK_MAX_MS = 1000;

export interface FollowOptions {
  /** Where to start: see `cursor`. */
  from: FeedCursor;
  /** Only this model's events. */
  streamId?: string;
  signal?: AbortSignal;
}

export interface EventFeed {
  /**
   * The cursor to follow from: after the event at `after`, from the beginning of the log for "0", or
   * (absent) now. Taken when a subscription is made, not when its first event is pulled, so nothing
   * appended in between is missed.
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
  /** A read found committed events held back by a transaction still in flight (see readFeedPage). */
  heldBack?(): void;
}

interface FeedEntry {
  event: RecordedEvent;
  cursor: FeedCursor;
}

/**
 * What the followers at the head of the log share: every event in (start, head], in feed order, read once
 * for all of them. Bounded: the oldest entries go, and a follower left behind `start` reads on its own.
 */
interface SharedTail {
  start: FeedCursor;
  head: FeedCursor;
  entries: FeedEntry[];
  /** The wake-up after which the last shared read began; -1 before the first. */
  readAt: number;
  /** How many shared reads there have been. */
  reads: number;
  /** The last shared read was a full batch: there may be more right away. */
  full: boolean;
  reading: Promise<void> | null;
}

const later = (a: FeedCursor, b: FeedCursor) => (compareFeedCursors(a, b) >= 0 ? a : b);

/**
 * Follows the log for subscribers. The database's NOTIFY (sent by a trigger on every append, from any
 * process) only wakes followers. Followers at the head of the log share one read per wake-up (the shared
 * tail) and take from it the events they want; a follower replaying from an old position reads the log
 * itself until it reaches the tail. Either way it goes by its own cursor, so a reconnecting client that
 * passes its last position gets the replay and then the live events with no gap and no duplicate.
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
  // Committed events held back by a transaction still in flight become final when it ends, and nothing
  // says when: while a read sees such events, the followers look again soon (50 ms, doubling to 1 s),
  // instead of at the next NOTIFY or poll, which may be half a minute away.
  let heldTimer: NodeJS.Timeout | undefined;
  let heldMs = HELD_BACK_FIRST_MS;
  const lookAgainSoon = (heldBack: boolean) => {
    if (!heldBack) {
      heldMs = HELD_BACK_FIRST_MS;
      return;
    }
    observer.heldBack?.();
    if (heldTimer || closed) return;
    heldTimer = setTimeout(() => {
      heldTimer = undefined;
      wake();
    }, heldMs);
    heldTimer.unref();
    heldMs = Math.min(heldMs * 2, HELD_BACK_MAX_MS);
  };
  const batchSize = options.batchSize ?? 200;
  // Events kept for followers a little behind the head; a slower one reads on its own.
  const tailSize = batchSize * 2;
  let followers = 0;
  let tail: SharedTail | null = null;

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

  /** One read of the log after the tail's head, for every follower there. */
  async function readTail(t: SharedTail): Promise<void> {
    const startedAt = generation;
    const page = await readFeedPage(store.db, t.head, batchSize);
    if (tail !== t) return;
    const last = page.entries.at(-1)?.cursor ?? t.head;
    t.full = page.entries.length >= batchSize;
    if (!t.full) lookAgainSoon(page.heldBack);
    t.head = t.full ? last : later(last, page.final);
    t.readAt = startedAt;
    t.reads++;
    if (page.entries.length > 0) {
      observer.read?.(page.entries.map((e) => e.event));
      t.entries = t.entries.concat(page.entries);
      if (t.entries.length > tailSize) {
        const dropped = t.entries.length - tailSize;
        t.start = t.entries[dropped - 1]!.cursor;
        t.entries = t.entries.slice(dropped);
      }
    }
  }

  /**
   * Makes sure the tail was read after wake-up `seen` and, when its last read was a full batch that this
   * follower has since taken (`taken`: the tail's read count then), read once more. Every follower at the
   * head asks; the first starts the read and the others join it, so a wake-up costs one read in all.
   */
  async function refreshTail(t: SharedTail, seen: number, taken: number): Promise<void> {
    while (tail === t && (t.readAt < seen || (t.full && t.reads === taken))) {
      t.reading ??= readTail(t).finally(() => {
        t.reading = null;
      });
      await t.reading;
    }
  }

  /** The index of the first entry after `cursor` (entries are in feed order). */
  const firstAfter = (entries: readonly FeedEntry[], cursor: FeedCursor) => {
    let lo = 0;
    let hi = entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareFeedCursors(entries[mid]!.cursor, cursor) > 0) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  };

  return {
    async cursor(after) {
      if (after == null) return feedHead(store.db);
      // Positions start at 1: "0" is before every event.
      if (after === '0') return FEED_START;
      const cursor = await feedCursorAt(store.db, after);
      if (!cursor) throw new UnknownPositionError(`No event has position ${after}`);
      return cursor;
    },
    async *follow({ from, streamId, signal }) {
      let cursor = from;
      // Until its first short read, a follower may be far behind: it reads alone, and only its model's events.
      let caughtUp = false;
      let taken = -1;
      followers++;
      observer.following?.(1);
      try {
        let retryMs = 250;
        while (!signal?.aborted && !closed) {
          const seen = generation;
          let t: SharedTail | null = null;
          try {
            if (!caughtUp || (tail !== null && compareFeedCursors(cursor, tail.start) < 0)) {
              const page = await readFeedPage(store.db, cursor, batchSize, streamId);
              retryMs = 250;
              if (page.entries.length > 0) observer.read?.(page.entries.map((e) => e.event));
              for (const entry of page.entries) {
                cursor = entry.cursor;
                yield entry.event;
              }
              if (page.entries.length < batchSize) {
                cursor = later(cursor, page.final);
                caughtUp = true;
                lookAgainSoon(page.heldBack);
              }
              continue;
            }
            t = tail ??= { start: cursor, head: cursor, entries: [], readAt: -1, reads: 0, full: false, reading: null };
            await refreshTail(t, seen, taken);
            retryMs = 250;
          } catch (error) {
            // The database is restarting: the subscriber keeps its place and waits, rather than losing the stream.
            if (!isDatabaseUnavailable(error)) throw error;
            await nextWake(seen, signal, retryMs);
            retryMs = Math.min(retryMs * 2, 5000);
            continue;
          }
          if (tail !== t || compareFeedCursors(cursor, t.start) < 0) continue;
          const { head, entries, reads, full } = t;
          taken = reads;
          let delivered = 0;
          if (compareFeedCursors(cursor, head) < 0) {
            for (let i = firstAfter(entries, cursor); i < entries.length; i++) {
              const entry = entries[i]!;
              if (streamId !== undefined && entry.event.streamId !== streamId) continue;
              cursor = entry.cursor;
              delivered++;
              yield entry.event;
            }
            cursor = later(cursor, head);
          }
          if (delivered === 0 && !full) await nextWake(seen, signal);
        }
      } finally {
        followers--;
        if (followers === 0) tail = null;
        observer.following?.(-1);
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(poll);
      clearTimeout(heldTimer);
      for (const w of [...waiters]) w();
      await unlisten();
    },
  };
}
