import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { processStartTime } from '../../src/processes.ts';
import { DataDirLockedError, lockDataDir } from '../../src/store/dataDirLock.ts';
import { startCairn, waitForOutput } from '../helpers/processes.ts';

const dirs: string[] = [];
const tempDir = () => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-lock-'));
  dirs.push(d);
  return d;
};
afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

/** Every file under dir with its size and modification time. */
function listing(dir: string): string[] {
  return (fs.readdirSync(dir, { recursive: true }) as string[])
    .map((f) => {
      const s = fs.statSync(path.join(dir, f));
      return `${f} ${s.isFile() ? s.size : 'dir'} ${s.mtimeMs}`;
    })
    .sort();
}

it('refuses a second process on the same data directory with a clear message, changing nothing', async () => {
  const dataDir = tempDir();
  // Ports of their own: the second must get as far as the lock (a taken port would end it first).
  const first = startCairn('src/main.ts', { CAIRN_DATA_DIR: dataDir, DATABASE_URL: '', PORT: '0', HOST: '127.0.0.1' });
  try {
    await waitForOutput(first, /ready/);
    const before = listing(dataDir);
    const second = startCairn('src/main.ts', { CAIRN_DATA_DIR: dataDir, DATABASE_URL: '', PORT: '0', HOST: '127.0.0.1' });
    expect(await second.exited).toBe(1);
    expect(second.output()).toMatch(new RegExp(`Another Cairn process \\(pid ${first.child.pid}\\) is using the data directory`));
    expect(second.output()).not.toMatch(/at .*\.ts:\d+/); // one clear line, no stack trace
    expect(listing(dataDir)).toEqual(before);
    expect(first.child.exitCode).toBeNull();
  } finally {
    first.child.kill('SIGTERM');
    await first.exited;
  }
  expect(fs.existsSync(path.join(dataDir, 'cairn.lock'))).toBe(false);
}, 60_000);

const lockFile = (dataDir: string) => path.join(dataDir, 'cairn.lock');
const writeLock = (dataDir: string, owner: object) => fs.writeFileSync(lockFile(dataDir), JSON.stringify(owner));
const lockOwner = (dataDir: string) => JSON.parse(fs.readFileSync(lockFile(dataDir), 'utf8')) as { pid: number; startedAt: string | null; instance: string };

/** Takes the lock, checks that it now names this process, and releases it. */
function expectTakenOver(dataDir: string) {
  const lock = lockDataDir(dataDir);
  expect(lockOwner(dataDir)).toMatchObject({ pid: process.pid, startedAt: processStartTime(process.pid) });
  lock.release();
  expect(fs.existsSync(lockFile(dataDir))).toBe(false);
}

it('takes over at once a lock left by a process that died', () => {
  const dataDir = tempDir();
  // A pid far above any pid_max names no living process.
  writeLock(dataDir, { pid: 2 ** 30, host: os.hostname() });
  expectTakenOver(dataDir);
});

it('takes over a lock naming its own pid, left by an earlier process that had the same pid (pid 1 in a container after a crash)', () => {
  const dataDir = tempDir();
  // As the earlier process left it: the same pid, another start time and instance; and as older Cairns wrote it.
  writeLock(dataDir, { pid: process.pid, host: os.hostname(), startedAt: 'another boot/1', instance: 'an-earlier-process' });
  expectTakenOver(dataDir);
  writeLock(dataDir, { pid: process.pid, host: os.hostname() });
  expectTakenOver(dataDir);
});

it('refuses a lock held by another live process, changing nothing', () => {
  const dataDir = tempDir();
  const owner = { pid: process.ppid, host: os.hostname(), startedAt: processStartTime(process.ppid), instance: 'the-parent' };
  expect(owner.startedAt).not.toBeNull();
  for (const written of [owner, { pid: owner.pid, host: owner.host }]) {
    writeLock(dataDir, written);
    expect(() => lockDataDir(dataDir)).toThrow(new RegExp(`Another Cairn process \\(pid ${process.ppid}\\) is using the data directory`));
    expect(lockOwner(dataDir)).toEqual(written);
  }
});

it('takes over a lock whose pid is alive but started at another time (the pid was reused)', () => {
  const dataDir = tempDir();
  writeLock(dataDir, { pid: process.ppid, host: os.hostname(), startedAt: `${processStartTime(process.ppid)}0`, instance: 'a-process-long-gone' });
  expectTakenOver(dataDir);
});

it('takes over a lock file that names no owner, and refuses one it cannot read', () => {
  const dataDir = tempDir();
  for (const garbage of ['', '{"pid":', 'null', '{"pid":"1","host":7}', '\u0000\u0000']) {
    fs.writeFileSync(lockFile(dataDir), garbage);
    expectTakenOver(dataDir);
  }
  // A lock that cannot be read says nothing about its owner: refused, with the reason, and left as it was.
  fs.mkdirSync(lockFile(dataDir));
  expect(() => lockDataDir(dataDir)).toThrow(DataDirLockedError);
  expect(() => lockDataDir(dataDir)).toThrow(/is locked \(.*cairn\.lock cannot be read: EISDIR\)\. Stop it first/);
  expect(fs.statSync(lockFile(dataDir)).isDirectory()).toBe(true);
});

it('refuses a second lock on the same directory in the same process, and releases only its own lock', () => {
  const dataDir = tempDir();
  const lock = lockDataDir(dataDir);
  const held = fs.readFileSync(lockFile(dataDir), 'utf8');
  expect(() => lockDataDir(dataDir)).toThrow(new RegExp(`\\(pid ${process.pid}\\)`));
  expect(fs.readFileSync(lockFile(dataDir), 'utf8')).toBe(held);
  lock.release();
  // A second copy of this module in the process (another instance id, the same pid and start time) is refused too.
  writeLock(dataDir, { pid: process.pid, host: os.hostname(), startedAt: processStartTime(process.pid), instance: 'another-copy' });
  expect(() => lockDataDir(dataDir)).toThrow(DataDirLockedError);
  // Releasing a lock that another owner has since taken over leaves the other's lock alone.
  fs.rmSync(lockFile(dataDir));
  const mine = lockDataDir(dataDir);
  writeLock(dataDir, { pid: 2 ** 30, host: os.hostname() });
  mine.release();
  expect(lockOwner(dataDir).pid).toBe(2 ** 30);
});
