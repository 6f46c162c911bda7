import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
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
  const first = startCairn('src/main.ts', { CAIRN_DATA_DIR: dataDir, DATABASE_URL: '' });
  try {
    await waitForOutput(first, /ready/);
    const before = listing(dataDir);
    const second = startCairn('src/main.ts', { CAIRN_DATA_DIR: dataDir, DATABASE_URL: '' });
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

it('takes over at once a lock left by a process that died', () => {
  const dataDir = tempDir();
  // A pid far above any pid_max names no living process.
  fs.writeFileSync(path.join(dataDir, 'cairn.lock'), JSON.stringify({ pid: 2 ** 30, host: os.hostname() }));
  const lock = lockDataDir(dataDir);
  expect(() => lockDataDir(dataDir)).toThrow(DataDirLockedError);
  lock.release();
  expect(fs.existsSync(path.join(dataDir, 'cairn.lock'))).toBe(false);
});
