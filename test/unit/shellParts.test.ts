import { Client, fetchExchange, gql } from 'urql';
import { describe, expect, it } from 'vitest';
import { isUuid, parseNumbers, paths } from '../../web/src/paths.ts';
import { pageWindow } from '../../web/src/routes/pages.ts';
import { safeHref } from '../../web/src/ui/links.ts';
import { idempotencyExchange, newIdempotencyKey, outcomeUnknown } from '../../web/src/ui/mutate.ts';
import { formatRelative } from '../../web/src/ui/time.ts';

describe("the dashboard's URLs", () => {
  it('encodes context and model names as single path segments, whatever they hold', () => {
    expect(paths.model('default', 'a/b?c#d%e')).toBe('/default/models/a%2Fb%3Fc%23d%25e');
    expect(paths.version('ctx', 'ünï cödé', 3)).toBe('/ctx/models/%C3%BCn%C3%AF%20c%C3%B6d%C3%A9/versions/3');
    expect(paths.compare('c', 'm', [1, 3])).toBe('/c/models/m/compare?versions=1,3');
    expect(paths.models('c', { search: 'a&b=c', tags: ['x', 'y z'], sort: '-name', page: 2 })).toBe('/c/models?search=a%26b%3Dc&tag=x&tag=y+z&sort=-name&page=2');
    expect(paths.models('c', { page: 1 })).toBe('/c/models');
    const name = 'nul\u0000 and \ud800 lone';
    expect(decodeURIComponent(paths.model('c', name.replace('\ud800', '\ufffd')).split('/')[3]!)).toBe(name.replace('\ud800', '\ufffd'));
    // A lone surrogate cannot be a URL: encodeURIComponent refuses it rather than making a wrong link.
    expect(() => paths.model('c', name)).toThrow(URIError);
  });

  it('reads ?versions= as 1-10 distinct positive numbers and drops the rest', () => {
    expect(parseNumbers('1,3')).toEqual([1, 3]);
    expect(parseNumbers('3, 1,3,0,-2,x,<script>,1e3,2.5,')).toEqual([3, 1]);
    expect(parseNumbers(Array.from({ length: 30 }, (_, i) => i + 1).join(','))).toHaveLength(10);
    expect(parseNumbers('9999999999')).toEqual([]);
    expect(parseNumbers(null)).toEqual([]);
    expect(parseNumbers('1,'.repeat(100_000))).toEqual([1]);
  });

  it('tells ids from names', () => {
    expect(isUuid('3f2b8c1e-9d4a-4b6e-8f0a-1c2d3e4f5a6b')).toBe(true);
    expect(isUuid('churn')).toBe(false);
    expect(isUuid('3f2b8c1e-9d4a-4b6e-8f0a-1c2d3e4f5a6b/x')).toBe(false);
  });
});

describe('markdown links', () => {
  it('keeps http(s) and relative links and drops every other scheme', () => {
    for (const ok of ['https://example.com/a?b#c', 'HTTP://example.com', '/a/b', 'docs/x.md', '?q=1', '#section']) expect(safeHref(ok)).toBe(ok);
    for (const bad of ['javascript:alert(1)', ' JavaScript:alert(1)', 'java\tscript:alert(1)', 'data:text/html,<script>', 'vbscript:x', 'mailto:a@b.c', '//evil.example/x', 'file:///etc/passwd', '', undefined])
      expect(safeHref(bad)).toBeNull();
  });
});

describe('the pager', () => {
  it('shows the first, the last and two either side of the current page, with gaps', () => {
    expect(pageWindow(1, 1)).toEqual([1]);
    expect(pageWindow(1, 3)).toEqual([1, 2, 3]);
    expect(pageWindow(6, 50)).toEqual([1, 'gap', 4, 5, 6, 7, 8, 'gap', 50]);
    expect(pageWindow(50, 50)).toEqual([1, 'gap', 48, 49, 50]);
    expect(pageWindow(4, 7)).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });
});

describe('relative times', () => {
  it('says "just now", minutes, hours, days and more, both ways', () => {
    const now = Date.parse('2026-12-03T12:00:00Z');
    expect(formatRelative(new Date(now - 10_000), now)).toBe('just now');
    expect(formatRelative(new Date(now - 5 * 60_000), now)).toBe('5 minutes ago');
    expect(formatRelative(new Date(now - 3 * 3600_000), now)).toBe('3 hours ago');
    expect(formatRelative(new Date(now - 24 * 3600_000), now)).toBe('yesterday');
    expect(formatRelative(new Date(now - 400 * 24 * 3600_000), now)).toBe('last year');
    expect(formatRelative(new Date(now + 2 * 3600_000), now)).toBe('in 2 hours');
  });
});

describe('idempotency keys', () => {
  it('sends a mutation with its key beside the authorization header, and queries without one', async () => {
    const seen: Headers[] = [];
    const client = new Client({
      url: 'http://cairn.test/graphql',
      exchanges: [idempotencyExchange, fetchExchange],
      preferGetMethod: false,
      fetchOptions: () => ({ headers: { authorization: 'Bearer t' } }),
      fetch: async (_url, init) => {
        seen.push(new Headers(init?.headers));
        return new Response(JSON.stringify({ data: { ok: true } }), { headers: { 'content-type': 'application/json' } });
      },
    });
    const key = newIdempotencyKey();
    expect(key).toMatch(/^[0-9a-f-]{32,36}$/);
    expect(newIdempotencyKey()).not.toBe(key);
    await client.mutation(gql('mutation { ok }'), {}, { idempotencyKey: key }).toPromise();
    await client.query(gql('{ ok }'), {}).toPromise();
    expect(seen.map((h) => [h.get('authorization'), h.get('idempotency-key')])).toEqual([
      ['Bearer t', key],
      ['Bearer t', null],
    ]);
  });

  it('takes a lost connection or an unknown outcome as a reason to repeat with the same key, a refusal not', () => {
    expect(outcomeUnknown(undefined)).toBe(false);
    expect(outcomeUnknown({ networkError: new Error('offline'), graphQLErrors: [] } as never)).toBe(true);
    expect(outcomeUnknown({ graphQLErrors: [{ extensions: { code: 'OUTCOME_UNKNOWN' } }] } as never)).toBe(true);
    expect(outcomeUnknown({ graphQLErrors: [{ extensions: { code: 'VALIDATION' } }] } as never)).toBe(false);
  });
});
