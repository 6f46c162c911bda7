import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, PGliteDialect, PostgresDialect } from 'kysely';
import { Migrator } from 'kysely/migration';
import pg from 'pg';
import { migrations } from '../../migrations/index.ts';
import type { Config } from '../config.ts';
import { lockDataDir } from './dataDirLock.ts';
import type { Database, Db } from './database.ts';

export interface Store {
  db: Db;
  kind: 'pglite' | 'postgres';
  /** Calls `onNotify` for each NOTIFY on the channel, from any process on the same database. */
  listen(channel: string, onNotify: () => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

/** int8 as a decimal string on both drivers, as pg does, so positions and sizes never lose precision. */
export const PGLITE_PARSERS = { 20: (value: string) => value };

export async function migrateToLatest(db: Kysely<any>): Promise<void> {
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName;
    throw new Error(`Migration ${failed ?? ''} failed: ${(error as Error).message}`, { cause: error });
  }
}

export function postgresDialect(connectionString: string, max: number): PostgresDialect {
  // A connection attempt that hangs (a server restarting) fails after 5 s instead of holding the request.
  const pool = new pg.Pool({ connectionString, max, connectionTimeoutMillis: 5000 });
  // An idle client that loses its server (a restart) must not crash the process; the pool replaces it.
  pool.on('error', () => {});
  // Nor may a checked-out one between two statements (pg emits 'error' on a client with no query running,
  // and the pool listens only on idle ones): its next statement fails instead, and the pool drops it on release.
  pool.on('connect', (client) => client.on('error', () => {}));
  return new PostgresDialect({ pool });
}

/**
 * LISTEN on a connection of its own (a pooled one would be handed to others). When that connection drops,
 * it reconnects with a growing delay and calls onNotify once, since notifications may have been missed.
 */
export async function listenOnPostgres(connectionString: string, channel: string, onNotify: () => void): Promise<() => Promise<void>> {
  let client: pg.Client | null = null;
  let stopped = false;
  let delay = 100;
  const connect = async (): Promise<void> => {
    const c = new pg.Client({ connectionString });
    c.on('notification', (n) => n.channel === channel && onNotify());
    c.on('error', () => {
      if (client !== c || stopped) return;
      client = null;
      c.end().catch(() => {});
      setTimeout(retry, delay);
    });
    await c.connect();
    await c.query(`listen ${pg.escapeIdentifier(channel)}`);
    client = c;
    delay = 100;
  };
  const retry = () => {
    if (stopped) return;
    connect().then(onNotify, () => {
      delay = Math.min(delay * 2, 5000);
      setTimeout(retry, delay);
    });
  };
  await connect();
  return async () => {
    stopped = true;
    await client?.end().catch(() => {});
  };
}

/** Opens the configured database (PostgreSQL when DATABASE_URL is set, else PGlite) and migrates it. */
export async function openStore(config: Pick<Config, 'databaseUrl' | 'databasePoolSize' | 'dataDir'>): Promise<Store> {
  if (config.databaseUrl) {
    const db = new Kysely<Database>({ dialect: postgresDialect(config.databaseUrl, config.databasePoolSize) });
    try {
      await migrateToLatest(db);
    } catch (error) {
      await db.destroy();
      throw error;
    }
    return { db, kind: 'postgres', listen: (channel, onNotify) => listenOnPostgres(config.databaseUrl!, channel, onNotify), close: () => db.destroy() };
  }
  const lock = lockDataDir(config.dataDir);
  try {
    const pglite = await PGlite.create(path.join(config.dataDir, 'pglite'), { parsers: PGLITE_PARSERS });
    const db = new Kysely<Database>({ dialect: new PGliteDialect({ pglite }) });
    await migrateToLatest(db).catch(async (error: unknown) => {
      await db.destroy();
      throw error;
    });
    return {
      db,
      kind: 'pglite',
      listen: (channel, onNotify) => pglite.listen(channel, onNotify),
      close: async () => {
        await db.destroy();
        lock.release();
      },
    };
  } catch (error) {
    lock.release();
    throw error;
  }
}
