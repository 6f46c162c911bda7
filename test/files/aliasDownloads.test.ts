// Downloads by name and alias, for deployment containers: `/files/<id or name>/<number or alias>/<format>`,
// with the file's sha256 as ETag so that a container polling with If-None-Match gets 304 until the alias moves.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN } from '../helpers/api.ts';
import { givenContext, givenPrincipal, serveTestApi, type Served, uniqueName } from '../helpers/fixtures.ts';
import { postMultipart } from '../helpers/multipart.ts';

let s: Served;
beforeAll(async () => {
  s = await serveTestApi();
});
afterAll(() => s?.close());

const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');
const bytes = (text: string) => new TextEncoder().encode(text) as Uint8Array<ArrayBuffer>;

const CREATE_VERSION =
  'mutation ($input: CreateVersionInput!) { createVersion(input: $input) { __typename ... on CreateVersionSuccess { version { number } } ... on Error { code message } } }';
const PUBLISH = 'mutation ($m: ID!, $n: Int!) { publishVersion(modelId: $m, number: $n) { __typename ... on Error { code } } }';
const SET_ALIAS = 'mutation ($i: SetAliasInput!) { setAlias(input: $i) { __typename ... on Error { code message } } }';
const REMOVE_ALIAS = 'mutation ($m: ID!, $a: String!) { removeAlias(modelId: $m, alias: $a) { __typename ... on Error { code } } }';

/** A model named `name` in `context` with one published version per file, each holding it as pkl. */
async function givenReleases(name: string, files: Uint8Array<ArrayBuffer>[], context?: string): Promise<string> {
  const created = await s.asAdmin('mutation ($n: String!) { createModel(input: { name: $n }) { ... on CreateModelSuccess { model { id } } } }', { n: name }, context);
  const id: string = created.createModel.model.id;
  for (const data of files) {
    const headers: Record<string, string> = { authorization: `Bearer ${ADMIN_TOKEN}`, ...(context && { 'x-cairn-context': context }) };
    const { body } = await postMultipart(`${s.url}/graphql`, CREATE_VERSION, { input: { modelId: id, formats: [{ format: 'pkl', file: null }] } }, [
      { path: 'variables.input.formats.0.file', data, name: 'model.pkl' },
    ], headers);
    expect(body.data.createVersion.__typename).toBe('CreateVersionSuccess');
    const number = body.data.createVersion.version.number;
    expect((await s.asAdmin(PUBLISH, { m: id, n: number }, context)).publishVersion.__typename).toBe('PublishVersionSuccess');
  }
  return id;
}

async function get(path: string, headers: Record<string, string> = {}, method = 'GET') {
  const response = await fetch(`${s.url}${path}`, { method, headers: { authorization: `Bearer ${ADMIN_TOKEN}`, ...headers } });
  const body = new Uint8Array(await response.arrayBuffer());
  return { status: response.status, headers: response.headers, body, text: new TextDecoder().decode(body) };
}

describe('GET /files/<model>/<alias>/<format>', () => {
  const one = bytes('version one, pickled');
  const two = bytes('version two, pickled better');

  it('serves the aliased version by name and by id, and follows the alias when it moves', async () => {
    const name = uniqueName('Churn été');
    const id = await givenReleases(name, [one, two]);
    expect((await s.asAdmin(SET_ALIAS, { i: { modelId: id, alias: 'production', number: 1 } })).setAlias.__typename).toBe('SetAliasSuccess');

    const byName = `/files/${encodeURIComponent(name)}/production/pkl`;
    const first = await get(byName);
    expect(first.status).toBe(200);
    expect(first.text).toBe('version one, pickled');
    expect(first.headers.get('etag')).toBe(`"${sha256(one)}"`);
    expect(first.headers.get('cairn-version')).toBe('1');
    // The same file by id and alias, by name (another case) and number, by id and number.
    expect((await get(`/files/${id}/production/pkl`)).text).toBe('version one, pickled');
    expect((await get(`/files/${encodeURIComponent(name.toUpperCase())}/1/pkl`)).text).toBe('version one, pickled');
    expect((await get(`/files/${id}/2/pkl`)).text).toBe('version two, pickled better');

    // Polling before the move: 304, no body, the same ETag.
    const etag = first.headers.get('etag')!;
    const unchanged = await get(byName, { 'if-none-match': etag });
    expect(unchanged.status).toBe(304);
    expect(unchanged.body.byteLength).toBe(0);
    expect(unchanged.headers.get('etag')).toBe(etag);
    // HEAD answers as GET does, without the body.
    const head = await get(byName, {}, 'HEAD');
    expect([head.status, head.headers.get('etag'), head.headers.get('content-length'), head.body.byteLength]).toEqual([200, etag, String(one.byteLength), 0]);

    expect((await s.asAdmin(SET_ALIAS, { i: { modelId: id, alias: 'production', number: 2 } })).setAlias.__typename).toBe('SetAliasSuccess');
    // After the move: the new file at the same URL, with its own ETag; polling with it is 304 again.
    const moved = await get(byName, { 'if-none-match': etag });
    expect(moved.status).toBe(200);
    expect(moved.text).toBe('version two, pickled better');
    expect(moved.headers.get('etag')).toBe(`"${sha256(two)}"`);
    expect(moved.headers.get('cairn-version')).toBe('2');
    expect((await get(byName, { 'if-none-match': moved.headers.get('etag')! })).status).toBe(304);

    // Removed: the URL is no longer there.
    expect((await s.asAdmin(REMOVE_ALIAS, { m: id, a: 'production' })).removeAlias.__typename).toBe('RemoveAliasSuccess');
    const gone = await get(byName, { 'if-none-match': moved.headers.get('etag')! });
    expect(gone.status).toBe(404);
    expect(JSON.parse(gone.text)).toMatchObject({ code: 'NOT_FOUND' });
  });

  it('prefers the model with the id when another is named like it', async () => {
    const id = await givenReleases(uniqueName('real'), [one]);
    // A model whose name is the first one's id: the id wins, the name is still reachable by its own id.
    const impostor = await givenReleases(id, [two]);
    expect((await get(`/files/${id}/1/pkl`)).text).toBe('version one, pickled');
    expect((await get(`/files/${impostor}/1/pkl`)).text).toBe('version two, pickled better');
  });

  it("does not serve another context's model by its name, its id or its alias", async () => {
    const other = await givenContext(s);
    const name = uniqueName('elsewhere');
    const id = await givenReleases(name, [one], other.name);
    expect((await s.asAdmin(SET_ALIAS, { i: { modelId: id, alias: 'production', number: 1 } }, other.name)).setAlias.__typename).toBe('SetAliasSuccess');
    // In its own context it is there...
    expect((await get(`/files/${encodeURIComponent(name)}/production/pkl`, { 'x-cairn-context': other.name })).status).toBe(200);
    // ... and from the default context it is not, whichever way it is named.
    for (const path of [`/files/${encodeURIComponent(name)}/production/pkl`, `/files/${id}/production/pkl`, `/files/${id}/1/pkl`]) {
      const answer = await get(path);
      expect(answer.status, path).toBe(404);
      expect(answer.text).not.toContain('version one');
    }
  });

  it('serves a viewer, and refuses no token and a revoked one', async () => {
    const name = uniqueName('guarded');
    const id = await givenReleases(name, [one]);
    await s.asAdmin(SET_ALIAS, { i: { modelId: id, alias: 'production', number: 1 } });
    const path = `/files/${encodeURIComponent(name)}/production/pkl`;
    const viewer = await givenPrincipal(s, 'viewer');
    expect((await get(path, { authorization: `Bearer ${viewer.secret}` })).text).toBe('version one, pickled');
    const none = await fetch(`${s.url}${path}`);
    expect(none.status).toBe(401);
    expect(await none.text()).not.toContain('version one');
    const revoked = await givenPrincipal(s, 'viewer');
    const r = await s.asAdmin('mutation ($id: ID!) { revokeToken(id: $id) { __typename } }', { id: revoked.tokenId });
    expect(r.revokeToken.__typename).toBe('RevokeTokenSuccess');
    const refused = await get(path, { authorization: `Bearer ${revoked.secret}` });
    expect(refused.status).toBe(401);
    expect(refused.text).not.toContain('version one');
  });

  it('answers 404 for hostile or malformed names and aliases, with nothing of the server in it', async () => {
    const name = uniqueName('plain');
    await givenReleases(name, [one]);
    for (const path of [
      `/files/${encodeURIComponent(name)}/Production/pkl`,
      `/files/${encodeURIComponent(name)}/nope/pkl`,
      `/files/${encodeURIComponent(name)}/1/%00`,
      '/files/a%00b/1/pkl',
      '/files/%ED%A0%80/1/pkl',
      '/files/%E0%A4%A/1/pkl',
      `/files/${'n'.repeat(5000)}/1/pkl`,
      "/files/x'%20or%201=1--/1/pkl",
      '/files/%25/production/pkl',
    ]) {
      const answer = await get(path);
      expect([400, 404], path).toContain(answer.status);
      if (answer.status === 404) expect(JSON.parse(answer.text), path).toMatchObject({ code: 'NOT_FOUND' });
      expect(answer.text).not.toMatch(/select|at .*\.ts|\/work\//i);
    }
  });
});
