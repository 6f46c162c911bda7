import { describe, expect, it } from 'vitest';
import { needsCsrfHeader, wasPreflighted } from '../../src/http/csrf.ts';

const request = (method: string, headers: Record<string, string> = {}) => ({ method, headers });

describe('CSRF: only where ambient credentials exist', () => {
  it('tells what a browser sends cross-site without asking first from what it must preflight', () => {
    const simple = [
      request('GET'),
      request('HEAD'),
      request('POST', { 'content-type': 'text/plain;charset=UTF-8' }),
      request('POST', { 'content-type': 'application/x-www-form-urlencoded' }),
      request('POST', { 'content-type': 'Multipart/Form-Data; boundary=x' }),
      request('GET', { cookie: 'session=1', accept: 'application/json' }),
    ];
    const preflighted = [
      request('GET', { authorization: 'Bearer x' }),
      request('POST', { 'content-type': 'multipart/form-data; boundary=x', authorization: 'Bearer x' }),
      request('POST', { 'content-type': 'application/json' }),
      request('POST', { 'content-type': 'text/plain', 'x-cairn-csrf': '1' }),
      request('GET', { 'apollo-require-preflight': 'true' }),
      request('PUT'),
      request('DELETE'),
    ];
    expect(simple.map(wasPreflighted)).toEqual(simple.map(() => false));
    expect(preflighted.map(wasPreflighted)).toEqual(preflighted.map(() => true));
  });

  it('asks for the header of no request today: Cairn accepts no credential a browser sends by itself, cookies included', () => {
    for (const r of [request('GET'), request('POST', { 'content-type': 'text/plain', cookie: 'cairn=1' }), request('GET', { cookie: 'session=abc' })]) {
      expect(needsCsrfHeader(r)).toBe(false);
    }
  });
});
