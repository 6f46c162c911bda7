import DataLoader from 'dataloader';
import { LRUCache } from 'lru-cache';
import type { Identity } from '../auth/identity.ts';
import type { LinkSigner } from '../auth/signedLinks.ts';
import type { Config } from '../config.ts';
import type { BlobStore } from '../files/blobStore.ts';
import type { Metrics } from '../metrics.ts';
import type { Db } from '../store/database.ts';
import type { EventFeed } from '../store/eventFeed.ts';
import type { KeyScope } from '../store/idempotency.ts';
import type { SecretBox } from '../webhooks/secrets.ts';
import type { WebhookWorker } from '../webhooks/worker.ts';
import type { LiveModel } from '../domain/model/evolve.ts';
import {
  type AtStreamVersion,
  evaluationBytes,
  type EvaluationRecord,
  type FormatRecord,
  loadEvaluations,
  loadFormats,
  loadModels,
  loadVersions,
  type ModelRecord,
  recordsOf,
  type VersionRecord,
  versionBytes,
} from '../store/readModels.ts';

/** What every resolver gets: the store, the request's identity, and per-request loaders. */
export interface GraphQLContext {
  db: Db;
  config: Config;
  feed: EventFeed;
  blobs: BlobStore;
  /** Signs download links (Format.signedUrl). */
  links: LinkSigner;
  /** Who the request acts as, in which context, with which permissions. */
  identity: Identity;
  /** The context (workspace) this request works in: identity.context.id. */
  contextId: string;
  requestId: string;
  metrics: Metrics;
  loaders: Loaders;
  /** Seals webhook secrets; the process's delivery worker (to wake after a redelivery). */
  webhooks: { box: SecretBox; worker?: WebhookWorker };
  /** A mutation sent with an Idempotency-Key: the key, and how many commands the request has run so far. */
  idempotency?: { scope: KeyScope; commandsRun: number };
}

export interface Loaders {
  model: DataLoader<string, ModelRecord | null>;
  versions: DataLoader<string, VersionRecord[]>;
  formats: DataLoader<string, FormatRecord[]>;
  /** Every evaluation of a model's live versions, by version number, in the order recorded. */
  evaluations: DataLoader<string, EvaluationRecord[]>;
  /** A model read with a page of models: later loads of it, its versions and formats can use it. */
  primeModel(record: ModelRecord): void;
  /** A model's files by version number, when the read cache holds them for the stream version this request read; else undefined. */
  peekFormats(modelId: string): Map<number, FormatRecord[]> | undefined;
  /** After a command: what this request loaded of that model is stale. */
  forget(modelId: string): void;
  /**
   * After a command: the model as it now is, from the state the command folded (the read models' rows are
   * a function of it, projections/modelRows.ts), so that the answer reads nothing back.
   */
  remember(state: LiveModel): void;
}

/**
 * A process's cache of models' versions and formats, each entry under the stream version it was read at.
 * A model's read-model rows are a function of its stream's first N events, so an entry for the stream
 * version that this request just read on the model's row is exactly what the database holds: it can never
 * be stale, whichever process wrote since (a write raises the stream version, and the entry is not used).
 */
export interface ReadCache {
  versions: LRUCache<string, AtStreamVersion<VersionRecord>>;
  formats: LRUCache<string, AtStreamVersion<FormatRecord>>;
  evaluations: LRUCache<string, AtStreamVersion<EvaluationRecord>>;
}

/** Models whose versions and formats a process keeps, and about how much memory they may take. */
const CACHED_MODELS = 20_000;
const CACHED_BYTES = 128 * 1024 * 1024;

export function createReadCache(): ReadCache {
  return {
    versions: new LRUCache({
      max: CACHED_MODELS,
      maxSize: CACHED_BYTES,
      sizeCalculation: (entry) => entry.rows.reduce((n, v) => n + versionBytes(v), 64),
    }),
    formats: new LRUCache({ max: CACHED_MODELS, maxSize: CACHED_BYTES / 4, sizeCalculation: (entry) => 64 + entry.rows.length * 400 }),
    evaluations: new LRUCache({ max: CACHED_MODELS, maxSize: CACHED_BYTES / 4, sizeCalculation: (entry) => entry.rows.reduce((n, e) => n + evaluationBytes(e), 64) }),
  };
}

/**
 * Loads children through the cache: a model whose stream version this request already knows (from a page
 * of models or a model lookup) and whose entry has that version costs no statement; the rest are loaded
 * in one statement that also says at which stream version, and cached under it.
 */
function cachedChildren<T>(
  cache: LRUCache<string, AtStreamVersion<T>>,
  known: Map<string, number>,
  load: (ids: readonly string[]) => Promise<AtStreamVersion<T>[]>,
) {
  return async (ids: readonly string[]): Promise<T[][]> => {
    const result: T[][] = new Array(ids.length);
    const missing: number[] = [];
    ids.forEach((id, i) => {
      const entry = cache.get(id);
      if (entry && entry.streamVersion !== null && entry.streamVersion === known.get(id)) result[i] = entry.rows;
      else missing.push(i);
    });
    if (missing.length > 0) {
      const loaded = await load(missing.map((i) => ids[i]!));
      loaded.forEach((entry, j) => {
        const id = ids[missing[j]!]!;
        if (entry.streamVersion !== null) cache.set(id, entry);
        result[missing[j]!] = entry.rows;
      });
    }
    return result;
  };
}

/** A cached entry's files grouped by version number, computed once per entry (entries never change). */
const formatsByNumber = new WeakMap<AtStreamVersion<FormatRecord>, Map<number, FormatRecord[]>>();

/** One statement per kind of thing per tick, whatever the page size: a page of models costs a fixed number of queries. */
export function createLoaders(db: Db, cache: ReadCache = createReadCache()): Loaders {
  // The stream version of each model this request has read, for the cache.
  const known = new Map<string, number>();
  const model = new DataLoader<string, ModelRecord | null>(async (ids) => {
    const records = await loadModels(db, ids);
    for (const r of records) if (r && !r.asOf) known.set(r.id, r.streamVersion);
    return records;
  });
  const versions = new DataLoader<string, VersionRecord[]>(cachedChildren(cache.versions, known, (ids) => loadVersions(db, ids)));
  const formats = new DataLoader<string, FormatRecord[]>(cachedChildren(cache.formats, known, (ids) => loadFormats(db, ids)));
  const evaluations = new DataLoader<string, EvaluationRecord[]>(cachedChildren(cache.evaluations, known, (ids) => loadEvaluations(db, ids)));
  return {
    model,
    versions,
    formats,
    evaluations,
    primeModel(record) {
      model.prime(record.id, record);
      known.set(record.id, record.streamVersion);
    },
    peekFormats(modelId) {
      const entry = cache.formats.get(modelId);
      if (!entry || entry.streamVersion === null || entry.streamVersion !== known.get(modelId)) return undefined;
      let byNumber = formatsByNumber.get(entry);
      if (!byNumber) {
        byNumber = new Map();
        for (const f of entry.rows) {
          const files = byNumber.get(f.number);
          if (files) files.push(f);
          else byNumber.set(f.number, [f]);
        }
        formatsByNumber.set(entry, byNumber);
      }
      return byNumber;
    },
    forget(modelId) {
      model.clear(modelId);
      versions.clear(modelId);
      formats.clear(modelId);
      evaluations.clear(modelId);
      known.delete(modelId);
    },
    remember(state) {
      const records = recordsOf(state);
      model.clear(state.id).prime(state.id, records.model);
      versions.clear(state.id).prime(state.id, records.versions);
      formats.clear(state.id).prime(state.id, records.formats);
      evaluations.clear(state.id).prime(state.id, records.evaluations);
      known.set(state.id, state.streamVersion);
      cache.versions.set(state.id, { streamVersion: state.streamVersion, rows: records.versions });
      cache.formats.set(state.id, { streamVersion: state.streamVersion, rows: records.formats });
      cache.evaluations.set(state.id, { streamVersion: state.streamVersion, rows: records.evaluations });
    },
  };
}
