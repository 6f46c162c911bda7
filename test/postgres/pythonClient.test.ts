import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Served, serveTestApi } from '../helpers/fixtures.ts';
import { runPythonTests } from '../helpers/python.ts';

// The Python client against a server on PostgreSQL, whose connection pool lets the concurrent
// create_model(exist_ok=True) calls of test_cairn_client.py overlap in the database (PGlite serialises them).
let server: Served;
beforeAll(async () => {
  server = await serveTestApi();
});
afterAll(() => server?.close());

it('passes the Python client tests against a server on PostgreSQL', async () => {
  expect(server.api.t.kind).toBe('postgres');
  const result = await runPythonTests(server.url, 'test_cairn_client.py');
  expect(result.output).toMatch(/\bRan 11 tests in /);
  expect(result.code, result.output).toBe(0);
}, 180_000);

it('passes the Python release tests (evaluations, comparison, aliases, downloads by alias) against a server on PostgreSQL', async () => {
  expect(server.api.t.kind).toBe('postgres');
  const result = await runPythonTests(server.url, 'test_releases.py');
  expect(result.output).toMatch(/\bRan 8 tests in /);
  expect(result.code, result.output).toBe(0);
}, 180_000);
