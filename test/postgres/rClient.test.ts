import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Served, serveTestApi } from '../helpers/fixtures.ts';
import { checkRPackage, testthatCounts } from '../helpers/r.ts';

// The R client's check and tests against a server on PostgreSQL.
let server: Served;
beforeAll(async () => {
  server = await serveTestApi();
});
afterAll(() => server?.close());

it('passes R CMD check with its tests against a server on PostgreSQL', async () => {
  expect(server.api.t.kind).toBe('postgres');
  const result = await checkRPackage(server.url);
  expect(result.log, result.output).toMatch(/^Status: OK$/m);
  expect(testthatCounts(result.tests), result.tests).toMatchObject({ fail: 0, warn: 0, skip: 0 });
  expect(testthatCounts(result.tests)!.pass).toBeGreaterThanOrEqual(300);
}, 300_000);
