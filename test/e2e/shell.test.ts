import path from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ADMIN_TOKEN, listen, openTestApi, type TestApi } from '../helpers/api.ts';
import { expectNoAxeViolations } from '../helpers/axe.ts';
import { launchChromium } from '../helpers/browser.ts';
import { ARTIFACTS, buildDashboard, docsScreenshot, openSignedIn } from '../helpers/dashboard.ts';

// The dashboard's shell: URLs, the list, the record's frame, offline, narrow screens, dark mode, live news.
const MODELS = 45;
let api: TestApi;
let server: Awaited<ReturnType<typeof listen>>;
let browser: Browser;
let viewerToken: string;
let aliceToken: string;

async function gql(token: string, query: string, variables: Record<string, unknown> = {}, headers: Record<string, string> = {}): Promise<any> {
  const response = await fetch(`${server.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, ...headers },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as any;
  expect(body.errors).toBeUndefined();
  return body.data;
}

async function principalToken(name: string, role: string): Promise<string> {
  const created = await gql(ADMIN_TOKEN, 'mutation ($n: String!) { createPrincipal(name: $n, kind: USER) { ... on CreatePrincipalSuccess { principal { id } } } }', { n: name });
  const id = created.createPrincipal.principal.id;
  await gql(ADMIN_TOKEN, 'mutation ($i: RoleGrantInput!) { grantRole(input: $i) { __typename } }', { i: { role, principalId: id } });
  const token = await gql(ADMIN_TOKEN, 'mutation ($i: CreateTokenInput!) { createToken(input: $i) { ... on CreateTokenSuccess { secret } } }', { i: { principalId: id, name: 'browser' } });
  return token.createToken.secret;
}

const createModel = (token: string, input: Record<string, unknown>, headers: Record<string, string> = {}) =>
  gql(token, 'mutation ($i: CreateModelInput!) { createModel(input: $i) { __typename ... on CreateModelSuccess { model { id } } ... on Error { message } } }', { i: input }, headers);

const DESCRIPTION = [
  '# Overview',
  '',
  'Predicts **churn** from usage. See [the runbook](https://example.com/runbook) and [a trap](javascript:window.__pwned=1).',
  '',
  '<script>window.__pwned = 2</script><img src=x onerror="window.__pwned = 3">',
  '',
  '| metric | value |',
  '| --- | --- |',
  '| auc | 0.91 |',
].join('\n');

beforeAll(async () => {
  buildDashboard();
  api = await openTestApi();
  server = await listen(api.app);
  browser = await launchChromium();
  for (let i = 1; i <= MODELS; i++) {
    const name = `model-${String(i).padStart(2, '0')}`;
    const r = await createModel(ADMIN_TOKEN, { name, tags: [i % 2 ? 'vision' : 'nlp', ...(i % 5 === 0 ? ['prod'] : [])], description: i === 1 ? DESCRIPTION : `Model number ${i}` });
    expect(r.createModel.__typename).toBe('CreateModelSuccess');
  }
  const churn = await createModel(ADMIN_TOKEN, { name: 'churn', tags: ['tabular', 'prod'], description: DESCRIPTION });
  const churnId = churn.createModel.model.id;
  for (let i = 0; i < 3; i++) await gql(ADMIN_TOKEN, 'mutation ($i: CreateVersionInput!) { createVersion(input: $i) { __typename } }', { i: { modelId: churnId } });
  viewerToken = await principalToken('vera', 'viewer');
  aliceToken = await principalToken('alice', 'editor');
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await api?.close();
});

const rows = (page: Page) => page.getByRole('table', { name: 'Models' }).locator('tbody tr');
const firstName = (page: Page) => rows(page).first().getByRole('link').textContent();
const summary = (page: Page) => page.locator('.pager-summary').textContent();

it('loads the first list from less than 150 KB of compressed JavaScript', async () => {
  const context = await browser.newContext();
  await context.addInitScript((t) => sessionStorage.setItem('cairn.session', JSON.stringify({ token: t })), ADMIN_TOKEN);
  const page = await context.newPage();
  const scripts = new Map<string, Promise<Buffer>>();
  page.on('response', (r) => {
    if (new URL(r.url()).pathname.endsWith('.js')) scripts.set(r.url(), r.body());
  });
  await page.goto(`${server.url}/default/models`);
  await rows(page).first().waitFor();
  const sizes = await Promise.all([...scripts.values()].map(async (body) => gzipSync(await body, { level: 9 }).length));
  console.log([...scripts.keys()].map((url, i) => `${path.basename(url)} ${sizes[i]}`).join(", "));
  const total = sizes.reduce((a, b) => a + b, 0);
  console.log(`the list loaded ${sizes.length} scripts, ${total} bytes after gzip -9`);
  expect(total).toBeLessThan(150 * 1024);
  // Markdown and the record's code are not among them.
  expect([...scripts.keys()].some((url) => /MarkdownView|RecordPage/.test(url))).toBe(false);
  await context.close();
}, 60_000);

it('redirects / to the context’s models, pages through the list, and keeps search, tag, sort and page across reload and Back', async () => {
  const page = await openSignedIn(browser, server.url, ADMIN_TOKEN);
  await page.waitForURL(/\/default\/models$/);
  await rows(page).first().waitFor();
  expect(await rows(page).count()).toBe(20);
  expect(await summary(page)).toBe('1–20 of 46 models');
  expect(await page.title()).toBe('Models · default · Cairn');
  await expectNoAxeViolations(page, 'the models list');
  await page.screenshot({ path: docsScreenshot('models-list.png') });

  // One request once typing stops, not one per key.
  const searches: string[] = [];
  page.on('request', (r) => {
    // urql sends queries as GET (variables in the URL) while they fit.
    const url = new URL(r.url());
    if (url.pathname === '/graphql' && url.searchParams.get('query')?.includes('DashboardModels(')) searches.push(JSON.parse(url.searchParams.get('variables')!).search);
  });
  // Six input events at once, as fast typing makes them (key presses sent one by one could, on a loaded
  // machine, come further apart than the debounce and rightly make several requests).
  await page.getByRole('searchbox', { name: 'Search' }).evaluate((input: HTMLInputElement) => {
    const setValue = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')!.set!;
    for (const text of ['m', 'mo', 'mod', 'mode', 'model', 'model-']) {
      setValue.call(input, text);
      input.dispatchEvent(new Event('input', { bubbles: true }));
    }
  });
  await page.waitForURL(/search=model-/);
  await expect.poll(() => summary(page)).toBe('1–20 of 45 models');
  expect(searches).toEqual(['model-']);

  // Tags: suggested from existing ones, several at once (a model must carry them all).
  await page.getByRole('combobox', { name: 'Filter by tag' }).fill('vision');
  await page.getByRole('button', { name: 'Add tag' }).click();
  await page.waitForURL(/tag=vision/);
  await expect.poll(() => summary(page)).toBe('1–20 of 23 models');
  expect(await page.locator('datalist option').evaluateAll((options) => options.map((o) => (o as HTMLOptionElement).value))).toEqual(expect.arrayContaining(['nlp', 'prod']));
  await page.getByRole('combobox', { name: 'Filter by tag' }).fill('prod');
  await page.getByRole('button', { name: 'Add tag' }).click();
  await expect.poll(() => summary(page)).toBe('1–5 of 5 models');
  expect(await page.getByRole('list', { name: 'Tag filters' }).textContent()).toBe('vision×prod×');
  await page.getByRole('button', { name: 'Remove prod' }).click();
  await expect.poll(() => summary(page)).toBe('1–20 of 23 models');

  // Sort by clicking the header: aria-sort says which way.
  const nameHeader = page.getByRole('columnheader', { name: /Name/ });
  expect(await nameHeader.getAttribute('aria-sort')).toBe('ascending');
  await nameHeader.getByRole('button').click();
  await page.waitForURL(/sort=-name/);
  await expect.poll(() => nameHeader.getAttribute('aria-sort')).toBe('descending');
  await expect.poll(() => firstName(page)).toBe('model-45');

  await page.getByRole('link', { name: 'Page 2' }).click();
  await page.waitForURL(/page=2/);
  await expect.poll(() => summary(page)).toBe('21–23 of 23 models');
  await expect.poll(() => firstName(page)).toBe('model-05');
  expect(await page.getByRole('link', { name: 'Page 2' }).getAttribute('aria-current')).toBe('page');

  // Reload: the same page from the URL alone (page 2 found by walking the cursors).
  await page.reload();
  await expect.poll(() => summary(page)).toBe('21–23 of 23 models');
  await expect.poll(() => firstName(page)).toBe('model-05');
  expect(await page.getByRole('searchbox', { name: 'Search' }).inputValue()).toBe('model-');
  expect(await page.getByRole('list', { name: 'Tag filters' }).textContent()).toBe('vision×');
  expect(await page.getByRole('columnheader', { name: /Name/ }).getAttribute('aria-sort')).toBe('descending');
  expect(await page.title()).toBe('page 2 · Models · default · Cairn');

  // Back: page 1 of the same search, then the ascending sort.
  await page.goBack();
  await expect.poll(() => summary(page)).toBe('1–20 of 23 models');
  await expect.poll(() => firstName(page)).toBe('model-45');
  await page.goBack();
  await expect.poll(() => firstName(page)).toBe('model-01');
  expect(await page.getByRole('columnheader', { name: /Name/ }).getAttribute('aria-sort')).toBe('ascending');
  await expectNoAxeViolations(page, 'the filtered list');
  await page.context().close();
}, 90_000);

it('opens a deep page link directly', async () => {
  const page = await openSignedIn(browser, server.url, ADMIN_TOKEN, '/default/models?page=3');
  // churn comes first, so page 3 starts at model-40.
  await expect.poll(() => summary(page)).toBe('41–46 of 46 models');
  expect(await firstName(page)).toBe('model-40');
  await page.context().close();
}, 60_000);

it('serves every record URL, with its tab current and its own title, across reload and Back', async () => {
  const page = await openSignedIn(browser, server.url, ADMIN_TOKEN, '/default/models');
  await page.getByRole('link', { name: 'churn' }).click();
  await page.waitForURL(/\/default\/models\/churn$/);
  await page.getByRole('heading', { level: 1, name: 'churn' }).waitFor();
  const tabs = page.getByRole('navigation', { name: 'Model record' });
  const current = () => tabs.locator('[aria-current="page"]').textContent();
  expect(await current()).toBe('Overview');
  await expect.poll(() => page.title()).toBe('churn · Cairn');

  // The description: GFM table, headings below the model's name, safe links, no raw HTML.
  const description = page.locator('.record .markdown');
  await description.getByRole('heading', { level: 3, name: 'Overview' }).waitFor();
  expect(await page.getByRole('heading', { level: 1 }).count()).toBe(1);
  expect(await description.locator('table td').allTextContents()).toEqual(['auc', '0.91']);
  const link = description.getByRole('link', { name: 'the runbook' });
  expect(await link.getAttribute('target')).toBe('_blank');
  expect(await link.getAttribute('rel')).toBe('noopener noreferrer');
  expect(await description.getByRole('link', { name: 'a trap' }).count()).toBe(0);
  expect(await description.locator('script, img').count()).toBe(0);
  expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
  await expectNoAxeViolations(page, 'the record');
  // The README's model-record.png is the record's tests' (with its views); this one shows the frame.
  await page.screenshot({ path: path.join(ARTIFACTS, 'record-frame.png') });

  const visits: [string, RegExp, string, string][] = [
    ['History', /\/churn\/history$/, 'History', 'churn · history · Cairn'],
    ['Compare', /\/churn\/compare$/, 'Compare', 'churn · compare · Cairn'],
    ['New version', /\/churn\/new-version$/, 'New version', 'churn · new version · Cairn'],
  ];
  for (const [tab, url, currentTab, title] of visits) {
    await tabs.getByRole('link', { name: tab }).click();
    await page.waitForURL(url);
    await expect.poll(current).toBe(currentTab);
    await expect.poll(() => page.title()).toBe(title);
    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'churn' }).waitFor();
    await expect.poll(current).toBe(currentTab);
    await expect.poll(() => page.title()).toBe(title);
    await expectNoAxeViolations(page, `the record's ${tab} tab`);
  }
  await page.goBack();
  await page.waitForURL(/\/churn\/compare$/);
  await expect.poll(current).toBe('Compare');

  for (const [pathname, tab, title] of [
    // The record's views word their titles ("v2" or "version 2"); the model and the version are in it.
    ['/default/models/churn/versions/2', 'Overview', /^churn · (v|version )2 · Cairn$/],
    ['/default/models/churn/compare?versions=1,3', 'Compare', /^churn · compar(e|ing)\b.* · Cairn$/],
  ] as const) {
    await page.goto(server.url + pathname);
    await page.getByRole('heading', { level: 1, name: 'churn' }).waitFor();
    await expect.poll(current).toBe(tab);
    await expect.poll(() => page.title()).toMatch(title);
  }
  // By id too, and a name that is not there.
  const id = (await gql(ADMIN_TOKEN, '{ model(name: "churn") { id } }')).model.id;
  await page.goto(`${server.url}/default/models/${id}`);
  await page.getByRole('heading', { level: 1, name: 'churn' }).waitFor();
  await page.goto(`${server.url}/default/models/${encodeURIComponent('no such/model')}`);
  await page.getByText('The model “no such/model” is not here').waitFor();
  await expectNoAxeViolations(page, 'a missing model');
  await page.goto(`${server.url}/nowhere/models`);
  await page.getByText('There is no context “nowhere” you can see').waitFor();
  await page.context().close();
}, 90_000);

it('keeps the last data with a banner when Cairn cannot be reached, and Retry brings it back', async () => {
  const page = await openSignedIn(browser, server.url, ADMIN_TOKEN, '/default/models');
  await rows(page).first().waitFor();
  const api = (url: URL) => url.pathname === '/graphql';
  await page.route(api, (route) => route.abort('internetdisconnected'));
  await page.getByRole('columnheader', { name: /Updated/ }).getByRole('button').click();
  const banner = page.getByRole('alert').filter({ hasText: 'Cannot reach Cairn.' });
  await banner.waitFor();
  // The last list stays (no "0 models"), and the page says it is older.
  expect(await rows(page).count()).toBe(20);
  expect(await banner.textContent()).toMatch(/Showing what was loaded before/);
  await expectNoAxeViolations(page, 'the offline banner');
  await page.screenshot({ path: path.join(ARTIFACTS, 'offline.png') });
  await page.unroute(api);
  await banner.getByRole('button', { name: 'Retry' }).click();
  await banner.waitFor({ state: 'detached' });
  expect(await page.getByRole('columnheader', { name: /Updated/ }).getAttribute('aria-sort')).toBe('ascending');
  await expect.poll(() => firstName(page)).toBe('model-01');
  await page.context().close();
}, 60_000);

it('fits a 375 px screen with no horizontal scroll, the list as cards', async () => {
  const page = await openSignedIn(browser, server.url, ADMIN_TOKEN, '/default/models', { viewport: { width: 375, height: 740 } });
  await rows(page).first().waitFor();
  expect(await page.evaluate(() => document.scrollingElement!.scrollWidth)).toBeLessThanOrEqual(375);
  await expectNoAxeViolations(page, 'the list at 375 px');
  await page.screenshot({ path: path.join(ARTIFACTS, 'list-375.png'), fullPage: false });
  await page.goto(`${server.url}/default/models/churn`);
  await page.getByRole('heading', { level: 1, name: 'churn' }).waitFor();
  await page.locator('.record .markdown table').waitFor();
  expect(await page.evaluate(() => document.scrollingElement!.scrollWidth)).toBeLessThanOrEqual(375);
  await expectNoAxeViolations(page, 'the record at 375 px');
  await page.context().close();
}, 60_000);

it('follows prefers-color-scheme: dark, with the contrasts axe asks for', async () => {
  const page = await openSignedIn(browser, server.url, ADMIN_TOKEN, '/default/models', { colorScheme: 'dark' });
  await rows(page).first().waitFor();
  const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  expect(background).toBe('rgb(15, 19, 26)');
  await expectNoAxeViolations(page, 'the list in dark mode');
  await page.screenshot({ path: docsScreenshot('dark-mode.png') });
  await page.goto(`${server.url}/default/models/churn`);
  await page.getByRole('heading', { level: 1, name: 'churn' }).waitFor();
  await expectNoAxeViolations(page, 'the record in dark mode');
  await page.context().close();
}, 60_000);

it('gives a viewer no editing controls', async () => {
  const page = await openSignedIn(browser, server.url, viewerToken, '/default/models');
  await rows(page).first().waitFor();
  expect(await page.getByRole('button', { name: 'New model' }).count()).toBe(0);
  await page.goto(`${server.url}/default/models/churn`);
  await page.getByRole('heading', { level: 1, name: 'churn' }).waitFor();
  expect(await page.getByRole('navigation', { name: 'Model record' }).getByRole('link').allTextContents()).toEqual(['Overview', 'History', 'Compare']);
  await page.goto(`${server.url}/default/models/churn/new-version`);
  await page.getByText('Your roles do not allow creating versions').waitFor();
  await expectNoAxeViolations(page, 'a viewer on new-version');
  await page.context().close();
}, 60_000);

it('creates one model from a double-clicked Create, sent with an Idempotency-Key, and shows a refusal beside the name', async () => {
  const page = await openSignedIn(browser, server.url, ADMIN_TOKEN, '/default/models');
  await rows(page).first().waitFor();
  await page.getByRole('button', { name: 'New model' }).click();
  const dialog = page.getByRole('dialog', { name: 'New model' });
  expect(await dialog.getAttribute('aria-modal')).toBe('true');
  await expectNoAxeViolations(page, 'the New model dialog');
  await dialog.getByLabel('Name').fill('churn');
  await dialog.getByRole('button', { name: 'Create' }).click();
  const refusal = dialog.getByLabel('Name');
  await expect.poll(() => refusal.getAttribute('aria-invalid')).toBe('true');
  expect(await dialog.getByRole('alert').textContent()).toMatch(/already/);
  expect(await dialog.getByLabel('Name').inputValue()).toBe('churn');

  const keys: (string | undefined)[] = [];
  page.on('request', (r) => {
    if (r.postData()?.includes('DashboardCreateModel')) keys.push(r.headers()['idempotency-key']);
  });
  await dialog.getByLabel('Name').fill('double-click');
  await dialog.getByRole('button', { name: 'Create' }).dblclick();
  await page.waitForURL(/\/default\/models\/double-click$/);
  await page.getByRole('heading', { level: 1, name: 'double-click' }).waitFor();
  expect(keys).toHaveLength(1);
  expect(keys[0]).toMatch(/^[0-9a-f-]{36}$/);
  expect((await gql(ADMIN_TOKEN, '{ models(search: "double-click") { totalCount } }')).models.totalCount).toBe(1);

  // Escape closes a dialog and focus goes back to what opened it.
  await page.goto(`${server.url}/default/models`);
  await page.getByRole('button', { name: 'New model' }).click();
  await dialog.waitFor();
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'detached' });
  // Radix returns focus after the dialog has gone, in a later frame: wait for it there (a loaded machine is slower).
  await page.waitForFunction(() => document.activeElement?.textContent === 'New model', undefined, { timeout: 10_000 }).catch(() => undefined);
  expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('New model');
  await page.context().close();
}, 60_000);

it('says who changed what when someone else does, and refreshes the list and the record', async () => {
  const page = await openSignedIn(browser, server.url, ADMIN_TOKEN, '/default/models');
  await rows(page).first().waitFor();
  // Wait for the live stream to be open before acting (a live event is not replayed).
  const isStream = (r: import('playwright-core').Response) => new URL(r.url()).pathname === '/graphql' && (r.headers()['content-type'] ?? '').includes('text/event-stream');
  let stream = page.waitForResponse(isStream);
  await page.goto(`${server.url}/default/models?search=live`);
  await page.getByText('No model matches').waitFor();
  await stream;
  const created = await createModel(aliceToken, { name: 'live-one' });
  await page.getByRole('status').filter({ hasText: 'alice created the model live-one' }).waitFor();
  await rows(page).first().waitFor();
  expect(await firstName(page)).toBe('live-one');

  stream = page.waitForResponse(isStream);
  await page.getByRole('link', { name: 'live-one' }).click();
  await page.getByRole('heading', { level: 1, name: 'live-one' }).waitFor();
  await stream;
  const modelId = created.createModel.model.id;
  await gql(aliceToken, 'mutation ($i: UpdateModelInput!) { updateModel(input: $i) { __typename } }', { i: { id: modelId, tags: ['fresh'] } });
  await page.getByRole('status').filter({ hasText: 'alice edited' }).waitFor();
  await page.locator('.record-header').getByText('fresh').waitFor();
  await gql(aliceToken, 'mutation ($i: UpdateModelInput!) { updateModel(input: $i) { __typename } }', { i: { id: modelId, name: 'live-renamed' } });
  await page.waitForURL(/\/default\/models\/live-renamed$/);
  await page.getByRole('heading', { level: 1, name: 'live-renamed' }).waitFor();

  await gql(aliceToken, 'mutation ($i: CreateVersionInput!) { createVersion(input: $i) { __typename } }', { i: { modelId } });
  await gql(aliceToken, 'mutation ($m: ID!) { publishVersion(modelId: $m, number: 1) { __typename } }', { m: modelId });
  await page.getByRole('status').filter({ hasText: 'alice published version 1' }).waitFor();
  await expect.poll(() => page.locator('.facts').textContent()).toMatch(/Versions1/);
  // One's own changes refresh too, but are not announced as news.
  await gql(ADMIN_TOKEN, 'mutation ($i: UpdateModelInput!) { updateModel(input: $i) { __typename } }', { i: { id: modelId, tags: ['mine'] } });
  await page.locator('.record-header').getByText('mine').waitFor();
  expect(await page.getByRole('status').filter({ hasText: 'admin' }).count()).toBe(0);
  await expectNoAxeViolations(page, 'the record with a live notice');

  // Deleting takes an administrator.
  expect((await gql(ADMIN_TOKEN, 'mutation ($m: ID!) { deleteModel(id: $m) { __typename } }', { m: modelId })).deleteModel.__typename).toBe('DeleteModelSuccess');
  await page.getByRole('heading', { level: 1, name: 'admin deleted the model live-renamed' }).waitFor();
  await expectNoAxeViolations(page, 'a record deleted meanwhile');
  await page.context().close();
}, 60_000);

it('signs in through the form, says why a token is refused, and signs out', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  await page.goto(`${server.url}/default/models/churn/history`);
  const token = page.getByLabel('API token');
  await token.fill('cairn_not_a_real_token');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect.poll(() => token.getAttribute('aria-invalid')).toBe('true');
  expect(await page.getByRole('alert').textContent()).not.toMatch(/at |stack|SELECT/i);
  await expectNoAxeViolations(page, 'the sign-in form with a refusal');
  await token.fill(ADMIN_TOKEN);
  await page.getByRole('button', { name: 'Sign in' }).click();
  // The link that was opened is where one lands.
  await page.getByRole('heading', { level: 1, name: 'churn' }).waitFor();
  expect(new URL(page.url()).pathname).toBe('/default/models/churn/history');
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByLabel('API token').waitFor();
  expect(await page.evaluate(() => sessionStorage.getItem('cairn.session'))).toBeNull();
  await context.close();
}, 60_000);

it('reads hostile query strings as the defaults or a typed refusal, never a crash', async () => {
  const page = await openSignedIn(browser, server.url, ADMIN_TOKEN, '/default/models?page=-3&sort=DROP%20TABLE&tag=');
  await expect.poll(() => summary(page)).toMatch(/^1–20 of \d+ models$/);
  expect(await page.getByRole('columnheader', { name: /Name/ }).getAttribute('aria-sort')).toBe('ascending');
  await page.goto(`${server.url}/default/models?page=99999999999`);
  await page.getByText(/There is no page \d+/).waitFor();
  // A NUL or a lone surrogate in the search: the server refuses it in words, and the page says so.
  for (const search of ['%00', '%ED%A0%80', 'x'.repeat(5000)]) {
    await page.goto(`${server.url}/default/models?search=${search}`);
    await page.getByRole('heading', { level: 1, name: 'Models' }).waitFor();
    await expect.poll(async () => (await page.getByRole('alert').count()) + (await page.getByText('No model matches').count())).toBeGreaterThan(0);
    expect(await page.locator('body').textContent()).not.toMatch(/at Object|\.ts:\d|SELECT|stack/i);
  }
  await page.goto(`${server.url}/default/models/churn/compare?versions=1,%3Cscript%3E,3,3,0,-1`);
  await page.getByRole('heading', { level: 1, name: 'churn' }).waitFor();
  await page.goto(`${server.url}/default/models/churn/versions/0`);
  await page.getByText('Version “0” is not here').waitFor();
  expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
  await page.context().close();
}, 60_000);

it('opens a link into another context in that context, and the picker moves between contexts', async () => {
  const created = await gql(ADMIN_TOKEN, 'mutation { createContext(name: "research") { __typename ... on Error { message } } }');
  expect(created.createContext.__typename).toBe('CreateContextSuccess');
  const model = await createModel(ADMIN_TOKEN, { name: 'only-in-research', tags: ['lab'] }, { 'x-cairn-context': 'research' });
  expect(model.createModel.__typename).toBe('CreateModelSuccess');

  const page = await openSignedIn(browser, server.url, ADMIN_TOKEN, '/research/models/only-in-research');
  await page.getByRole('heading', { level: 1, name: 'only-in-research' }).waitFor();
  const picker = page.getByRole('combobox', { name: 'Context' });
  expect(await picker.inputValue()).toBe('research');
  await page.getByRole('link', { name: 'Models', exact: true }).click();
  await page.waitForURL(/\/research\/models$/);
  await expect.poll(() => summary(page)).toBe('1–1 of 1 model');
  await picker.selectOption('default');
  await page.waitForURL(/\/default\/models$/);
  await expect.poll(() => summary(page)).toMatch(/^1–20 of \d+ models$/);
  // The model is not in default: the same name there is not found, rather than shown from elsewhere.
  await page.goto(`${server.url}/default/models/only-in-research`);
  await page.getByText('The model “only-in-research” is not here').waitFor();
  // `/` goes back to the context last opened in this tab.
  await page.goto(`${server.url}/research/models`);
  await rows(page).first().waitFor();
  await page.goto(`${server.url}/`);
  await page.waitForURL(/\/research\/models$/);
  await expectNoAxeViolations(page, 'the list of another context');
  await page.context().close();
}, 60_000);

it('starts keyboard users at a skip link that moves focus to the content', async () => {
  const page = await openSignedIn(browser, server.url, ADMIN_TOKEN, '/default/models');
  await rows(page).first().waitFor();
  await page.keyboard.press('Tab');
  const skip = page.getByRole('link', { name: 'Skip to content' });
  expect(await skip.evaluate((el) => el === document.activeElement)).toBe(true);
  expect(await skip.boundingBox()).not.toBeNull();
  await page.keyboard.press('Enter');
  await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('main');
  await page.context().close();
}, 60_000);
