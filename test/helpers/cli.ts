import { PassThrough } from 'node:stream';
import type { Io } from '../../src/cli/actions.ts';
import { run } from '../../src/cli/program.js';

export interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

/** A stdin for the command line: not a terminal, or a terminal that has `typed` (and then, with `end`, nothing more). */
export function stdin(options: { tty: boolean; typed?: string; end?: boolean }): Io['stdin'] {
  const input = Object.assign(new PassThrough(), { isTTY: options.tty });
  if (options.typed !== undefined) input.write(options.typed);
  if (options.end) input.end();
  return input;
}

/**
 * Runs the command line in this process (as the `cairn` binary would) with these environment variables set for
 * the run, capturing what it prints; stdin is not a terminal unless one is given.
 */
export async function runCairn(args: string[], env: Record<string, string>, input: Io['stdin'] = stdin({ tty: false })): Promise<Ran> {
  const out: string[] = [];
  const err: string[] = [];
  const stdout = process.stdout.write.bind(process.stdout);
  const stderr = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((chunk: string) => (out.push(String(chunk)), true)) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string) => (err.push(String(chunk)), true)) as typeof process.stderr.write;
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, env);
  try {
    const code = await run(args, { stdin: input });
    return { code, stdout: out.join(''), stderr: err.join('') };
  } finally {
    process.stdout.write = stdout;
    process.stderr.write = stderr;
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}
