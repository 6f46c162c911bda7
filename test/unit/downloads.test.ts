import { describe, expect, it } from 'vitest';
import { contentDisposition, parseDownloadPath, parseRange } from '../../src/http/downloads.ts';

describe('parseRange', () => {
  it('reads single ranges, open-ended ranges and suffixes, clamped to the file', () => {
    expect(parseRange('bytes=0-99', 1000)).toEqual({ start: 0, end: 99 });
    expect(parseRange('bytes=900-', 1000)).toEqual({ start: 900, end: 999 });
    expect(parseRange('bytes=-100', 1000)).toEqual({ start: 900, end: 999 });
    expect(parseRange('bytes=-5000', 1000)).toEqual({ start: 0, end: 999 });
    expect(parseRange('bytes=990-5000', 1000)).toEqual({ start: 990, end: 999 });
  });

  it('calls a range outside the file, backwards or malformed unsatisfiable, and leaves several ranges to a whole response', () => {
    expect(parseRange('bytes=1000-', 1000)).toBe('unsatisfiable');
    expect(parseRange('bytes=50-10', 1000)).toBe('unsatisfiable');
    expect(parseRange('bytes=-0', 1000)).toBe('unsatisfiable');
    expect(parseRange('bytes=-', 1000)).toBe('unsatisfiable');
    expect(parseRange('items=1-2', 1000)).toBe('unsatisfiable');
    expect(parseRange('bytes=0-1,5-6', 1000)).toBeNull();
  });
});

describe('contentDisposition', () => {
  it('quotes safely and gives the exact name in UTF-8', () => {
    expect(contentDisposition('model.pkl')).toBe(`attachment; filename="model.pkl"; filename*=UTF-8''model.pkl`);
    expect(contentDisposition('a"b\\c\r\n.pkl')).toBe(`attachment; filename="a_b_c__.pkl"; filename*=UTF-8''a%22b%5Cc%0D%0A.pkl`);
    expect(contentDisposition("it's (1).pkl")).toBe(`attachment; filename="it's (1).pkl"; filename*=UTF-8''it%27s%20%281%29.pkl`);
  });
});

describe('parseDownloadPath', () => {
  const id = '0fc32fcc-3c97-4e17-81e9-975213d0e586';

  it('reads a model by id or URL-encoded name, a version by number or alias, and a format', () => {
    expect(parseDownloadPath(`/files/${id}/3/pkl`)).toEqual({ modelId: id, name: id, number: 3, format: 'pkl' });
    expect(parseDownloadPath(`/files/${id.toUpperCase()}/3/pkl`)?.modelId).toBe(id);
    expect(parseDownloadPath('/files/churn/production/pkl')).toEqual({ name: 'churn', alias: 'production', format: 'pkl' });
    expect(parseDownloadPath('/files/Churn%20%C3%A9t%C3%A9%2Fv2/7/rda')).toEqual({ name: 'Churn été/v2', number: 7, format: 'rda' });
    expect(parseDownloadPath('/files/churn/canary-eu_2/pmml')?.alias).toBe('canary-eu_2');
  });

  it('refuses what is neither a number nor an alias, malformed escapes, NUL and empty or overlong names', () => {
    for (const path of [
      `/files/${id}/Production/pkl`,
      `/files/${id}/1abc/pkl`,
      `/files/${id}/-1/pkl`,
      `/files/${id}/${'a'.repeat(33)}/pkl`,
      `/files/${id}/1234567890/pkl`,
      `/files/${id}/3/%E0%A4%A`,
      '/files/%ED%A0%80/3/pkl',
      '/files/a%00b/3/pkl',
      '/files/%20%20/3/pkl',
      `/files/${'n'.repeat(201)}/3/pkl`,
      '/files/churn/3',
      '/files/churn/3/pkl/extra',
    ]) {
      expect(parseDownloadPath(path), path).toBeNull();
    }
  });
});
