// CORS: which other sites' pages may read Cairn's answers. Tokens travel in Authorization, nothing is
// ambient, so no answer says Access-Control-Allow-Credentials; by default every origin may read (`*`),
// and CAIRN_CORS_ORIGINS narrows that to a list, never echoing an origin that is not on it.
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.ts';
import { adminHeaders } from '../helpers/api.ts';
import { givenModel, type Served, serveTestApi } from '../helpers/fixtures.ts';

const DASHBOARD = 'https://dash.example';
const LOCAL = 'http://localhost:5173';
const EVIL = 'https://evil.example';

let open: Served;
let listed: Served;
let single: Served;
let downloadUrl: string;

beforeAll(async () => {
  [open, listed, single] = await Promise.all([
    serveTestApi(),
    serveTestApi({ env: { CAIRN_CORS_ORIGINS: `${DASHBOARD}, ${LOCAL}` } }),
    serveTestApi({ env: { CAIRN_CORS_ORIGINS: DASHBOARD } }),
  ]);
  const model = await givenModel(open, { versions: 1 });
  const form = new FormData();
  form.append('operations', JSON.stringify({ query: 'mutation ($input: UploadFormatInput!) { uploadFormat(input: $input) { ... on UploadFormatSuccess { format { downloadUrl } } } }', variables: { input: { modelId: model.id, number: 1, format: 'pkl', file: null } } }));
  form.append('map', JSON.stringify({ 0: ['variables.input.file'] }));
  form.append('0', new Blob([new Uint8Array(100)]), 'm.pkl');
  const uploaded = (await (await fetch(`${open.url}/graphql`, { method: 'POST', body: form, headers: adminHeaders })).json()) as any;
  downloadUrl = uploaded.data.uploadFormat.format.downloadUrl;
});
afterAll(async () => {
  await Promise.all([open?.close(), listed?.close(), single?.close()]);
});

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/**
 * A request through node:http, which sends header values as Latin-1 bytes as given (fetch would refuse
 * some of the hostile ones) and an array as several header lines.
 */
function ask(url: string, method: string, headers: Record<string, string | string[]>): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const request = http.request(url, { method, headers }, (response) => {
      let body = '';
      response.setEncoding('latin1');
      response.on('data', (d) => (body += d));
      response.on('end', () => resolve({ status: response.statusCode!, headers: response.headers, body }));
    });
    request.on('error', reject);
    request.end();
  });
}

const preflight = (s: Served, origin: string | string[], path = '/graphql') =>
  ask(`${s.url}${path}`, 'OPTIONS', { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' });

const allowed = (headers: http.IncomingHttpHeaders, name: string) => (headers[name] as string).split(',').map((h) => h.trim().toLowerCase());

describe('by default (CAIRN_CORS_ORIGINS unset: *)', () => {
  it("answers a foreign origin's preflight with *, the headers the API reads, and no credentials", async () => {
    const answer = await preflight(open, EVIL);
    expect(answer.status).toBe(204);
    expect(answer.headers['access-control-allow-origin']).toBe('*');
    expect(answer.headers['access-control-allow-credentials']).toBeUndefined();
    expect(allowed(answer.headers, 'access-control-allow-methods')).toEqual(['get', 'post']);
    expect(allowed(answer.headers, 'access-control-allow-headers')).toEqual(
      expect.arrayContaining(['authorization', 'content-type', 'x-cairn-context', 'idempotency-key', 'x-request-id']),
    );
    expect(answer.body).toBe('');
  });

  it('lets any page read an answer to a request with its own bearer token, a refusal without one, and a download', async () => {
    const get = await ask(`${open.url}/graphql?query=${encodeURIComponent('{ formats }')}`, 'GET', { origin: EVIL, ...adminHeaders });
    expect(get.status).toBe(200);
    expect(JSON.parse(get.body)).toEqual({ data: { formats: ['pkl', 'rda', 'pmml'] } });
    const refused = await ask(`${open.url}/graphql?query=${encodeURIComponent('{ formats }')}`, 'GET', { origin: EVIL });
    expect(refused.status).toBe(401);
    const download = await ask(`${open.url}${downloadUrl}`, 'GET', { origin: EVIL, ...adminHeaders });
    expect(download.status).toBe(200);
    for (const { headers } of [get, refused, download]) {
      expect(headers['access-control-allow-origin']).toBe('*');
      expect(headers['access-control-allow-credentials']).toBeUndefined();
      expect(allowed(headers, 'access-control-expose-headers')).toContain('x-request-id');
    }
    expect(allowed(download.headers, 'access-control-expose-headers')).toEqual(expect.arrayContaining(['etag', 'content-disposition', 'x-checksum-sha256', 'cairn-version']));
    const files = await preflight(open, EVIL, downloadUrl);
    expect([files.status, files.headers['access-control-allow-origin'], files.headers['access-control-allow-methods']]).toEqual([204, '*', 'GET, HEAD']);
  });

  it('never reflects what the Origin header says, hostile or not', async () => {
    for (const origin of ['null', 'x'.repeat(8000), '\xed\xa0\x80', [EVIL, DASHBOARD]]) {
      const answer = await preflight(open, origin);
      expect(answer.status).toBe(204);
      expect(answer.headers['access-control-allow-origin']).toBe('*');
      expect(answer.headers['access-control-allow-credentials']).toBeUndefined();
    }
  });
});

describe('with CAIRN_CORS_ORIGINS set to a list', () => {
  it("answers a listed origin's preflight with that origin and Vary: Origin, without credentials", async () => {
    for (const origin of [DASHBOARD, LOCAL]) {
      const answer = await preflight(listed, origin);
      expect(answer.status).toBe(204);
      expect(answer.headers['access-control-allow-origin']).toBe(origin);
      expect(answer.headers.vary).toMatch(/\bOrigin\b/);
      expect(answer.headers['access-control-allow-credentials']).toBeUndefined();
      expect(allowed(answer.headers, 'access-control-allow-headers')).toEqual(expect.arrayContaining(['authorization', 'content-type']));
    }
  });

  it('gives a foreign origin no Access-Control-Allow-Origin at all, with one origin listed or two', async () => {
    for (const s of [listed, single]) {
      const answer = await preflight(s, EVIL);
      expect(answer.status).toBe(204);
      expect(answer.headers['access-control-allow-origin']).toBeUndefined();
      expect(answer.headers['access-control-allow-methods']).toBeUndefined();
      expect(answer.headers['access-control-allow-headers']).toBeUndefined();
      expect(answer.headers.vary).toMatch(/\bOrigin\b/);
      // The request itself is answered (a browser would not let the page read it), still without the header.
      const get = await ask(`${s.url}/graphql?query=${encodeURIComponent('{ formats }')}`, 'GET', { origin: EVIL, ...adminHeaders });
      expect(get.status).toBe(200);
      expect(get.headers['access-control-allow-origin']).toBeUndefined();
      expect(get.headers.vary).toMatch(/\bOrigin\b/);
    }
  });

  it('matches only an exact listed origin: not null, a longer name, another case, a port, several, or hostile bytes', async () => {
    const hostile = [
      'null',
      `${DASHBOARD}.evil.example`,
      `${DASHBOARD}:443`,
      `${DASHBOARD}/`,
      'HTTPS://DASH.EXAMPLE',
      `${DASHBOARD}, ${LOCAL}`,
      [DASHBOARD, LOCAL],
      `${DASHBOARD}${'x'.repeat(8000)}`,
      `${DASHBOARD}\xed\xa0\x80`,
      '\xed\xa0\x80',
    ];
    for (const origin of hostile) {
      const answer = await preflight(listed, origin);
      expect(answer.status, String(origin).slice(0, 60)).toBe(204);
      expect(answer.headers['access-control-allow-origin'], String(origin).slice(0, 60)).toBeUndefined();
    }
  });

  it('says Vary: Origin on a GraphQL answer to a listed origin too, where the browser may read it', async () => {
    const answer = await ask(`${listed.url}/graphql?query=${encodeURIComponent('{ formats }')}`, 'GET', { origin: LOCAL, ...adminHeaders });
    expect(answer.status).toBe(200);
    expect(answer.headers['access-control-allow-origin']).toBe(LOCAL);
    expect(answer.headers.vary).toMatch(/\bOrigin\b/);
    expect(answer.headers['access-control-allow-credentials']).toBeUndefined();
  });
});

describe('CAIRN_CORS_ORIGINS', () => {
  it('takes *, or origins as a browser writes them, each once', () => {
    expect(loadConfig({}).corsOrigins).toBe('*');
    expect(loadConfig({ CAIRN_CORS_ORIGINS: ' * ' }).corsOrigins).toBe('*');
    expect(loadConfig({ CAIRN_CORS_ORIGINS: 'https://Dash.Example:443, http://localhost:5173,https://dash.example' }).corsOrigins).toEqual(['https://dash.example', 'http://localhost:5173']);
    expect(loadConfig({ CAIRN_CORS_ORIGINS: 'https://bücher.example' }).corsOrigins).toEqual(['https://xn--bcher-kva.example']);
  });

  it('stops start-up, naming the variable, for anything that is not an origin', () => {
    for (const value of ['', ',', 'https://dash.example/', 'https://dash.example/graphql', 'dash.example', 'null', 'ftp://dash.example', '*, https://dash.example', 'https://u:p@dash.example', 'https://dash.example?x', 'https://dash.example:99999', 'https://\ud800.example', `https://${'x'.repeat(100_000)}`]) {
      expect(() => loadConfig({ CAIRN_CORS_ORIGINS: value }), value.slice(0, 40)).toThrow(ConfigError);
      expect(() => loadConfig({ CAIRN_CORS_ORIGINS: value })).toThrow(/CAIRN_CORS_ORIGINS: /);
    }
  });
});
