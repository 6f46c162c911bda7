import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { promisify } from 'node:util';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, PGliteDialect, PostgresDialect, sql } from 'kysely';
import { Migrator } from 'kysely/migration';
import { LRUCache } from 'lru-cache';
import pg from 'pg';
import { migrations } from '../../migrations/index.ts';
import type { Config } from '../config.ts';
import { lockDataDir } from './dataDirLock.ts';
import type { Database, Db } from './database.ts';

export interface Store {
  db: Db;
  kind: 'pglite' | 'postgres';
  /**
   * Calls `onNotify` for each NOTIFY on the channel, from any process on the same database; `onLost` when
   * the listening connection is lost (notifications may be missed until the next onNotify).
   */
  listen(channel: string, onNotify: () => void, onLost?: () => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

/** int8 as a decimal string on both drivers, as pg does, so positions and sizes never lose precision. */
export const PGLITE_PARSERS = { 20: (value: string) => value };

/**
 * The embedded database's settings for the one process that uses it. PGlite's shared memory is
 * all resident from the start, so each MB of shared_buffers costs a MB of RSS: PostgreSQL's 128MB grew the
 * WASM memory to 188 MiB, 155 of it resident; with 16MB it stays at its 128 MiB minimum, 30 MiB resident.
 * Pages beyond it are read from the data directory's files, which the OS caches.
 */
export const PGLITE_SETTINGS = { shared_buffers: '16MB' };
const PGLITE_START_PARAMS = [...PGlite.defaultStartParams, ...Object.entries(PGLITE_SETTINGS).flatMap(([name, value]) => ['-c', `${name}=${value}`])];

/** Runs in a process of its own: argv[1] is PGlite's CommonJS entry, argv[2] the directory to create. */
const CREATE_PGLITE = 'require(process.argv[1]).PGlite.create(process.argv[2]).then((pglite) => pglite.close())';

/**
 * Creates an embedded database in a child process, then moves it into place. PGlite runs initdb in a second
 * WASM instance and copies its memory; done in the server's process, that left about 400 MiB that an idle
 * server never handed back (measured: 840 MiB idle after a first start, 400 MiB after the next). The
 * directory appears whole or not at all: a first start stopped halfway leaves a `pglite.new-*` directory,
 * which the next start removes (it holds the data directory's lock, so no other Cairn is creating one).
 */
async function createPGliteDirectory(directory: string): Promise<void> {
  const parent = path.dirname(directory);
  const prefix = `${path.basename(directory)}.new-`;
  for (const entry of fs.readdirSync(parent)) if (entry.startsWith(prefix)) fs.rmSync(path.join(parent, entry), { recursive: true, force: true });
  const staging = path.join(parent, `${prefix}${randomUUID()}`);
  try {
    await promisify(execFile)(process.execPath, ['-e', CREATE_PGLITE, createRequire(import.meta.url).resolve('@electric-sql/pglite'), staging]);
  } catch (error) {
    fs.rmSync(staging, { recursive: true, force: true });
    const stderr = (error as { stderr?: string }).stderr?.trim();
    throw new Error(`Could not create the embedded database in ${directory}${stderr ? `: ${stderr}` : ''}`, { cause: error });
  }
  fs.renameSync(staging, directory);
}

const migratorOf = (db: Kysely<any>) => new Migrator({ db, provider: { getMigrations: async () => migrations } });

export async function migrateToLatest(db: Kysely<any>): Promise<void> {
  const { error, results } = await migratorOf(db).migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName;
    throw new Error(`Migration ${failed ?? ''} failed: ${(error as Error).message}`, { cause: error });
  }
}

/** Statements a connection keeps prepared, at most: beyond them, statements are parsed and planned each time. */
const PREPARED_PER_CONNECTION = 200;
/** The statement texts this process has seen, to name those it sees again. */
const statementNames = new LRUCache<string, { name: string; seen: number }>({ max: 2000 });
let statementCount = 0;

/**
 * Prepares, on each connection, the statements this process runs again and again (a text seen twice gets a
 * name; pg then parses and plans it once per connection, and only binds it after). Measured on this
 * machine, the state-loading statement took 475-605 µs unnamed and 100-120 µs prepared. One-off texts (an
 * IN list of a new length) stay unnamed, and a connection prepares at most PREPARED_PER_CONNECTION. A
 * prepared statement whose tables another process's migration changed ("cached plan must not change result
 * type") is run again unnamed (inside a transaction that retry meets the aborted transaction, and the
 * command fails as any would), and that connection prepares nothing more.
 */
function preparing(client: pg.PoolClient): void {
  const original = client.query.bind(client) as (...args: unknown[]) => unknown;
  const query = original as (config: unknown, values?: unknown) => Promise<pg.QueryResult>;
  const prepared = new Set<string>();
  let enabled = true;
  (client as { query: unknown }).query = (text: unknown, values?: unknown, ...rest: unknown[]) => {
    // Kysely sends a text and its parameters; anything else (a cursor, a callback, no parameters) passes as it is.
    if (!enabled || typeof text !== 'string' || !Array.isArray(values) || values.length === 0 || rest.length > 0) return original(text, values, ...rest);
    let entry = statementNames.get(text);
    if (!entry) statementNames.set(text, (entry = { name: `cairn_${(++statementCount).toString(36)}`, seen: 0 }));
    entry.seen++;
    if (entry.seen < 2 || (!prepared.has(entry.name) && prepared.size >= PREPARED_PER_CONNECTION)) return query(text, values);
    prepared.add(entry.name);
    return query({ name: entry.name, text, values }).catch((error: { code?: string; message?: string }) => {
      if (error?.code !== '0A000' || !/cached plan/.test(error.message ?? '')) throw error;
      enabled = false;
      return query(text, values);
    });
  };
}

export function postgresDialect(connectionString: string, max: number, options: { readOnly?: boolean } = {}): PostgresDialect {
  // A connection attempt that hangs (a server restarting) fails after 5 s instead of holding the request.
  const pool = new pg.Pool({
    connectionString,
    max,
    connectionTimeoutMillis: 5000,
    // The server itself then refuses any write, whatever the code asks.
    ...(options.readOnly && { options: '-c default_transaction_read_only=on' }),
  });
  // An idle client that loses its server (a restart) must not crash the process; the pool replaces it.
  pool.on('error', () => {});
  // Nor may a checked-out one between two statements (pg emits 'error' on a client with no query running,
  // and the pool listens only on idle ones): its next statement fails instead, and the pool drops it on release.
  pool.on('connect', (client) => {
    client.on('error', () => {});
    preparing(client);
  });
  return new PostgresDialect({ pool });
}

/**
 * LISTEN on a connection of its own (a pooled one would be handed to others). When that connection drops,
 * it reconnects with a growing delay and calls onNotify once, since notifications may have been missed.
 */
export async function listenOnPostgres(connectionString: string, channel: string, onNotify: () => void, onLost?: () => void): Promise<() => Promise<void>> {
  let client: pg.Client | null = null;
  let stopped = false;
  let delay = 100;
  const connect = async (): Promise<void> => {
    const c = new pg.Client({ connectionString });
    c.on('notification', (n) => n.channel === channel && onNotify());
    c.on('error', () => {
      if (client !== c || stopped) return;
      client = null;
      onLost?.();
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

/** A database that a read-only task cannot use as it is: none there yet, or one this Cairn would still migrate. */
export class StoreNotReadyError extends Error {}

/** Refuses a database whose schema lags behind this code's (read-only: nothing is migrated). */
async function expectMigrated(db: Kysely<any>): Promise<void> {
  const pending = (await migratorOf(db).getMigrations()).filter((m) => !m.executedAt);
  if (pending.length > 0) {
    throw new StoreNotReadyError(`The database lacks ${pending.length} of this Cairn's migrations (${pending[0]!.name} first): run npm run migrate, or start the server once.`);
  }
}

/**
 * Opens the configured database (PostgreSQL when DATABASE_URL is set, else PGlite) and migrates it. With
 * readOnly (`npm run verify`) it migrates nothing and no transaction may write; on PGlite it still takes
 * the data directory's lock, as a second process on one directory is unsafe even for reading.
 */
export async function openStore(config: Pick<Config, 'databaseUrl' | 'databasePoolSize' | 'dataDir'>, options: { readOnly?: boolean } = {}): Promise<Store> {
  const prepare = options.readOnly ? expectMigrated : migrateToLatest;
  if (config.databaseUrl) {
    const db = new Kysely<Database>({ dialect: postgresDialect(config.databaseUrl, config.databasePoolSize, options) });
    try {
      await prepare(db);
    } catch (error) {
      await db.destroy();
      throw error;
    }
    return { db, kind: 'postgres', listen: (channel, onNotify, onLost) => listenOnPostgres(config.databaseUrl!, channel, onNotify, onLost), close: () => db.destroy() };
  }
  const directory = path.join(config.dataDir, 'pglite');
  // Opening a directory that holds none would create an empty database there.
  if (options.readOnly && !fs.existsSync(directory)) throw new StoreNotReadyError(`There is no Cairn database in ${config.dataDir} (CAIRN_DATA_DIR).`);
  const lock = lockDataDir(config.dataDir);
  try {
    if (!fs.existsSync(directory)) await createPGliteDirectory(directory);
    const pglite = await PGlite.create(directory, { parsers: PGLITE_PARSERS, startParams: PGLITE_START_PARAMS });
    const db = new Kysely<Database>({ dialect: new PGliteDialect({ pglite }) });
    await (async () => {
      // One connection: a session setting covers every transaction.
      if (options.readOnly) await sql`set default_transaction_read_only = on`.execute(db);
      await prepare(db);
    })().catch(async (error: unknown) => {
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
