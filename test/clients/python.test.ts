import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Served, serveTestApi } from '../helpers/fixtures.ts';
import { runPythonTests } from '../helpers/python.ts';

let server: Served;
beforeAll(async () => {
  server = await serveTestApi();
});
afterAll(() => server?.close());

// test_cairn_client.py: the notebook flow, create_model(exist_ok=True) (also under a race), reprs without the token,
// NotFoundError's one wording; test_packaging.py: `pip install ./clients/python` with no package index, and __version__;
// test_requests.py: the bearer token and no CSRF header on each kind of request, an idempotency key on each release
// mutation, If-None-Match and 304 for fetch_if_changed; test_releases.py: evaluations, comparison, aliases and
// downloads by alias. test/postgres/pythonClient.test.ts runs test_cairn_client.py and test_releases.py on PostgreSQL.
it('passes the Python client tests (python3 -m unittest) against a real server', async () => {
  const result = await runPythonTests(server.url, 'test_*.py');
  expect(result.output).toMatch(/\bRan 26 tests in /);
  expect(result.code, result.output).toBe(0);
}, 180_000);
