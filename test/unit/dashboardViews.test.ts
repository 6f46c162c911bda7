import { describe, expect, it } from 'vitest';
import { isDashboardView, negotiateEncoding } from '../../src/http/dashboard.ts';

describe("the dashboard's views", () => {
  it('are the list, a record, a version, history, comparison and a new version, with names URL-encoded', () => {
    const name = encodeURIComponent('team/churn été');
    expect(name).toContain('%2F');
    for (const path of [
      '/default/models',
      '/default/models/churn',
      `/default/models/${name}`,
      `/ml.team@eu+1/models/${name}/versions/3`,
      '/default/models/churn/versions/123456789',
      '/default/models/churn/history',
      '/default/models/churn/compare',
      '/default/models/churn/new-version',
      '/7f0c3a5e-0d7b-4b1a-9a55-3c1d2e4f5a6b/models/7f0c3a5e-0d7b-4b1a-9a55-3c1d2e4f5a6b',
      // A name may look like one of the views' words.
      '/default/models/history',
      '/default/models/versions',
    ]) expect(isDashboardView(path), path).toBe(true);
  });

  it('are nothing else: other shapes, server routes, bad segments, a blank or overlong name', () => {
    for (const path of [
      '/',
      '/default',
      '/default/',
      '/default/models/',
      '/default/model',
      '/default/MODELS',
      '/default/models/churn/',
      '/default/models/churn/versions',
      '/default/models/churn/versions/',
      '/default/models/churn/versions/abc',
      '/default/models/churn/versions/-1',
      '/default/models/churn/versions/1234567890',
      '/default/models/churn/versions/1/history',
      '/default/models/churn/settings',
      '/default/models/churn/history/1',
      '/default/models//history',
      '/default/models/%20%20',
      `/default/models/${'n'.repeat(201)}`,
      `/default/models/${'%C3%A9'.repeat(201)}`,
      `/${'c'.repeat(101)}/models`,
      '/de fault/models',
      '/de%2Ffault/models',
      '/%00/models',
      '/default/models/%00',
      '/default/models/churn%00',
      '/default/models/%ff',
      '/default/models/%',
      '/default/models/churn/versions/1%00',
      '/..%2F../models',
      '/..%2F..',
      '/assets/models',
      '/ASSETS/models',
      '/files/models',
      '/graphql/models',
      '/graphiql/models',
      '/health/models',
      '/ready/models',
      '/metrics/models',
      'default/models',
      `/default/models/${'a/'.repeat(5000)}`,
    ]) expect(isDashboardView(path), path.slice(0, 80)).toBe(false);
  });

  it('take any name that decodes, even one that spells a way out: the answer is index.html all the same', () => {
    expect(isDashboardView('/default/models/..%2F..%2F..%2Fpackage.json')).toBe(true);
    expect(isDashboardView('/default/models/..')).toBe(true);
  });
});

describe('Accept-Encoding', () => {
  it('picks brotli or gzip as the q-values say, brotli on a tie, identity when neither is acceptable', () => {
    const cases: [string | undefined, string][] = [
      [undefined, 'identity'],
      ['', 'identity'],
      ['identity', 'identity'],
      ['br', 'br'],
      ['gzip', 'gzip'],
      ['gzip, deflate, br, zstd', 'br'],
      ['gzip, br', 'br'],
      ['br;q=0.5, gzip', 'gzip'],
      ['br;q=1.0, gzip;q=0.9', 'br'],
      ['gzip;q=0.9, br;q=0.1', 'gzip'],
      ['br;q=0, gzip;q=0', 'identity'],
      ['br;q=0', 'identity'],
      ['*', 'br'],
      ['*;q=0.5, br;q=0', 'gzip'],
      ['deflate', 'identity'],
      ['zstd;q=1, gzip;q=0.2', 'gzip'],
      ['BR', 'br'],
      ['gzip;q=x', 'identity'],
      ['\u0000, br', 'br'],
      ['x'.repeat(10_000), 'identity'],
    ];
    for (const [header, expected] of cases) expect(negotiateEncoding(header), String(header).slice(0, 40)).toBe(expected);
  });
});
