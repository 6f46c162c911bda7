import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page, Request } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { GRAPHIQL_DIR, renderCairnGraphiQL } from '../../src/graphql/graphiql.ts';
import { ADMIN_TOKEN, adminHeaders, listen, openTestApi, type TestApi } from '../helpers/api.ts';
import { launchChromium } from '../helpers/browser.ts';
import { ROOT } from '../helpers/processes.ts';

const ARTIFACTS = path.join(ROOT, 'test/artifacts');
const TOKEN_KEY = 'cairn.graphiql.token';
let api: TestApi;
let server: Awaited<ReturnType<typeof listen>>;
let browser: Browser;

beforeAll(async () => {
  // Always from the current sources: a build left from older ones would test the wrong page.
  execFileSync('npm', ['run', '-s', 'web:build:graphiql'], { cwd: ROOT, stdio: 'inherit' });
  expect(fs.existsSync(path.join(GRAPHIQL_DIR, 'index.html'))).toBe(true);
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  api = await openTestApi();
  server = await listen(api.app);
  browser = await launchChromium();
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await server?.close();
  await api?.close();
});

interface Session {
  context: BrowserContext;
  page: Page;
  /** Every request the page and its workers made, in order. */
  requests: Request[];
  /** GraphQL requests: to /graphql, other than loading the page itself. */
  operations: () => Request[];
  /** What the page's Content-Security-Policy blocked. */
  violations: () => Promise<string[]>;
}

/** A new browser context is a new session: its own sessionStorage and localStorage. */
async function newSession(): Promise<Session> {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  await context.addInitScript(() => {
    const seen: string[] = [];
    (window as unknown as { __violations: string[] }).__violations = seen;
    document.addEventListener('securitypolicyviolation', (event) => seen.push(`${event.violatedDirective} ${event.blockedURI}`));
  });
  const requests: Request[] = [];
  context.on('request', (request) => requests.push(request));
  const page = await context.newPage();
  return {
    context,
    page,
    requests,
    operations: () => requests.filter((r) => new URL(r.url()).pathname === '/graphql' && r.resourceType() !== 'document'),
    violations: () => page.evaluate(() => (window as unknown as { __violations: string[] }).__violations),
  };
}

/** The text a Monaco editor shows (it renders spaces as no-break spaces). */
const editorText = async (page: Page, editor: string) => (await page.locator(`.${editor} .view-lines`).first().innerText()).replace(/\u00a0/g, ' ');

const storage = (page: Page) =>
  page.evaluate(() => ({
    local: Object.entries(localStorage),
    session: Object.entries(sessionStorage),
  }));

async function schemaLoaded(page: Page): Promise<void> {
  await page.getByRole('status').getByText(/Connected/).waitFor();
}

it('asks for the token first, sends nothing before it, then loads the schema for Docs and runs the example', async () => {
  const s = await newSession();
  const { page } = s;
  const page401s: string[] = [];
  page.on('response', (r) => r.status() === 401 && page401s.push(r.url()));
  await page.goto(`${server.url}/graphql`);
  expect(await page.title()).toBe('Cairn GraphiQL');
  // A first visit shows the example operation.
  await expect.poll(() => editorText(page, 'graphiql-query-editor')).toMatch(/query Models \{\s+models\(first: 20\)/);
  await page.getByRole('status').getByText('Nothing is sent to the server until a token is given.').waitFor();
  await page.screenshot({ path: path.join(ARTIFACTS, 'graphiql-first-load.png') });

  // Running the operation without a token sends nothing either: GraphiQL says what to do instead.
  await page.getByRole('button', { name: /^Execute query/ }).click();
  await expect.poll(() => editorText(page, 'graphiql-response')).toMatch(/Paste your API token into the field above first/);
  // Not a token: said next to the field, nothing stored, nothing sent.
  for (const bad of ['two words', 'cairn_\u{1F600}', 'cairn_\ud800', 'x'.repeat(513), '   ']) {
    await page.getByLabel('API token').fill(bad);
    await page.getByRole('button', { name: 'Use token' }).click();
    await page.getByRole('status').getByText(/printable ASCII|too long|Paste the API token first/).waitFor();
    expect(await page.evaluate((key) => sessionStorage.getItem(key), TOKEN_KEY)).toBeNull();
  }
  expect(s.operations()).toEqual([]);
  expect(page401s).toEqual([]);

  // The token, pasted as the header value would be written: GraphiQL introspects with it at once.
  await page.getByLabel('API token').fill(`Bearer ${ADMIN_TOKEN}`);
  await page.getByLabel('API token').press('Enter');
  await schemaLoaded(page);
  await page.getByRole('button', { name: 'Show Documentation Explorer' }).click();
  const docs = page.locator('.graphiql-doc-explorer');
  await docs.getByText('All Schema Types').waitFor();
  await docs.locator('.graphiql-doc-explorer-type-name', { hasText: /^Model$/ }).first().waitFor();
  expect(await docs.getByText('Error fetching schema').count()).toBe(0);
  await page.screenshot({ path: path.join(ARTIFACTS, 'graphiql-docs.png') });

  await page.getByRole('button', { name: /^Execute query/ }).click();
  await expect.poll(() => editorText(page, 'graphiql-response')).toMatch(/"formats": \[\s*"pkl"/);
  expect(await editorText(page, 'graphiql-response')).toMatch(/"totalCount": 0/);

  // Every request carried the token and no CSRF header, and every one went to this server (no CDN).
  const operations = s.operations();
  expect(operations.length).toBeGreaterThanOrEqual(2);
  for (const request of operations) {
    const headers = await request.allHeaders();
    expect({ method: request.method(), authorization: headers.authorization, csrf: headers['x-cairn-csrf'] }).toEqual({ method: 'POST', authorization: `Bearer ${ADMIN_TOKEN}`, csrf: undefined });
  }
  expect(s.requests.filter((r) => !r.url().startsWith(`${server.url}/`) && !r.url().startsWith('data:')).map((r) => r.url())).toEqual([]);
  expect(page401s).toEqual([]);
  expect(await s.violations()).toEqual([]);

  // Nothing in localStorage at all; the token and GraphiQL's tabs in this tab's sessionStorage.
  let kept = await storage(page);
  expect(kept.local).toEqual([]);
  expect(kept.session).toContainEqual([TOKEN_KEY, ADMIN_TOKEN]);
  expect(kept.session.some(([key]) => key.startsWith('graphiql:'))).toBe(true);

  // Reloading in the same session keeps the token: the schema loads again with no click.
  const before = s.operations().length;
  await page.reload();
  await schemaLoaded(page);
  expect(s.operations().length).toBeGreaterThan(before);
  expect(await page.getByLabel('API token').inputValue()).toBe(ADMIN_TOKEN);
  kept = await storage(page);
  expect(kept.local).toEqual([]);
  expect(kept.session).toContainEqual([TOKEN_KEY, ADMIN_TOKEN]);
  await s.context.close();

  // A new session (a new browser context) starts with no token anywhere, and sends nothing.
  const fresh = await newSession();
  await fresh.page.goto(`${server.url}/graphql`);
  await fresh.page.getByRole('status').getByText('Nothing is sent to the server until a token is given.').waitFor();
  await expect.poll(() => editorText(fresh.page, 'graphiql-query-editor')).toMatch(/query Models/);
  expect(await fresh.page.getByLabel('API token').inputValue()).toBe('');
  const none = await storage(fresh.page);
  expect(none.local).toEqual([]);
  expect(JSON.stringify(none.session)).not.toContain(ADMIN_TOKEN);
  expect(fresh.operations()).toEqual([]);
  await fresh.context.close();
}, 90_000);

it('says when the server refuses the token, and forgets a token on request', async () => {
  const s = await newSession();
  const { page } = s;
  await page.goto(`${server.url}/graphql`);
  await page.getByLabel('API token').fill('cairn_not-a-real-token');
  await page.getByRole('button', { name: 'Use token' }).click();
  await page.getByRole('status').getByText(/refused this token \(401\)/).waitFor();

  await page.getByLabel('API token').fill(ADMIN_TOKEN);
  await page.getByRole('button', { name: 'Use token' }).click();
  await schemaLoaded(page);
  await page.getByRole('button', { name: 'Forget token' }).click();
  await page.getByRole('status').getByText('Nothing is sent to the server until a token is given.').waitFor();
  expect(JSON.stringify(await storage(page))).not.toContain(ADMIN_TOKEN);
  const sent = s.operations().length;
  await page.getByRole('button', { name: /^Execute query/ }).click();
  await expect.poll(() => editorText(page, 'graphiql-response')).toMatch(/Paste your API token/);
  expect(s.operations().length).toBe(sent);
  await s.context.close();
}, 60_000);

it('runs a subscription over server-sent events and shows its events as they come', async () => {
  const s = await newSession();
  const { page } = s;
  // The operation a user would have typed, as GraphiQL keeps it (in this tab's session storage).
  await s.context.addInitScript((token) => {
    sessionStorage.setItem('cairn.graphiql.token', token);
    sessionStorage.setItem('graphiql:query', 'subscription Live { modelEvents { type data } }');
  }, ADMIN_TOKEN);
  await page.goto(`${server.url}/graphql`);
  await schemaLoaded(page);
  await expect.poll(() => editorText(page, 'graphiql-query-editor')).toMatch(/subscription Live/);
  // Subscribed once the stream's request is answered; an event appended then arrives in the response pane.
  const streaming = page.waitForResponse((r) => r.url() === `${server.url}/graphql` && (r.headers()['content-type'] ?? '').startsWith('text/event-stream'));
  await page.getByRole('button', { name: /^Execute query/ }).click();
  await streaming;
  const created = await fetch(`${server.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...adminHeaders },
    body: JSON.stringify({ query: 'mutation { createModel(input: { name: "graphiql-live" }) { __typename } }' }),
  });
  expect(((await created.json()) as any).data.createModel.__typename).toBe('CreateModelSuccess');
  await expect.poll(() => editorText(page, 'graphiql-response')).toMatch(/"type": "ModelCreated"/);
  expect(await editorText(page, 'graphiql-response')).toMatch(/graphiql-live/);
  await page.getByRole('button', { name: /^Stop query/ }).click();
  await s.context.close();
}, 60_000);

it('serves the page with a strict policy, and its built files only by their names under /graphiql/assets/', async () => {
  const page = await fetch(`${server.url}/graphql`, { headers: { accept: 'text/html' } });
  const html = await page.text();
  expect(page.status).toBe(200);
  expect(page.headers.get('content-security-policy')).toMatch(/default-src 'self'.*frame-ancestors 'none'/);
  expect(html).toContain('<title>Cairn GraphiQL</title>');
  expect(html).not.toMatch(/(src|href)="?https?:/);
  // The example arrives as JSON in the page, escaped so that no string in it can end its script element.
  expect(html).toContain('query Models');
  const hostile = await renderCairnGraphiQL({ defaultQuery: '# </script><script>alert(1)</script>\u2028' });
  expect(hostile).not.toContain('<script>alert');
  const config = /<script id="cairn-graphiql-config" type="application\/json">(.*?)<\/script>/s.exec(hostile)![1]!;
  expect(JSON.parse(config)).toEqual({ defaultQuery: '# </script><script>alert(1)</script>\u2028' });
  const script = /src="(\/graphiql\/assets\/index-[\w-]+\.js)"/.exec(html)![1]!;
  const asset = await fetch(`${server.url}${script.replace(/\.js$/, '%2Ejs')}`);
  expect(asset.status).toBe(200);
  expect(asset.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
  expect(asset.headers.get('cache-control')).toMatch(/immutable/);
  for (const path of ['/graphiql/index.html', '/graphiql/assets/%2E%2E%2Findex.html', '/graphiql/assets/..%2F..%2F..%2Fpackage.json', '/graphiql/assets/', '/graphiql/assets/nothing.js', '/graphiql/assets/.hidden.js']) {
    expect({ path, status: (await fetch(`${server.url}${path}`)).status }).toEqual({ path, status: 404 });
  }
});
