// `npm run import -- [--check] file.tar` as an operator runs it: a process of its own, pointed by the environment
// at a new database (DATABASE_URL, or CAIRN_DATA_DIR for the embedded one) and blob store. Usage mistakes and
// damaged archives are one line on stderr and exit 1; --check writes nothing; an import prints its counts, and
// `npm run verify` on the result finds every file.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readArchive, type ArchiveSummary } from '../../src/archive/read.ts';
import { loadConfig } from '../../src/config.ts';
import { importTarget } from '../../src/store/archive.ts';
import { openStore } from '../../src/store/open.ts';
import { ADMIN_TOKEN } from '../helpers/api.ts';
import { openTestDatabase, type TestDatabase, testDatabaseKind } from '../helpers/database.ts';
import { givenFormat, givenModel, type Served, serveTestApi } from '../helpers/fixtures.ts';
import { runScript } from '../helpers/processes.ts';

const onPostgres = testDatabaseKind === 'postgres';
/** A new embedded database (initdb) in a script's process with both cores busy: a bound, not a target. */
const SCRIPT_MS = 180_000;


const lines = (text: string) => text.split('\n').filter(Boolean);
/** A stack frame, as Node prints one. */
const STACK = /^\s+at .+/m;

let source: Served;
let workDir: string;
/** A good archive, its damaged copy (one byte of a blob flipped), and the good one's summary. */
let good: string;
let damaged: string;
let damagedMember: string;
let summary: ArchiveSummary;

/** A new, empty installation for the script: a database of its own (PostgreSQL) or none yet (a data directory). */
let target: TestDatabase | null = null;
let targetDir: string;
let env: Record<string, string>;

beforeAll(async () => {
  source = await serveTestApi();
  const files = [new Uint8Array(randomBytes(40_000)), new Uint8Array(randomBytes(25_000))];
  const first = await givenModel(source, { versions: 2 });
  await givenFormat(source, first, 1, files[0]!);
  await givenFormat(source, first, 2, files[1]!, { format: 'rda', filename: 'model.rda' });
  await givenModel(source, { versions: 1 });
  const response = await fetch(`${source.url}/admin/export`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
  expect(response.status).toBe(200);
  const archive = Buffer.from(await response.arrayBuffer());
  summary = await readArchive(Readable.from([archive]));

  workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-import-script-'));
  good = path.join(workDir, 'backup.tar');
  fs.writeFileSync(good, archive);
  // The second file's bytes, where the archive holds them: one flipped, the manifest untouched.
  const at = archive.indexOf(Buffer.from(files[1]!));
  expect(at).toBeGreaterThan(0);
  const flipped = Buffer.from(archive);
  flipped[at + 1000]! ^= 0x80;
  damaged = path.join(workDir, 'damaged.tar');
  fs.writeFileSync(damaged, flipped);
  damagedMember = summary.manifest.members.find((m) => m.size === files[1]!.length)!.name;

  targetDir = path.join(workDir, 'target');
  fs.mkdirSync(targetDir);
  if (onPostgres) target = await openTestDatabase('postgres');
  // Set explicitly: nothing of the test runner's own environment may point the script elsewhere.
  env = { DATABASE_URL: target?.url ?? '', CAIRN_DATA_DIR: targetDir, CAIRN_BLOB_STORE: '' };
}, SCRIPT_MS);

afterAll(async () => {
  await source?.close();
  await target?.close();
  if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
});

/** The target's database, opened in this process (the embedded one only while no script holds it). */
async function withTarget<T>(use: (db: Awaited<ReturnType<typeof openStore>>['db']) => Promise<T>): Promise<T> {
  const store = await openStore(loadConfig(env));
  try {
    return await use(store.db);
  } finally {
    await store.close();
  }
}

const blobFiles = () => {
  const dir = path.join(targetDir, 'blobs', 'sha256');
  return fs.existsSync(dir) ? fs.readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => e.name) : [];
};

describe(`npm run import on ${testDatabaseKind}`, { timeout: SCRIPT_MS }, () => {
  it('no file, two files, or an option it does not know: exit 1 and one line of usage', async () => {
    for (const args of [[], [good, damaged], ['--force', good], ['--check']]) {
      const run = await runScript('import', env, args);
      expect(run.code, args.join(' ')).toBe(1);
      expect(run.stdout).toBe('');
      expect(lines(run.stderr), args.join(' ')).toEqual([expect.stringMatching(/^Usage: npm run import -- \[--check\] <archive\.tar>/)]);
    }
  });

  it('a file that is not there (or a directory): exit 1, one line naming it', async () => {
    for (const file of [path.join(workDir, 'no-such.tar'), workDir]) {
      const run = await runScript('import', env, [file]);
      expect(run.code).toBe(1);
      expect(run.stdout).toBe('');
      expect(lines(run.stderr)).toEqual([`No archive file ${file}`]);
    }
  });

  it('--check on a good archive: exit 0, its counts, and nothing written anywhere', async () => {
    const run = await runScript('import', env, ['--check', good]);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    const { model, context, group, principal } = summary.streams;
    expect(lines(run.stdout)).toEqual([
      expect.stringMatching(
        new RegExp(`^${good} is whole: ${summary.events} events \\(${model} on ${summary.models} models, deleted ones included; ${context + group + principal} of access control\\) and ${summary.blobs} blobs .*Nothing was written\\.$`),
      ),
    ]);
    // No database made in the data directory, no blob store; PostgreSQL's database as new as it was.
    expect(fs.readdirSync(targetDir)).toEqual([]);
    if (target) expect(await importTarget(target.db)).toEqual({ events: 1, fresh: true });
  });

  it('--check on a damaged archive: exit 1, one line naming the member, no stack trace', async () => {
    const run = await runScript('import', env, ['--check', damaged]);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).not.toMatch(STACK);
    expect(lines(run.stderr)).toEqual([expect.stringMatching(new RegExp(`^Refused ${damaged}: ${damagedMember}: its bytes hash to sha256 [0-9a-f]{64}.*It cannot be imported\\.$`))]);
    expect(fs.readdirSync(targetDir)).toEqual([]);
  });

  it('an import of the damaged archive: exit 1, one line naming the member, and the target left empty', async () => {
    const run = await runScript('import', env, [damaged]);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).not.toMatch(STACK);
    expect(lines(run.stderr)).toEqual([expect.stringMatching(new RegExp(`^Refused ${damaged}: ${damagedMember}: .*Nothing was imported: the database and the blob store are as they were\\.$`))]);
    expect(await withTarget(importTarget)).toEqual({ events: 1, fresh: true });
    expect(blobFiles()).toEqual([]);
  });

  it('an import of the good archive prints its counts; verify then finds every file; a second import is refused', async () => {
    const run = await runScript('import', env, [good]);
    expect(run.code, run.stderr).toBe(0);
    const { model, context, group, principal } = summary.streams;
    const where = onPostgres ? 'PostgreSQL \\(DATABASE_URL\\)' : `the embedded database in ${targetDir}`;
    expect(lines(run.stdout)).toEqual([
      expect.stringMatching(
        new RegExp(`^Imported ${summary.events} events \\(${model} on ${summary.models} models, deleted ones included; ${context + group + principal} of access control\\) and ${summary.blobs} blobs \\([\\d.]+ MiB\\) into ${where} in [\\d.]+ s, and rebuilt the read models\\.`),
      ),
    ]);
    expect(await withTarget(async (db) => (await importTarget(db)).events)).toBe(summary.events);
    expect(blobFiles().sort()).toEqual(summary.manifest.members.filter((m) => m.name.startsWith('blobs/')).map((m) => m.sha256).sort());

    const verify = await runScript('verify', env);
    expect(verify).toMatchObject({ code: 0, stderr: '' });
    expect(lines(verify.stdout)).toEqual([expect.stringMatching(/^All 2 formats \(2 blobs/)]);

    const again = await runScript('import', env, [good]);
    expect(again.code).toBe(1);
    expect(again.stderr).not.toMatch(STACK);
    expect(lines(again.stderr)).toEqual([expect.stringMatching(new RegExp(`^Refused: The database already holds ${summary.events} events: an import goes into a new, empty database`))]);
  });
});
