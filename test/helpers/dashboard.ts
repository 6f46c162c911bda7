import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContextOptions, Page } from 'playwright-core';
import { DASHBOARD_DIR } from '../../src/http/dashboard.ts';
import { ROOT } from './processes.ts';

export const ARTIFACTS = path.join(ROOT, 'test/artifacts');

/**
 * Where a screenshot the README shows goes: web/docs/ when `npm run docs:screenshots` runs the browser
 * tests (CAIRN_DOCS_SCREENSHOTS=1), test/artifacts/ otherwise, so that a test run leaves the committed
 * pictures (and the working tree) as they were.
 */
export function docsScreenshot(name: string): string {
  const dir = process.env.CAIRN_DOCS_SCREENSHOTS === '1' ? path.join(ROOT, 'web/docs') : ARTIFACTS;
  fs.mkdirSync(dir, { recursive: true });
  return path.join(dir, name);
}

const STAMP = path.join(ARTIFACTS, 'dashboard-build.stamp');
const LOCK = path.join(ROOT, 'web/.build-lock');

/** A hash of everything the build reads: when it matches the last build's, web/dist is that build. */
function sourceStamp(): string {
  const hash = createHash('sha256');
  const add = (file: string) => {
    hash.update(path.relative(ROOT, file)).update('\0').update(fs.readFileSync(file)).update('\0');
  };
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((x, y) => x.name.localeCompare(y.name))) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else add(full);
    }
  };
  walk(path.join(ROOT, 'web/src'));
  walk(path.join(ROOT, 'web/public'));
  for (const file of ['web/index.html', 'web/vite.config.ts', 'package-lock.json']) add(path.join(ROOT, file));
  return hash.digest('hex');
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** Holds a lock (a directory with the holder's pid) across the test files' processes; a dead holder's lock is taken over. */
function withBuildLock(run: () => void): void {
  const deadline = Date.now() + 170_000;
  for (;;) {
    try {
      fs.mkdirSync(LOCK);
      fs.writeFileSync(path.join(LOCK, 'pid'), String(process.pid));
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number(fs.existsSync(path.join(LOCK, 'pid')) ? fs.readFileSync(path.join(LOCK, 'pid'), 'utf8') : NaN);
      if (Number.isInteger(holder) && !alive(holder)) fs.rmSync(LOCK, { recursive: true, force: true });
      else if (Date.now() > deadline) throw new Error(`another build has held ${LOCK} for too long`, { cause: error });
      // Waits for the other build (a lock, not a test's synchronisation).
      else Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 250);
    }
  }
  try {
    run();
  } finally {
    fs.rmSync(LOCK, { recursive: true, force: true });
  }
}

/**
 * Builds the dashboard from the current sources: a build left from older ones would test the wrong page.
 * Test files running at once share one build (one at a time under a lock, none when web/dist was built
 * from the same sources), so none serves a web/dist that another is emptying. NODE_ENV=production as
 * `npm start` has it: under vitest (NODE_ENV=test) vite would bundle React's development build.
 */
export function buildDashboard(): void {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  withBuildLock(() => {
    // The sources' hash and the built index.html's (which names the hashed assets): a web/dist rebuilt since from
    // other sources does not pass for this one.
    const index = path.join(DASHBOARD_DIR, 'index.html');
    const indexHash = () => createHash('sha256').update(fs.readFileSync(index)).digest('hex');
    const sources = sourceStamp();
    if (fs.existsSync(index) && fs.existsSync(STAMP) && fs.readFileSync(STAMP, 'utf8') === `${sources} ${indexHash()}`) return;
    fs.rmSync(STAMP, { force: true });
    execFileSync('npm', ['run', '-s', 'web:build'], { cwd: ROOT, stdio: 'inherit', env: { ...process.env, NODE_ENV: 'production' } });
    if (!fs.existsSync(index)) throw new Error('web:build made no index.html');
    fs.writeFileSync(STAMP, `${sources} ${indexHash()}`);
  });
}

/** A fresh browser context signed in with `token` (sessionStorage, as the sign-in form leaves it), at `path`. */
export async function openSignedIn(browser: Browser, baseUrl: string, token: string, pathname = '/', options: BrowserContextOptions = {}): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, ...options });
  await context.addInitScript((t) => {
    if (!sessionStorage.getItem('cairn.session')) sessionStorage.setItem('cairn.session', JSON.stringify({ token: t }));
  }, token);
  const page = await context.newPage();
  await page.goto(baseUrl + pathname);
  return page;
}
