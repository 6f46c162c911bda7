import { spawn } from 'node:child_process';
import path from 'node:path';
import { ADMIN_TOKEN } from './api.ts';
import { ROOT } from './processes.ts';

/** Runs clients/python's unittest files matching `pattern` against the server at `url`, as the administrator. */
export function runPythonTests(url: string, pattern: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn('python3', ['-m', 'unittest', 'discover', '-v', '-s', path.join(ROOT, 'clients/python'), '-p', pattern], {
      env: { ...process.env, CAIRN_URL: url, CAIRN_TOKEN: ADMIN_TOKEN, PYTHONDONTWRITEBYTECODE: '1' },
    });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('close', (code) => resolve({ code, output }));
  });
}
