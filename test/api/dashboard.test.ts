// The server side of the dashboard: index.html for each of its views (the browser routes them), its files
// compressed as Accept-Encoding asks (from the forms `npm run web:build` writes beside them), and every
// other route exactly as it was. A dashboard of the test's own is served (web/dist is built by test/e2e,
// and belongs to the web sources), compressed by the build's own step, beside a file no path may reach.
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { precompressDashboard } from '../../src/http/dashboard.ts';
import { ADMIN_TOKEN } from '../helpers/api.ts';
import { givenModel, type Served, serveTestApi } from '../helpers/fixtures.ts';

let s: Served;
let root: string;
let dist: string;
const SECRET = 'a file beside the dashboard that no path may serve';

// Text that compresses as a real bundle does (repetitive, not a single repeated byte).
const script = Array.from({ length: 3000 }, (_, i) => `export function view${i}(props) { return render("row-${i % 37}", props.items[${i}] ?? null); }\n`).join('');
const INDEX = `<!doctype html><html><head><title>Cairn</title><script type="module" src="/assets/index-abc123.js"></script></head><body>${'<div class="skeleton"></div>'.repeat(200)}</body></html>`;
const files: Record<string, string | Buffer> = {
  'index.html': INDEX,
  'assets/index-abc123.js': script,
  'assets/index-abc123.css': Array.from({ length: 500 }, (_, i) => `.c${i} { margin: ${i % 8}px; color: var(--c${i % 5}); }\n`).join(''),
  'favicon.svg': `<svg xmlns="http://www.w3.org/2000/svg">${'<rect width="1" height="1"/>'.repeat(100)}</svg>`,
  'assets/logo-abc123.png': Buffer.alloc(4000, 7),
};

beforeAll(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-dashboard-'));
  dist = path.join(root, 'dist');
  for (const [name, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dist, name)), { recursive: true });
    fs.writeFileSync(path.join(dist, name), content);
  }
  const written = await precompressDashboard(dist);
  // Every text file has both forms; the image has none.
  expect(written.map((f) => path.relative(dist, f)).sort()).toEqual(
    ['assets/index-abc123.css', 'assets/index-abc123.js', 'favicon.svg', 'index.html'].flatMap((f) => [`${f}.br`, `${f}.gz`]).sort(),
  );
  fs.writeFileSync(path.join(root, 'secret.txt'), SECRET);
  fs.writeFileSync(path.join(root, 'dist-secret.txt'), SECRET);
  s = await serveTestApi({ dashboardDir: dist });
});
afterAll(async () => {
  await s?.close();
  if (root) fs.rmSync(root, { recursive: true, force: true });
});

/** A request as sent, undecoded: node:http neither adds Accept-Encoding nor decompresses. */
function get(target: string, headers: Record<string, string> = {}, method = 'GET') {
  return new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
    const { port } = new URL(s.url);
    const request = http.request({ host: '127.0.0.1', port, path: target, method, headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (c: Buffer) => chunks.push(c));
      response.on('end', () => resolve({ status: response.statusCode!, headers: response.headers, body: Buffer.concat(chunks) }));
      response.on('error', reject);
    });
    request.on('error', reject);
    request.end();
  });
}

const decode = (encoding: string | undefined, body: Buffer) => (encoding === 'br' ? zlib.brotliDecompressSync(body) : encoding === 'gzip' ? zlib.gunzipSync(body) : body);

const VIEWS = [
  '/default/models',
  '/default/models?search=churn&tag=demo&sort=NAME_ASC&page=2',
  `/default/models/${encodeURIComponent('team/churn été')}`,
  '/default/models/churn/versions/3',
  '/default/models/churn/history',
  '/default/models/churn/compare?versions=1,3',
  '/default/models/churn/new-version',
  '/another-context/models/churn',
];

describe("the dashboard's views", () => {
  it('answer index.html, not cached, under the same policy as /, to GET and HEAD', async () => {
    const home = await get('/');
    expect(home.status).toBe(200);
    expect(home.body.toString()).toBe(INDEX);
    for (const view of VIEWS) {
      const page = await get(view);
      expect([page.status, page.body.toString()], view).toEqual([200, INDEX]);
      expect(page.headers['content-type'], view).toBe('text/html; charset=utf-8');
      expect(page.headers['cache-control'], view).toBe('no-cache');
      expect(page.headers['content-security-policy'], view).toBe(home.headers['content-security-policy']);
      expect(page.headers['content-security-policy'], view).toMatch(/^default-src 'self';.*frame-ancestors 'none'/);
      expect(page.headers['x-content-type-options'], view).toBe('nosniff');
      const head = await get(view, {}, 'HEAD');
      expect([head.status, head.headers['content-length'], head.body.length], view).toEqual([200, String(Buffer.byteLength(INDEX)), 0]);
    }
  });

  it('are for GET and HEAD only', async () => {
    for (const method of ['POST', 'PUT', 'DELETE']) {
      const answer = await get('/default/models', {}, method);
      expect(answer.status, method).toBe(404);
      expect(JSON.parse(answer.body.toString())).toEqual({ error: 'not found' });
    }
  });

  it('leave every other path 404, and never serve a file outside the dashboard', async () => {
    for (const target of [
      '/default',
      '/default/models/',
      '/default/models/churn/settings',
      '/default/models/churn/versions/x',
      '/default/models/churn/versions/1/extra',
      '/nothing-here',
      '/assets/models',
      '/assets/missing-abc123.js',
      '/files/models',
      '/..%2Fsecret.txt',
      '/..%2F..%2Fsecret.txt',
      '/%2E%2E/secret.txt',
      '/assets/..%2F..%2Fsecret.txt',
      '/assets/%2E%2E%2F%2E%2E%2Fsecret.txt',
      '/..%5Csecret.txt',
      '/../dist-secret.txt',
      '/..%2Fdist-secret.txt',
      // Dot segments are resolved before routing: this is `/default/`.
      '/default/models/..',
      '/default/models/churn/../../../secret.txt',
      `/${'x'.repeat(8000)}`,
      `/default/models/${'n'.repeat(8000)}`,
      `/default/models/${'a/'.repeat(3000)}`,
    ]) {
      const answer = await get(target);
      expect(answer.status, target.slice(0, 80)).toBe(404);
      expect(answer.body.toString(), target.slice(0, 80)).not.toContain(SECRET);
    }
    // A model name that spells a way out is a view like any other: index.html, not the file.
    for (const target of ['/default/models/..%2F..%2Fsecret.txt', '/default/models/..%2F..%2F..%2Fdist-secret.txt']) {
      const answer = await get(target);
      expect([answer.status, answer.body.toString()], target).toEqual([200, INDEX]);
    }
  });

  it('answer a NUL or a malformed escape with 400, as every route does', async () => {
    for (const target of ['/default/models/%00', '/default/models/churn%00/history', '/%00/models', '/default/models/%ff', '/default/models/%zz']) {
      const answer = await get(target);
      expect(answer.status, target).toBe(400);
      expect(JSON.parse(answer.body.toString())).toMatchObject({ code: 'VALIDATION' });
      expect(answer.body.toString()).not.toMatch(/\/tmp\/|\/work\/|\.ts:\d+|"stack"/);
    }
  });

  it('leave the server routes as they were', async () => {
    expect(await get('/health').then((a) => [a.status, JSON.parse(a.body.toString())])).toEqual([200, { status: 'ok' }]);
    expect((await get('/ready')).status).toBe(200);
    const metrics = await get('/metrics');
    expect([metrics.status, JSON.parse(metrics.body.toString()).code]).toEqual([401, 'UNAUTHENTICATED']);
    expect((await get('/metrics', { authorization: `Bearer ${ADMIN_TOKEN}` })).body.toString()).toMatch(/^# HELP /m);
    const graphql = await get('/graphql');
    expect([graphql.status, graphql.headers['www-authenticate']]).toEqual([401, 'Bearer realm="cairn"']);
    const graphiql = await get('/graphql', { accept: 'text/html' });
    expect(graphiql.status).toBe(200);
    expect(graphiql.body.toString()).not.toBe(INDEX);
    expect((await get('/graphiql/none.js')).status).toBe(404);
    const model = await givenModel(s, { versions: 1 });
    const file = await get(`/files/${model.id}/1/pkl`);
    expect([file.status, JSON.parse(file.body.toString()).code]).toEqual([401, 'UNAUTHENTICATED']);
    const missing = await get(`/files/${model.id}/1/pkl`, { authorization: `Bearer ${ADMIN_TOKEN}` });
    expect([missing.status, JSON.parse(missing.body.toString()).code]).toEqual([404, 'NOT_FOUND']);
    // The dashboard's own files are served as files, cached for good when hashed.
    const asset = await get('/assets/index-abc123.js');
    expect([asset.status, asset.headers['content-type'], asset.headers['cache-control'], asset.body.toString()]).toEqual([
      200,
      'text/javascript; charset=utf-8',
      'public, max-age=31536000, immutable',
      script,
    ]);
  });
});

describe('compression', () => {
  const TEXT = ['/index.html', '/assets/index-abc123.js', '/assets/index-abc123.css', '/favicon.svg', '/default/models/churn/versions/3'];
  const original = (target: string) => {
    const name = target.startsWith('/default/') ? 'index.html' : target.slice(1);
    return Buffer.from(files[name]!);
  };

  for (const [header, expected] of [
    ['br', 'br'],
    ['gzip', 'gzip'],
    ['gzip, deflate, br, zstd', 'br'],
    ['br;q=0.4, gzip;q=0.8', 'gzip'],
    ['br;q=0, gzip', 'gzip'],
    ['gzip;q=0, br;q=0', undefined],
    ['identity', undefined],
    ['deflate', undefined],
  ] as const) {
    it(`sends ${expected ?? 'identity'} for Accept-Encoding: ${header}, with Vary and the length of what is sent`, async () => {
      for (const target of TEXT) {
        const answer = await get(target, { 'accept-encoding': header });
        expect(answer.status, target).toBe(200);
        expect(answer.headers['content-encoding'], target).toBe(expected);
        expect(answer.headers.vary, target).toBe('accept-encoding');
        expect(answer.headers['content-length'], target).toBe(String(answer.body.length));
        expect(decode(expected, answer.body).equals(original(target)), target).toBe(true);
        if (expected) expect(answer.body.length, target).toBeLessThan(original(target).length / 2);
        const head = await get(target, { 'accept-encoding': header }, 'HEAD');
        expect([head.headers['content-encoding'], head.headers['content-length'], head.body.length], target).toEqual([expected, String(answer.body.length), 0]);
      }
    });
  }

  it('sends files as they are to a client that names no encoding', async () => {
    for (const target of TEXT) {
      const answer = await get(target);
      expect(answer.headers['content-encoding'], target).toBeUndefined();
      expect(answer.headers.vary, target).toBe('accept-encoding');
      expect(answer.headers['content-length'], target).toBe(String(original(target).length));
      expect(answer.body.equals(original(target)), target).toBe(true);
    }
  });

  it('leaves images alone', async () => {
    const png = await get('/assets/logo-abc123.png', { 'accept-encoding': 'br, gzip' });
    expect([png.status, png.headers['content-encoding'], png.headers['content-type'], png.body.length]).toEqual([200, undefined, 'image/png', 4000]);
  });

  it('does not serve the compressed forms as files of their own', async () => {
    for (const target of ['/index.html.br', '/index.html.gz', '/assets/index-abc123.js.br', '/assets/index-abc123.js.gz']) {
      expect((await get(target, { 'accept-encoding': 'br, gzip' })).status, target).toBe(404);
    }
  });

  it('sends the next accepted form when the best is missing, and the file as it is when a form is older than it', async () => {
    const file = path.join(dist, 'favicon.svg');
    const original = fs.readFileSync(file);
    const brotli = fs.readFileSync(`${file}.br`);
    try {
      fs.rmSync(`${file}.br`);
      const gzip = await get('/favicon.svg', { 'accept-encoding': 'br, gzip' });
      expect([gzip.headers['content-encoding'], zlib.gunzipSync(gzip.body).equals(original)]).toEqual(['gzip', true]);
      expect((await get('/favicon.svg', { 'accept-encoding': 'br' })).headers['content-encoding']).toBeUndefined();

      // Changed after the build (by hand): its old forms would be another file's bytes.
      const changed = Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg">${'<circle r="1"/>'.repeat(300)}</svg>`);
      fs.writeFileSync(file, changed);
      const later = new Date(fs.statSync(`${file}.gz`).mtimeMs + 5000);
      fs.utimesSync(file, later, later);
      const plain = await get('/favicon.svg', { 'accept-encoding': 'br, gzip' });
      expect([plain.headers['content-encoding'], plain.body.equals(changed), plain.headers['content-length']]).toEqual([undefined, true, String(changed.length)]);
    } finally {
      fs.writeFileSync(file, original);
      fs.writeFileSync(`${file}.br`, brotli);
      fs.writeFileSync(`${file}.gz`, zlib.gzipSync(original));
    }
  });
});
