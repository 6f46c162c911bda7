// Format.signedUrl: a link to one file that works without an Authorization header (a browser saving it to
// disk, curl as is), for CAIRN_SIGNED_URL_TTL_SECONDS, for that file only, and only while the token that
// asked for it may still download it.
import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import { print } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SignedUrls } from '../api/operations.ts';
import { ADMIN_TOKEN } from '../helpers/api.ts';
import { clockPast } from '../helpers/clock.ts';
import { givenContext, givenFormat, givenModel, givenPrincipal, type Served, serveTestApi } from '../helpers/fixtures.ts';

let s: Served;
beforeAll(async () => {
  s = await serveTestApi();
});
afterAll(() => s?.close());

const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');
const randomFile = (n: number) => new Uint8Array(randomBytes(n)) as Uint8Array<ArrayBuffer>;

/** The signed URL of a version's format, asked for with `token` (in `context`). */
async function signedUrl(on: Served, token: string, model: { id: string }, number: number, format = 'pkl', context?: string): Promise<string> {
  const { status, body } = await on.gql(token, print(SignedUrls), { id: model.id, number }, context);
  expect(status, JSON.stringify(body)).toBe(200);
  expect(body.errors, JSON.stringify(body)).toBeUndefined();
  const file = body.data.model.version.formats.find((f: { id: string }) => f.id === format);
  expect(file, JSON.stringify(body)).toBeDefined();
  return file.signedUrl;
}

/**
 * A GET (or HEAD) as curl sends it: node:http adds nothing but Host and Connection, so no Authorization,
 * no context header. The body is hashed as it streams; its first bytes are kept to show what came.
 */
function plainRequest(url: string, { method = 'GET', headers = {} }: { method?: string; headers?: Record<string, string> } = {}) {
  return new Promise<{ status: number; headers: http.IncomingHttpHeaders; sha256: string; bytes: number; text: string }>((resolve, reject) => {
    const request = http.request(url, { method, headers }, (response) => {
      const hash = createHash('sha256');
      let bytes = 0;
      let head = '';
      response.on('data', (chunk: Buffer) => {
        hash.update(chunk);
        bytes += chunk.length;
        if (head.length < 2000) head += chunk.toString('latin1');
      });
      response.on('end', () => resolve({ status: response.statusCode!, headers: response.headers, sha256: hash.digest('hex'), bytes, text: head }));
      response.on('error', reject);
    });
    request.on('error', reject);
    request.end();
  });
}

const at = (on: Served, link: string) => `${on.url}${link}`;

/** A refusal: that status and code in JSON, and not a byte of any file. */
function expectRefused(answer: Awaited<ReturnType<typeof plainRequest>>, status: number, code: string) {
  expect([answer.status, answer.headers['content-type']], answer.text).toEqual([status, 'application/json; charset=utf-8']);
  expect(JSON.parse(answer.text)).toMatchObject({ code, error: expect.any(String) });
  expect(answer.headers['content-disposition']).toBeUndefined();
}

describe('a signed link', () => {
  it('serves the file to a request with no Authorization: the same bytes, as an attachment, with ETag, Range and HEAD', async () => {
    const model = await givenModel(s, { versions: 1 });
    const data = randomFile(3 * 1024 * 1024 + 17);
    await givenFormat(s, model, 1, data, { filename: 'churn model.pkl' });
    const before = Math.floor(Date.now() / 1000);
    const link = await signedUrl(s, ADMIN_TOKEN, model, 1);

    // The download path, with four compact, URL-safe parameters.
    const url = new URL(link, 'http://cairn.test');
    expect(url.pathname).toBe(`/files/${model.id}/1/pkl`);
    expect([...url.searchParams.keys()]).toEqual(['ctx', 'tok', 'exp', 'sig']);
    for (const [name, value] of url.searchParams) expect(value, name).toMatch(name === 'exp' ? /^\d+$/ : /^[A-Za-z0-9_-]+$/);
    expect(link.length).toBeLessThan(url.pathname.length + 130);
    const expires = Number(url.searchParams.get('exp'));
    expect(expires).toBeGreaterThanOrEqual(before + 600);
    expect(expires).toBeLessThanOrEqual(Math.floor(Date.now() / 1000) + 600);

    const whole = await plainRequest(at(s, link));
    expect(whole.status).toBe(200);
    expect([whole.sha256, whole.bytes]).toEqual([sha256(data), data.byteLength]);
    expect(whole.headers['content-disposition']).toBe(`attachment; filename="churn model.pkl"; filename*=UTF-8''churn%20model.pkl`);
    expect(whole.headers.etag).toBe(`"${sha256(data)}"`);
    expect(whole.headers['x-checksum-sha256']).toBe(sha256(data));
    expect(whole.headers['content-length']).toBe(String(data.byteLength));
    expect(whole.headers['referrer-policy']).toBe('no-referrer');

    const range = await plainRequest(at(s, link), { headers: { range: 'bytes=10-19' } });
    expect([range.status, range.headers['content-range'], range.sha256]).toEqual([206, `bytes 10-19/${data.byteLength}`, sha256(data.subarray(10, 20))]);
    const unchanged = await plainRequest(at(s, link), { headers: { 'if-none-match': `"${sha256(data)}"` } });
    expect([unchanged.status, unchanged.bytes]).toEqual([304, 0]);
    const head = await plainRequest(at(s, link), { method: 'HEAD' });
    expect([head.status, head.headers['content-length'], head.headers.etag, head.bytes]).toEqual([200, String(data.byteLength), `"${sha256(data)}"`, 0]);

    // Without its parameters the same path still wants a token.
    expectRefused(await plainRequest(at(s, url.pathname)), 401, 'UNAUTHENTICATED');
  });

  it("works for a viewer's token, and stops once that token is revoked or its role is", async () => {
    const model = await givenModel(s, { versions: 1 });
    const data = randomFile(4096);
    await givenFormat(s, model, 1, data);
    const revokedToken = await givenPrincipal(s, 'viewer');
    const lostRole = await givenPrincipal(s, 'viewer');
    const untouched = await givenPrincipal(s, 'viewer');
    const links = {
      revokedToken: await signedUrl(s, revokedToken.secret, model, 1),
      lostRole: await signedUrl(s, lostRole.secret, model, 1),
      untouched: await signedUrl(s, untouched.secret, model, 1),
    };
    for (const [who, link] of Object.entries(links)) expect((await plainRequest(at(s, link))).sha256, who).toBe(sha256(data));

    expect((await s.asAdmin('mutation ($id: ID!) { revokeToken(id: $id) { __typename } }', { id: revokedToken.tokenId })).revokeToken.__typename).toBe('RevokeTokenSuccess');
    const revoke = await s.asAdmin('mutation ($i: RoleGrantInput!) { revokeRole(input: $i) { __typename ... on Error { code message } } }', {
      i: { role: 'viewer', principalId: lostRole.id },
    });
    expect(revoke.revokeRole.__typename).toBe('RevokeRoleSuccess');

    for (const who of ['revokedToken', 'lostRole'] as const) {
      const answer = await plainRequest(at(s, links[who]));
      expectRefused(answer, 403, 'FORBIDDEN');
      expect(answer.text, who).toMatch(/revoked|no longer/);
      // HEAD is refused alike.
      expect((await plainRequest(at(s, links[who]), { method: 'HEAD' })).status, who).toBe(403);
    }
    // Another token's link is not affected.
    expect((await plainRequest(at(s, links.untouched))).sha256).toBe(sha256(data));
  });

  it('stops when the file is replaced: the new file needs a new link', async () => {
    const model = await givenModel(s, { versions: 1 });
    const first = randomFile(1000);
    const second = randomFile(1000);
    await givenFormat(s, model, 1, first);
    const old = await signedUrl(s, ADMIN_TOKEN, model, 1);
    expect((await plainRequest(at(s, old))).sha256).toBe(sha256(first));

    await givenFormat(s, model, 1, second);
    const answer = await plainRequest(at(s, old));
    expectRefused(answer, 403, 'FORBIDDEN');
    expect(answer.sha256).not.toBe(sha256(second));
    expect((await plainRequest(at(s, await signedUrl(s, ADMIN_TOKEN, model, 1)))).sha256).toBe(sha256(second));
  });

  it("does not serve another file with this file's signature, even one with the same bytes", async () => {
    const model = await givenModel(s, { versions: 2 });
    const other = await givenModel(s, { versions: 1 });
    const data = randomFile(2048);
    await givenFormat(s, model, 1, data);
    await givenFormat(s, model, 1, data, { format: 'rda' });
    await givenFormat(s, model, 2, data);
    await givenFormat(s, other, 1, data);
    const link = await signedUrl(s, ADMIN_TOKEN, model, 1);
    const query = new URL(link, 'http://cairn.test').search;
    expect((await plainRequest(at(s, link))).sha256).toBe(sha256(data));
    for (const path of [`/files/${model.id}/2/pkl`, `/files/${model.id}/1/rda`, `/files/${other.id}/1/pkl`]) {
      const answer = await plainRequest(at(s, `${path}${query}`));
      expectRefused(answer, 403, 'FORBIDDEN');
      expect(answer.bytes, path).toBeLessThan(500);
    }
    // Links name the model by id and the version by number: the same file by name or by alias is refused too.
    expectRefused(await plainRequest(at(s, `/files/${encodeURIComponent(model.name)}/1/pkl${query}`)), 403, 'FORBIDDEN');
  });

  it('is bound to the context it was made in', async () => {
    const elsewhere = await givenContext(s);
    const model = await givenModel(s, { versions: 1, context: elsewhere.name });
    const here = await givenModel(s, { versions: 1 });
    const data = randomFile(512);
    await givenFormat(s, model, 1, data, { context: elsewhere.name });
    await givenFormat(s, here, 1, data);
    const link = await signedUrl(s, ADMIN_TOKEN, model, 1, 'pkl', elsewhere.name);
    expect((await plainRequest(at(s, link))).sha256).toBe(sha256(data));

    const hereLink = new URL(await signedUrl(s, ADMIN_TOKEN, here, 1), 'http://cairn.test');
    const url = new URL(link, 'http://cairn.test');
    // The other context's id in place of this one's, in a link that is otherwise genuine.
    url.searchParams.set('ctx', hereLink.searchParams.get('ctx')!);
    expectRefused(await plainRequest(at(s, `${url.pathname}${url.search}`)), 403, 'FORBIDDEN');
    // This context's link on the other context's model, and the other way round.
    expectRefused(await plainRequest(at(s, `/files/${model.id}/1/pkl${hereLink.search}`)), 403, 'FORBIDDEN');
    expectRefused(await plainRequest(at(s, `/files/${here.id}/1/pkl${new URL(link, 'http://cairn.test').search}`)), 403, 'FORBIDDEN');
    // A context header changes nothing: the link says where it is from.
    expect((await plainRequest(at(s, link), { headers: { 'x-cairn-context': 'default' } })).sha256).toBe(sha256(data));
  });
});

describe('an expired link', () => {
  let short: Served;
  beforeAll(async () => {
    short = await serveTestApi({ env: { CAIRN_SIGNED_URL_TTL_SECONDS: '1' } });
  });
  afterAll(() => short?.close());

  it('is refused with 410 LINK_EXPIRED from its expiry on, and one with its expiry moved is refused as forged', async () => {
    const model = await givenModel(short, { versions: 1 });
    const data = randomFile(100);
    await givenFormat(short, model, 1, data);
    const link = await signedUrl(short, ADMIN_TOKEN, model, 1);
    const url = new URL(link, 'http://cairn.test');
    const expires = Number(url.searchParams.get('exp'));
    expect(expires * 1000 - Date.now()).toBeLessThanOrEqual(1000);

    await clockPast(new Date(expires * 1000));
    const answer = await plainRequest(at(short, link));
    expectRefused(answer, 410, 'LINK_EXPIRED');
    expect(answer.sha256).not.toBe(sha256(data));
    expect((await plainRequest(at(short, link), { method: 'HEAD' })).status).toBe(410);

    url.searchParams.set('exp', String(expires + 3600));
    expectRefused(await plainRequest(at(short, `${url.pathname}${url.search}`)), 403, 'FORBIDDEN');
  });
});
