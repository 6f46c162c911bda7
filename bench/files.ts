// The files benchmark (npm run bench:upload, and the files rows of npm run bench): uploads and downloads
// a file through Cairn and through a bare Node server that only pipes bytes to and from a file, in the
// same run, and compares throughput and memory. Not a test: it asserts nothing.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const TOKEN = 'cairn_bench_admin_token_0123456789';
const ROOT = path.resolve(import.meta.dirname, '..');
const MB = 1024 * 1024;

export function start(args: string[], env: Record<string, string>): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /"port":(\d+)/.exec(out);
      if (m) resolve({ child, port: Number(m[1]) });
    });
    child.on('exit', (code) => reject(new Error(`exited ${code}: ${out}`)));
  });
}

export function rssBytes(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) * 1024;
}

/** Runs `work` while sampling the process's resident memory; returns seconds and the peak above idle. */
export async function measure(pid: number, work: () => Promise<void>): Promise<{ seconds: number; peakAboveIdle: number; idle: number }> {
  const idle = rssBytes(pid);
  let peak = idle;
  const sampler = setInterval(() => {
    peak = Math.max(peak, rssBytes(pid));
  }, 10);
  const t0 = performance.now();
  await work();
  const seconds = (performance.now() - t0) / 1000;
  clearInterval(sampler);
  peak = Math.max(peak, rssBytes(pid));
  return { seconds, peakAboveIdle: peak - idle, idle };
}

/** curl as the client for both servers: it streams files and costs little CPU, which matters on two cores. */
function curl(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('curl', ['-sS', '--fail-with-body', ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`curl exited ${code}: ${out}`))));
  });
}

async function gql(port: number, query: string) {
  const res = await fetch(`http://127.0.0.1:${port}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
    body: JSON.stringify({ query }),
  });
  return (await res.json()) as any;
}

export interface FilesSummary {
  name: string;
  uploadMBs: number;
  downloadMBs: number;
  uploadPeak: number;
  downloadPeak: number;
  idle: number;
}

/** Runs `rounds` alternating rounds of a `SIZE`-byte upload and download against both servers. */
export async function runFilesBench(SIZE: number, ROUNDS: number, databaseUrl: string | undefined) {
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-bench-'));
const source = path.join(dir, 'model.bin');
{
  // Random-looking content: 16 MiB of random bytes repeated.
  const block = randomBytes(16 * MB);
  const out = fs.createWriteStream(source);
  for (let written = 0; written < SIZE; written += block.length) {
    const chunk = block.subarray(0, Math.min(block.length, SIZE - written));
    if (!out.write(chunk)) await new Promise<void>((r) => out.once('drain', () => r()));
  }
  await new Promise<void>((r) => out.end(() => r()));
}

interface Round {
  upload: number;
  download: number;
  uploadPeak: number;
  downloadPeak: number;
  idle: number;
}

// Both servers run side by side, and the rounds alternate between them, so that both see the same
// machine: on a shared host throughput drifts by a factor of two from one minute to the next.
const baseline = await start(['--import', 'tsx', path.join(ROOT, 'bench/pipeServer.ts'), dir], {});
const database = databaseUrl ? 'PostgreSQL' : 'embedded (PGlite)';
const cairn = await start(['--import', 'tsx', path.join(ROOT, 'src/main.ts')], {
  DATABASE_URL: databaseUrl ?? '',
  CAIRN_DATA_DIR: path.join(dir, 'cairn'),
  PORT: '0',
  HOST: '127.0.0.1',
  CAIRN_MAX_UPLOAD_BYTES: String(SIZE * 2),
  CAIRN_BOOTSTRAP_TOKEN: TOKEN,
  LOG_LEVEL: 'info',
});
const created = await gql(cairn.port, `mutation { createModel(input: { name: "bench-${Date.now()}" }) { ... on CreateModelSuccess { model { id } } } }`);
const id = created.data.createModel.model.id;
await gql(cairn.port, `mutation { createVersion(input: { modelId: "${id}" }) { __typename } }`);
// Let start-up settle (clean-up of files, first queries) before idle memory is read.
await new Promise((r) => setTimeout(r, 2000));

async function baselineRound(): Promise<Round> {
  const { child, port } = baseline;
  const up = await measure(child.pid!, async () => {
    await curl(['-T', source, '-X', 'POST', `http://127.0.0.1:${port}/`]);
  });
  const down = await measure(child.pid!, async () => {
    const n = Number(await curl(['-o', '/dev/null', '-w', '%{size_download}', `http://127.0.0.1:${port}/`]));
    if (n !== SIZE) throw new Error(`baseline download: ${n} bytes`);
  });
  return { upload: SIZE / MB / up.seconds, download: SIZE / MB / down.seconds, uploadPeak: up.peakAboveIdle, downloadPeak: down.peakAboveIdle, idle: up.idle };
}

async function cairnRound(): Promise<Round> {
  const { child, port } = cairn;
  const operations = JSON.stringify({
    query: `mutation ($file: Upload!) { uploadFormat(input: { modelId: "${id}", number: 1, format: "pkl", file: $file }) { __typename ... on UploadFormatSuccess { format { size sha256 downloadUrl } } ... on Error { code message } } }`,
    variables: { file: null },
  });
  let result: any;
  const up = await measure(child.pid!, async () => {
    const text = await curl([
      '-H', `authorization: Bearer ${TOKEN}`,
      '-F', `operations=${operations}`,
      '-F', 'map={"0":["variables.file"]}',
      '-F', `0=@${source}`,
      `http://127.0.0.1:${port}/graphql`,
    ]);
    result = JSON.parse(text).data?.uploadFormat ?? JSON.parse(text);
  });
  if (result?.format?.size !== SIZE) throw new Error(`Cairn upload: ${JSON.stringify(result)}`);
  const down = await measure(child.pid!, async () => {
    const n = Number(await curl(['-H', `authorization: Bearer ${TOKEN}`, '-o', '/dev/null', '-w', '%{size_download}', `http://127.0.0.1:${port}${result.format.downloadUrl}`]));
    if (n !== SIZE) throw new Error(`Cairn download: ${n} bytes`);
  });
  return { upload: SIZE / MB / up.seconds, download: SIZE / MB / down.seconds, uploadPeak: up.peakAboveIdle, downloadPeak: down.peakAboveIdle, idle: up.idle };
}

const rounds: { baseline: Round[]; cairn: Round[] } = { baseline: [], cairn: [] };
for (let i = 0; i < ROUNDS; i++) {
  rounds.baseline.push(await baselineRound());
  rounds.cairn.push(await cairnRound());
}
baseline.child.kill();
cairn.child.kill('SIGTERM');
await new Promise((r) => cairn.child.once('exit', r));

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const summary = (name: string, rs: Round[]) => ({
  name,
  uploadMBs: median(rs.map((r) => r.upload)),
  downloadMBs: median(rs.map((r) => r.download)),
  uploadPeak: Math.max(...rs.map((r) => r.uploadPeak)),
  downloadPeak: Math.max(...rs.map((r) => r.downloadPeak)),
  idle: median(rs.map((r) => r.idle)),
});
console.log('\nfiles, rounds (upload / download MB/s):');
rounds.baseline.forEach((b, i) => {
  const c = rounds.cairn[i]!;
  console.log(`  ${i + 1}: baseline ${b.upload.toFixed(0)} / ${b.download.toFixed(0)}, Cairn ${c.upload.toFixed(0)} / ${c.download.toFixed(0)}`);
});
const results = [summary('baseline pipe', rounds.baseline), summary(`Cairn, ${database}`, rounds.cairn)];

fs.rmSync(dir, { recursive: true, force: true });
return { base: results[0]!, ours: results[1]!, rounds };
}

