import DataLoader from 'dataloader';
import type { Identity } from '../auth/identity.ts';
import type { Config } from '../config.ts';
import type { BlobStore } from '../files/blobStore.ts';
import type { Metrics } from '../metrics.ts';
import type { Db } from '../store/database.ts';
import type { EventFeed } from '../store/eventFeed.ts';
import { type FormatRecord, loadFormats, loadModels, loadVersions, type ModelRecord, type VersionRecord } from '../store/readModels.ts';

/** What every resolver gets: the store, the request's identity, and per-request loaders. */
export interface GraphQLContext {
  db: Db;
  config: Config;
  feed: EventFeed;
  blobs: BlobStore;
  /** Who the request acts as, in which context, with which permissions. */
  identity: Identity;
  /** The context (workspace) this request works in: identity.context.id. */
  contextId: string;
  requestId: string;
  metrics: Metrics;
  loaders: Loaders;
}

export interface Loaders {
  model: DataLoader<string, ModelRecord | null>;
  versions: DataLoader<string, VersionRecord[]>;
  formats: DataLoader<string, FormatRecord[]>;
  /** After a command: what this request loaded of that model is stale. */
  forget(modelId: string): void;
}

/** One statement per kind of thing per tick, whatever the page size: a page of models costs a fixed number of queries. */
export function createLoaders(db: Db): Loaders {
  const model = new DataLoader<string, ModelRecord | null>((ids) => loadModels(db, ids));
  const versions = new DataLoader<string, VersionRecord[]>((ids) => loadVersions(db, ids));
  const formats = new DataLoader<string, FormatRecord[]>((ids) => loadFormats(db, ids));
  return {
    model,
    versions,
    formats,
    forget(modelId) {
      model.clear(modelId);
      versions.clear(modelId);
      formats.clear(modelId);
    },
  };
}
