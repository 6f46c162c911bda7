import { EventEmitter } from 'node:events';
import { LRUCache } from 'lru-cache';
import type { Identity } from './identity.ts';

/** Why the cache was emptied: an access-control command of this process, a NOTIFY (or a reconnected listener), a lost listener. */
export type InvalidationCause = 'command' | 'notify' | 'listener-lost';

/** Told of each lookup (the metrics count them); an emptying is the `emptied` event. */
export interface IdentityCacheObserver {
  hit(): void;
  miss(): void;
}

export interface IdentityCacheOptions {
  /** Entries kept at most (one per token and context asked for). */
  max?: number;
  /** How long an entry may serve at most, whatever else happens: the net under a lost notification. */
  maxAgeMs?: number;
  /** The clock a cached token's expiry is checked against. */
  now?: () => number;
  observer?: IdentityCacheObserver;
}

export const IDENTITY_CACHE_SIZE = 10_000;
export const IDENTITY_CACHE_MAX_AGE_MS = 30_000;

/**
 * A process's cache of request identities, keyed by the token's hash (never its secret) and the context
 * asked for. It is emptied whole on any access-control change, which are rare: by this process right after
 * its own command commits, and by every process on the `cairn_access` NOTIFY that the command's transaction
 * sends. A lookup that began before an emptying does not store its answer after it (the generation), as it
 * may have read what the change replaced. While the listener is lost (notifications missed), nothing is
 * stored; the reconnected listener empties the cache again. Only identities are cached, never a refusal:
 * a token created a moment ago is never shadowed by an older "no such token".
 *
 * Emits `emptied` (with its cause) each time it is emptied: what the server counts and logs, and what a test waits for.
 */
export class IdentityCache extends EventEmitter<{ emptied: [InvalidationCause] }> {
  readonly #entries: LRUCache<string, Identity>;
  readonly #now: () => number;
  readonly #observer: IdentityCacheObserver | undefined;
  #generation = 0;
  #storing = true;

  constructor(options: IdentityCacheOptions = {}) {
    super();
    this.#entries = new LRUCache({ max: options.max ?? IDENTITY_CACHE_SIZE, ttl: options.maxAgeMs ?? IDENTITY_CACHE_MAX_AGE_MS });
    this.#now = options.now ?? (() => Date.now());
    this.#observer = options.observer;
  }

  /**
   * The cached identity for the key, if any and its token has not expired since (an expired one is
   * dropped and null returned: the caller refuses it); else `load`'s, stored unless the cache was emptied
   * while it ran. What `load` throws is passed on and not stored.
   */
  async lookup(key: string, load: () => Promise<Identity>): Promise<Identity | null> {
    const cached = this.#entries.get(key);
    if (cached) {
      const expiresAt = cached.tokenExpiresAt?.getTime();
      if (expiresAt === undefined || expiresAt > this.#now()) {
        this.#observer?.hit();
        return cached;
      }
      this.#entries.delete(key);
      return null;
    }
    this.#observer?.miss();
    const generation = this.#generation;
    const identity = await load();
    if (this.#storing && generation === this.#generation) this.#entries.set(key, identity);
    return identity;
  }

  /**
   * Forgets every identity, and any lookup running now. A notification also says that the listener is
   * there (again): the cache stores again if it had stopped.
   */
  invalidate(cause: Exclude<InvalidationCause, 'listener-lost'>): void {
    this.#clear(cause);
    if (cause === 'notify') this.#storing = true;
  }

  /** The listener is lost, so changes may go unnoticed: forgets everything and stores nothing until the next invalidate(). */
  suspend(): void {
    this.#clear('listener-lost');
    this.#storing = false;
  }

  get size(): number {
    return this.#entries.size;
  }

  #clear(cause: InvalidationCause): void {
    this.#generation++;
    this.#entries.clear();
    this.emit('emptied', cause);
  }
}

/** The key of a token (by its hash) asking for a context (a trimmed name or id; null: none named). */
export const identityKey = (secretHash: string, wanted: string | null): string => (wanted === null ? secretHash : `${secretHash}/${wanted}`);
