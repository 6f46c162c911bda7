import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, expect, it } from 'vitest';
import { openStore, PGLITE_SETTINGS } from '../../src/store/open.ts';

// Each creation runs initdb, seconds on a busy machine: hence the longer timeouts.
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

const open = (dataDir: string) => openStore({ databaseUrl: undefined, databasePoolSize: 1, dataDir });

async function settingsOf(dataDir: string): Promise<Record<string, string>> {
  const store = await open(dataDir);
  try {
    const shown: Record<string, string> = {};
    for (const name of Object.keys(PGLITE_SETTINGS)) {
      const { rows } = await sql<Record<string, string>>`show ${sql.raw(name)}`.execute(store.db);
      shown[name] = rows[0]![name]!;
    }
    return shown;
  } finally {
    await store.close();
  }
}

it('runs the embedded database with the settings chosen for one process, on the first start and on the next', { timeout: 120_000 }, async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-settings-'));
  dirs.push(dataDir);
  expect(PGLITE_SETTINGS).toMatchObject({ shared_buffers: '16MB' });
  // The first start creates the database (in a process of its own) and the next finds it.
  expect(await settingsOf(dataDir)).toEqual(PGLITE_SETTINGS);
  expect(fs.existsSync(path.join(dataDir, 'pglite', 'PG_VERSION'))).toBe(true);
  expect(await settingsOf(dataDir)).toEqual(PGLITE_SETTINGS);
});

it('removes what a first start stopped halfway left, and creates the database whole', { timeout: 120_000 }, async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-settings-'));
  dirs.push(dataDir);
  const leftover = path.join(dataDir, 'pglite.new-0b7e6c1e-dead-4000-8000-000000000000');
  fs.mkdirSync(path.join(leftover, 'base'), { recursive: true });
  fs.writeFileSync(path.join(leftover, 'PG_VERSION'), '18\n');

  const store = await open(dataDir);
  try {
    // Migrated: the default context is there.
    expect(await store.db.selectFrom('contexts').select('name').execute()).toEqual([{ name: 'default' }]);
  } finally {
    await store.close();
  }
  expect(fs.readdirSync(dataDir).filter((entry) => entry.startsWith('pglite'))).toEqual(['pglite']);
});
