import { afterAll, beforeAll, expect, it } from 'vitest';
import { listen, openTestApi, type TestApi } from '../helpers/api.ts';
import { runPythonTests } from '../helpers/python.ts';

// The Python client against a server on PostgreSQL, whose connection pool lets the concurrent
// create_model(exist_ok=True) calls of test_cairn_client.py overlap in the database (PGlite serialises them).
let api: TestApi;
let server: Awaited<ReturnType<typeof listen>>;
beforeAll(async () => {
  api = await openTestApi();
  server = await listen(api.app);
});
afterAll(async () => {
  await server?.close();
  await api?.close();
});

it('passes the Python client tests against a server on PostgreSQL', async () => {
  expect(api.t.kind).toBe('postgres');
  const result = await runPythonTests(server.url, 'test_cairn_client.py');
  expect(result.output).toMatch(/\bRan 11 tests in /);
  expect(result.code, result.output).toBe(0);
}, 180_000);
