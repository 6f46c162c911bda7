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
  const pool = new pg.Pool({ connectionString, max });
  // An idle client that loses its server (a restart) must not crash the process; the pool replaces it.
  pool.on('error', () => {});
  return new PostgresDialect({ pool });
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
    return { db, kind: 'postgres', close: () => db.destroy() };
  }
  const lock = lockDataDir(config.dataDir);
  try {
    const pglite = await PGlite.create(path.join(config.dataDir, 'pglite'), { parsers: PGLITE_PARSERS });
    const db = new Kysely<Database>({ dialect: new PGliteDialect({ pglite }) });
    await migrateToLatest(db);
    return {
      db,
      kind: 'pglite',
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
