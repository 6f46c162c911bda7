import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ADMIN_TOKEN, listen, openTestApi, type TestApi } from '../helpers/api.ts';
import { ROOT } from '../helpers/processes.ts';

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

it('passes the Python client tests (python3 -m unittest) against a real server', async () => {
  const result = await new Promise<{ code: number | null; output: string }>((resolve) => {
    const child = spawn('python3', ['-m', 'unittest', 'discover', '-v', '-s', path.join(ROOT, 'clients/python'), '-p', 'test_*.py'], {
      env: { ...process.env, CAIRN_URL: server.url, CAIRN_TOKEN: ADMIN_TOKEN, PYTHONDONTWRITEBYTECODE: '1' },
    });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('exit', (code) => resolve({ code, output }));
  });
  expect(result.output).toMatch(/Ran 3 tests/);
  expect(result.code, result.output).toBe(0);
}, 60_000);
