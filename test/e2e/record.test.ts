import { createHash } from 'node:crypto';
import fs from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN } from '../helpers/api.ts';
import { expectNoAxeViolations as expectAccessible } from '../helpers/axe.ts';
import { launchChromium } from '../helpers/browser.ts';
import { buildDashboard, docsScreenshot } from '../helpers/dashboard.ts';
import { givenModel, givenPrincipal, type Served, serveTestApi, uniqueName } from '../helpers/fixtures.ts';

// The model record's views in Chromium: the things that lose or duplicate work, the comparison, aliases by
// role, the files; axe on every screen.
let s: Served;
let browser: Browser;
let editor: { secret: string; name: string };
let viewer: { secret: string; name: string };

beforeAll(async () => {
  buildDashboard();
  s = await serveTestApi();
  browser = await launchChromium();
  editor = await givenPrincipal(s, 'editor', { name: 'erin' });
  viewer = await givenPrincipal(s, 'viewer', { name: 'victor' });
}, 180_000);
afterAll(async () => {
  await browser?.close();
  await s?.close();
});

/** A tab signed in with `token` (kept in session storage, as the sign-in form keeps it), at `path`. */
async function open(token: string, at: string): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.addInitScript((t) => sessionStorage.setItem('cairn.session', JSON.stringify({ token: t, context: 'default' })), token);
  const response = await page.goto(`${s.url}${at}`);
  expect(response?.status()).toBe(200);
  return page;
}

const recordPath = (model: string, rest = '') => `/default/models/${encodeURIComponent(model)}${rest}`;

async function versionCount(modelId: string): Promise<number> {
  const data = await s.asAdmin('query ($id: ID!) { model(id: $id) { versionCount } }', { id: modelId });
  return data.model.versionCount;
}

async function createVersion(modelId: string, input: Record<string, unknown> = {}): Promise<number> {
  const data = await s.asAdmin('mutation ($i: CreateVersionInput!) { createVersion(input: $i) { __typename ... on CreateVersionSuccess { version { number } } ... on Error { message } } }', {
    i: { modelId, ...input },
  });
  expect(data.createVersion.__typename).toBe('CreateVersionSuccess');
  return data.createVersion.version.number;
}

async function publish(modelId: string, number: number) {
  const data = await s.asAdmin('mutation ($id: ID!, $n: Int!) { publishVersion(modelId: $id, number: $n) { __typename } }', { id: modelId, n: number });
  expect(data.publishVersion.__typename).toBe('PublishVersionSuccess');
}

async function uploadFormat(modelId: string, number: number, format: string, bytes: Buffer, filename: string) {
  const form = new FormData();
  form.append(
    'operations',
    JSON.stringify({ query: 'mutation ($i: UploadFormatInput!) { uploadFormat(input: $i) { __typename ... on Error { message } } }', variables: { i: { modelId, number, format, file: null } } }),
  );
  form.append('map', JSON.stringify({ 0: ['variables.i.file'] }));
  form.append('0', new Blob([new Uint8Array(bytes)]), filename);
  const response = await fetch(`${s.url}/graphql`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN_TOKEN}` }, body: form });
  const body = (await response.json()) as any;
  expect(body.data?.uploadFormat.__typename, JSON.stringify(body)).toBe('UploadFormatSuccess');
}

describe('the new-version form', () => {
  it('creates one version from a double click on Submit, sent with an Idempotency-Key, and shows it', async () => {
    const model = await givenModel(s);
    const page = await open(editor.secret, recordPath(model.name, '/new-version'));
    const form = page.getByRole('form', { name: 'New version' });
    await form.waitFor();
    await expectAccessible(page, 'new version form');
    const keys: string[] = [];
    page.on('request', (r) => {
      // The only multipart request the form sends is createVersion with its files.
      if (r.url().endsWith('/graphql') && r.method() === 'POST' && (r.headers()['content-type'] ?? '').startsWith('multipart/form-data')) keys.push(r.headers()['idempotency-key'] ?? '');
    });
    await form.getByLabel('Tags', { exact: true }).fill(`ok, ${'x'.repeat(33)}`);
    await expect.poll(() => form.getByText(/is longer than 32 characters/).count()).toBeGreaterThan(0);
    expect(await form.getByRole('button', { name: 'Submit' }).isDisabled()).toBe(true);
    await form.getByLabel('Tags', { exact: true }).fill('ok, retrained');
    await form.getByLabel('Hyperparameters (JSON)').fill('{"lr": 0.1}');
    await form.getByLabel('Record 1 URI').fill('s3://data/train.csv');
    await form.getByLabel('File pkl').setInputFiles({ name: 'model.pkl', mimeType: 'application/octet-stream', buffer: Buffer.alloc(2 * 1024 * 1024, 7) });
    await form.getByText('model.pkl (2.0 MiB)').waitFor();
    await form.getByRole('button', { name: 'Submit' }).dblclick();
    await page.getByRole('heading', { name: 'Version 1' }).waitFor();
    expect(new URL(page.url()).pathname).toBe(recordPath(model.name, '/versions/1'));
    expect(await versionCount(model.id)).toBe(1);
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatch(/^[0-9a-f-]{32,36}$/);
    await page.close();
  }, 90_000);

  it('shows the bytes sent while uploading, and Cancel stops it with nothing created and the input kept', async () => {
    const model = await givenModel(s);
    const page = await open(editor.secret, recordPath(model.name, '/new-version'));
    const form = page.getByRole('form', { name: 'New version' });
    await form.getByLabel('Description (markdown)').fill('kept after cancel');
    await form.getByLabel('File pkl').setInputFiles({ name: 'big.pkl', mimeType: 'application/octet-stream', buffer: Buffer.alloc(16 * 1024 * 1024, 1) });
    // Slow the upload down so that it is still running when Cancel is pressed.
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: 512 * 1024 });
    await form.getByRole('button', { name: 'Submit' }).click();
    const progress = page.getByTestId('upload-progress');
    await expect.poll(() => progress.textContent(), { timeout: 30_000 }).toMatch(/\d+% · [\d.]+ (B|KiB|MiB) of 16\.0 MiB · [\d.]+ (B|KiB|MiB)\/s · about .+ left/);
    expect(await page.getByRole('status').filter({ hasText: /Uploading the new version: \d+% sent/ }).count()).toBe(1);
    await expectAccessible(page, 'upload in progress');
    await progress.getByRole('button', { name: 'Cancel upload' }).click();
    await expect.poll(() => form.getByRole('alert').textContent()).toMatch(/cancelled: no version was created/);
    expect(await form.getByLabel('Description (markdown)').inputValue()).toBe('kept after cancel');
    expect(await progress.count()).toBe(0);
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
    expect(await versionCount(model.id)).toBe(0);
    await page.close();
  }, 90_000);
  it('shows a tag the server refuses (a NUL) beside the Tags field, with nothing created', async () => {
    const model = await givenModel(s);
    const page = await open(editor.secret, recordPath(model.name, '/new-version'));
    const form = page.getByRole('form', { name: 'New version' });
    // A NUL only: a lone surrogate cannot be typed through the debugging protocol (it arrives as U+FFFD).
    for (const hostile of ['bad\u0000tag']) {
      await form.getByLabel('Tags', { exact: true }).fill(`ok, ${hostile}`);
      await form.getByRole('button', { name: 'Submit' }).click();
      // The refusal is the Tags field's own (aria-describedby ties it to the input).
      const tags = form.getByLabel('Tags', { exact: true });
      await expect.poll(() => tags.getAttribute('aria-invalid')).toBe('true');
      const said = await page.locator(`#${(await tags.getAttribute('aria-describedby'))!.split(' ').at(-1)!}`).textContent();
      expect(said).toMatch(/tags\.1/);
      expect(said).not.toMatch(/\.ts\b|select |stack|\/work\//i);
      expect(await form.getByLabel('Tags', { exact: true }).inputValue()).toBe(`ok, ${hostile}`);
    }
    expect(await versionCount(model.id)).toBe(0);
    await page.close();
  }, 60_000);
});

describe('editing a draft', () => {
  it('keeps the typed text and says why when the version was published meanwhile', async () => {
    const model = await givenModel(s);
    await createVersion(model.id, { description: 'before' });
    const page = await open(editor.secret, recordPath(model.name, '/versions/1'));
    await page.getByRole('button', { name: 'Edit version' }).click();
    const form = page.getByRole('form', { name: 'Edit version' });
    await form.getByLabel('Description (markdown)').fill('typed while someone published');
    await expectAccessible(page, 'edit form');
    await publish(model.id, 1);
    await form.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => form.getByRole('alert').textContent()).toMatch(/published/i);
    expect(await form.getByLabel('Description (markdown)').inputValue()).toBe('typed while someone published');
    // The version shown around the form is the published one now.
    await page.getByText('published', { exact: true }).first().waitFor();
    const data = await s.asAdmin('query ($id: ID!) { model(id: $id) { version(number: 1) { description } } }', { id: model.id });
    expect(data.model.version.description).toBe('before');
    await page.close();
  }, 60_000);

  it('keeps the form open with its text when the connection is lost on Save, and saves on a second press', async () => {
    const model = await givenModel(s);
    await createVersion(model.id, { description: 'before' });
    const page = await open(editor.secret, recordPath(model.name, '/versions/1'));
    await page.getByRole('button', { name: 'Edit version' }).click();
    const form = page.getByRole('form', { name: 'Edit version' });
    await form.getByLabel('Tags', { exact: true }).fill('offline, kept');
    let cut = true;
    await page.route('**/graphql', (route) => (cut && (route.request().postData() ?? '').includes('updateVersion') ? route.abort('internetdisconnected') : route.continue()));
    await form.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => form.getByRole('alert').textContent()).toMatch(/Cannot reach Cairn: nothing was saved/);
    expect(await form.getByLabel('Tags', { exact: true }).inputValue()).toBe('offline, kept');
    cut = false;
    await form.getByRole('button', { name: 'Save' }).click();
    await form.waitFor({ state: 'detached' });
    await expect.poll(() => page.getByRole('list', { name: 'Version tags' }).textContent()).toBe('offlinekept');
    await page.close();
  }, 60_000);

  it('asks before publishing and before deleting a version, and a confirmed delete leaves for the table', async () => {
    const model = await givenModel(s);
    await createVersion(model.id);
    await createVersion(model.id);
    // An administrator: editors may publish but not delete versions.
    const page = await open(ADMIN_TOKEN, recordPath(model.name, '/versions/2'));
    await page.getByRole('button', { name: 'Publish' }).click();
    const dialog = page.getByRole('alertdialog');
    expect(await dialog.textContent()).toMatch(/Publish version 2\?.*cannot be undone/);
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached' });
    const status = async (n: number) => (await s.asAdmin('query ($id: ID!, $n: Int!) { model(id: $id) { version(number: $n) { status } } }', { id: model.id, n })).model.version?.status ?? null;
    expect(await status(2)).toBe('DRAFT');
    await page.getByRole('button', { name: 'Publish' }).click();
    await dialog.getByRole('button', { name: 'Publish' }).click();
    await page.getByRole('heading', { name: 'Version 2' }).locator('..').getByText('published').waitFor();
    expect(await status(2)).toBe('PUBLISHED');
    await page.getByRole('button', { name: 'Delete version' }).click();
    expect(await dialog.textContent()).toMatch(/Delete version 2\?.*cannot be undone/);
    await dialog.getByRole('button', { name: 'Delete version 2' }).click();
    await page.getByRole('table', { name: 'Versions' }).waitFor();
    expect(new URL(page.url()).pathname).toBe(recordPath(model.name));
    expect(await status(2)).toBeNull();
    await page.close();
  }, 60_000);
});

describe('the comparison', () => {
  it('picks three versions in the table, shows them aligned with the differing rows marked, and filters to the differences', async () => {
    const model = await givenModel(s, { name: uniqueName('compared') });
    for (const lr of [0.1, 0.1, 0.3]) await createVersion(model.id, { hyperparameters: { lr, depth: 6 }, config: { threshold: 0.7 } });
    const evaluation = 'mutation ($i: RecordEvaluationInput!) { recordEvaluation(input: $i) { __typename } }';
    for (const [n, auc] of [
      [1, 0.81],
      [2, 0.84],
      [3, 0.84],
    ] as const)
      await s.asAdmin(evaluation, { i: { modelId: model.id, number: n, dataset: { uri: 's3://data/holdout.csv', name: 'holdout' }, metrics: { auc } } });
    const page = await open(viewer.secret, recordPath(model.name));
    const table = page.getByRole('table', { name: 'Versions' });
    await table.waitFor();
    await expectAccessible(page, 'versions table');
    expect(await page.getByRole('button', { name: 'Compare', exact: true }).isDisabled()).toBe(true);
    for (const n of [3, 1, 2]) await table.getByLabel(`Compare version ${n}`).check();
    await page.getByRole('button', { name: 'Compare', exact: true }).click();
    const comparison = page.getByRole('table', { name: 'Comparison' });
    await comparison.waitFor();
    expect(new URL(page.url()).pathname + new URL(page.url()).search).toBe(recordPath(model.name, '/compare?versions=1,2,3'));
    expect(await comparison.locator('thead th').allTextContents()).toEqual(['Key', expect.stringMatching(/^Version 1/), expect.stringMatching(/^Version 2/), expect.stringMatching(/^Version 3/)]);
    const row = (key: string) => comparison.locator('tbody tr').filter({ has: page.locator('th code', { hasText: new RegExp(`^${key}$`) }) });
    expect(await row('lr').locator('td').allTextContents()).toEqual(['0.1', '0.1', '0.3']);
    expect(await row('lr').getAttribute('class')).toBe('differs');
    expect(await row('lr').locator('th').textContent()).toMatch(/differs/);
    expect(await row('depth').getAttribute('data-differs')).toBe('false');
    expect(await row('auc').locator('th').textContent()).toMatch(/auc on s3:\/\/data\/holdout\.csv/);
    expect(await comparison.locator('tr.section-row').allTextContents()).toEqual(['Hyperparameters', 'Config', 'Metrics']);
    await expectAccessible(page, 'comparison');
    await page.screenshot({ path: docsScreenshot('comparison.png'), fullPage: true });

    await page.getByLabel('Only differences').check();
    await expect.poll(() => row('depth').count()).toBe(0);
    expect(await row('lr').count()).toBe(1);
    expect(await row('auc').count()).toBe(1);
    expect(await comparison.locator('tr.section-row').allTextContents()).toEqual(['Hyperparameters', 'Metrics']);
    await expect.poll(() => new URL(page.url()).searchParams.get('only')).toBe('differences');
    // Reload shows the same filtered comparison.
    await page.reload();
    await comparison.waitFor();
    expect(await page.getByLabel('Only differences').isChecked()).toBe(true);
    expect(await row('depth').count()).toBe(0);
    expect(await row('lr').count()).toBe(1);
    await comparison.getByRole('link', { name: 'Version 3' }).click();
    await page.getByRole('heading', { name: 'Version 3' }).waitFor();
    await page.close();
  }, 90_000);
});

describe('aliases', () => {
  it('lets an editor set an alias and move it, asking first with both versions named; a viewer gets no controls', async () => {
    const model = await givenModel(s);
    for (const n of [1, 2]) {
      await createVersion(model.id);
      await publish(model.id, n);
    }
    const page = await open(editor.secret, recordPath(model.name, '/versions/1'));
    const form = page.getByRole('form', { name: 'Set alias' });
    await form.getByLabel('Alias').fill('Production');
    await expect.poll(() => form.getByRole('alert').textContent()).toMatch(/lower-case letter/);
    await form.getByLabel('Alias').fill('production');
    await form.getByRole('button', { name: 'Point here' }).click();
    await page.getByRole('list', { name: 'Aliases of this version' }).getByText('production').waitFor();
    await expectAccessible(page, 'version with an alias');

    await page.goto(`${s.url}${recordPath(model.name, '/versions/2')}`);
    await form.getByLabel('Alias').fill('production');
    await form.getByRole('button', { name: 'Point here' }).click();
    const dialog = page.getByRole('alertdialog');
    expect(await dialog.textContent()).toMatch(/Move production from version 1 to version 2\?/);
    await expectAccessible(page, 'move alias dialog');
    await dialog.getByRole('button', { name: 'Move production' }).click();
    await page.getByRole('list', { name: 'Aliases of this version' }).getByText('production').waitFor();
    const data = await s.asAdmin('query ($id: ID!) { model(id: $id) { aliases { name version { number } } } }', { id: model.id });
    expect(data.model.aliases).toEqual([{ name: 'production', version: { number: 2 } }]);
    await page.close();

    const seen = await open(viewer.secret, recordPath(model.name, '/versions/2'));
    await seen.getByRole('list', { name: 'Aliases of this version' }).getByText('production').waitFor();
    expect(await seen.getByRole('form', { name: 'Set alias' }).count()).toBe(0);
    expect(await seen.getByRole('button', { name: 'Remove production' }).count()).toBe(0);
    await expectAccessible(seen, 'version as a viewer');
    await seen.close();
  }, 90_000);
});

describe('files', () => {
  it('asks before deleting a format, and Cancel keeps it', async () => {
    const model = await givenModel(s);
    await createVersion(model.id);
    await uploadFormat(model.id, 1, 'pkl', Buffer.from('pickled'), 'churn.pkl');
    const page = await open(editor.secret, recordPath(model.name, '/versions/1'));
    const formats = page.getByRole('table', { name: 'Formats' });
    await formats.getByText('churn.pkl').waitFor();
    await formats.getByRole('button', { name: 'Delete pkl' }).click();
    const dialog = page.getByRole('alertdialog');
    expect(await dialog.textContent()).toMatch(/Delete the pkl file of version 1\?.*churn\.pkl.*cannot be undone/);
    await expectAccessible(page, 'delete format dialog');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached' });
    const formatsNow = async () => (await s.asAdmin('query ($id: ID!) { model(id: $id) { version(number: 1) { formats { id } } } }', { id: model.id })).model.version.formats;
    expect(await formatsNow()).toEqual([{ id: 'pkl' }]);
    await formats.getByRole('button', { name: 'Delete pkl' }).click();
    await dialog.getByRole('button', { name: 'Delete pkl' }).click();
    await formats.locator('tr[data-format="pkl"]').getByText('none').waitFor();
    expect(await formatsNow()).toEqual([]);
    await page.close();
  }, 60_000);

  it('adds a file to a draft through the picker, with its progress shown, and has the tab warn before closing mid-upload', async () => {
    const model = await givenModel(s);
    await createVersion(model.id);
    const page = await open(editor.secret, recordPath(model.name, '/versions/1'));
    const row = page.getByRole('table', { name: 'Formats' }).locator('tr[data-format="pkl"]');
    await row.getByRole('button', { name: 'Add pkl' }).waitFor();
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: 1024 * 1024 });
    await row.getByLabel('Upload pkl file').setInputFiles({ name: 'added.pkl', mimeType: 'application/octet-stream', buffer: Buffer.alloc(8 * 1024 * 1024, 3) });
    await expect.poll(() => row.getByTestId('upload-progress').textContent()).toMatch(/of 8\.0 MiB/);
    // Closing or reloading the tab now would be refused by the page's beforeunload handler (the browser then asks).
    const beforeUnload = () => page.evaluate(() => !dispatchEvent(new Event('beforeunload', { cancelable: true })));
    expect(await beforeUnload()).toBe(true);
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
    await row.getByRole('cell', { name: 'added.pkl', exact: true }).waitFor({ timeout: 60_000 });
    const data = await s.asAdmin('query ($id: ID!) { model(id: $id) { version(number: 1) { formats { id filename size } } } }', { id: model.id });
    expect(data.model.version.formats).toEqual([{ id: 'pkl', filename: 'added.pkl', size: 8 * 1024 * 1024 }]);
    await expect.poll(beforeUnload).toBe(false);
    await page.close();
  }, 120_000);
});

describe('downloads', () => {
  it('saves a 200 MB file through its signed link without it passing through the tab\'s memory', async () => {
    const model = await givenModel(s);
    await createVersion(model.id);
    const bytes = Buffer.alloc(200 * 1024 * 1024);
    for (let i = 0; i < bytes.length; i += 4096) bytes.writeUInt32LE(i, i);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    await uploadFormat(model.id, 1, 'pkl', bytes, 'big.pkl');
    const page = await open(viewer.secret, recordPath(model.name, '/versions/1'));
    const formats = page.getByRole('table', { name: 'Formats' });
    await formats.getByText(sha256).waitFor();
    const link = formats.getByRole('link', { name: 'Download pkl' });
    expect(await link.getAttribute('href')).toMatch(/^\/files\/.+\/1\/pkl\?/);
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Performance.enable');
    const heap = async () => {
      await cdp.send('HeapProfiler.collectGarbage');
      const { metrics } = await cdp.send('Performance.getMetrics');
      return metrics.find((m) => m.name === 'JSHeapUsedSize')!.value;
    };
    const before = await heap();
    const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
    const saved = await download.path();
    const after = await heap();
    expect(download.suggestedFilename()).toBe('big.pkl');
    expect(fs.statSync(saved).size).toBe(bytes.length);
    expect(createHash('sha256').update(fs.readFileSync(saved)).digest('hex')).toBe(sha256);
    expect(after - before).toBeLessThan(50 * 1024 * 1024);
    // A plain link: no token goes with it, the signature in the URL is what lets it through.
    const head = await fetch(`${s.url}${await link.getAttribute('href')}`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-disposition')).toMatch(/^attachment/);
    await page.close();
  }, 180_000);
});

describe('the record', () => {
  it('shows the versions table with deleted numbers as a gap, aliases, tags and formats', async () => {
    const model = await givenModel(s);
    for (let n = 1; n <= 4; n++) await createVersion(model.id, { tags: n === 4 ? ['retrained'] : [] });
    for (const n of [2, 3]) await s.asAdmin('mutation ($id: ID!, $n: Int!) { deleteVersion(modelId: $id, number: $n) { __typename } }', { id: model.id, n });
    await publish(model.id, 4);
    await s.asAdmin('mutation ($i: SetAliasInput!) { setAlias(input: $i) { __typename } }', { i: { modelId: model.id, alias: 'production', number: 4 } });
    await uploadFormat(model.id, 1, 'pkl', Buffer.from('one'), 'one.pkl');
    const page = await open(viewer.secret, recordPath(model.name));
    const table = page.getByRole('table', { name: 'Versions' });
    await table.waitFor();
    const rows = await table.locator('tbody tr').allTextContents();
    expect(rows).toHaveLength(3);
    expect(rows[0]).toMatch(/^Version 4.*published.*production.*retrained/);
    expect(rows[1]).toBe('Versions 2–3 deleted (2)');
    expect(rows[2]).toMatch(/^Version 1.*draft.*pkl.*not yet/);
    expect(await page.title()).toBe(`${model.name} · Cairn`);
    await table.getByRole('link', { name: 'Version 4' }).click();
    await page.getByRole('heading', { name: 'Version 4' }).waitFor();
    expect(await page.title()).toBe(`${model.name} · v4 · Cairn`);
    await page.goBack();
    await table.waitFor();
    expect(new URL(page.url()).pathname).toBe(recordPath(model.name));
    await page.close();
  }, 60_000);

  it('shows a version in full: markdown, tags, settings as tables or JSON, records as links, evaluations, files and how to use it', async () => {
    const model = await givenModel(s, { name: uniqueName('churn') });
    await createVersion(model.id, {
      description: '# Retrained\n\n| metric | value |\n| --- | --- |\n| auc | 0.91 |\n\nSee [the run](https://runs.example/42).',
      tags: ['weekly', 'gbm'],
      hyperparameters: { lr: 0.1, optimizer: { name: 'adam', beta: [0.9, 0.99] } },
      config: { threshold: 0.7 },
      records: [{ uri: 'https://data.example/train.csv', name: 'train' }, { uri: 's3://bucket/holdout.csv' }],
    });
    await s.asAdmin('mutation ($i: RecordEvaluationInput!) { recordEvaluation(input: $i) { __typename } }', {
      i: { modelId: model.id, number: 1, dataset: { uri: 's3://bucket/holdout.csv', name: 'holdout' }, metrics: { auc: 0.91 }, notes: 'weekly check' },
    });
    const bytes = Buffer.from('a pickled model');
    await uploadFormat(model.id, 1, 'pkl', bytes, 'churn.pkl');
    await publish(model.id, 1);
    await s.asAdmin('mutation ($i: SetAliasInput!) { setAlias(input: $i) { __typename } }', { i: { modelId: model.id, alias: 'production', number: 1 } });
    const page = await open(viewer.secret, recordPath(model.name, '/versions/1'));
    const version = page.getByRole('article', { name: 'Version 1' });
    await version.waitFor();
    const description = version.getByRole('region', { name: 'Description' });
    // The description's `#` is demoted below the version's h2.
    expect(await description.getByRole('heading', { name: 'Retrained' }).evaluate((h) => h.tagName)).toBe('H3');
    expect(await description.getByRole('table').locator('td').allTextContents()).toEqual(['auc', '0.91']);
    expect(await description.getByRole('link', { name: 'the run' }).getAttribute('rel')).toBe('noopener noreferrer');
    expect(await version.getByRole('list', { name: 'Version tags' }).textContent()).toBe('weeklygbm');
    const hp = version.getByRole('region', { name: 'Hyperparameters' });
    expect(await hp.getByRole('table').locator('tr').allTextContents()).toEqual(['lr0.1', 'optimizer{"beta":[0.9,0.99],"name":"adam"}']);
    await hp.getByRole('button', { name: 'Show JSON' }).click();
    expect(JSON.parse((await hp.locator('pre').textContent())!)).toEqual({ lr: 0.1, optimizer: { name: 'adam', beta: [0.9, 0.99] } });
    const records = version.getByRole('list', { name: 'Dataset records' });
    expect(await records.getByRole('link', { name: 'https://data.example/train.csv' }).getAttribute('href')).toBe('https://data.example/train.csv');
    expect(await records.textContent()).toMatch(/train · https:\/\/data\.example\/train\.csv.*s3:\/\/bucket\/holdout\.csv/);
    expect(await records.getByRole('link').count()).toBe(1);
    expect(await version.getByRole('table', { name: 'Evaluations' }).locator(':scope > tbody > tr').textContent()).toMatch(/holdout · s3:\/\/bucket\/holdout\.csv.*auc0\.91.*weekly check/);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    await version.getByRole('table', { name: 'Formats' }).getByText(sha256).waitFor();
    const use = version.getByRole('region', { name: 'Use this version' });
    expect(await use.locator('[data-snippet="curl-alias"] pre').textContent()).toBe(
      `curl -fSL -H "Authorization: Bearer $CAIRN_TOKEN" -o model.pkl '${s.url}/files/${encodeURIComponent(model.name)}/production/pkl'`,
    );
    expect(await use.locator('[data-snippet="python"] pre').textContent()).toContain('model.version(alias="production").download("pkl", path="model.pkl")');
    expect(await use.locator('[data-snippet="r"] pre').textContent()).toContain(`cairn_download(cairn_version(cairn_model(cn, "${model.name}"), alias = "production"), "pkl", path = "model.pkl")`);
    expect(await use.getByText(sha256).count()).toBe(1);
    // The curl snippet works as shown (the token from the environment, here the viewer's).
    const curl = await fetch(`${s.url}/files/${encodeURIComponent(model.name)}/production/pkl`, { headers: { authorization: `Bearer ${viewer.secret}` } });
    expect(Buffer.from(await curl.arrayBuffer()).equals(bytes)).toBe(true);
    // Nothing a viewer may not do is offered.
    for (const name of ['Edit version', 'Publish', 'Delete version', 'Delete pkl']) expect(await page.getByRole('button', { name }).count()).toBe(0);
    await expectAccessible(page, 'version details');
    await page.screenshot({ path: docsScreenshot('model-record.png'), fullPage: true });
    await page.close();
  }, 60_000);

  it('tells the history in sentences, newest first, a page at a time, with the page in the address', async () => {
    const model = await givenModel(s);
    await createVersion(model.id);
    for (let i = 1; i <= 30; i++) await s.asAdmin('mutation ($i: UpdateVersionInput!) { updateVersion(input: $i) { __typename } }', { i: { modelId: model.id, number: 1, config: { round: i } } });
    await publish(model.id, 1);
    await s.asAdmin('mutation ($i: SetAliasInput!) { setAlias(input: $i) { __typename } }', { i: { modelId: model.id, alias: 'production', number: 1 } });
    const page = await open(editor.secret, recordPath(model.name, '/history'));
    const list = page.getByRole('list', { name: 'History' });
    await list.waitFor();
    const sentences = async () => (await list.locator('.history-sentence').allTextContents()) as string[];
    const first = await sentences();
    expect(first).toHaveLength(25);
    expect(first.slice(0, 3)).toEqual(['admin set alias production to version 1', 'admin published version 1', 'admin changed the config of version 1']);
    expect(await page.title()).toBe(`${model.name} · history · Cairn`);
    await expectAccessible(page, 'history');
    await page.getByRole('button', { name: 'Older' }).click();
    await expect.poll(() => new URL(page.url()).searchParams.has('before')).toBe(true);
    await expect.poll(async () => (await sentences()).at(-1)).toBe(`admin created the model as ${model.name}`);
    const older = await sentences();
    // 34 events: the model, the version, 30 edits, the publish and the alias.
    expect(older).toHaveLength(34 - 25);
    expect(await page.getByText('34 events, newest first').count()).toBe(1);
    expect(older.at(-2)).toBe('admin created version 1');
    await page.reload();
    await list.waitFor();
    expect(await sentences()).toEqual(older);
    await page.goBack();
    await expect.poll(sentences).toEqual(first);
    await page.close();
  }, 60_000);

  it('asks before an in-app link leaves a form with typed input, and stays when told to', async () => {
    const model = await givenModel(s);
    const page = await open(editor.secret, recordPath(model.name, '/new-version'));
    const form = page.getByRole('form', { name: 'New version' });
    await form.getByLabel('Description (markdown)').fill('not saved yet');
    await page.getByRole('link', { name: 'History' }).click();
    const dialog = page.getByRole('alertdialog', { name: 'Leave this page?' });
    await dialog.waitFor();
    await expectAccessible(page, 'leave dialog');
    await dialog.getByRole('button', { name: 'Stay' }).click();
    await dialog.waitFor({ state: 'detached' });
    expect(new URL(page.url()).pathname).toBe(recordPath(model.name, '/new-version'));
    expect(await form.getByLabel('Description (markdown)').inputValue()).toBe('not saved yet');
    await page.getByRole('link', { name: 'History' }).click();
    await dialog.getByRole('button', { name: 'Leave' }).click();
    await page.getByRole('list', { name: 'History' }).waitFor();
    expect(new URL(page.url()).pathname).toBe(recordPath(model.name, '/history'));
    await page.close();
  }, 60_000);
});

describe('at 375 px', () => {
  it('shows a version, the comparison and the new-version form without scrolling sideways, light and dark', async () => {
    const model = await givenModel(s, { name: uniqueName('narrow') });
    for (const lr of [0.1, 0.2]) await createVersion(model.id, { hyperparameters: { lr, optimizer: { name: 'adam', beta: [0.9, 0.999] } }, records: [{ uri: 's3://a-rather-long-bucket-name/with/a/deep/path/train.csv' }] });
    await uploadFormat(model.id, 1, 'pkl', Buffer.from('narrow'), 'narrow.pkl');
    const page = await browser.newPage({ viewport: { width: 375, height: 740 } });
    await page.addInitScript((t) => sessionStorage.setItem('cairn.session', JSON.stringify({ token: t, context: 'default' })), editor.secret);
    for (const [at, ready] of [
      ['/versions/1', () => page.getByRole('table', { name: 'Formats' }).getByText('narrow.pkl').waitFor()],
      ['/compare?versions=1,2', () => page.getByRole('table', { name: 'Comparison' }).waitFor()],
      ['/new-version', () => page.getByRole('form', { name: 'New version' }).waitFor()],
      ['', () => page.getByRole('table', { name: 'Versions' }).waitFor()],
    ] as const) {
      await page.goto(`${s.url}${recordPath(model.name, at)}`);
      await ready();
      expect(await page.evaluate(() => document.documentElement.scrollWidth), at).toBeLessThanOrEqual(375);
      await expectAccessible(page, `${at || 'versions'} at 375 px`);
      // Dark mode's colours pass axe's contrast checks too (loaded dark, so no colour is mid-transition).
      await page.emulateMedia({ colorScheme: 'dark' });
      await page.reload();
      await ready();
      await expectAccessible(page, `${at || 'versions'} at 375 px, dark`);
      await page.emulateMedia({ colorScheme: 'light' });
    }
    await page.close();
  }, 60_000);
});
