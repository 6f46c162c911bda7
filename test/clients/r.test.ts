import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Served, serveTestApi } from '../helpers/fixtures.ts';
import { checkRPackage, testthatCounts } from '../helpers/r.ts';

let server: Served;
beforeAll(async () => {
  server = await serveTestApi();
});
afterAll(() => server?.close());

// clients/r's testthat files: test-notebook.R (the seed's five steps with a fitted lm() saved as rda and loaded back
// predicting identically, settings kept to the last bit, streamed paths, data frames, exist_ok, printing without the
// token), test-refusals.R (every refusal's class and code, NOT_FOUND's wording, another context's ids, a wrong and a
// revoked token, an unreachable server, values JSON cannot hold), test-releases.R (evaluations, comparison, aliases,
// idempotency keys), test-json.R. R CMD check runs them as part of the package's check, which must be clean.
it('passes R CMD check --no-manual, its testthat tests run against a real server', async () => {
  const result = await checkRPackage(server.url);
  expect(result.log, result.output).toMatch(/^Status: OK$/m);
  expect(testthatCounts(result.tests), result.tests).toMatchObject({ fail: 0, warn: 0, skip: 0 });
  expect(testthatCounts(result.tests)!.pass).toBeGreaterThanOrEqual(300);
  expect(result.code, result.output).toBe(0);
}, 300_000);
