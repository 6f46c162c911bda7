import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CairnClient } from '../../src/client/index.ts';
import type { Io } from '../../src/cli/actions.ts';
import { EXIT } from '../../src/cli/program.js';
import { ADMIN_TOKEN } from '../helpers/api.ts';
import { givenContext, givenModel, givenPrincipal, type Served, serveTestApi, uniqueName } from '../helpers/fixtures.ts';
import { runCairn, stdin } from '../helpers/cli.ts';
import { ROOT } from '../helpers/processes.ts';

// The `cairn` command line against a served app on this project's database: in this process through
// run() (as the binary does, with stdin given), and as the binary itself where start-up, a terminal or
// a pipe is what is under test.

const MAX_VERSIONS = 120;
const PACKAGE_VERSION = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version as string;
const BIN = path.join(ROOT, 'src/cli/cairn.js');

let s: Served;
let client: CairnClient;
let work: string;

beforeAll(async () => {
  s = await serveTestApi({ env: { CAIRN_MAX_VERSIONS: String(MAX_VERSIONS) } });
  client = new CairnClient({ url: s.url, token: ADMIN_TOKEN });
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-cli-'));
});
afterAll(async () => {
  await s?.close();
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');

/** Runs the command line in this process (as the `cairn` binary would), as the administrator of this test's server. */
const cairn = (args: string[], options: { stdin?: Io['stdin']; env?: Record<string, string> } = {}) =>
  runCairn(args, { CAIRN_URL: s.url, CAIRN_TOKEN: ADMIN_TOKEN, CAIRN_CONFIG: path.join(work, 'config.json'), ...options.env }, options.stdin);

const cairnJson = async (...args: string[]) => {
  const r = await cairn([...args, '--json']);
  expect(r.code, r.stderr).toBe(EXIT.ok);
  return JSON.parse(r.stdout);
};

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * The installed binary, as its own process, with stdin a pipe that is closed at once; `env` names the
 * server (by default as the administrator: with {}, the binary reads what `cairn login` saved).
 */
function bin(args: string[], env: Record<string, string> = { CAIRN_URL: s.url, CAIRN_TOKEN: ADMIN_TOKEN }): Promise<Ran> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, CAIRN_CONFIG: path.join(work, 'bin-config.json'), ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end();
  });
}

/** The fields of a version in `versions show --json` and in each element of `versions list --json`, in order. */
const VERSION_FIELDS = ['number', 'status', 'description', 'tags', 'hyperparameters', 'config', 'records', 'formats', 'createdAt', 'createdBy', 'publishedAt', 'publishedBy', 'aliases', 'evaluations'];
const FORMAT_FIELDS = ['id', 'filename', 'size', 'sha256', 'contentType', 'downloadUrl', 'uploadedAt', 'uploadedBy'];

describe('the cairn command', () => {
  it('runs the whole flow with --json output and exit codes', async () => {
    const descFile = path.join(work, 'desc.md');
    fs.writeFileSync(descFile, '# Churn\nfrom a file');
    const name = uniqueName('cli-churn');
    const model = await cairnJson('models', 'create', name, '--tags', 'a,b', '--description', `@${descFile}`);
    expect(model).toMatchObject({ name, tags: ['a', 'b'], description: '# Churn\nfrom a file' });
    const list = await cairnJson('models', 'list', '--tag', 'a');
    expect(list.map((m: { name: string }) => m.name)).toContain(name);
    expect(await cairnJson('models', 'list', '--search', 'no-such-thing')).toEqual([]);
    const hp = path.join(work, 'hp.json');
    fs.writeFileSync(hp, '{"lr": 0.1}');
    const v1 = await cairnJson('versions', 'create', '--model', name, '--hyperparameters', `@${hp}`, '--config', '{"threshold": 0.5}', '--record', 's3://d/train.csv', '--record', 'dataset:7');
    expect(v1).toMatchObject({ number: 1, hyperparameters: { lr: 0.1 }, config: { threshold: 0.5 }, records: [{ uri: 's3://d/train.csv' }, { uri: 'dataset:7' }] });
    await cairnJson('versions', 'create', '--model', model.id);
    expect(await cairnJson('versions', 'update', '--model', name, '--version', '1', '--description', 'tuned')).toMatchObject({ description: 'tuned' });

    const file = path.join(work, 'cli.pkl');
    const data = new Uint8Array(randomBytes(200_000));
    fs.writeFileSync(file, data);
    const up = await cairn(['upload', file, '--model', name, '--version', '1', '--format', 'pkl']);
    expect(up.code).toBe(EXIT.ok);
    expect(up.stderr).toMatch(/upload .*\(100%\)/);
    expect(up.stdout).toContain(sha256(data));
    const out = path.join(work, 'cli-back.pkl');
    const down = await cairnJson('download', '--model', name, '--version', '1', '--format', 'pkl', '-o', out);
    expect(down.sha256).toBe(sha256(data));
    expect(sha256(fs.readFileSync(out))).toBe(sha256(data));

    expect(await cairnJson('versions', 'publish', '--model', name, '--version', '1', '--yes')).toMatchObject({ status: 'PUBLISHED' });
    const again = await cairn(['versions', 'update', '--model', name, '--version', '1', '--description', 'x']);
    expect(again.code).toBe(EXIT.refused);
    expect(again.stderr).toMatch(/VERSION_PUBLISHED/);
    expect(await cairnJson('versions', 'show', '--model', name, '--version', '1')).toMatchObject({ number: 1, formats: [{ id: 'pkl' }] });
    expect(await cairnJson('versions', 'delete', '--model', name, '--version', '2', '--yes')).toMatchObject({ deleted: 2 });
    const shown = await cairnJson('models', 'show', name);
    expect(shown.versions.edges.map((e: { node: { number: number } }) => e.node.number)).toEqual([1]);
    expect(await cairnJson('models', 'update', name, '--name', `${name}-2`)).toMatchObject({ name: `${name}-2` });
    const history = await cairnJson('history', '--model', `${name}-2`);
    expect(history.map((e: { type: string }) => e.type)).toEqual(['ModelCreated', 'VersionCreated', 'VersionCreated', 'VersionUpdated', 'FormatUploaded', 'VersionPublished', 'VersionDeleted', 'ModelUpdated']);
    expect(history[0]).toMatchObject({ __typename: 'ModelCreatedEvent', name, tags: ['a', 'b'], description: '# Churn\nfrom a file', schemaVersion: 2 });
    expect(history[3]).toMatchObject({ __typename: 'VersionUpdatedEvent', number: 1, changed: ['description'], changes: { description: 'tuned', tags: null } });
    expect(history[4]).toMatchObject({ __typename: 'FormatUploadedEvent', number: 1, format: 'pkl', filename: 'cli.pkl', sha256: sha256(data), size: data.length, replaced: false });
    expect(history[7]).toMatchObject({ __typename: 'ModelUpdatedEvent', changed: ['name'], changes: { name: `${name}-2` } });
    const lines = (await cairn(['history', '--model', `${name}-2`])).stdout.trimEnd().split('\n');
    expect(lines.map((l) => l.split('  ').slice(2).join('  '))).toEqual([
      `ModelCreated  "${name}", tags a, b, with a description`,
      'VersionCreated  version 1, tags none',
      'VersionCreated  version 2, tags none',
      'VersionUpdated  version 1: description',
      `FormatUploaded  version 1 pkl: cli.pkl, 195.3 KiB, sha256 ${sha256(data)}`,
      'VersionPublished  version 1',
      'VersionDeleted  version 2',
      `ModelUpdated  name "${name}-2"`,
    ]);
    expect(await cairnJson('models', 'delete', `${name}-2`, '--yes')).toMatchObject({ id: model.id });
    const gone = await cairn(['models', 'show', `${name}-2`]);
    expect(gone.code).toBe(EXIT.refused);
  });

  it('exits 2 on a usage error, 3 when it cannot connect', async () => {
    expect((await cairn(['models', 'create'])).code).toBe(EXIT.usage);
    expect((await cairn(['versions', 'show', '--model', 'x', '--version', 'one'])).code).toBe(EXIT.usage);
    expect((await cairn(['versions', 'show', '--model', 'x', '--version', String(2 ** 31)])).code).toBe(EXIT.usage);
    expect((await cairn(['versions', 'create', '--model', 'x', '--config', '{not json'])).code).toBe(EXIT.usage);
    expect((await cairn(['versions', 'list'])).code).toBe(EXIT.usage);
    expect((await cairn(['frobnicate'])).code).toBe(EXIT.usage);
    const r = await cairn(['models', 'list'], { env: { CAIRN_URL: 'http://127.0.0.1:9' } });
    expect(r.code).toBe(EXIT.unreachable);
    expect(r.stderr).toMatch(/Cannot reach Cairn/);
  });

  it("prints the package's version with --version and -V, before any command only", async () => {
    for (const flag of ['--version', '-V']) {
      const r = await cairn([flag]);
      expect(r.code).toBe(EXIT.ok);
      expect(r.stdout.trim()).toBe(PACKAGE_VERSION);
    }
    // After a command, --version is a version's number.
    const r = await cairn(['versions', 'show', '--model', uniqueName('none'), '--version', '1']);
    expect(r.code).toBe(EXIT.refused);
    expect(r.stdout).toBe('');
  });
});

describe('cairn versions list and show', () => {
  it("lists a model's live versions with --json, and names the deleted numbers in its table", async () => {
    const m = await givenModel(s, { versions: 3 });
    const data = new Uint8Array(randomBytes(1000));
    expect((await client.uploadFormat({ model: m.id, version: 1, format: 'pkl', file: data })).__typename).toBe('UploadFormatSuccess');
    expect((await client.publishVersion(m.id, 1)).__typename).toBe('PublishVersionSuccess');
    expect((await client.deleteVersion(m.id, 2)).__typename).toBe('DeleteVersionSuccess');

    const list = await cairnJson('versions', 'list', '--model', m.name);
    expect(list.map((v: { number: number }) => v.number)).toEqual([1, 3]);
    for (const v of list) expect(Object.keys(v)).toEqual(VERSION_FIELDS);
    expect(Object.keys(list[0].formats[0])).toEqual(FORMAT_FIELDS);
    expect(list[0]).toMatchObject({ status: 'PUBLISHED', publishedBy: 'admin', formats: [{ id: 'pkl', size: 1000, sha256: sha256(data) }] });
    expect(Date.parse(list[0].publishedAt)).toBeGreaterThanOrEqual(Date.parse(list[0].createdAt));
    expect(list[1]).toMatchObject({ number: 3, status: 'DRAFT', publishedAt: null, formats: [] });
    expect(await cairnJson('versions', 'list', '--model', m.id)).toEqual(list);

    const table = await cairn(['versions', 'list', '--model', m.name]);
    expect(table.code, table.stderr).toBe(EXIT.ok);
    const lines = table.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^NUMBER\s+STATUS\s+FORMATS\s+CREATED\s+PUBLISHED$/);
    expect(lines[1]).toMatch(/^1\s+published\s+pkl\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$/);
    expect(lines[2]).toMatch(/^3\s+draft\s+-\s+\S+ \S+\s+-$/);
    expect(lines[3]).toBe('deleted: 2');

    const empty = await givenModel(s);
    expect(await cairnJson('versions', 'list', '--model', empty.name)).toEqual([]);
  });

  it('lists and shows versions past the first page of 100', async () => {
    const m = await givenModel(s, { versions: 101 });
    const list = await cairnJson('versions', 'list', '--model', m.name);
    expect(list.map((v: { number: number }) => v.number)).toEqual(Array.from({ length: 101 }, (_, i) => i + 1));
    expect(await cairnJson('versions', 'show', '--model', m.name, '--version', '101')).toMatchObject({ number: 101, status: 'DRAFT' });
  }, 120_000);

  it('shows description, tags, records, formats and who published when, in --json and in words', async () => {
    const m = await givenModel(s);
    const created = await client.createVersion(m.name, { description: 'Gradient boosting\nsecond line', tags: ['gbm'], hyperparameters: { depth: 6 }, records: [{ uri: 's3://d/train.csv', name: 'train' }, { uri: 'dataset:7' }] });
    expect(created.__typename).toBe('CreateVersionSuccess');
    const data = new Uint8Array(randomBytes(2048));
    expect((await client.uploadFormat({ model: m.name, version: 1, format: 'pmml', file: data, filename: 'churn.pmml' })).__typename).toBe('UploadFormatSuccess');
    expect((await client.publishVersion(m.name, 1)).__typename).toBe('PublishVersionSuccess');

    const v = await cairnJson('versions', 'show', '--model', m.name, '--version', '1');
    expect(Object.keys(v)).toEqual(VERSION_FIELDS);
    expect(v).toMatchObject({
      number: 1,
      status: 'PUBLISHED',
      description: 'Gradient boosting\nsecond line',
      tags: ['gbm'],
      hyperparameters: { depth: 6 },
      config: {},
      records: [
        { uri: 's3://d/train.csv', name: 'train' },
        { uri: 'dataset:7', name: null },
      ],
      formats: [{ id: 'pmml', filename: 'churn.pmml', size: 2048, sha256: sha256(data), uploadedBy: 'admin' }],
      createdBy: 'admin',
      publishedBy: 'admin',
    });
    expect(v.publishedAt).toMatch(/^\d{4}-\d\d-\d\dT/);

    const words = await cairn(['versions', 'show', '--model', m.name, '--version', '1']);
    expect(words.code, words.stderr).toBe(EXIT.ok);
    expect(words.stdout).toContain(`${m.name} version 1 (published)`);
    expect(words.stdout).toContain('description: Gradient boosting\n  second line');
    expect(words.stdout).toContain('records: s3://d/train.csv (train), dataset:7');
    expect(words.stdout).toMatch(/published: \d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ by admin/);
    expect(words.stdout).toContain(`pmml  churn.pmml  2.0 KiB  sha256 ${sha256(data)}`);
  });

  it('refuses hostile --model values with a typed error, exit 1, and no stack trace', async () => {
    const other = await givenContext(s);
    const foreign = await givenModel(s, { context: other.name, versions: 1 });
    // (NUL cannot be in a real argument list; run() is given what a shell could not pass.)
    const cases: [string, string][] = [
      ['\ud800', 'VALIDATION'],
      ['a\udc00b', 'VALIDATION'],
      ['x'.repeat(100_000), 'NOT_FOUND'],
      [foreign.id, 'NOT_FOUND'],
      [foreign.id.toUpperCase(), 'NOT_FOUND'],
      [' ', 'NOT_FOUND'],
      ['../../etc/passwd', 'NOT_FOUND'],
      ["'; drop table models; --", 'NOT_FOUND'],
    ];
    for (const [model, code] of cases) {
      for (const args of [
        ['versions', 'list', '--model', model],
        ['versions', 'show', '--model', model, '--version', '1'],
        ['versions', 'delete', '--model', model, '--version', '1', '--yes'],
        ['models', 'delete', model, '--yes'],
      ]) {
        const r = await cairn([...args, '--json']);
        expect({ args: args.slice(0, 2), model: model.slice(0, 40), code: r.code }).toEqual({ args: args.slice(0, 2), model: model.slice(0, 40), code: EXIT.refused });
        expect(r.stderr).toMatch(new RegExp(`^refused \\(${code}\\): `));
        expect(r.stderr).not.toMatch(/\n\s+at |node_modules|\.ts:\d/);
        expect(r.stdout).toBe('');
      }
    }
    // The other context's model and its version are still there.
    const mine = await s.asAdmin('query ($id: ID!) { model(id: $id) { versions { totalCount } } }', { id: foreign.id }, other.name);
    expect(mine.model.versions.totalCount).toBe(1);
  });
});

describe('confirming irreversible commands', () => {
  const irreversible = (m: { name: string }) => [
    { args: ['versions', 'delete', '--model', m.name, '--version', '1'], what: 'delete a version' },
    { args: ['versions', 'publish', '--model', m.name, '--version', '1'], what: 'publish a version' },
    { args: ['models', 'delete', m.name], what: 'delete a model' },
  ];
  const state = async (m: { id: string }) => (await client.getVersion(m.id, 1))?.status ?? 'GONE';

  it('refuses without --yes when stdin is not a terminal: exit 2 before any request, nothing changed', async () => {
    const m = await givenModel(s, { versions: 1 });
    for (const { args } of irreversible(m)) {
      // At an address where nothing answers: a request would end in exit 3.
      const r = await cairn(args, { env: { CAIRN_URL: 'http://127.0.0.1:9' } });
      expect(r.code, r.stderr).toBe(EXIT.usage);
      expect(r.stderr).toMatch(/cannot be undone and needs confirmation, but stdin is not a terminal: pass --yes/);
      expect((await cairn(args)).code).toBe(EXIT.usage);
    }
    expect(await state(m)).toBe('DRAFT');
  });

  it('as the binary with stdin a pipe: exit 2 without --yes, done with it', async () => {
    const m = await givenModel(s, { versions: 2 });
    const refused = await bin(['versions', 'delete', '--model', m.name, '--version', '1']);
    expect(refused.code, refused.stderr).toBe(EXIT.usage);
    expect(refused.stderr).toMatch(/pass --yes/);
    expect(await state(m)).toBe('DRAFT');
    const deleted = await bin(['versions', 'delete', '--model', m.name, '--version', '1', '--yes', '--json']);
    expect(deleted.code, deleted.stderr).toBe(EXIT.ok);
    expect(JSON.parse(deleted.stdout)).toEqual({ model: m.id, deleted: 1 });
    expect(await state(m)).toBe('GONE');
    const refusedModel = await bin(['models', 'delete', m.name]);
    expect(refusedModel.code).toBe(EXIT.usage);
    expect(await client.getModel(m.id)).not.toBeNull();
    expect((await bin(['models', 'delete', m.name, '-y'])).code).toBe(EXIT.ok);
    expect(await client.getModel(m.id)).toBeNull();
  }, 60_000);

  it('asks on a terminal, naming what goes; anything but yes (or the name) leaves it', async () => {
    const m = await givenModel(s, { versions: 1 });
    await client.uploadFormat({ model: m.id, version: 1, format: 'pkl', file: new Uint8Array(10) });
    for (const typed of ['n\n', '\n', 'yess\n', 'Y E S\n', '']) {
      const r = await cairn(['versions', 'delete', '--model', m.id, '--version', '1'], { stdin: stdin({ tty: true, typed, end: true }) });
      expect(r.code, `${JSON.stringify(typed)}: ${r.stderr}`).toBe(EXIT.refused);
      expect(r.stderr).toContain(`Delete version 1 (draft, its files: pkl) of model ${m.name}? This cannot be undone, and the number is not given again. [y/N] `);
      expect(r.stderr).toContain(`refused (NOT_CONFIRMED): version 1 of ${m.name} was not deleted`);
    }
    for (const typed of ['no\n', 'y', m.name.toUpperCase()]) {
      const r = await cairn(['models', 'delete', m.id], { stdin: stdin({ tty: true, typed: `${typed}\n` }) });
      expect(r.code).toBe(EXIT.refused);
      expect(r.stderr).toContain(`Delete model ${m.name} (${m.id}) with its 1 version and their files? This cannot be undone.\nType the model's name to confirm: `);
      expect(r.stderr).toContain(`refused (NOT_CONFIRMED): model ${m.name} was not deleted`);
    }
    expect(await state(m)).toBe('DRAFT');

    const published = await cairn(['versions', 'publish', '--model', m.name, '--version', '1', '--json'], { stdin: stdin({ tty: true, typed: 'Yes\n' }) });
    expect(published.code, published.stderr).toBe(EXIT.ok);
    expect(published.stderr).toContain(`Publish version 1 of model ${m.name}? Its settings and files can then never change. [y/N] `);
    expect(JSON.parse(published.stdout)).toMatchObject({ number: 1, status: 'PUBLISHED' });
    // Published already: the server's refusal, with no question first.
    const twice = await cairn(['versions', 'publish', '--model', m.name, '--version', '1'], { stdin: stdin({ tty: true }) });
    expect(twice.code).toBe(EXIT.refused);
    expect(twice.stderr).not.toContain('[y/N]');
    expect(twice.stderr).toMatch(/refused \(VERSION_PUBLISHED\)/);

    const deleted = await cairn(['versions', 'delete', '--model', m.name, '--version', '1'], { stdin: stdin({ tty: true, typed: 'y\n' }) });
    expect(deleted.code, deleted.stderr).toBe(EXIT.ok);
    expect(deleted.stdout).toContain(`Deleted version 1 of ${m.name}`);
    expect(await state(m)).toBe('GONE');
    const model = await cairn(['models', 'delete', m.id], { stdin: stdin({ tty: true, typed: `${m.name}\n` }) });
    expect(model.code, model.stderr).toBe(EXIT.ok);
    expect(await client.getModel(m.id)).toBeNull();
  });

  it('in a pseudo-terminal (script(1)), answering no leaves the version', async () => {
    const m = await givenModel(s, { versions: 1 });
    const quote = (arg: string) => `'${arg.replace(/'/g, `'\\''`)}'`;
    const command = [process.execPath, BIN, 'versions', 'delete', '--model', m.name, '--version', '1'].map(quote).join(' ');
    const child = spawn('script', ['-qefc', command, '/dev/null'], { env: { ...process.env, CAIRN_URL: s.url, CAIRN_TOKEN: ADMIN_TOKEN, CAIRN_CONFIG: path.join(work, 'pty-config.json') } });
    let output = '';
    const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d) => {
        output += d;
        if (output.includes('[y/N] ')) resolve();
      });
      closed.then(() => reject(new Error(`exited before asking: ${output}`)));
    });
    expect(output).toContain(`Delete version 1 (draft, no files) of model ${m.name}?`);
    child.stdin.write('no\n');
    expect(await closed, output).toBe(EXIT.refused);
    expect(output).toContain(`refused (NOT_CONFIRMED): version 1 of ${m.name} was not deleted`);
    expect(await state(m)).toBe('DRAFT');
  }, 60_000);
});

describe('the cairn binary', () => {
  it('answers --help, --version, a usage error and a delete without --yes without loading TypeScript, tsx, the client or graphql', async () => {
    // A resolve hook that names every module imported; run before the binary's own code.
    const hooks = path.join(work, 'resolve-hooks.mjs');
    fs.writeFileSync(hooks, "import { writeSync } from 'node:fs';\nexport async function resolve(specifier, context, next) {\n  const r = await next(specifier, context);\n  writeSync(2, `imported ${r.url}\\n`);\n  return r;\n}\n");
    const register = path.join(work, 'register-hooks.mjs');
    fs.writeFileSync(register, `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(hooks).href)});\n`);
    const traced = (args: string[]) => bin(args, { NODE_OPTIONS: `--import ${pathToFileURL(register).href}`, CAIRN_URL: 'http://127.0.0.1:9', CAIRN_TOKEN: 'x' });
    const heavy = (r: Ran, pattern: RegExp) => r.stderr.split('\n').filter((line) => line.startsWith('imported ') && pattern.test(line));
    const light = [['--help'], ['--version'], ['versions', 'list', '--help'], ['versions', 'show', '--model', 'm', '--version', 'one'], ['versions', 'delete', '--model', 'm', '--version', '1'], ['models', 'delete', 'm']];
    for (const args of light) {
      const r = await traced(args);
      expect(r.stderr, args.join(' ')).toMatch(/imported file:.*\/src\/cli\/program\.js$/m);
      expect(heavy(r, /\.ts$|\/tsx\/|\/graphql\//), args.join(' ')).toEqual([]);
    }
    // A command that talks to a server loads them (so the trace above sees what it looks for).
    const listed = await traced(['models', 'list']);
    expect(listed.code).toBe(EXIT.unreachable);
    expect(listed.stderr).toMatch(/imported file:.*\/src\/client\/index\.ts$/m);
  }, 60_000);

  it('knows every command, and --version is the package version', async () => {
    const help = await bin(['--help']);
    expect(help.code).toBe(0);
    for (const command of ['login', 'models', 'versions', 'evaluations', 'aliases', 'upload', 'download', 'history']) expect(help.stdout).toMatch(new RegExp(`^  ${command} `, 'm'));
    expect((await bin(['--version'])).stdout.trim()).toBe(PACKAGE_VERSION);
    const versions = await bin(['versions', '--help']);
    for (const command of ['list', 'create', 'show', 'update', 'publish', 'delete', 'compare']) expect(versions.stdout).toMatch(new RegExp(`^  ${command} `, 'm'));
    const upload = await bin(['upload', '--help']);
    expect(upload.code).toBe(0);
    expect(upload.stdout).toMatch(/--format <id>/);
    expect((await bin(['versions', 'delete', '--help'])).stdout).toMatch(/-y, --yes/);
  }, 60_000);

  it('logs in, keeps the token in a 0600 file, and reports a bad token with exit 3', async () => {
    const login = await bin(['login', '--url', s.url, '--token', ADMIN_TOKEN, '--json'], {});
    expect(login.code, login.stderr).toBe(0);
    expect(JSON.parse(login.stdout)).toMatchObject({ principal: 'admin', context: 'default' });
    expect(fs.statSync(path.join(work, 'bin-config.json')).mode & 0o777).toBe(0o600);
    const listed = await bin(['models', 'list', '--json'], {});
    expect(listed.code, listed.stderr).toBe(0);
    expect(Array.isArray(JSON.parse(listed.stdout))).toBe(true);
    const listedVersions = await bin(['versions', 'list', '--model', (await givenModel(s, { versions: 1 })).name, '--json'], {});
    expect(listedVersions.code, listedVersions.stderr).toBe(0);
    expect(JSON.parse(listedVersions.stdout).map((v: { number: number }) => v.number)).toEqual([1]);
    const bad = await bin(['models', 'list'], { CAIRN_TOKEN: 'cairn_bad' });
    expect(bad.code).toBe(3);
    expect(bad.stderr).toMatch(/token/);
  }, 60_000);
});

/** A refusal: exit 1, `refused (CODE): ...` and nothing else on stderr, nothing on stdout. */
async function refused(args: string[], code: string, env?: Record<string, string>) {
  const r = await cairn(args, { env });
  expect({ args: args.join(' ').slice(0, 80), code: r.code, stderr: r.stderr.slice(0, 300) }).toEqual({ args: args.join(' ').slice(0, 80), code: EXIT.refused, stderr: expect.any(String) });
  expect(r.stderr).toMatch(new RegExp(`^refused \\(${code}\\): [^\\n]+\\n$`));
  expect(r.stderr).not.toMatch(/\n\s+at |node_modules|\.ts:\d/);
  expect(r.stdout).toBe('');
  return r.stderr;
}

/** A version of `model` with these settings, published when asked, with a pkl file of its own. */
async function givenVersion(model: string, settings: { hyperparameters?: Record<string, unknown>; config?: Record<string, unknown> }, publish: boolean) {
  const created = await client.createVersion(model, settings);
  if (created.__typename !== 'CreateVersionSuccess') throw new Error(JSON.stringify(created));
  const { number } = created.version;
  const data = new Uint8Array(randomBytes(1000 + number));
  expect((await client.uploadFormat({ model, version: number, format: 'pkl', file: data, filename: `v${number}.pkl` })).__typename).toBe('UploadFormatSuccess');
  if (publish) expect((await client.publishVersion(model, number)).__typename).toBe('PublishVersionSuccess');
  return { number, data };
}

describe('cairn evaluations', () => {
  it('records results on datasets from JSON or @file, and lists them in --json, in a table and in versions show', async () => {
    const m = await givenModel(s, { versions: 2 });
    const metricsFile = path.join(work, 'metrics.json');
    fs.writeFileSync(metricsFile, '{"auc": 0.91, "f1@0.5": 0.8}');
    const first = await cairnJson('evaluations', 'record', '--model', m.name, '--version', '1', '--dataset', 's3://d/holdout.csv', '--dataset-name', 'holdout', '--metrics', `@${metricsFile}`, '--notes', 'first run\nsecond line');
    expect(first).toMatchObject({ dataset: { uri: 's3://d/holdout.csv', name: 'holdout' }, metrics: { auc: 0.91, 'f1@0.5': 0.8 }, notes: 'first run\nsecond line', recordedBy: 'admin' });
    expect(Object.keys(first)).toEqual(['id', 'dataset', 'metrics', 'notes', 'recordedAt', 'recordedBy']);
    const words = await cairn(['evaluations', 'record', '--model', m.id, '--version', '1', '--dataset', 'dataset:7', '--metrics', '{"rmse": 1.5}']);
    expect(words.code, words.stderr).toBe(EXIT.ok);
    expect(words.stdout).toMatch(new RegExp(`^Recorded evaluation [0-9a-f-]{36} of version 1 of ${m.id} on dataset:7: rmse=1.5\n$`));

    const listed = await cairnJson('evaluations', 'list', '--model', m.name, '--version', '1');
    expect(listed).toEqual([first, expect.objectContaining({ dataset: { uri: 'dataset:7', name: null }, metrics: { rmse: 1.5 }, notes: null })]);
    const table = (await cairn(['evaluations', 'list', '--model', m.name, '--version', '1'])).stdout.trimEnd().split('\n');
    expect(table[0]).toMatch(/^RECORDED\s+BY\s+DATASET\s+METRICS\s+NOTES$/);
    expect(table[1]).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ\s+admin\s+s3:\/\/d\/holdout\.csv \(holdout\)\s+auc=0\.91, f1@0\.5=0\.8\s+first run…$/);
    expect(table[2]).toMatch(/\s+dataset:7\s+rmse=1\.5\s+-$/);
    expect((await cairn(['evaluations', 'list', '--model', m.name, '--version', '2'])).stdout).toBe(`Version 2 of ${m.name} has no evaluations.\n`);

    const shown = await cairnJson('versions', 'show', '--model', m.name, '--version', '1');
    expect(shown).toMatchObject({ aliases: [], evaluations: listed });
    const text = (await cairn(['versions', 'show', '--model', m.name, '--version', '1'])).stdout;
    expect(text).toContain('aliases: -\n');
    expect(text).toMatch(/evaluations:\n {2}s3:\/\/d\/holdout\.csv \(holdout\): auc=0\.91, f1@0\.5=0\.8 {2}recorded \S+ \S+ by admin\n {4}first run\n {4}second line\n {2}dataset:7: rmse=1\.5 {2}recorded/);

    const history = (await cairn(['history', '--model', m.name])).stdout;
    expect(history).toContain('EvaluationRecorded  version 1 on s3://d/holdout.csv: auc=0.91, f1@0.5=0.8');
  });

  it('refuses bad metrics (VALIDATION, exit 1), JSON that is not (exit 2), a missing version (NOT_FOUND) and a viewer (FORBIDDEN)', async () => {
    const m = await givenModel(s, { versions: 1 });
    const record = (metrics: string, version = '1') => ['evaluations', 'record', '--model', m.name, '--version', version, '--dataset', 's3://d/x.csv', '--metrics', metrics];
    expect(await refused(record('{"auc": "0.9"}'), 'VALIDATION')).toMatch(/Metric "auc" must be a finite number, not string/);
    expect(await refused(record('{}'), 'VALIDATION')).toMatch(/at least one metric/);
    expect(await refused(record('[0.9]'), 'VALIDATION')).toMatch(/JSON object/);
    expect(await refused(record('{" auc": 0.9}'), 'VALIDATION')).toMatch(/start or end with spaces/);
    await refused(['evaluations', 'record', '--model', m.name, '--version', '1', '--dataset', 'not a uri', '--metrics', '{"auc": 1}'], 'VALIDATION');
    await refused(record('{"auc": 0.9}', '2'), 'NOT_FOUND');
    await refused(['evaluations', 'list', '--model', m.name, '--version', '2'], 'NOT_FOUND');
    const notJson = await cairn(record('{auc: 0.9}'));
    expect(notJson.code).toBe(EXIT.usage);
    expect(notJson.stderr).toMatch(/^error: --metrics is not JSON/);
    expect((await cairn(['evaluations', 'record', '--model', m.name, '--version', '1', '--dataset', 's3://d/x.csv'])).code).toBe(EXIT.usage);
    const viewer = await givenPrincipal(s, 'viewer');
    await refused(record('{"auc": 0.9}'), 'FORBIDDEN', { CAIRN_TOKEN: viewer.secret });
    // None of it was recorded; the viewer may still read.
    expect(await cairnJson('evaluations', 'list', '--model', m.name, '--version', '1')).toEqual([]);
    expect((await cairn(['evaluations', 'list', '--model', m.name, '--version', '1'], { env: { CAIRN_TOKEN: viewer.secret } })).code).toBe(EXIT.ok);
  });
});

describe('cairn versions compare', () => {
  it('lines up keys missing from some versions and nested ones, marks the rows that differ, and gives the rows with --json', async () => {
    const m = await givenModel(s);
    await givenVersion(m.name, { hyperparameters: { lr: 0.1, optimizer: { name: 'adam', beta: 0.9 } }, config: { threshold: 0.5 } }, true);
    await givenVersion(m.name, { hyperparameters: { lr: 0.1, optimizer: { name: 'adam', beta: 0.99 }, layers: [64, 32] }, config: { threshold: 0.5 } }, false);
    await givenVersion(m.name, { hyperparameters: { lr: '0.1' } }, false);
    for (const [version, metrics] of [['1', '{"auc": 0.5}'], ['1', '{"auc": 0.91, "f1": 0.8}'], ['3', '{"auc": 0.93}'], ['2', '{"auc": 0.7}']] as const) {
      await cairnJson('evaluations', 'record', '--model', m.name, '--version', version, '--dataset', version === '2' ? 'dataset:other' : 's3://d/holdout.csv', '--metrics', metrics);
    }
    expect((await client.setAlias(m.name, 'production', 1)).__typename).toBe('SetAliasSuccess');

    const compared = await cairnJson('versions', 'compare', '--model', m.name, '1', '3', '2');
    expect(compared).toEqual({
      versions: [1, 3, 2],
      rows: [
        { section: 'HYPERPARAMETERS', key: 'layers', dataset: null, values: [null, null, [64, 32]], differs: true },
        { section: 'HYPERPARAMETERS', key: 'lr', dataset: null, values: [0.1, '0.1', 0.1], differs: true },
        { section: 'HYPERPARAMETERS', key: 'optimizer.beta', dataset: null, values: [0.9, null, 0.99], differs: true },
        { section: 'HYPERPARAMETERS', key: 'optimizer.name', dataset: null, values: ['adam', null, 'adam'], differs: true },
        { section: 'CONFIG', key: 'threshold', dataset: null, values: [0.5, null, 0.5], differs: true },
        { section: 'METRICS', key: 'auc', dataset: 'dataset:other', values: [null, null, 0.7], differs: true },
        { section: 'METRICS', key: 'auc', dataset: 's3://d/holdout.csv', values: [0.91, 0.93, null], differs: true },
        { section: 'METRICS', key: 'f1', dataset: 's3://d/holdout.csv', values: [0.8, null, null], differs: true },
      ],
    });
    const table = await cairn(['versions', 'compare', '--model', m.name, '1', '3', '2']);
    expect(table.code, table.stderr).toBe(EXIT.ok);
    expect(table.stdout).toBe(
      [
        '   SECTION          KEY             DATASET             v1 (production)  v3     v2',
        '*  hyperparameters  layers          -                   -                -      [64,32]',
        '*  hyperparameters  lr              -                   0.1              "0.1"  0.1',
        '*  hyperparameters  optimizer.beta  -                   0.9              -      0.99',
        '*  hyperparameters  optimizer.name  -                   "adam"           -      "adam"',
        '*  config           threshold       -                   0.5              -      0.5',
        '*  metrics          auc             dataset:other       -                -      0.7',
        '*  metrics          auc             s3://d/holdout.csv  0.91             0.93   -',
        '*  metrics          f1              s3://d/holdout.csv  0.8              -      -',
        'rows marked * differ',
        '',
      ].join('\n'),
    );

    // Where they agree: unmarked rows, left out with --only-differences.
    const same = await cairn(['versions', 'compare', '--model', m.name, '1', '2']);
    const lines = same.stdout.trimEnd().split('\n');
    expect(lines.filter((l) => l.startsWith('*')).map((l) => l.split(/\s+/)[2])).toEqual(['layers', 'optimizer.beta', 'auc', 'auc', 'f1']);
    expect(lines.filter((l) => /^ {3}\S/.test(l)).map((l) => l.trim().split(/\s+/)[1])).toEqual(['KEY', 'lr', 'optimizer.name', 'threshold']);
    const differences = await cairnJson('versions', 'compare', '--model', m.name, '1', '2', '--only-differences');
    expect(differences.rows.map((r: { key: string }) => r.key)).toEqual(['layers', 'optimizer.beta', 'auc', 'auc', 'f1']);
    const none = await givenModel(s, { versions: 2 });
    expect((await cairn(['versions', 'compare', '--model', none.name, '1', '2', '--only-differences'])).stdout).toBe('Versions 1, 2 have no settings or metrics to compare.\n');
  });

  it('refuses a number that is not a live version (NOT_FOUND, naming it), one version or eleven (VALIDATION), and a word (exit 2)', async () => {
    const m = await givenModel(s, { versions: 2 });
    expect(await refused(['versions', 'compare', '--model', m.name, '1', '7'], 'NOT_FOUND')).toMatch(/no version 7/);
    await refused(['versions', 'compare', '--model', uniqueName('none'), '1', '2'], 'NOT_FOUND');
    await refused(['versions', 'compare', '--model', m.name, '1'], 'VALIDATION');
    await refused(['versions', 'compare', '--model', m.name, ...Array.from({ length: 11 }, (_, i) => String(i + 1))], 'VALIDATION');
    const word = await cairn(['versions', 'compare', '--model', m.name, '1', 'two']);
    expect(word.code).toBe(EXIT.usage);
    expect(word.stderr).toMatch(/A version number must be a whole number from 1/);
    expect((await cairn(['versions', 'compare', '--model', m.name])).code).toBe(EXIT.usage);
  });
});

describe('cairn aliases and download --alias', () => {
  it('sets, moves and removes an alias; a download by alias gets the bytes of the version it points at then', async () => {
    // A name that has to be URL-encoded in the download path.
    const name = uniqueName('churn / eu');
    expect((await client.createModel({ name })).__typename).toBe('CreateModelSuccess');
    const v1 = await givenVersion(name, {}, true);
    const v2 = await givenVersion(name, {}, true);
    const eventsBefore = (await client.history(name)).length;

    expect(await cairnJson('aliases', 'set', '--model', name, 'production', '1')).toMatchObject({ name: 'production', version: 1, setBy: 'admin' });
    expect((await cairn(['aliases', 'set', '--model', name, 'canary', '2'])).stdout).toBe(`canary of ${name} -> version 2\n`);
    const out = path.join(work, 'production.pkl');
    const first = await cairnJson('download', '--model', name, '--alias', 'production', '--format', 'pkl', '-o', out);
    expect(first).toMatchObject({ version: 1, sha256: sha256(v1.data), size: v1.data.length });
    expect(sha256(fs.readFileSync(out))).toBe(sha256(v1.data));

    // Moved: the same command now gets version 2's file, under version 2's file name without -o.
    expect(await cairnJson('aliases', 'set', '--model', name, 'production', '2')).toMatchObject({ name: 'production', version: 2 });
    const cwd = process.cwd();
    process.chdir(work);
    try {
      const moved = await cairn(['download', '--model', name, '--alias', 'production', '--format', 'pkl']);
      expect(moved.code, moved.stderr).toBe(EXIT.ok);
      expect(moved.stdout).toBe(`Saved v2.pkl (version 2, which production points at): ${v2.data.length} B, sha256 ${sha256(v2.data)} (verified)\n`);
      expect(sha256(fs.readFileSync(path.join(work, 'v2.pkl')))).toBe(sha256(v2.data));
    } finally {
      process.chdir(cwd);
    }
    // Set where it points already: success, and nothing recorded.
    expect(await cairnJson('aliases', 'set', '--model', name, 'production', '2')).toMatchObject({ version: 2 });

    const list = await cairnJson('aliases', 'list', '--model', name);
    expect(list.map((a: { name: string; version: number }) => [a.name, a.version])).toEqual([
      ['canary', 2],
      ['production', 2],
    ]);
    const table = (await cairn(['aliases', 'list', '--model', name])).stdout.trimEnd().split('\n');
    expect(table[0]).toMatch(/^ALIAS\s+VERSION\s+SET\s+BY$/);
    expect(table.slice(1).map((l) => l.split(/\s+/).slice(0, 2))).toEqual([
      ['canary', '2'],
      ['production', '2'],
    ]);
    expect((await cairnJson('versions', 'show', '--model', name, '--version', '2')).aliases).toEqual(['canary', 'production']);
    expect((await cairn(['models', 'show', name])).stdout).toContain('versions: 1 published [pkl]; 2 published [pkl] (canary, production)');

    expect(await cairnJson('aliases', 'remove', '--model', name, 'canary')).toEqual({ model: (await client.modelId(name)), removed: 'canary' });
    expect((await cairn(['aliases', 'remove', '--model', name, 'production'])).stdout).toBe(`Removed alias production of ${name}\n`);
    expect((await cairn(['aliases', 'list', '--model', name])).stdout).toBe(`${name} has no aliases.\n`);
    expect(await refused(['download', '--model', name, '--alias', 'production', '--format', 'pkl', '-o', out], 'NOT_FOUND')).toBeTruthy();
    expect(sha256(fs.readFileSync(out))).toBe(sha256(v1.data));

    const history = (await cairn(['history', '--model', name])).stdout.trimEnd().split('\n').slice(eventsBefore);
    expect(history.map((l) => l.split('  ').slice(2).join('  '))).toEqual([
      'AliasSet  production -> version 1',
      'AliasSet  canary -> version 2',
      'AliasSet  production -> version 2 (was 1)',
      'AliasRemoved  canary (pointed at version 2)',
      'AliasRemoved  production (pointed at version 2)',
    ]);
  });

  it('refuses a draft (VERSION_NOT_PUBLISHED), deleting an aliased version (VERSION_ALIASED), bad names, a viewer, and a download with neither or both of --version and --alias', async () => {
    const m = await givenModel(s);
    await givenVersion(m.name, {}, true);
    await givenVersion(m.name, {}, false);
    expect(await refused(['aliases', 'set', '--model', m.name, 'production', '2'], 'VERSION_NOT_PUBLISHED')).toMatch(/Version 2 is a draft/);
    await cairnJson('aliases', 'set', '--model', m.name, 'production', '1');

    // With --yes, the server's refusal; on a terminal, the same without a question first.
    expect(await refused(['versions', 'delete', '--model', m.name, '--version', '1', '--yes'], 'VERSION_ALIASED')).toMatch(/"production" points at/);
    const asked = await cairn(['versions', 'delete', '--model', m.name, '--version', '1'], { stdin: stdin({ tty: true }) });
    expect(asked.code).toBe(EXIT.refused);
    expect(asked.stderr).not.toContain('[y/N]');
    expect(asked.stderr).toMatch(/^refused \(VERSION_ALIASED\): Version 1 of .* is what "production" points at; move or remove that alias first\n$/);
    expect((await client.getVersion(m.id, 1))?.status).toBe('PUBLISHED');

    for (const bad of ['Production', '1', 'a b', 'x'.repeat(33)]) await refused(['aliases', 'set', '--model', m.name, bad, '1'], 'VALIDATION');
    await refused(['aliases', 'set', '--model', m.name, 'staging', '9'], 'NOT_FOUND');
    await refused(['aliases', 'remove', '--model', m.name, 'staging'], 'NOT_FOUND');
    await refused(['aliases', 'list', '--model', uniqueName('none')], 'NOT_FOUND');
    expect((await cairn(['aliases', 'set', '--model', m.name, 'staging', 'one'])).code).toBe(EXIT.usage);
    const viewer = await givenPrincipal(s, 'viewer');
    await refused(['aliases', 'set', '--model', m.name, 'staging', '1'], 'FORBIDDEN', { CAIRN_TOKEN: viewer.secret });
    await refused(['aliases', 'remove', '--model', m.name, 'production'], 'FORBIDDEN', { CAIRN_TOKEN: viewer.secret });
    expect(await cairnJson('aliases', 'list', '--model', m.name)).toEqual([expect.objectContaining({ name: 'production', version: 1 })]);

    const neither = await cairn(['download', '--model', m.name, '--format', 'pkl']);
    expect(neither.code).toBe(EXIT.usage);
    expect(neither.stderr).toMatch(/download needs --version <n> or --alias <name>/);
    const both = await cairn(['download', '--model', m.name, '--version', '1', '--alias', 'production', '--format', 'pkl']);
    expect(both.code).toBe(EXIT.usage);
    expect(both.stderr).toMatch(/cannot be used with/);
    expect((await cairn(['aliases', 'remove', '--model', m.name, 'production'])).code).toBe(EXIT.ok);
    expect(await cairnJson('versions', 'delete', '--model', m.name, '--version', '1', '--yes')).toMatchObject({ deleted: 1 });
  });
});

describe('hostile values in the release commands', () => {
  it('refuses them with a typed error, exit 1, no stack trace, and nothing changed', async () => {
    const m = await givenModel(s);
    await givenVersion(m.name, {}, true);
    await cairnJson('aliases', 'set', '--model', m.name, 'production', '1');
    const deep = (levels: number) => `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`;
    const out = path.join(work, 'hostile.pkl');
    const cases: [string[], string][] = [
      ...['\ud800', 'a\udc00b', '..', '.', 'a/b', '%2F', 'production/../1', '1e0'].map((alias): [string[], string] => [['download', '--model', m.name, '--alias', alias, '--format', 'pkl', '-o', out], 'NOT_FOUND']),
      // A path longer than Node's parser takes: 431, no body.
      [['download', '--model', m.name, '--alias', 'x'.repeat(100_000), '--format', 'pkl', '-o', out], 'VALIDATION'],
      ...['..', '\ud800', 'pkl/../x'].map((format): [string[], string] => [['download', '--model', m.name, '--version', '1', '--format', format, '-o', out], 'NOT_FOUND']),
      [['download', '--model', '..', '--alias', 'production', '--format', 'pkl', '-o', out], 'NOT_FOUND'],
      [['download', '--model', '\ud800', '--alias', 'production', '--format', 'pkl', '-o', out], 'VALIDATION'],
      ...['\ud800', '..', 'x'.repeat(100_000), 'prod\u0000'].map((alias): [string[], string] => [['aliases', 'set', '--model', m.name, alias, '1'], 'VALIDATION']),
      [['aliases', 'remove', '--model', m.name, '\ud800'], 'VALIDATION'],
      [['aliases', 'remove', '--model', m.name, 'x'.repeat(100_000)], 'NOT_FOUND'],
      [['evaluations', 'record', '--model', m.name, '--version', '1', '--dataset', '\ud800', '--metrics', '{"auc": 1}'], 'VALIDATION'],
      [['evaluations', 'record', '--model', m.name, '--version', '1', '--dataset', 's3://d/x', '--metrics', '{"\\ud800": 1}'], 'VALIDATION'],
      [['evaluations', 'record', '--model', m.name, '--version', '1', '--dataset', 's3://d/x', '--metrics', '{"__proto__": "x"}'], 'VALIDATION'],
      [['evaluations', 'record', '--model', m.name, '--version', '1', '--dataset', 's3://d/x', '--metrics', deep(1000)], 'VALIDATION'],
      // Deeper than the client can serialise: refused before sending.
      [['evaluations', 'record', '--model', m.name, '--version', '1', '--dataset', 's3://d/x', '--metrics', deep(100_000)], 'VALIDATION'],
      [['evaluations', 'record', '--model', m.name, '--version', '1', '--dataset', 's3://d/x', '--metrics', '{"auc": 1e999}'], 'VALIDATION'],
    ];
    for (const [args, code] of cases) await refused(args, code);
    expect(fs.existsSync(out)).toBe(false);
    expect(await cairnJson('evaluations', 'list', '--model', m.name, '--version', '1')).toEqual([]);
    expect(await cairnJson('aliases', 'list', '--model', m.name)).toEqual([expect.objectContaining({ name: 'production', version: 1 })]);
  });
});
