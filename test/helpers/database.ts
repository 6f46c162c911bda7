import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, PGliteDialect } from 'kysely';
import { Migrator } from 'kysely/migration';
import { migrations } from '../../migrations/index.ts';
import pg from 'pg';
import { inject } from 'vitest';
import type { Database, Db } from '../../src/store/database.ts';
import { listenOnPostgres, migrateToLatest, PGLITE_PARSERS, postgresDialect, type Store } from '../../src/store/open.ts';

export type TestDatabaseKind = 'pglite' | 'postgres';

/** Which database this vitest project runs against (see vitest.config.ts). */
export const testDatabaseKind = (process.env.CAIRN_TEST_DB ?? 'pglite') as TestDatabaseKind;

export interface TestDatabase {
  db: Db;
  /** The same database as the app sees it (with LISTEN), for createApp. */
  store: Store;
  kind: TestDatabaseKind;
  /** postgres only: a URL to the same database, for other processes and connections. */
  url?: string;
  /** Opens another Kysely on the same database (postgres only): a second server process, say. */
  connect(poolSize?: number): Db;
  close(): Promise<void>;
}

function adminUrl(): string {
  const url = process.env.TEST_DATABASE_URL;
  if (!url) throw new Error('TEST_DATABASE_URL is not set');
  return url;
}

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

/**
 * A fresh, migrated database for one test file: a new PGlite from the snapshot, or a new PostgreSQL database.
 * `migrated: false` leaves it empty, as a server's first start finds it (PGlite: in memory).
 */
export async function openTestDatabase(kind: TestDatabaseKind = testDatabaseKind, { migrated = true } = {}): Promise<TestDatabase> {
  if (kind === 'pglite') {
    const snapshot = migrated ? new Blob([await fs.readFile(inject('pgliteSnapshot'))]) : undefined;
    const pglite = await PGlite.create({ loadDataDir: snapshot, parsers: PGLITE_PARSERS });
    const db = new Kysely<Database>({ dialect: new PGliteDialect({ pglite }) });
    const close = () => db.destroy();
    return {
      db,
      store: { db, kind, listen: (channel, onNotify) => pglite.listen(channel, onNotify), close },
      kind,
      connect: () => {
        throw new Error('PGlite has one connection per process');
      },
      close,
    };
  }
  const name = `cairn_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl() });
  await admin.connect();
  try {
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = withDatabase(adminUrl(), name);
  const opened: Db[] = [];
  const connect = (poolSize = 10) => {
    const db = new Kysely<Database>({ dialect: postgresDialect(url, poolSize) });
    opened.push(db);
    return db;
  };
  const db = connect(50);
  if (migrated) await migrateToLatest(db);
  return {
    db,
    store: { db, kind, listen: (channel, onNotify, onLost) => listenOnPostgres(url, channel, onNotify, onLost), close: async () => {} },
    kind,
    url,
    connect,
    close: async () => {
      await Promise.all(opened.map((d) => d.destroy()));
      const cleanup = new pg.Client({ connectionString: adminUrl() });
      await cleanup.connect();
      try {
        await cleanup.query(`drop database if exists ${name} with (force)`);
      } finally {
        await cleanup.end();
      }
    },
  };
}

/** Migrates a test database up to and including one migration: a database as an older Cairn left it. */
export async function migrateTestDatabaseTo(db: Kysely<any>, migration: string): Promise<void> {
  const { error } = await new Migrator({ db, provider: { getMigrations: async () => migrations } }).migrateTo(migration);
  if (error) throw error;
}

/** The id of the `default` context, which the first migration creates. */
export async function defaultContextId(db: Db): Promise<string> {
  const row = await db.selectFrom('contexts').select('id').where('name', '=', 'default').executeTakeFirstOrThrow();
  return row.id;
}
