import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContextOptions, Page } from 'playwright-core';
import { DASHBOARD_DIR } from '../../src/http/dashboard.ts';
import { ROOT } from './processes.ts';

export const ARTIFACTS = path.join(ROOT, 'test/artifacts');

/**
 * Builds the dashboard from the current sources: a build left from older ones would test the wrong page.
 * NODE_ENV=production as `npm start` has it: under vitest (NODE_ENV=test) vite would bundle React's
 * development build, which is not what users load.
 */
export function buildDashboard(): void {
  execFileSync('npm', ['run', '-s', 'web:build'], { cwd: ROOT, stdio: 'inherit', env: { ...process.env, NODE_ENV: 'production' } });
  if (!fs.existsSync(path.join(DASHBOARD_DIR, 'index.html'))) throw new Error('web:build made no index.html');
  fs.mkdirSync(ARTIFACTS, { recursive: true });
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
