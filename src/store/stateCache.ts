import { LRUCache } from 'lru-cache';
import type { ModelState } from '../domain/model/evolve.ts';
import type { Db } from './database.ts';
import { versionBytes } from './readModels.ts';
import type { LoadedState } from './snapshots.ts';

/**
 * Each process keeps the states its commands left, by model, for the next command on the model to start
 * from (handleCommand's `known`): it then reads only the events appended since (none, when this process
 * wrote last), and decodes no snapshot. Never stale: an event never changes once appended, and whatever
 * another process appended after the cached state's version is read and folded on top of it. A snapshot
 * of a model of 1,000 versions is some 400 kB of JSON; decoding it was most of such a command's time.
 *
 * Bounded by about how much memory the states take. A version that a command did not touch is the same
 * object in the state before and after it (evolve keeps it), so its size is measured once (versionBytes).
 */
const MODELS = 10_000;
const BYTES = 64 * 1024 * 1024;

const stateBytes = (state: ModelState) => (state.status === 'live' ? state.versions.reduce((n, v) => n + versionBytes(v), 1024) : 64);

const caches = new WeakMap<Db, LRUCache<string, LoadedState>>();

function cacheOf(db: Db): LRUCache<string, LoadedState> {
  let cache = caches.get(db);
  if (!cache) {
    cache = new LRUCache({ max: MODELS, maxSize: BYTES, sizeCalculation: (loaded) => Math.max(1, stateBytes(loaded.state)) });
    caches.set(db, cache);
  }
  return cache;
}

/** The latest state of a model this process knows, or undefined. */
export function cachedState(db: Db, streamId: string): LoadedState | undefined {
  return cacheOf(db).get(streamId);
}

/** Keeps a model's state (a later one replaces an earlier one, never the reverse). */
export function cacheState(db: Db, streamId: string, loaded: LoadedState): void {
  const cache = cacheOf(db);
  const held = cache.peek(streamId);
  if (held && held.state.streamVersion >= loaded.state.streamVersion) return;
  cache.set(streamId, loaded);
}
