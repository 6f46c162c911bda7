import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll } from 'vitest';
import { ADMIN_TOKEN, adminHeaders } from './api.ts';

export const ROOT = path.resolve(import.meta.dirname, '../..');

export interface Started {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
  /** Resolves once the process has exited and all it printed has been read. */
  closed: Promise<void>;
}

/**
 * The processes this file started that have not exited. A test that times out never reaches its own
 * `finally`; its server would outlive the test file, keep its port and data directory, and fail the next
 * files that use them. Whatever is still running when the file ends is killed.
 */
const running = new Set<ChildProcess>();
afterAll(() => {
  for (const child of running) child.kill('SIGKILL');
});

/**
 * Runs a Cairn entry point (src/main.ts, src/ops/...) as its own process, as `npm start` would; `prefix` is
 * a command that runs it (`setpriv ...`, to take a privilege away).
 */
export function startCairn(entry: string, env: Record<string, string>, { prefix = [] as string[] } = {}): Started {
  const [command, ...args] = [...prefix, process.execPath, '--import', 'tsx', path.join(ROOT, entry)];
  const child = spawn(command!, args, {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  child.on('exit', () => running.delete(child));
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const closed = new Promise<void>((resolve) => child.on('close', () => resolve()));
  return { child, output: () => out, exited, closed };
}

/** Stops a process with SIGTERM (a server shuts down gracefully) and resolves once it has exited and all it printed is read. */
export async function stopProcess(started: Started): Promise<void> {
  if (started.child.exitCode === null && started.child.signalCode === null) started.child.kill('SIGTERM');
  await started.closed;
}

/**
 * Resolves with all the output so far once it matches `pattern`, checked as each piece arrives; rejects
 * when the process has ended without printing it. No deadline: the test's own timeout bounds the wait.
 */
export function waitForOutput(started: Started, pattern: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    const { stdout, stderr } = started.child;
    const check = () => {
      if (!pattern.test(started.output())) return;
      stop();
      resolve(started.output());
    };
    const stop = () => {
      stdout!.off('data', check);
      stderr!.off('data', check);
    };
    // Registered after startCairn's own listeners, so the output already holds the piece that just came.
    stdout!.on('data', check);
    stderr!.on('data', check);
    started.closed.then(() => {
      check();
      stop();
      reject(new Error(`process exited (${started.child.exitCode ?? started.child.signalCode}) without printing ${pattern}: ${started.output()}`));
    });
    check();
  });
}

/** How many times the process's output so far matches `pattern` (a global regex). */
export const countOutput = (started: Started, pattern: RegExp): number => started.output().match(pattern)?.length ?? 0;

/**
 * Resolves once the output matches `pattern` (a global regex) at least `count` times, checked as each piece
 * arrives; as waitForOutput, it rejects when the process has ended first, and has no deadline of its own.
 */
export function waitForOutputCount(started: Started, pattern: RegExp, count: number): Promise<void> {
  return waitForOutput(started, new RegExp(`(?:${pattern.source}[\\s\\S]*?){${count}}`)).then(() => {});
}

/**
 * Starts a Cairn server process (src/main.ts) on a free port of 127.0.0.1, with the test administrator's
 * token, and waits for its ready line (so LOG_LEVEL must be info or lower). `url` has no path.
 */
export async function startServer(env: Record<string, string>): Promise<{ server: Started; url: string }> {
  const server = startCairn('src/main.ts', { CAIRN_BOOTSTRAP_TOKEN: ADMIN_TOKEN, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env });
  const output = await waitForOutput(server, /"port":\d+/);
  return { server, url: `http://127.0.0.1:${/"port":(\d+)/.exec(output)![1]}` };
}

/** Sends a GraphQL request to a server process as the administrator; the parsed body and the status. */
export async function postGraphQL(url: string, query: string, variables: Record<string, unknown> = {}): Promise<{ status: number; body: any }> {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...adminHeaders },
    body: JSON.stringify({ query, variables }),
  });
  return { status: response.status, body: await response.json() };
}

export interface ScriptRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * `npm run -s <script> [-- <args>]` as an operator runs it, with the operator's environment (`env` over this
 * process's); resolves once the process has exited, with all it printed.
 */
export function runScript(script: 'verify' | 'gc' | 'rebuild' | 'import', env: Record<string, string>, args: string[] = []): Promise<ScriptRun> {
  const child: ChildProcess = spawn('npm', ['run', '-s', script, ...(args.length > 0 ? ['--', ...args] : [])], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}
