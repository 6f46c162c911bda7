// Issue 21: a 1 GiB blob exports (GET /admin/export through `cairn export`) and imports (`npm run import`)
// with flat memory. Every process runs as an operator runs it, on the embedded database: the server, the CLI
// and the importer each in a process of its own, whose peak resident memory (VmHWM) is read from
// /proc/<pid>/status. The file is never held whole anywhere, the test's own process included: it is made
// from a deterministic pseudo-random stream and hashed as it goes.
import { type ChildProcess, spawn } from 'node:child_process';
import { createCipheriv, createHash } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, adminHeaders } from '../helpers/api.ts';
import { postGraphQL, ROOT, type Started, startServer, stopProcess, waitForOutput } from '../helpers/processes.ts';

const MiB = 1024 ** 2;
const GiB = 1024 ** 3;
const SIZE = GiB;
/**
 * The peak of any process while the file goes through it. An open embedded database alone holds 260-420 MiB
 * in the server and the importer (the CLI opens none; it peaks near 170), which the file would add to: a
 * process that held it would be past 1.3 GiB (measured so: 2.4 GiB in a server that read the blob whole before
 * sending it, 1.3 GiB in an importer that gathered it before storing it). GROWTH_BOUND is the finer check: how
 * far above its resident memory at the transfer's start a process with a database may go.
 */
const PEAK_RSS_BOUND = 640 * MiB;
const GROWTH_BOUND = 192 * MiB;
/** Several GiB written, hashed and read back more than once, on two busy cores: a bound, not a target. */
const PHASE_MS = 15 * 60_000;

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-large-'));
const sourceDir = path.join(work, 'source');
const targetDir = path.join(work, 'target');
const archive = path.join(work, 'backup.tar');
// Set explicitly: nothing of the runner's own environment may point a process elsewhere (a DATABASE_URL, an S3 store).
const sourceEnv = { CAIRN_DATA_DIR: sourceDir, DATABASE_URL: '', CAIRN_BLOB_STORE: '', CAIRN_MAX_UPLOAD_BYTES: String(2 * GiB) };
const targetEnv = { ...sourceEnv, CAIRN_DATA_DIR: targetDir };

/** The peak resident memory of a live process (VmHWM), in bytes. */
const peakRss = (pid: number) => Number(/VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) * 1024;

/**
 * Sets the process's peak resident memory back to what it holds now (Linux 4.0 on), so that the peak read
 * later is that of what it did since. Opening the embedded database peaks at 430-850 MiB for a moment, then
 * holds 260-330: the peak of a whole life would be that of the start, whatever the transfer does after it.
 */
const resetPeakRss = (pid: number) => fs.writeFileSync(`/proc/${pid}/clear_refs`, '5');

/**
 * Loaded first into a process this file spawns: as the process ends, it writes its own VmHWM line on stderr
 * (once exited, a process has no /proc/<pid>/status left to read).
 */
const PEAK_ON_EXIT = `--import=data:text/javascript,${encodeURIComponent(
  `import fs from 'node:fs'; process.on('exit', () => fs.writeSync(2, '\\n' + /VmHWM:.*/.exec(fs.readFileSync('/proc/self/status', 'utf8'))[0] + '\\n'));`,
)}`;

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
  /** The process's peak resident memory in bytes, as it wrote it when it ended (since resetPeakOn printed, when given). */
  peak: number;
  seconds: number;
  /** The resident memory when the output matched resetPeakOn and the peak was reset (undefined: it never did). */
  residentAtReset: number | undefined;
}

const children = new Set<ChildProcess>();

/**
 * `command args` in the repository with `env`, as its own process; resolves once it has exited and all it
 * printed is read. `peak` is NaN unless the process wrote its VmHWM (node with PEAK_ON_EXIT: see runNode).
 */
function run(command: string, args: string[], env: Record<string, string>, { resetPeakOn }: { resetPeakOn?: RegExp } = {}): Promise<Ran> {
  const started = performance.now();
  const child = spawn(command, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  let residentAtReset: number | undefined;
  if (resetPeakOn) {
    const check = () => {
      if (residentAtReset !== undefined || !resetPeakOn.test(stdout + stderr)) return;
      resetPeakRss(child.pid!);
      residentAtReset = peakRss(child.pid!);
    };
    // Registered after the listeners above, so the output already holds the piece that just came.
    child.stdout.on('data', check);
    child.stderr.on('data', check);
  }
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => {
      children.delete(child);
      const hwm = /VmHWM:\s+(\d+) kB/.exec(stderr);
      resolve({ code, stdout, stderr, peak: hwm ? Number(hwm[1]) * 1024 : NaN, seconds: (performance.now() - started) / 1000, residentAtReset });
    });
  });
}

/** `node <args>` itself (not through npm: its pid is the one measured), telling its peak resident memory as it ends. */
const runNode = (args: string[], env: Record<string, string>, options: { resetPeakOn?: RegExp } = {}) => run(process.execPath, [PEAK_ON_EXIT, ...args], env, options);

/** SIZE deterministic pseudo-random bytes (AES-256-CTR over zeros, fixed key), a MiB at a time. */
function* pseudoRandom(): Generator<Buffer> {
  const cipher = createCipheriv('aes-256-ctr', Buffer.alloc(32, 21), Buffer.alloc(16, 0));
  const zeros = Buffer.alloc(MiB);
  for (let left = SIZE; left > 0; left -= MiB) yield cipher.update(left >= MiB ? zeros : zeros.subarray(0, left));
}

const UPLOAD = 'mutation ($input: UploadFormatInput!) { uploadFormat(input: $input) { __typename ... on UploadFormatSuccess { format { size sha256 downloadUrl } } ... on Error { code message } } }';

/**
 * Uploads the pseudo-random file as the pkl of version 1 of `modelId`: one multipart request of declared
 * length, as curl -F sends it, its file part streamed from the generator. Returns the answer and the sha256 of what was sent.
 */
async function uploadLargeFile(url: string, modelId: string): Promise<{ body: any; sha256: string }> {
  const boundary = `cairn-large-${process.pid}`;
  const operations = JSON.stringify({ query: UPLOAD, variables: { input: { modelId, number: 1, format: 'pkl', file: null } } });
  const head = Buffer.from(
    `--${boundary}\r\ncontent-disposition: form-data; name="operations"\r\n\r\n${operations}\r\n` +
      `--${boundary}\r\ncontent-disposition: form-data; name="map"\r\n\r\n{"0":["variables.input.file"]}\r\n` +
      `--${boundary}\r\ncontent-disposition: form-data; name="0"; filename="model.pkl"\r\ncontent-type: application/octet-stream\r\n\r\n`,
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const hash = createHash('sha256');
  function* body() {
    yield head;
    for (const chunk of pseudoRandom()) {
      hash.update(chunk);
      yield chunk;
    }
    yield tail;
  }
  const req = http.request(`${url}/graphql`, {
    method: 'POST',
    headers: { ...adminHeaders, 'content-type': `multipart/form-data; boundary=${boundary}`, 'content-length': String(head.length + SIZE + tail.length) },
  });
  const answered = new Promise<http.IncomingMessage>((resolve, reject) => req.once('response', resolve).once('error', reject));
  await pipeline(Readable.from(body()), req);
  let text = '';
  for await (const chunk of await answered) text += chunk;
  return { body: JSON.parse(text), sha256: hash.digest('hex') };
}

/** Downloads `downloadUrl` as the administrator, hashing it as it arrives. */
async function downloadedSha256(url: string, downloadUrl: string): Promise<{ status: number; bytes: number; sha256: string }> {
  const response = await fetch(`${url}${downloadUrl}`, { headers: adminHeaders });
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of response.body!) {
    hash.update(chunk);
    bytes += chunk.length;
  }
  return { status: response.status, bytes, sha256: hash.digest('hex') };
}

/** Stops a server process as an operator does (SIGTERM) and waits until it has gone. */

const MODEL_QUERY = 'query ($id: ID!) { model(id: $id) { name versions { totalCount edges { node { number formats { id filename size sha256 downloadUrl } } } } } }';

describe('a 1 GiB file through export and import', () => {
  const servers: Started[] = [];
  afterAll(async () => {
    for (const child of children) child.kill('SIGKILL');
    await Promise.all(servers.map(stopProcess));
    fs.rmSync(work, { recursive: true, force: true });
  });

  /** What the phases pass on to the next; each phase asserts its own memory bound. */
  let model: { id: string; name: string };
  let uploaded: { sha256: string; downloadUrl: string };
  let before: unknown;
  const figures: Record<string, string> = {};
  afterAll(() => console.log(`archiveLarge figures: ${JSON.stringify(figures)}`));
  const mib = (bytes: number) => `${(bytes / MiB).toFixed(0)} MiB`;

  it('uploads a 1 GiB file streamed, then exports it with cairn export: the archive as long as Content-Length said, server and CLI far below the blob in memory', { timeout: PHASE_MS }, async () => {
    const { server, url } = await startServer(sourceEnv);
    servers.push(server);
    const pid = server.child.pid!;
    const created = await postGraphQL(url, 'mutation { createModel(input: { name: "large" }) { ... on CreateModelSuccess { model { id name } } ... on Error { code message } } }');
    model = created.body.data.createModel.model;
    expect(model, JSON.stringify(created.body)).toMatchObject({ name: 'large' });
    const version = await postGraphQL(url, 'mutation ($id: ID!) { createVersion(input: { modelId: $id }) { __typename ... on Error { code message } } }', { id: model.id });
    expect(version.body.data.createVersion.__typename).toBe('CreateVersionSuccess');
    figures.serverStartPeak = mib(peakRss(pid));
    resetPeakRss(pid);
    figures.serverResidentBeforeUpload = mib(peakRss(pid));

    let t = performance.now();
    const upload = await uploadLargeFile(url, model.id);
    figures.uploadSeconds = ((performance.now() - t) / 1000).toFixed(1);
    expect(upload.body.data?.uploadFormat, JSON.stringify(upload.body)).toMatchObject({ __typename: 'UploadFormatSuccess', format: { size: SIZE, sha256: upload.sha256 } });
    uploaded = { sha256: upload.sha256, downloadUrl: upload.body.data.uploadFormat.format.downloadUrl };
    // Told, not bounded: the upload is not what this file is about.
    figures.serverPeakDuringUpload = mib(peakRss(pid));
    before = (await postGraphQL(url, MODEL_QUERY, { id: model.id })).body;
    expect(before).toMatchObject({ data: { model: { name: 'large', versions: { totalCount: 1, edges: [{ node: { formats: [{ id: 'pkl', size: SIZE, sha256: upload.sha256 }] } }] } } } });
    resetPeakRss(pid);
    const residentBeforeExport = peakRss(pid);
    figures.serverResidentBeforeExport = mib(residentBeforeExport);

    t = performance.now();
    const finished = waitForOutput(server, /"msg":"export finished"/);
    const cli = await runNode([path.join(ROOT, 'src/cli/cairn.js'), 'export', '-o', archive, '--json'], {
      CAIRN_URL: url,
      CAIRN_TOKEN: ADMIN_TOKEN,
      CAIRN_CONFIG: path.join(work, 'cli-config.json'),
    });
    figures.exportSeconds = ((performance.now() - t) / 1000).toFixed(1);
    expect(cli.code, cli.stderr).toBe(0);
    // The server's log line gives the length it put in Content-Length (one value, written to both).
    const announced = JSON.parse(/^.*"msg":"export started".*$/m.exec(await finished)![0]).bytes as number;
    const serverPeak = peakRss(pid);
    figures.serverPeakDuringExport = mib(serverPeak);
    figures.cliPeak = mib(cli.peak);
    figures.archive = `${fs.statSync(archive).size} bytes`;
    await stopProcess(server);

    expect(announced).toBeGreaterThan(SIZE);
    expect(fs.statSync(archive).size).toBe(announced);
    expect(JSON.parse(cli.stdout)).toMatchObject({ path: archive, bytes: announced, counts: { blobs: 1 } });
    expect(fs.existsSync(`${archive}.part`)).toBe(false);
    expect(serverPeak).toBeLessThan(PEAK_RSS_BOUND);
    expect(serverPeak - residentBeforeExport).toBeLessThan(GROWTH_BOUND);
    expect(cli.peak).toBeLessThan(PEAK_RSS_BOUND);
  });

  it('imports the archive with npm run import into a new data directory: the importer far below the blob in memory', { timeout: PHASE_MS }, async () => {
    // It reports each tenth of the archive it has read: at the first, the database is open and migrated (its peak behind).
    const ran = await runNode(['--import', 'tsx', path.join(ROOT, 'src/ops/import.ts'), archive], targetEnv, { resetPeakOn: /^read 10% /m });
    figures.importSeconds = ran.seconds.toFixed(1);
    figures.importPeak = mib(ran.peak);
    figures.importResidentAtTenPercent = mib(ran.residentAtReset ?? NaN);
    figures.importSaid = ran.stdout.trim();
    expect(ran.code, ran.stderr).toBe(0);
    expect(ran.stdout).toMatch(/^Imported \d+ events \(.*\) and 1 blobs \(1024\.0 MiB\) into the embedded database in /m);
    expect(ran.residentAtReset).toBeDefined();
    expect(ran.peak).toBeLessThan(PEAK_RSS_BOUND);
    expect(ran.peak - ran.residentAtReset!).toBeLessThan(GROWTH_BOUND);
  });

  it('a server on the imported data directory answers as before and serves the file, its sha256 the original; npm run verify exits 0', { timeout: PHASE_MS }, async () => {
    const { server, url } = await startServer(targetEnv);
    servers.push(server);
    expect((await postGraphQL(url, MODEL_QUERY, { id: model.id })).body).toEqual(before);
    const t = performance.now();
    const downloaded = await downloadedSha256(url, uploaded.downloadUrl);
    figures.downloadSeconds = ((performance.now() - t) / 1000).toFixed(1);
    expect(downloaded).toEqual({ status: 200, bytes: SIZE, sha256: uploaded.sha256 });
    // On the embedded database verify needs the data directory: the server stops first.
    await stopProcess(server);
    const verify = await run('npm', ['run', '-s', 'verify'], targetEnv);
    figures.verifySeconds = verify.seconds.toFixed(1);
    expect(verify.code, verify.stdout + verify.stderr).toBe(0);
    expect(verify.stdout).toMatch(/^All 1 formats \(1 blobs, 1024\.0 MiB read\) have their blob, whole\.$/m);
  });
});
