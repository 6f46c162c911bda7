import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { CSRF_HEADER } from '../../src/http/server.ts';
import { ADMIN_TOKEN, adminHeaders } from './api.ts';

export const ROOT = path.resolve(import.meta.dirname, '../..');

export interface Started {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

/** Runs a Cairn entry point (src/main.ts, src/ops/...) as its own process, as `npm start` would. */
export function startCairn(entry: string, env: Record<string, string>): Started {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, entry)], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => out, exited };
}

export async function waitForOutput(started: Started, pattern: RegExp, timeoutMs = 30_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  while (!pattern.test(started.output())) {
    if (started.child.exitCode !== null) throw new Error(`process exited (${started.child.exitCode}): ${started.output()}`);
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${pattern}: ${started.output()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return started.output();
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
    headers: { 'content-type': 'application/json', [CSRF_HEADER]: '1', ...adminHeaders },
    body: JSON.stringify({ query, variables }),
  });
  return { status: response.status, body: await response.json() };
}
