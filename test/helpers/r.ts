import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ADMIN_TOKEN } from './api.ts';
import { ROOT } from './processes.ts';

export interface RCheck {
  /** R CMD check's own log (00check.log), ending in `Status: OK` when nothing is wrong. */
  log: string;
  /** The output of the package's tests (testthat's), ending in its counts. */
  tests: string;
  output: string;
  code: number | null;
}

function run(command: string, args: string[], cwd: string, env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd, env: { ...process.env, ...env } });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('error', (error) => resolve({ code: -1, output: `${output}${error.message}` }));
    child.on('close', (code) => resolve({ code, output }));
  });
}

/**
 * Builds clients/r and runs `R CMD check --no-manual` on it, its testthat tests against the server at `url` as the
 * administrator, in a directory of its own (removed after).
 */
export async function checkRPackage(url: string): Promise<RCheck> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'cairn-r-'));
  try {
    const env = { CAIRN_URL: url, CAIRN_TOKEN: ADMIN_TOKEN, _R_CHECK_SYSTEM_CLOCK_: '0' };
    const built = await run('R', ['CMD', 'build', '--no-build-vignettes', path.join(ROOT, 'clients/r')], dir, env);
    if (built.code !== 0) return { log: '', tests: '', output: built.output, code: built.code };
    const checked = await run('R', ['CMD', 'check', '--no-manual', 'cairn_0.1.0.tar.gz'], dir, env);
    const read = (file: string) => readFile(path.join(dir, 'cairn.Rcheck', file), 'utf8').catch(() => '');
    const tests = (await read('tests/testthat.Rout')) || (await read('tests/testthat.Rout.fail'));
    return { log: await read('00check.log'), tests, output: checked.output, code: checked.code };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** testthat's counts from its last summary line, `[ FAIL 0 | WARN 0 | SKIP 0 | PASS n ]`. */
export function testthatCounts(output: string): { fail: number; warn: number; skip: number; pass: number } | undefined {
  const last = [...output.matchAll(/\[ FAIL (\d+) \| WARN (\d+) \| SKIP (\d+) \| PASS (\d+) \]/g)].at(-1);
  if (!last) return undefined;
  const [fail, warn, skip, pass] = last.slice(1, 5).map(Number) as [number, number, number, number];
  return { fail, warn, skip, pass };
}
