import { type Browser, chromium } from 'playwright-core';

/** Debian's Chromium, headless, quiet (no update checks, sync or first-run pages): Playwright's own download does not work here. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}
