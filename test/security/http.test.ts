// Finding 4, 5 (downloads), 7 (paths) and 9 (/metrics) of issue 12, played as an attacker over real HTTP.
import { spawn } from 'node:child_process';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CSRF_HEADER } from '../../src/app.ts';
import { ADMIN_TOKEN, adminHeaders } from '../helpers/api.ts';
import { givenModel, givenPrincipal, type Served, serveTestApi } from '../helpers/fixtures.ts';
import { postMultipart } from '../helpers/multipart.ts';

let s: Served;
let port: number;
beforeAll(async () => {
  s = await serveTestApi({
    env: { CAIRN_BODY_TIMEOUT_MS: '1500', CAIRN_MAX_BODY_BYTES: '4096', CAIRN_MAX_BUFFERED_BODY_BYTES: '8192', CAIRN_MAX_DOWNLOADS_PER_TOKEN: '2' },
  });
  port = Number(new URL(s.url).port);
});
afterAll(() => s?.close());

/** A raw connection: the test writes what it likes and waits for the first response head. */
function raw(first: string) {
  const socket = net.connect(port, '127.0.0.1');
  socket.on('error', () => {});
  let text = '';
  const head = new Promise<{ status: number; text: string }>((resolve, reject) => {
    socket.on('data', (d) => {
      text += d;
      const end = text.indexOf('\r\n\r\n');
      const length = /content-length: (\d+)/i.exec(text);
      if (end >= 0 && (!length || text.length >= end + 4 + Number(length[1]))) resolve({ status: Number(text.slice(9, 12)), text });
    });
    socket.on('close', () => reject(new Error(`closed before a response: ${JSON.stringify(text.slice(0, 300))}`)));
  });
  // Tests that only hold the connection open never await the head.
  head.catch(() => {});
  socket.write(first);
  return { socket, head };
}

const body = (text: string) => JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4));

describe('authentication before the body', () => {
  it('answers 401 with WWW-Authenticate to a POST whose body has not arrived, without a token or with a wrong one', async () => {
    for (const auth of ['', `authorization: Bearer cairn_not-a-token\r\n`]) {
      const c = raw(`POST /graphql HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 4000\r\n${auth}\r\n{"query":`);
      const { status, text } = await c.head;
      expect(status).toBe(401);
      expect(text).toMatch(/www-authenticate: Bearer realm="cairn"/i);
      expect(body(text).errors[0].extensions.code).toBe('UNAUTHENTICATED');
      c.socket.destroy();
    }
  });

  it('refuses GET operations and SSE subscriptions without a token, but serves GraphiQL and CORS preflights', async () => {
    const get = await fetch(`${s.url}/graphql?query=${encodeURIComponent('{ formats }')}`);
    expect(get.status).toBe(401);
    expect(((await get.json()) as any).errors[0].extensions.code).toBe('UNAUTHENTICATED');
    const sse = await fetch(`${s.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify({ query: 'subscription { modelEvents { type } }' }),
    });
    expect(sse.status).toBe(401);
    const page = await fetch(`${s.url}/graphql`, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<html');
    expect((await fetch(`${s.url}/graphql`, { method: 'OPTIONS', headers: { origin: 'http://elsewhere', 'access-control-request-method': 'POST' } })).status).toBe(204);
  });

  it('refuses an upload without a token before reading its file', async () => {
    const model = await givenModel(s, { versions: 1 });
    const response = await postMultipart(
      `${s.url}/graphql`,
      'mutation ($input: UploadFormatInput!) { uploadFormat(input: $input) { __typename } }',
      { input: { modelId: model.id, number: 1, format: 'pkl', file: null } },
      [{ path: 'variables.input.file', data: new Uint8Array(8000), name: 'm.pkl' }],
      {},
    );
    expect(response.status).toBe(401);
    expect(response.body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
  });

  it("lets the refusal reach clients that send the whole body before reading: Node's fetch and Python's urllib", async () => {
    const big = JSON.stringify({ query: `{ formats } # ${'x'.repeat(4000)}` }).slice(0, 4090);
    const response = await fetch(`${s.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', [CSRF_HEADER]: '1' }, body: big });
    expect(response.status).toBe(401);
    const python = spawn('python3', [
      '-c',
      `import urllib.request, urllib.error
req = urllib.request.Request("${s.url}/graphql", data=b"{" + b" " * 4000 + b"}", headers={"content-type": "application/json"})
try:
    urllib.request.urlopen(req)
except urllib.error.HTTPError as e:
    print(e.code, e.headers["www-authenticate"])`,
    ]);
    let out = '';
    python.stdout.on('data', (d) => (out += d));
    python.stderr.on('data', (d) => (out += d));
    await new Promise((resolve) => python.on('exit', resolve));
    expect(out.trim()).toBe('401 Bearer realm="cairn"');
  });
});

describe('bodies in memory', () => {
  it('ends an authenticated body that stalls with 408 REQUEST_TIMEOUT after CAIRN_BODY_TIMEOUT_MS', async () => {
    const c = raw(`POST /graphql HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 2000\r\nauthorization: Bearer ${ADMIN_TOKEN}\r\n\r\n{"query":`);
    const { status, text } = await c.head;
    expect(status).toBe(408);
    expect(body(text).errors[0].extensions.code).toBe('REQUEST_TIMEOUT');
    await new Promise((resolve) => c.socket.once('close', resolve));
  });

  it('ends an upload that stalls mid-file with 408, and the version has no format', async () => {
    const model = await givenModel(s, { versions: 1 });
    const boundary = 'cairnstall';
    const operations = JSON.stringify({
      query: `mutation ($f: Upload!) { uploadFormat(input: { modelId: "${model.id}", number: 1, format: "pkl", file: $f }) { __typename } }`,
      variables: { f: null },
    });
    const part = `--${boundary}\r\nContent-Disposition: form-data; name="operations"\r\n\r\n${operations}\r\n--${boundary}\r\nContent-Disposition: form-data; name="map"\r\n\r\n{"0":["variables.f"]}\r\n--${boundary}\r\nContent-Disposition: form-data; name="0"; filename="m.pkl"\r\nContent-Type: application/octet-stream\r\n\r\nabc`;
    const c = raw(`POST /graphql HTTP/1.1\r\nhost: x\r\ncontent-type: multipart/form-data; boundary=${boundary}\r\n${CSRF_HEADER}: 1\r\nauthorization: Bearer ${ADMIN_TOKEN}\r\ntransfer-encoding: chunked\r\n\r\n${part.length.toString(16)}\r\n${part}\r\n`);
    const { status, text } = await c.head;
    expect(status).toBe(408);
    expect(body(text).errors[0].extensions.code).toBe('REQUEST_TIMEOUT');
    const data = await s.asAdmin('query ($id: ID!) { model(id: $id) { versions(first: 1) { edges { node { formats { id } } } } } }', { id: model.id });
    expect(data.model.versions.edges[0].node.formats).toEqual([]);
  });

  it('refuses a body past the process budget with 503, Retry-After and retryable, and serves the others', async () => {
    // Three bodies of 4000 bytes, 3000 of each sent: 9000 bytes against a budget of 8192.
    const prefix = '{"query":"{ formats }","variables":{"pad":"';
    const all = [0, 1, 2].map(() =>
      raw(
        `POST /graphql HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 4000\r\nauthorization: Bearer ${ADMIN_TOKEN}\r\n\r\n` +
          prefix +
          'a'.repeat(3000 - prefix.length),
      ),
    );
    const first = await Promise.race(all.map((c, i) => c.head.then((r) => ({ ...r, i }))));
    expect(first.status).toBe(503);
    expect(first.text).toMatch(/retry-after: 1/i);
    expect(body(first.text).errors[0].extensions).toEqual({ code: 'SERVICE_UNAVAILABLE', retryable: true });
    const others = all.filter((_, i) => i !== first.i);
    for (const c of others) c.socket.write(`${'a'.repeat(1000 - 3)}"}}`);
    for (const c of others) expect((await c.head).status).toBe(200);
    for (const c of all) c.socket.destroy();
  });
});

describe('paths with bad escapes', () => {
  it('answers 400 VALIDATION, never 500, for malformed escapes, bytes that are not UTF-8 and NULs, on every route', async () => {
    const model = await givenModel(s);
    for (const path of ['/%', '/%zz', '/assets/%ff', '/%00', `/files/${model.id}/1/pkl%00`, `/files/${model.id}/1/%E0%A4%A`, '/graphiql/%ff', '/graphiql/graphiql.css%00', '/graphql%ff', '/health%']) {
      const c = raw(`GET ${path} HTTP/1.1\r\nhost: x\r\nauthorization: Bearer ${ADMIN_TOKEN}\r\n\r\n`);
      const { status, text } = await c.head;
      expect({ path, status }).toEqual({ path, status: 400 });
      expect(body(text).code).toBe('VALIDATION');
      c.socket.destroy();
    }
    // (That a GraphiQL file is still found by its escaped name is in test/e2e/graphiql.test.ts, which builds the page.)
  });

  it('does not let a hostile Host header or request target take the server down', async () => {
    for (const request of ['GET /health HTTP/1.1\r\nhost: a b\r\n\r\n', 'GET http://[ HTTP/1.1\r\nhost: x\r\n\r\n']) {
      const c = raw(request);
      expect([200, 400]).toContain((await c.head).status);
      c.socket.destroy();
    }
    expect((await fetch(`${s.url}/health`)).status).toBe(200);
  });
});

describe('downloads per token', () => {
  it('refuses a token its third download in progress with 429 TOO_MANY_REQUESTS and Retry-After; another token is served', async () => {
    const model = await givenModel(s, { versions: 1 });
    const size = 48 * 1024 * 1024;
    const up = await postMultipart(
      `${s.url}/graphql`,
      'mutation ($input: UploadFormatInput!) { uploadFormat(input: $input) { ... on UploadFormatSuccess { format { downloadUrl } } } }',
      { input: { modelId: model.id, number: 1, format: 'pkl', file: null } },
      [{ path: 'variables.input.file', data: new Uint8Array(size), name: 'm.pkl' }],
    );
    const url = up.body.data.uploadFormat.format.downloadUrl;
    // Two downloads whose clients read nothing past the head: both stay in progress.
    const stalled = [0, 1].map(() => {
      const c = raw(`GET ${url} HTTP/1.1\r\nhost: x\r\nauthorization: Bearer ${ADMIN_TOKEN}\r\n\r\n`);
      return { c, started: new Promise<string>((resolve) => c.socket.once('data', (d) => (c.socket.pause(), resolve(String(d))))) };
    });
    for (const d of stalled) expect(await d.started).toMatch(/^HTTP\/1.1 200/);
    const third = await fetch(`${s.url}${url}`, { headers: adminHeaders });
    expect(third.status).toBe(429);
    expect(third.headers.get('retry-after')).toBe('5');
    expect(await third.json()).toMatchObject({ code: 'TOO_MANY_REQUESTS', limit: 2 });
    const viewer = await givenPrincipal(s, 'viewer');
    const other = await fetch(`${s.url}${url}`, { method: 'HEAD', headers: { authorization: `Bearer ${viewer.secret}` } });
    expect(other.status).toBe(200);
    // A signed link counts against the token that asked for it: the administrator's is refused as well, the viewer's served.
    const signedBy = async (token: string) =>
      (await s.gql(token, 'query ($id: ID!) { model(id: $id) { version(number: 1) { formats { signedUrl } } } }', { id: model.id })).body.data.model.version.formats[0].signedUrl as string;
    const signed = await fetch(`${s.url}${await signedBy(ADMIN_TOKEN)}`);
    expect([signed.status, ((await signed.json()) as { code: string }).code]).toEqual([429, 'TOO_MANY_REQUESTS']);
    expect((await fetch(`${s.url}${await signedBy(viewer.secret)}`, { method: 'HEAD' })).status).toBe(200);
    for (const d of stalled) d.c.socket.destroy();
  });
});

describe('/metrics', () => {
  it('needs a token of a principal with a role: 401 with WWW-Authenticate without one, 200 for a viewer', async () => {
    const none = await fetch(`${s.url}/metrics`);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Bearer realm="cairn"');
    expect((await none.json()).code).toBe('UNAUTHENTICATED');
    expect((await fetch(`${s.url}/metrics`, { headers: { authorization: 'Bearer cairn_wrong' } })).status).toBe(401);
    const viewer = await givenPrincipal(s, 'viewer');
    const ok = await fetch(`${s.url}/metrics`, { headers: { authorization: `Bearer ${viewer.secret}` } });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain('cairn_http_requests_total');
  });
});

describe('the new settings', () => {
  it('refuse hostile values with a message naming the variable', async () => {
    const { loadConfig, ConfigError } = await import('../../src/config.ts');
    for (const [name, value] of [
      ['CAIRN_METRICS_PORT', '70000'],
      ['CAIRN_METRICS_PORT', '80\u0000'],
      ['CAIRN_BODY_TIMEOUT_MS', '0'],
      ['CAIRN_MAX_DOWNLOADS_PER_TOKEN', '-1'],
      ['CAIRN_MAX_BUFFERED_BODY_BYTES', '2048'],
    ] as const) {
      expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
      expect(() => loadConfig({ [name]: value })).toThrow(name);
    }
    expect(loadConfig({})).toMatchObject({ bodyTimeoutMs: 30_000, maxBufferedBodyBytes: 64 * 1024 ** 2, maxDownloadsPerToken: 8, metricsPort: undefined });
  });
});
