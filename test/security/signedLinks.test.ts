import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { print } from 'graphql';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';
import { SignedUrls } from '../api/operations.ts';
import { ADMIN_TOKEN } from '../helpers/api.ts';
import { givenFormat, givenModel, givenPrincipal, type Served, serveTestApi } from '../helpers/fixtures.ts';

// Hostile values in each parameter of a signed download link (Format.signedUrl): NUL, lone surrogates,
// 10 KB, empty, missing, repeated, one character changed, another link's value. Each is one and the same
// 403 FORBIDDEN in JSON, serves no byte of the file, changes nothing and says nothing of the server's
// insides; the link's signature and the key it is made with never reach the log.
const logged: string[] = [];
const logStream = new Writable({
  write(chunk, _encoding, done) {
    logged.push(String(chunk));
    done();
  },
});

let s: Served;
let model: { id: string; name: string };
let data: Uint8Array<ArrayBuffer>;
let link: URL;
let other: URL;
/** A live viewer's token id, in the base64url form a link carries it in. */
let liveToken: string;

const at = (url: URL) => `${s.url}${url.pathname}${url.search}`;
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

async function signed(number: number): Promise<URL> {
  const { body } = await s.gql(ADMIN_TOKEN, print(SignedUrls), { id: model.id, number });
  return new URL(body.data.model.version.formats[0].signedUrl, 'http://cairn.test');
}

beforeAll(async () => {
  s = await serveTestApi({ logger: createLogger('debug', logStream) });
  model = await givenModel(s, { versions: 2 });
  data = new Uint8Array(randomBytes(5000)) as Uint8Array<ArrayBuffer>;
  await givenFormat(s, model, 1, data);
  await givenFormat(s, model, 2, new Uint8Array(randomBytes(5000)) as Uint8Array<ArrayBuffer>);
  link = await signed(1);
  other = await signed(2);
  const viewer = await givenPrincipal(s, 'viewer');
  liveToken = Buffer.from(viewer.tokenId.replace(/-/g, ''), 'hex').toString('base64url');
});
afterAll(() => s?.close());

/** Rows in every table: a refused download leaves them as they were. */
async function rowCounts(): Promise<Record<string, number>> {
  const db = s.api.t.db;
  const tables = await sql<{ name: string }>`select table_name as name from information_schema.tables where table_schema = current_schema() and table_type = 'BASE TABLE' order by 1`.execute(db);
  const counts: Record<string, number> = {};
  for (const { name } of tables.rows) counts[name] = Number((await sql<{ n: string }>`select count(*)::text as n from ${sql.table(name)}`.execute(db)).rows[0]!.n);
  return counts;
}

/** No stack trace, SQL, file path or masked bug in an answer. */
function expectNothingInside(text: string, context: string) {
  expect(text, context).not.toMatch(/Unexpected error/);
  expect(text, context).not.toMatch(/\bat .*\((?:file:|\/)|\.ts:\d+|node_modules|\/work\/|\/tmp\/|"stack"/);
  expect(text, context).not.toMatch(/\b(select|insert into|update \w+ set|delete from)\b.*\b(from|values|where)\b/i);
  expect(text, context).not.toMatch(/\b(syntax error|violates|relation "|column "|invalid byte sequence|invalid input syntax)/i);
}

/** A raw query string (already percent-encoded as the test means it) on the link's path, refused as FORBIDDEN. */
async function refused(search: string, context: string, path = link.pathname) {
  for (const method of ['GET', 'HEAD']) {
    const response = await fetch(`${s.url}${path}?${search}`, { method });
    const text = await response.text();
    const where = `${method} ${context}: ${text.slice(0, 200)}`;
    expect(response.status, where).toBe(403);
    expect(response.headers.get('content-disposition'), where).toBeNull();
    expect(response.headers.get('etag'), where).toBeNull();
    if (method === 'GET') {
      expect(response.headers.get('content-type'), where).toBe('application/json; charset=utf-8');
      expect(JSON.parse(text), where).toEqual({ error: expect.any(String), code: 'FORBIDDEN' });
      expectNothingInside(text, where);
    }
  }
}

/** The link's query with `name` set to the raw (encoded) `value`, or removed (null), or given twice ('twice'). */
function withParameter(base: URL, name: string, value: string | null | 'twice'): string {
  const parts = base.search
    .slice(1)
    .split('&')
    .flatMap((part) => {
      if (!part.startsWith(`${name}=`)) return [part];
      if (value === null) return [];
      if (value === 'twice') return [part, part];
      return [`${name}=${value}`];
    });
  return parts.join('&');
}

const PARAMETERS = ['ctx', 'tok', 'exp', 'sig'] as const;

/** One character of a base64url or decimal value changed into another of the same alphabet. */
function flipped(value: string, index: number): string {
  const c = value[index]!;
  const alphabet = /\d/.test(c) && /^\d+$/.test(value) ? '0123456789' : 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  const next = alphabet[(alphabet.indexOf(c) + 1) % alphabet.length]!;
  return value.slice(0, index) + next + value.slice(index + 1);
}

const HOSTILE: [what: string, value: (original: string) => string][] = [
  ['empty', () => ''],
  ['a NUL', () => '%00'],
  ['a NUL after the value', (v) => `${v}%00`],
  ['a NUL inside the value', (v) => `${v.slice(0, 4)}%00${v.slice(5)}`],
  ['a lone high surrogate (CESU-8 bytes)', (v) => `${v}%ED%A0%80`],
  ['a lone low surrogate (CESU-8 bytes)', (v) => `%ED%B0%80${v.slice(1)}`],
  ['an overlong UTF-8 NUL', () => '%C0%80'],
  ['10 KB', () => 'A'.repeat(10 * 1024)],
  ['10 KB of escapes', () => '%41'.repeat(10 * 1024 / 3)],
  ['the value and more', (v) => `${v}A`],
  ['the value cut short', (v) => v.slice(0, -1)],
  ['the value padded as base64', (v) => `${v}%3D`],
  ['the value with a plus', (v) => `${v.slice(0, -1)}+`],
  ['a negative number', () => '-1'],
  ['zero', () => '0'],
  ['an exponent', () => '1e12'],
  ['a huge number', () => '9'.repeat(40)],
];

describe('hostile values in each parameter', () => {
  it('the genuine link works (so that each refusal below is the value, not the link)', async () => {
    const response = await fetch(at(link));
    expect(response.status).toBe(200);
    expect(sha256(new Uint8Array(await response.arrayBuffer()))).toBe(sha256(data));
  });

  for (const name of PARAMETERS) {
    it(`refuses ${name} missing, repeated, or holding a hostile value; nothing changes`, async () => {
      const before = await rowCounts();
      await refused(withParameter(link, name, null), `${name} missing`);
      await refused(withParameter(link, name, 'twice'), `${name} twice`);
      const original = link.searchParams.get(name)!;
      for (const [what, hostile] of HOSTILE) await refused(withParameter(link, name, hostile(original)), `${name}: ${what}`);
      expect(await rowCounts()).toEqual(before);
    });

    it(`refuses ${name} with any one character changed, and with another link's or a made-up value`, async () => {
      const original = link.searchParams.get(name)!;
      for (let i = 0; i < original.length; i++) await refused(withParameter(link, name, flipped(original, i)), `${name} flipped at ${i}`);
      if (other.searchParams.get(name) !== original) await refused(withParameter(link, name, other.searchParams.get(name)!), `${name} of another link`);
      const madeUp = name === 'exp' ? String(Number(original) + 1) : name === 'sig' ? randomBytes(32).toString('base64url') : Buffer.from(randomUUID().replace(/-/g, ''), 'hex').toString('base64url');
      await refused(withParameter(link, name, madeUp), `${name} made up`);
    });
  }

  it("refuses the administrator's link rebound to another live token that may download the file", async () => {
    await refused(withParameter(link, 'tok', liveToken), 'tok of a live viewer');
  });

  it('refuses a link with no parameter but one, or with all four empty', async () => {
    for (const name of PARAMETERS) await refused(`${name}=${link.searchParams.get(name)}`, `only ${name}`);
    await refused('ctx=&tok=&exp=&sig=', 'all empty');
  });

  it("refuses the link's parameters on a path by name, by alias, or with an upper-case or padded number", async () => {
    await refused(link.search.slice(1), 'by name', `/files/${encodeURIComponent(model.name)}/1/pkl`);
    // A genuine signature on a path that names the same file another way is still not the link that was signed.
    const query = link.search.slice(1);
    await refused(query, 'format in capitals', `/files/${model.id}/1/PKL`);
    const byAlias = await fetch(`${s.url}/files/${model.id}/production/pkl?${query}`);
    // No alias `production`: a path that names nothing is 404 before any link is looked at, with nothing inside.
    expect([403, 404]).toContain(byAlias.status);
    expectNothingInside(await byAlias.text(), 'by alias');
  });

  it('answers a NUL or a malformed escape in the path with 400, whatever the link', async () => {
    for (const path of [`/files/${model.id}%00/1/pkl`, `/files/${model.id}/1/pkl%00`, `/files/${model.id}/1/%ff`]) {
      const response = await fetch(`${s.url}${path}${link.search}`);
      const text = await response.text();
      expect(response.status, path).toBe(400);
      expect(JSON.parse(text)).toMatchObject({ code: 'VALIDATION' });
      expectNothingInside(text, path);
    }
  });

  it('never logs a signature, a whole link, or the key links are signed with', async () => {
    const { secret } = await s.api.t.db.selectFrom('server_secrets').select('secret').where('name', '=', 'signed-links').executeTakeFirstOrThrow();
    expect(Buffer.from(secret, 'base64url')).toHaveLength(32);
    const everything = logged.join('');
    // The log did record these downloads: the check below is not on an empty log.
    expect(everything).toMatch(/"route":"files"/);
    for (const value of [secret, link.searchParams.get('sig')!, other.searchParams.get('sig')!, link.search]) expect(everything).not.toContain(value);
  });
});

describe('CAIRN_SIGNED_URL_TTL_SECONDS', () => {
  it('refuses hostile values with a message naming the variable; defaults to 10 minutes, at most a day', () => {
    for (const value of ['0', '-1', '1e3', '10m', 'abc', '', ' ', '5\u0000', '0x10', '1.5', '86401', '99999999999999999999']) {
      expect(() => loadConfig({ CAIRN_SIGNED_URL_TTL_SECONDS: value }), JSON.stringify(value)).toThrow(ConfigError);
      expect(() => loadConfig({ CAIRN_SIGNED_URL_TTL_SECONDS: value }), JSON.stringify(value)).toThrow('CAIRN_SIGNED_URL_TTL_SECONDS');
    }
    expect(loadConfig({}).signedUrlTtlSeconds).toBe(600);
    expect(loadConfig({ CAIRN_SIGNED_URL_TTL_SECONDS: '1' }).signedUrlTtlSeconds).toBe(1);
    expect(loadConfig({ CAIRN_SIGNED_URL_TTL_SECONDS: '86400' }).signedUrlTtlSeconds).toBe(86_400);
  });
});
