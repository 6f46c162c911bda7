// npm run bench:cli: how long the `cairn` command takes to start and finish, beside a bare `node -e ''`
// started in the same rounds (the least any Node.js command can take on this machine, at this moment).
// Rounds alternate between the commands so that all see the same load. Prints a table and writes it to
// bench/RESULTS.md, in a section for this Node.js major version. A benchmark, not a test: it asserts nothing, and its figures depend on the machine.
//
// Environment: BENCH_ROUNDS (20); BENCH_CLI_BEFORE=<path to another checkout's src/cli/cairn.js> adds
// rows for that binary, to compare with it in the same run. The server commands go to a Cairn process
// on an embedded database in a temporary directory.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { start } from './files.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const TOKEN = 'cairn_bench_admin_token_0123456789';
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 20);
const TARGET_MS = 400;
const BIN = path.join(ROOT, 'src/cli/cairn.js');
const BEFORE = process.env.BENCH_CLI_BEFORE;
const NODE_MAJOR = process.versions.node.split('.')[0];

const log = (message: string) => console.error(`[bench:cli ${new Date().toISOString().slice(11, 19)}] ${message}`);

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-bench-cli-'));
const server = await start(['--import', 'tsx', path.join(ROOT, 'src/main.ts')], {
  DATABASE_URL: '',
  CAIRN_DATA_DIR: path.join(dir, 'data'),
  PORT: '0',
  HOST: '127.0.0.1',
  CAIRN_BOOTSTRAP_TOKEN: TOKEN,
  LOG_LEVEL: 'info',
});
const url = `http://127.0.0.1:${server.port}`;

interface Measured {
  label: string;
  args: string[];
  env?: Record<string, string>;
  target?: boolean;
  ms: number[];
}

try {
  // A model with 10 versions, for `versions list`.
  const gql = async (query: string, variables: Record<string, unknown> = {}) => {
    const res = await fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` }, body: JSON.stringify({ query, variables }) });
    const body = (await res.json()) as { data?: any; errors?: unknown };
    if (body.errors) throw new Error(JSON.stringify(body.errors));
    return body.data;
  };
  const model = (await gql('mutation { createModel(input: { name: "bench" }) { ... on CreateModelSuccess { model { id } } } }')).createModel.model.id as string;
  for (let i = 0; i < 10; i++) await gql('mutation ($id: ID!) { createVersion(input: { modelId: $id, description: "bench" }) { __typename } }', { id: model });

  const serverEnv = { CAIRN_URL: url, CAIRN_TOKEN: TOKEN, CAIRN_CONFIG: path.join(dir, 'config.json') };
  // The compile cache (of bytecode and of stripped TypeScript) in a directory of this run's own: warmed by
  // the first round, which is not counted; the rows without it show a first start after an install or edit.
  const cache = { NODE_COMPILE_CACHE: path.join(dir, 'compile-cache') };
  const noCache = { NODE_DISABLE_COMPILE_CACHE: '1' };
  const floor: Measured = { label: "node -e ''", args: ['-e', ''], ms: [] };
  const rows: Measured[] = [
    { label: 'cairn --help', args: [BIN, '--help'], env: cache, target: true, ms: [] },
    { label: 'cairn --version', args: [BIN, '--version'], env: cache, target: true, ms: [] },
    { label: 'cairn versions list --help', args: [BIN, 'versions', 'list', '--help'], env: cache, target: true, ms: [] },
    { label: 'cairn versions delete, refused (stdin not a terminal)', args: [BIN, 'versions', 'delete', '--model', 'bench', '--version', '1'], env: cache, ms: [] },
    { label: 'cairn versions list --model bench --json (10 versions)', args: [BIN, 'versions', 'list', '--model', 'bench', '--json'], env: { ...cache, ...serverEnv }, ms: [] },
    { label: 'the same, no compile cache', args: [BIN, 'versions', 'list', '--model', 'bench', '--json'], env: { ...noCache, ...serverEnv }, ms: [] },
    { label: 'cairn --help, no compile cache', args: [BIN, '--help'], env: noCache, target: true, ms: [] },
    ...(BEFORE
      ? [
          { label: 'before: cairn --help', args: [BEFORE, '--help'], env: cache, ms: [] },
          { label: 'before: cairn versions show --model bench --version 1 --json', args: [BEFORE, 'versions', 'show', '--model', 'bench', '--version', '1', '--json'], env: { ...cache, ...serverEnv }, ms: [] },
        ]
      : []),
  ];
  const once = (m: Measured) => {
    const t0 = performance.now();
    const r = spawnSync(process.execPath, m.args, { cwd: ROOT, env: { ...process.env, ...m.env }, stdio: ['pipe', 'pipe', 'pipe'], input: '' });
    const ms = performance.now() - t0;
    // The refusal exits 2; everything else 0.
    if (r.status !== (m.label.includes('refused') ? 2 : 0)) throw new Error(`${m.label} exited ${r.status}: ${r.stderr}`);
    return ms;
  };
  log(`${ROUNDS} rounds of ${rows.length + 1} commands`);
  for (const m of [floor, ...rows]) once(m); // warm-up: the file cache, the compile cache
  const load = os.loadavg()[0]!;
  for (let round = 0; round < ROUNDS; round++) {
    for (const m of [floor, ...rows]) {
      m.ms.push(once(m));
    }
  }
  const loadAfter = os.loadavg()[0]!;

  const median = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
  };
  const base = median(floor.ms);
  const ms = (x: number) => `${x.toFixed(0)} ms`;
  const table = [
    `### cairn start-up, Node.js ${NODE_MAJOR}`,
    '',
    `\`npm run bench:cli\` on ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC. Machine: ${os.cpus().length} × ${os.cpus()[0]?.model.trim() ?? 'cpu'}, ${(os.totalmem() / 1024 ** 3).toFixed(0)} GiB, Node ${process.version}, ${os.type()} ${os.release()}; load average ${load.toFixed(1)} before the rounds, ${loadAfter.toFixed(1)} after.`,
    `Wall time from spawn to exit, median of ${ROUNDS} alternating rounds after one warm-up; server commands against a Cairn process on PGlite on the same machine.${BEFORE ? ' Rows "before": the binary given in BENCH_CLI_BEFORE.' : ''}`,
    '',
    '| measure | cairn | ceiling, same run | ratio | target |',
    '| --- | --- | --- | --- | --- |',
    ...rows.map((m) => {
      const t = median(m.ms);
      return `| ${m.label} | ${ms(t)} (+${ms(t - base)}) | \`node -e ''\` ${ms(base)} | ${((base / t) * 100).toFixed(0)}% | ${m.target ? `< ${TARGET_MS} ms: ${t < TARGET_MS ? 'met' : 'missed'}` : ''} |`;
    }),
  ].join('\n');
  console.log(`\n${table}\n`);

  const resultsFile = path.join(ROOT, 'bench/RESULTS.md');
  // A section per Node.js major version: they start differently (Node 22 does not cache stripped TypeScript).
  const startMark = `<!-- bench:cli-node${NODE_MAJOR} -->`;
  const endMark = `<!-- /bench:cli-node${NODE_MAJOR} -->`;
  let text = fs.readFileSync(resultsFile, 'utf8');
  const block = `${startMark}\n${table}\n${endMark}`;
  text = text.includes(startMark) ? text.replace(new RegExp(`${startMark}[\\s\\S]*?${endMark}`), () => block) : `${text.trimEnd()}\n\n${block}\n`;
  fs.writeFileSync(resultsFile, text);
  log(`written to ${path.relative(ROOT, resultsFile)}`);
} finally {
  const exited = new Promise((resolve) => server.child.once('exit', resolve));
  server.child.kill('SIGTERM');
  await exited;
  fs.rmSync(dir, { recursive: true, force: true });
}
