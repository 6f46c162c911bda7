import type { KyselyPlugin } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CSRF_HEADER } from '../../src/app.ts';
import { adminHeaders, listen, openTestApi, rawQuery, type TestApi } from '../helpers/api.ts';

let api: TestApi;
let server: Awaited<ReturnType<typeof listen>>;
beforeAll(async () => {
  api = await openTestApi({ env: { CAIRN_MAX_BODY_BYTES: '2048' } });
  server = await listen(api.app);
});
afterAll(async () => {
  await server?.close();
  await api?.close();
});

describe('limits on what one operation may ask', () => {
  it('refuses a query deeper than the limit before running it', async () => {
    const deep = '{ models { edges { node { versions { edges { node { model { versions { edges { node { model { versions { edges { node { number } } } } } } } } } } } } } } }';
    const { body } = await rawQuery(api.app, deep);
    expect(body.errors[0].message).toMatch(/maximum depth/);
    expect(body.data).toBeNull();
  });

  it('refuses a query whose pages multiply past the complexity limit, and accepts a large ordinary page', async () => {
    const huge =
      '{ models(first: 100) { edges { node { versions(first: 100) { edges { node { model { history(first: 100) { edges { node { type } } } } } } } } } } }';
    expect((await rawQuery(api.app, huge)).body.errors[0].message).toMatch(/complexity/);
    const ordinary = '{ models(first: 100) { edges { node { name versions(first: 30) { edges { node { number formats { id sha256 } } } } } } } }';
    expect((await rawQuery(api.app, ordinary)).body.errors).toBeUndefined();
  });
});

describe('over HTTP', () => {
  const post = (body: string, headers: Record<string, string>) => fetch(`${server.url}/graphql`, { method: 'POST', body, headers });

  it('answers /health and /ready', async () => {
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
    const ready = await fetch(`${server.url}/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready' });
  });

  it('asks no CSRF header of a request with a bearer token, GET or POST, and refuses one with neither with 401', async () => {
    const query = JSON.stringify({ query: '{ formats }' });
    const formats = { data: { formats: ['pkl', 'rda', 'pmml'] } };
    const get = await fetch(`${server.url}/graphql?query=${encodeURIComponent('{ formats }')}`, { headers: adminHeaders });
    expect([get.status, await get.json()]).toEqual([200, formats]);
    const json = await post(query, { 'content-type': 'application/json', ...adminHeaders });
    expect([json.status, await json.json()]).toEqual([200, formats]);
    // What a cross-site form or image could send: no token, no CSRF header.
    for (const refused of [await post(query, { 'content-type': 'text/plain' }), await fetch(`${server.url}/graphql?query=${encodeURIComponent('{ formats }')}`)]) {
      expect(refused.status).toBe(401);
      expect(((await refused.json()) as any).errors[0].extensions.code).toBe('UNAUTHENTICATED');
    }
  });

  it('refuses a JSON body over the limit with 413 and a GraphQL-shaped error', async () => {
    const big = JSON.stringify({ query: `{ formats } # ${'x'.repeat(4096)}` });
    const response = await post(big, { 'content-type': 'application/json', [CSRF_HEADER]: '1', ...adminHeaders });
    expect(response.status).toBe(413);
    expect((await response.json()).errors[0].message).toMatch(/larger than 2048 bytes/);
  });

  it("serves GraphiQL's page to a browser: this server's own, under a strict policy (test/e2e/graphiql.test.ts drives it)", async () => {
    const page = await fetch(`${server.url}/graphql`, { headers: { accept: 'text/html' } });
    const html = await page.text();
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(html).toContain('<title>Cairn GraphiQL</title>');
    expect(html).not.toMatch(/(src|href)="?https?:|unpkg\.com/);
    expect(page.headers.get('content-security-policy')).toMatch(/^default-src 'self';.*frame-ancestors 'none'/);
    expect((await fetch(`${server.url}/graphiql/../../package.json`)).status).toBe(404);
    expect((await fetch(`${server.url}/graphiql/assets/..%2F..%2F..%2Fpackage.json`)).status).toBe(404);
  });
});

describe('unexpected failures', () => {
  it('reach the client masked: no message, SQL, stack or path of ours', async () => {
    // Every statement fails once `fail` is set, with a message full of what must not leak.
    let fail = false;
    const flaky: KyselyPlugin = {
      transformQuery(args) {
        if (fail) throw new Error('relation "secret" does not exist: select * from secret at /work/main/src/store/x.ts:1');
        return args.node;
      },
      async transformResult(args) {
        return args.result;
      },
    };
    const masked = await openTestApi({ store: (t) => ({ ...t.store, db: t.db.withPlugin(flaky) }) });
    try {
      fail = true;
      const { body } = await rawQuery(masked.app, '{ models { totalCount } }');
      const text = JSON.stringify(body);
      expect(body.errors[0].message).toBe('Unexpected error.');
      expect(text).not.toMatch(/secret|select|\/work\/|\.ts|stack/i);
    } finally {
      fail = false;
      await masked.close();
    }
  });
});
