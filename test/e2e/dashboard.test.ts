import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DASHBOARD_DIR } from '../../src/http/dashboard.ts';
import { ADMIN_TOKEN, listen, openTestApi, type TestApi } from '../helpers/api.ts';
import { launchChromium } from '../helpers/browser.ts';
import { ROOT } from '../helpers/processes.ts';

const ARTIFACTS = path.join(ROOT, 'test/artifacts');
let api: TestApi;
let server: Awaited<ReturnType<typeof listen>>;
let browser: Browser;
let viewerToken: string;

beforeAll(async () => {
  // Always from the current sources: a build left from older ones would test the wrong page.
  execFileSync('npm', ['run', '-s', 'web:build'], { cwd: ROOT, stdio: 'inherit' });
  expect(fs.existsSync(path.join(DASHBOARD_DIR, 'index.html'))).toBe(true);
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

async function signIn(token: string, screenshot?: string): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.goto(`${server.url}/`);
  await page.getByLabel('API token').fill(token);
  if (screenshot) await page.screenshot({ path: path.join(ARTIFACTS, screenshot) });
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('table', { name: 'Models' }).waitFor();
  return page;
}

it('signs in, creates a model through the dialog, and shows its record with the description inert', async () => {
  const page = await signIn(ADMIN_TOKEN, 'sign-in.png');
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

  await page.getByRole('button', { name: 'Edit model' }).click();
  await page.getByLabel('Model tags').fill('demo, prod, retrained');
  await page.getByRole('form', { name: 'Edit model' }).getByRole('button', { name: 'Save' }).click();
  await expect.poll(() => page.getByLabel('General').locator('.chip').allTextContents()).toEqual(['demo', 'prod', 'retrained']);

  await page.getByRole('tab', { name: 'History' }).click();
  expect(await page.getByRole('list', { name: 'History' }).textContent()).toMatch(/admin · ModelCreated · as browser-churn.*admin · ModelUpdated · tags$/);
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
      headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN_TOKEN}` },
      body: JSON.stringify({ query, variables }),
    }).then((r) => r.json() as Promise<any>);
  const principal = await admin('mutation { createPrincipal(name: "browser-viewer", kind: USER) { ... on CreatePrincipalSuccess { principal { id } } } }', {});
  const id = principal.data.createPrincipal.principal.id;
  await admin('mutation ($i: RoleGrantInput!) { grantRole(input: $i) { __typename } }', { i: { role: 'viewer', principalId: id } });
  const token = await admin('mutation ($i: CreateTokenInput!) { createToken(input: $i) { ... on CreateTokenSuccess { secret } } }', { i: { principalId: id, name: 'browser' } });
  viewerToken = token.data.createToken.secret;
  const page = await signIn(viewerToken);
  await page.getByRole('link', { name: 'browser-churn' }).waitFor();
  expect(await page.getByRole('button', { name: '+ New model' }).count()).toBe(0);
  await page.close();
}, 60_000);

it('creates three versions with a file, deletes version 2 leaving a gap, publishes 3 and finds it locked, downloads the same bytes', async () => {
  const page = await signIn(ADMIN_TOKEN);
  await page.getByRole('button', { name: '+ New model' }).click();
  const dialog = page.getByRole('dialog', { name: 'New model' });
  await dialog.getByLabel('Name').fill('versions-e2e');
  await dialog.getByRole('button', { name: 'Create' }).click();
  await page.getByRole('heading', { name: 'versions-e2e' }).waitFor();

  const bytes = Buffer.from(Array.from({ length: 5000 }, (_, i) => (i * 7) % 256));
  for (let i = 1; i <= 3; i++) {
    await page.getByRole('tab', { name: 'New Version' }).click();
    const form = page.getByRole('form', { name: 'New version' });
    await form.getByLabel('Hyperparameters').fill('[1, 2]');
    await expect.poll(() => form.getByRole('button', { name: 'Submit' }).isDisabled()).toBe(true);
    await form.getByLabel('Hyperparameters').fill(`{"round": ${i}}`);
    await form.getByLabel('Record 1').fill(`s3://data/round-${i}.csv`);
    await form.getByLabel('File pkl').setInputFiles({ name: `round-${i}.pkl`, mimeType: 'application/octet-stream', buffer: bytes });
    await form.getByRole('button', { name: 'Submit' }).click();
    await page.getByRole('heading', { name: new RegExp(`^Version ${i}`) }).waitFor();
  }

  await page.getByLabel('Versions').selectOption('1');
  await page.getByRole('heading', { name: /^Version 1/ }).waitFor();
  await page.getByRole('button', { name: 'Edit version' }).click();
  await page.getByLabel('Version config').fill('not json');
  await expect.poll(() => page.getByRole('button', { name: 'Save' }).isDisabled()).toBe(true);
  await page.getByLabel('Version config').fill('{"threshold": 0.8}');
  await page.getByRole('button', { name: 'Save' }).click();
  await page.getByText('{"threshold":0.8}').waitFor();

  await page.getByLabel('Versions').selectOption('2');
  await page.getByRole('heading', { name: /^Version 2/ }).waitFor();
  await page.getByRole('button', { name: 'Delete', exact: true }).click();
  const del = page.getByRole('dialog', { name: 'Delete' });
  await del.getByRole('button', { name: 'Delete version 2' }).click();
  await del.getByRole('button', { name: 'Delete', exact: true }).click();
  await expect.poll(async () => (await page.getByLabel('Versions').locator('option').allTextContents()).join(' | ')).toBe('Version 1 (draft) | Version 3 (draft)');

  await page.getByLabel('Versions').selectOption('3');
  await page.getByRole('heading', { name: /^Version 3/ }).waitFor();
  await page.getByRole('button', { name: 'Publish' }).click();
  expect(await page.getByRole('dialog', { name: 'Confirm' }).textContent()).toMatch(/cannot be undone/);
  await page.getByRole('dialog', { name: 'Confirm' }).getByRole('button', { name: 'Confirm' }).click();
  await page.getByRole('heading', { name: /^Version 3 published/ }).waitFor();
  expect(await page.getByRole('button', { name: 'Publish' }).count()).toBe(0);
  expect(await page.getByRole('button', { name: 'Edit version' }).count()).toBe(0);
  expect(await page.getByLabel('Replace pkl').count()).toBe(0);
  await page.screenshot({ path: path.join(ARTIFACTS, 'model-record-versions.png') });

  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download pkl' }).click()]);
  expect(download.suggestedFilename()).toBe('round-3.pkl');
  expect(Buffer.compare(fs.readFileSync(await download.path()), bytes)).toBe(0);

  // The history says what each event did, from its typed fields.
  await page.getByRole('tab', { name: 'History' }).click();
  const rounds = [1, 2, 3].flatMap((i) => [`VersionCreated · version ${i}`, `FormatUploaded · version ${i}, pkl (4.9 KiB)`]);
  const said = ['ModelCreated · as versions-e2e', ...rounds, 'VersionUpdated · version 1: config', 'VersionDeleted · version 2', 'VersionPublished · version 3'];
  // Polled: the model's query, history included, is fetched again after each change and may still be on its way.
  const history = async () => (await page.getByRole('list', { name: 'History' }).getByRole('listitem').allTextContents()).map((item) => item.split(' · ').slice(1).join(' · '));
  await expect.poll(history).toEqual(said.map((s) => `admin · ${s}`));
  await page.close();

  const viewer = await signIn(viewerToken);
  await viewer.getByRole('link', { name: 'versions-e2e' }).click();
  await viewer.getByRole('heading', { name: /^Version 3/ }).waitFor();
  expect(await viewer.getByRole('button', { name: 'Delete', exact: true }).count()).toBe(0);
  expect(await viewer.getByRole('tab', { name: 'New Version' }).count()).toBe(0);
  await viewer.getByLabel('Versions').selectOption('1');
  await viewer.getByRole('heading', { name: /^Version 1/ }).waitFor();
  expect(await viewer.getByRole('button', { name: 'Publish' }).count()).toBe(0);
  expect(await viewer.getByRole('button', { name: 'Download pkl' }).count()).toBe(1);
  await viewer.close();
}, 90_000);
