import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DASHBOARD_DIR } from '../../src/http/dashboard.ts';
import { ADMIN_TOKEN, listen, openTestApi, type TestApi } from '../helpers/api.ts';
import { ROOT } from '../helpers/processes.ts';

const ARTIFACTS = path.join(ROOT, 'test/artifacts');
let api: TestApi;
let server: Awaited<ReturnType<typeof listen>>;
let browser: Browser;

beforeAll(async () => {
  // Always from the current sources: a build left from older ones would test the wrong page.
  execFileSync('npm', ['run', '-s', 'web:build'], { cwd: ROOT, stdio: 'inherit' });
  expect(fs.existsSync(path.join(DASHBOARD_DIR, 'index.html'))).toBe(true);
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  api = await openTestApi();
  server = await listen(api.app);
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await server?.close();
  await api?.close();
});

async function signIn(token: string): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.goto(`${server.url}/`);
  await page.getByLabel('API token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('table', { name: 'Models' }).waitFor();
  return page;
}

it('signs in, creates a model through the dialog, and shows its record with the description inert', async () => {
  const page = await signIn(ADMIN_TOKEN);
  await page.getByRole('button', { name: '+ New model' }).click();
  const dialog = page.getByRole('dialog', { name: 'New model' });
  await dialog.getByLabel('Name').fill('browser-churn');
  await dialog.getByLabel('Tags').fill('demo, prod, ' + 'x'.repeat(33));
  await expect.poll(() => dialog.getByRole('alert').first().textContent()).toMatch(/longer than 32/);
  expect(await dialog.getByRole('button', { name: 'Create' }).isDisabled()).toBe(true);
  await dialog.getByLabel('Tags').fill('demo, prod');
  expect(await dialog.locator('.chip').allTextContents()).toEqual(['demo', 'prod']);
  await dialog
    .getByLabel('Description')
    .fill('# Churn\n\n<script>window.__pwned = 1</script>\n\n<img src=x onerror="window.__pwned = 2">\n\nSee [a link](javascript:window.__pwned=3).');
  await page.screenshot({ path: path.join(ARTIFACTS, 'create-dialog.png') });
  await dialog.getByRole('button', { name: 'Create' }).click();

  await page.getByRole('heading', { name: 'browser-churn' }).waitFor();
  const description = page.getByTestId('description');
  await description.getByRole('heading', { name: 'Churn' }).waitFor();
  expect(await description.locator('script, img, a').count()).toBe(0);
  await description.getByText('a link').click();
  expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
  await page.screenshot({ path: path.join(ARTIFACTS, 'model-record.png') });

  await page.getByRole('tab', { name: 'History' }).click();
  expect(await page.getByRole('list', { name: 'History' }).textContent()).toMatch(/admin · ModelCreated/);
  await page.goto(`${server.url}/#/`);
  await page.getByRole('link', { name: 'browser-churn' }).waitFor();
  await page.screenshot({ path: path.join(ARTIFACTS, 'models-list.png') });
  await page.close();
}, 60_000);

it('shows a name already taken next to the name field', async () => {
  const page = await signIn(ADMIN_TOKEN);
  await page.getByRole('button', { name: '+ New model' }).click();
  const dialog = page.getByRole('dialog', { name: 'New model' });
  await dialog.getByLabel('Name').fill('BROWSER-CHURN');
  await dialog.getByRole('button', { name: 'Create' }).click();
  await expect.poll(() => dialog.getByRole('alert').first().textContent()).toMatch(/already exists/);
  await page.close();
}, 60_000);

it('gives a viewer no button to create models', async () => {
  const admin = (query: string, variables: Record<string, unknown>) =>
    fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-cairn-csrf': '1', authorization: `Bearer ${ADMIN_TOKEN}` },
      body: JSON.stringify({ query, variables }),
    }).then((r) => r.json() as Promise<any>);
  const principal = await admin('mutation { createPrincipal(name: "browser-viewer", kind: USER) { ... on CreatePrincipalSuccess { principal { id } } } }', {});
  const id = principal.data.createPrincipal.principal.id;
  await admin('mutation ($i: RoleGrantInput!) { grantRole(input: $i) { __typename } }', { i: { role: 'viewer', principalId: id } });
  const token = await admin('mutation ($i: CreateTokenInput!) { createToken(input: $i) { ... on CreateTokenSuccess { secret } } }', { i: { principalId: id, name: 'browser' } });
  const page = await signIn(token.data.createToken.secret);
  await page.getByRole('link', { name: 'browser-churn' }).waitFor();
  expect(await page.getByRole('button', { name: '+ New model' }).count()).toBe(0);
  await page.close();
}, 60_000);
