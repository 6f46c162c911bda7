import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CairnClient, CairnRequestError, ChecksumMismatch } from '../../src/client/index.ts';
import { EXIT, run } from '../../src/cli/main.ts';
import { ADMIN_TOKEN, listen, openTestApi, type TestApi } from '../helpers/api.ts';
import { ROOT } from '../helpers/processes.ts';

let api: TestApi;
let server: Awaited<ReturnType<typeof listen>>;
let client: CairnClient;
let work: string;

beforeAll(async () => {
  api = await openTestApi();
  server = await listen(api.app);
  client = new CairnClient({ url: server.url, token: ADMIN_TOKEN });
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-cli-'));
});
afterAll(async () => {
  await server?.close();
  await api?.close();
  fs.rmSync(work, { recursive: true, force: true });
});

const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');

/** Runs the command line in this process (as the `cairn` binary would), capturing its output. */
async function cairn(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const stdout = process.stdout.write.bind(process.stdout);
  const stderr = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((chunk: string) => (out.push(String(chunk)), true)) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string) => (err.push(String(chunk)), true)) as typeof process.stderr.write;
  const env = { CAIRN_URL: process.env.CAIRN_URL, CAIRN_TOKEN: process.env.CAIRN_TOKEN, CAIRN_CONFIG: process.env.CAIRN_CONFIG };
  process.env.CAIRN_URL = server.url;
  process.env.CAIRN_TOKEN = ADMIN_TOKEN;
  process.env.CAIRN_CONFIG = path.join(work, 'config.json');
  try {
    const code = await run(args);
    return { code, stdout: out.join(''), stderr: err.join('') };
  } finally {
    process.stdout.write = stdout;
    process.stderr.write = stderr;
    for (const [k, v] of Object.entries(env)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

const cairnJson = async (...args: string[]) => {
  const r = await cairn(...args, '--json');
  expect(r.code, r.stderr).toBe(EXIT.ok);
  return JSON.parse(r.stdout);
};

describe('the TypeScript client', () => {
  it('creates models and versions, returning typed errors as results', async () => {
    const created = await client.createModel({ name: 'ts-client', tags: ['sdk'] });
    expect(created.__typename).toBe('CreateModelSuccess');
    const taken = await client.createModel({ name: 'TS-CLIENT' });
    expect(taken).toMatchObject({ __typename: 'NameTakenError', code: 'NAME_TAKEN' });
    const v = await client.createVersion('ts-client', { hyperparameters: { depth: 4 } });
    expect(v.__typename === 'CreateVersionSuccess' && v.version.number).toBe(1);
    expect((await client.getModel('ts-client'))?.versions.edges[0]?.node.hyperparameters).toEqual({ depth: 4 });
    expect(await client.getModel('nope')).toBeNull();
  });

  it('streams an upload with progress to the file size, and downloads it back verified', async () => {
    await client.createModel({ name: 'ts-upload' });
    await client.createVersion('ts-upload');
    const data = new Uint8Array(randomBytes(3 * 1024 * 1024 + 17));
    const file = path.join(work, 'model.pkl');
    fs.writeFileSync(file, data);
    const seen: number[] = [];
    const result = await client.uploadFormat({ model: 'ts-upload', version: 1, format: 'pkl', file, onProgress: (sent) => seen.push(sent) });
    expect(result).toMatchObject({ __typename: 'UploadFormatSuccess', format: { size: data.length, sha256: sha256(data), filename: 'model.pkl' } });
    expect(seen.at(-1)).toBe(data.length);
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
    const out = path.join(work, 'back.pkl');
    const got = await client.downloadFormat({ model: 'ts-upload', version: 1, format: 'pkl', to: out });
    expect(got.sha256).toBe(sha256(data));
    expect(sha256(fs.readFileSync(out))).toBe(sha256(data));
    const bytes = await client.downloadFormat({ model: 'ts-upload', version: 1, format: 'pkl' });
    expect(bytes.bytes?.length).toBe(data.length);
  });

  it('detects a download that does not match the recorded checksum, and keeps nothing of it', async () => {
    await client.createModel({ name: 'ts-tampered' });
    await client.createVersion('ts-tampered');
    const data = new Uint8Array(randomBytes(4096));
    await client.uploadFormat({ model: 'ts-tampered', version: 1, format: 'rda', file: data });
    // Someone changes the stored file behind Cairn's back.
    const blob = path.join(api.config.dataDir, 'blobs', 'sha256', sha256(data).slice(0, 2), sha256(data));
    const tampered = Buffer.from(fs.readFileSync(blob));
    tampered[0] = tampered[0]! ^ 0xff;
    fs.writeFileSync(blob, tampered);
    const out = path.join(work, 'tampered.rda');
    await expect(client.downloadFormat({ model: 'ts-tampered', version: 1, format: 'rda', to: out })).rejects.toBeInstanceOf(ChecksumMismatch);
    expect(fs.existsSync(out)).toBe(false);
    expect(fs.existsSync(`${out}.part`)).toBe(false);
  });

  it('throws CairnRequestError for a bad token or an unreachable server', async () => {
    await expect(new CairnClient({ url: server.url, token: 'cairn_wrong' }).listModels()).rejects.toMatchObject({ status: 401, code: 'UNAUTHENTICATED' });
    await expect(new CairnClient({ url: 'http://127.0.0.1:9', token: 'x' }).listModels()).rejects.toBeInstanceOf(CairnRequestError);
  });
});

describe('the cairn command', () => {
  it('runs the whole flow with --json output and exit codes', async () => {
    const descFile = path.join(work, 'desc.md');
    fs.writeFileSync(descFile, '# Churn\nfrom a file');
    const model = await cairnJson('models', 'create', 'cli-churn', '--tags', 'a,b', '--description', `@${descFile}`);
    expect(model).toMatchObject({ name: 'cli-churn', tags: ['a', 'b'], description: '# Churn\nfrom a file' });
    const list = await cairnJson('models', 'list', '--tag', 'a');
    expect(list.map((m: { name: string }) => m.name)).toContain('cli-churn');
    expect(await cairnJson('models', 'list', '--search', 'no-such-thing')).toEqual([]);
    const hp = path.join(work, 'hp.json');
    fs.writeFileSync(hp, '{"lr": 0.1}');
    const v1 = await cairnJson('versions', 'create', '--model', 'cli-churn', '--hyperparameters', `@${hp}`, '--config', '{"threshold": 0.5}', '--record', 's3://d/train.csv', '--record', 'dataset:7');
    expect(v1).toMatchObject({ number: 1, hyperparameters: { lr: 0.1 }, config: { threshold: 0.5 }, records: [{ uri: 's3://d/train.csv' }, { uri: 'dataset:7' }] });
    await cairnJson('versions', 'create', '--model', model.id);
    expect(await cairnJson('versions', 'update', '--model', 'cli-churn', '--version', '1', '--description', 'tuned')).toMatchObject({ description: 'tuned' });

    const file = path.join(work, 'cli.pkl');
    const data = new Uint8Array(randomBytes(200_000));
    fs.writeFileSync(file, data);
    const up = await cairn('upload', file, '--model', 'cli-churn', '--version', '1', '--format', 'pkl');
    expect(up.code).toBe(EXIT.ok);
    expect(up.stderr).toMatch(/upload .*\(100%\)/);
    expect(up.stdout).toContain(sha256(data));
    const out = path.join(work, 'cli-back.pkl');
    const down = await cairnJson('download', '--model', 'cli-churn', '--version', '1', '--format', 'pkl', '-o', out);
    expect(down.sha256).toBe(sha256(data));
    expect(sha256(fs.readFileSync(out))).toBe(sha256(data));

    expect(await cairnJson('versions', 'publish', '--model', 'cli-churn', '--version', '1')).toMatchObject({ status: 'PUBLISHED' });
    const again = await cairn('versions', 'update', '--model', 'cli-churn', '--version', '1', '--description', 'x');
    expect(again.code).toBe(EXIT.refused);
    expect(again.stderr).toMatch(/VERSION_PUBLISHED/);
    expect(await cairnJson('versions', 'show', '--model', 'cli-churn', '--version', '1')).toMatchObject({ number: 1, formats: [{ id: 'pkl' }] });
    expect(await cairnJson('versions', 'delete', '--model', 'cli-churn', '--version', '2')).toMatchObject({ deleted: 2 });
    const shown = await cairnJson('models', 'show', 'cli-churn');
    expect(shown.versions.edges.map((e: { node: { number: number } }) => e.node.number)).toEqual([1]);
    expect(await cairnJson('models', 'update', 'cli-churn', '--name', 'cli-churn-2')).toMatchObject({ name: 'cli-churn-2' });
    const history = await cairnJson('history', '--model', 'cli-churn-2');
    expect(history.map((e: { type: string }) => e.type)).toEqual(['ModelCreated', 'VersionCreated', 'VersionCreated', 'VersionUpdated', 'FormatUploaded', 'VersionPublished', 'VersionDeleted', 'ModelUpdated']);
    expect(await cairnJson('models', 'delete', 'cli-churn-2')).toMatchObject({ id: model.id });
    const gone = await cairn('models', 'show', 'cli-churn-2');
    expect(gone.code).toBe(EXIT.refused);
  });

  it('exits 2 on a usage error, 3 when it cannot connect', async () => {
    expect((await cairn('models', 'create')).code).toBe(EXIT.usage);
    expect((await cairn('versions', 'show', '--model', 'x', '--version', 'one')).code).toBe(EXIT.usage);
    expect((await cairn('versions', 'create', '--model', 'x', '--config', '{not json')).code).toBe(EXIT.usage);
    expect((await cairn('frobnicate')).code).toBe(EXIT.usage);
    const url = server.url;
    try {
      server.url = 'http://127.0.0.1:9';
      const r = await cairn('models', 'list');
      expect(r.code).toBe(EXIT.unreachable);
      expect(r.stderr).toMatch(/Cannot reach Cairn/);
    } finally {
      server.url = url;
    }
  });

  it('as the installed binary: logs in, keeps the token in a 0600 file, and reports a bad token with exit 3', async () => {
    const config = path.join(work, 'bin-config.json');
    const bin = (args: string[], env: Record<string, string> = {}) =>
      new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
        const child = spawn(process.execPath, [path.join(ROOT, 'src/cli/cairn.js'), ...args], { env: { ...process.env, CAIRN_CONFIG: config, ...env } });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (d) => (stdout += d));
        child.stderr.on('data', (d) => (stderr += d));
        child.on('exit', (code) => resolve({ code, stdout, stderr }));
      });
    const login = await bin(['login', '--url', server.url, '--token', ADMIN_TOKEN, '--json']);
    expect(login.code, login.stderr).toBe(0);
    expect(JSON.parse(login.stdout)).toMatchObject({ principal: 'admin', context: 'default' });
    expect(fs.statSync(config).mode & 0o777).toBe(0o600);
    const listed = await bin(['models', 'list', '--json']);
    expect(listed.code, listed.stderr).toBe(0);
    expect(Array.isArray(JSON.parse(listed.stdout))).toBe(true);
    const bad = await bin(['models', 'list'], { CAIRN_TOKEN: 'cairn_bad' });
    expect(bad.code).toBe(3);
    expect(bad.stderr).toMatch(/token/);
    const help = await bin(['upload', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/--format <id>/);
  }, 60_000);
});
