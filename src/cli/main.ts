import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import { CairnClient, CairnRequestError, ChecksumMismatch, type Model } from '../client/index.ts';

/** Exit codes a shell script can branch on. */
export const EXIT = { ok: 0, refused: 1, usage: 2, unreachable: 3 } as const;

class Refused extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

interface Saved {
  url: string;
  token: string;
  context?: string;
}

const configFile = () => process.env.CAIRN_CONFIG ?? path.join(process.env.XDG_CONFIG_HOME ?? path.join(os.homedir(), '.config'), 'cairn', 'config.json');

function readConfig(): Partial<Saved> {
  try {
    return JSON.parse(fs.readFileSync(configFile(), 'utf8')) as Partial<Saved>;
  } catch {
    return {};
  }
}

/** CAIRN_URL and CAIRN_TOKEN override what `cairn login` saved. */
function client(): CairnClient {
  const saved = readConfig();
  const url = process.env.CAIRN_URL ?? saved.url;
  const token = process.env.CAIRN_TOKEN ?? saved.token;
  if (!url || !token) throw new CairnRequestError('Not logged in: run `cairn login --url <url> --token <token>`, or set CAIRN_URL and CAIRN_TOKEN', 401, 'UNAUTHENTICATED');
  return new CairnClient({ url, token, context: process.env.CAIRN_CONTEXT ?? saved.context });
}

/** `text`, or `@file` for a file's contents. */
function textOrFile(value: string): string {
  return value.startsWith('@') ? fs.readFileSync(value.slice(1), 'utf8') : value;
}

function json(value: string, what: string): unknown {
  try {
    return JSON.parse(textOrFile(value));
  } catch (error) {
    throw new CommanderError(EXIT.usage, 'cairn.usage', `--${what} is not JSON: ${(error as Error).message}`);
  }
}

const tagList = (value: string) => value.split(',').map((t) => t.trim()).filter(Boolean);
const collect = (value: string, previous: string[] = []) => [...previous, value];
const versionNumber = (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new CommanderError(EXIT.usage, 'cairn.usage', `--version must be a whole number from 1, not "${value}"`);
  return n;
};

/** A typed mutation result: the success's payload, or a Refused with the error's code. */
function unwrap<T extends { __typename: string }>(result: T): T {
  if ('code' in result && typeof result.code === 'string') throw new Refused(result.code, (result as { message?: string }).message ?? result.code);
  return result;
}

interface Out {
  json: boolean;
}

function print(opts: Out, value: unknown, human: () => string): void {
  process.stdout.write(`${opts.json ? JSON.stringify(value, null, 2) : human()}\n`);
}

const formatBytes = (n: number) => (n >= 1024 ** 3 ? `${(n / 1024 ** 3).toFixed(2)} GiB` : n >= 1024 ** 2 ? `${(n / 1024 ** 2).toFixed(1)} MiB` : n >= 1024 ? `${(n / 1024).toFixed(1)} KiB` : `${n} B`);

/** A progress bar with bytes, rate and time left on a terminal; a plain line per tenth otherwise. */
function progress(label: string) {
  const started = Date.now();
  const tty = process.stderr.isTTY;
  let lastTenth = -1;
  return (done: number, total: number | undefined) => {
    const seconds = Math.max((Date.now() - started) / 1000, 0.001);
    const rate = done / seconds;
    if (tty) {
      const width = 30;
      const fraction = total ? done / total : 0;
      const bar = total ? `[${'#'.repeat(Math.round(fraction * width)).padEnd(width, '-')}] ${(fraction * 100).toFixed(0).padStart(3)}% ` : '';
      const left = total && rate > 0 ? ` ${Math.ceil((total - done) / rate)} s left` : '';
      process.stderr.write(`\r${label} ${bar}${formatBytes(done)}${total ? ` of ${formatBytes(total)}` : ''} ${formatBytes(rate)}/s${left}   `);
      if (total !== undefined && done >= total) process.stderr.write('\n');
    } else {
      const tenth = total ? Math.floor((done / total) * 10) : -1;
      if (tenth > lastTenth) {
        lastTenth = tenth;
        process.stderr.write(`${label} ${formatBytes(done)}${total ? ` of ${formatBytes(total)} (${tenth * 10}%)` : ''}\n`);
      }
    }
  };
}

function versionSettings(cmd: Command): Command {
  return cmd
    .option('--description <text|@file>', 'plain text or markdown, or @file to read it from a file')
    .option('--tags <a,b>', 'comma-separated tags')
    .option('--hyperparameters <json|@file>', 'a JSON object')
    .option('--config <json|@file>', 'a JSON object, read by the deployment container')
    .option('--record <uri>', 'a training dataset (repeatable)', collect);
}

function settingsFrom(o: Record<string, unknown>) {
  return {
    ...(o.description !== undefined && { description: textOrFile(o.description as string) }),
    ...(o.tags !== undefined && { tags: tagList(o.tags as string) }),
    ...(o.hyperparameters !== undefined && { hyperparameters: json(o.hyperparameters as string, 'hyperparameters') }),
    ...(o.config !== undefined && { config: json(o.config as string, 'config') }),
    ...(o.record !== undefined && { records: (o.record as string[]).map((uri) => ({ uri })) }),
  };
}

export function buildProgram(): Command {
  const program = new Command('cairn')
    .description('Cairn model registry from the shell. Exit codes: 0 ok, 1 refused by a rule, 2 usage, 3 cannot connect or not authorized.')
    .showHelpAfterError()
    .exitOverride();
  const withJson = (cmd: Command) => cmd.addOption(new Option('--json', 'machine-readable output'));

  withJson(program.command('login').description('save the server URL and a token (mode 0600) for later commands'))
    .requiredOption('--url <url>', 'e.g. http://localhost:4000')
    .requiredOption('--token <token>', 'an API token')
    .option('--context <name>', 'the context to work in')
    .action(async (o) => {
      const me = await new CairnClient({ url: o.url, token: o.token, context: o.context }).me();
      const file = configFile();
      fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
      fs.writeFileSync(file, JSON.stringify({ url: o.url, token: o.token, context: o.context }, null, 2), { mode: 0o600 });
      fs.chmodSync(file, 0o600);
      print(o, { principal: me.principal.name, context: me.context.name, config: file }, () => `Logged in as ${me.principal.name} in context ${me.context.name}; saved to ${file}`);
    });

  const models = program.command('models').description('list, create, show, update and delete models');
  withJson(models.command('list').description('list models'))
    .option('--search <text>', 'match name, description and tags')
    .option('--tag <tag>', 'keep models with this tag (repeatable)', collect)
    .action(async (o) => {
      const c = client();
      const all: Model[] = [];
      let after: string | undefined;
      for (;;) {
        const page = await c.listModels({ search: o.search, tags: o.tag, after });
        all.push(...page.edges.map((e) => e.node));
        if (!page.pageInfo.hasNextPage) break;
        after = page.pageInfo.endCursor ?? undefined;
      }
      print(o, all, () => (all.length ? all.map((m) => `${m.id}  ${m.name}  v${m.latestVersion?.number ?? '-'}  [${m.tags.join(', ')}]`).join('\n') : 'No models.'));
    });
  withJson(models.command('create <name>').description('create a model'))
    .option('--tags <a,b>', 'comma-separated tags')
    .option('--description <text|@file>', 'plain text or markdown, or @file')
    .action(async (name, o) => {
      const r = unwrap(await client().createModel({ name, tags: o.tags ? tagList(o.tags) : undefined, description: o.description ? textOrFile(o.description) : undefined }));
      if (r.__typename !== 'CreateModelSuccess') return;
      print(o, r.model, () => `Created model ${r.model.name} (${r.model.id})`);
    });
  withJson(models.command('show <model>').description('show a model (name or id) and its versions')).action(async (ref, o) => {
    const m = await client().getModel(ref);
    if (!m) throw new Refused('NOT_FOUND', `No model "${ref}"`);
    print(o, m, () =>
      [
        `${m.name} (${m.id})`,
        `tags: ${m.tags.join(', ') || '-'}`,
        m.description ? `description: ${m.description}` : '',
        `versions: ${m.versions.edges.map((e) => `${e.node.number} ${e.node.status.toLowerCase()} [${e.node.formats.map((f) => f.id).join(', ')}]`).join('; ') || '-'}`,
      ]
        .filter(Boolean)
        .join('\n'),
    );
  });
  withJson(models.command('update <model>').description('rename, retag or redescribe a model'))
    .option('--name <name>')
    .option('--tags <a,b>')
    .option('--description <text|@file>')
    .action(async (ref, o) => {
      const r = unwrap(
        await client().updateModel(ref, {
          ...(o.name && { name: o.name }),
          ...(o.tags !== undefined && { tags: tagList(o.tags) }),
          ...(o.description !== undefined && { description: textOrFile(o.description) }),
        }),
      );
      if (r.__typename !== 'UpdateModelSuccess') return;
      print(o, r.model, () => `Updated model ${r.model.name}`);
    });
  withJson(models.command('delete <model>').description('delete a model, all its versions and files (irreversible)')).action(async (ref, o) => {
    const r = unwrap(await client().deleteModel(ref));
    if (r.__typename !== 'DeleteModelSuccess') return;
    print(o, r, () => `Deleted model ${ref}`);
  });

  const versions = program.command('versions').description('create, show, update, publish and delete versions');
  withJson(versionSettings(versions.command('create').description("create the model's next version")))
    .requiredOption('--model <name|id>')
    .action(async (o) => {
      const r = unwrap(await client().createVersion(o.model, settingsFrom(o)));
      if (r.__typename !== 'CreateVersionSuccess') return;
      print(o, r.version, () => `Created version ${r.version.number} of ${o.model}`);
    });
  withJson(versions.command('show').description('show a version'))
    .requiredOption('--model <name|id>')
    .requiredOption('--version <n>', 'version number', versionNumber)
    .action(async (o) => {
      const v = await client().getVersion(o.model, o.version);
      if (!v) throw new Refused('NOT_FOUND', `${o.model} has no version ${o.version}`);
      print(o, v, () =>
        [
          `version ${v.number} (${v.status.toLowerCase()})`,
          `hyperparameters: ${JSON.stringify(v.hyperparameters)}`,
          `config: ${JSON.stringify(v.config)}`,
          ...v.formats.map((f) => `${f.id}: ${f.filename} ${formatBytes(f.size)} sha256 ${f.sha256}`),
        ].join('\n'),
      );
    });
  withJson(versionSettings(versions.command('update').description("change a draft version's settings")))
    .requiredOption('--model <name|id>')
    .requiredOption('--version <n>', 'version number', versionNumber)
    .action(async (o) => {
      const r = unwrap(await client().updateVersion(o.model, o.version, settingsFrom(o)));
      if (r.__typename !== 'UpdateVersionSuccess') return;
      print(o, r.version, () => `Updated version ${r.version.number}`);
    });
  withJson(versions.command('publish').description('publish a draft version: it can no longer change'))
    .requiredOption('--model <name|id>')
    .requiredOption('--version <n>', 'version number', versionNumber)
    .action(async (o) => {
      const r = unwrap(await client().publishVersion(o.model, o.version));
      if (r.__typename !== 'PublishVersionSuccess') return;
      print(o, r.version, () => `Published version ${r.version.number}`);
    });
  withJson(versions.command('delete').description('delete a version and its files (irreversible; its number is not reused)'))
    .requiredOption('--model <name|id>')
    .requiredOption('--version <n>', 'version number', versionNumber)
    .action(async (o) => {
      const r = unwrap(await client().deleteVersion(o.model, o.version));
      if (r.__typename !== 'DeleteVersionSuccess') return;
      print(o, { model: r.model.id, deleted: o.version }, () => `Deleted version ${o.version}`);
    });

  withJson(program.command('upload <file>').description("store a file as a draft version's format (streamed, checksummed)"))
    .requiredOption('--model <name|id>')
    .requiredOption('--version <n>', 'version number', versionNumber)
    .requiredOption('--format <id>', 'pkl, rda, pmml, ...')
    .action(async (file, o) => {
      if (!fs.existsSync(file)) throw new CommanderError(EXIT.usage, 'cairn.usage', `No file ${file}`);
      const r = unwrap(await client().uploadFormat({ model: o.model, version: o.version, format: o.format, file, onProgress: o.json ? undefined : progress('upload') }));
      if (r.__typename !== 'UploadFormatSuccess') return;
      print(o, r.format, () => `Stored ${r.format.filename} as ${r.format.id} of version ${o.version}: ${formatBytes(r.format.size)}, sha256 ${r.format.sha256}`);
    });

  withJson(program.command('download').description("fetch a version's file and verify its sha256"))
    .requiredOption('--model <name|id>')
    .requiredOption('--version <n>', 'version number', versionNumber)
    .requiredOption('--format <id>')
    .option('-o, --output <path>', 'where to write it (default: the uploaded file name)')
    .action(async (o) => {
      const c = client();
      let target = o.output as string | undefined;
      if (!target) {
        const v = await c.getVersion(o.model, o.version);
        target = v?.formats.find((f) => f.id === o.format)?.filename ?? `model.${o.format}`;
      }
      const r = await c.downloadFormat({ model: o.model, version: o.version, format: o.format, to: target, onProgress: o.json ? undefined : progress('download') });
      print(o, r, () => `Saved ${r.path}: ${formatBytes(r.size)}, sha256 ${r.sha256} (verified)`);
    });

  withJson(program.command('history').description("a model's events: who did what, and when"))
    .requiredOption('--model <name|id>')
    .action(async (o) => {
      const events = await client().history(o.model);
      print(o, events, () => events.map((e) => `${e.recordedAt}  ${e.actor ?? '-'}  ${e.type}  ${JSON.stringify(e.data)}`).join('\n'));
    });

  return program;
}

/** Runs the command line; returns the exit code. */
export async function run(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return EXIT.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help') return EXIT.ok;
      if (error.code === 'cairn.usage') process.stderr.write(`error: ${error.message}\n`);
      return EXIT.usage;
    }
    if (error instanceof Refused) {
      process.stderr.write(`refused (${error.code}): ${error.message}\n`);
      return EXIT.refused;
    }
    if (error instanceof ChecksumMismatch) {
      process.stderr.write(`refused (CHECKSUM_MISMATCH): ${error.message}; nothing was saved\n`);
      return EXIT.refused;
    }
    if (error instanceof CairnRequestError) {
      // An answer with a code (NOT_FOUND, FORBIDDEN, CHECKSUM_MISMATCH ...) is a refusal; no answer, no valid
      // token or a server failure means not getting through.
      const refused = error.code !== undefined && error.code !== 'UNAUTHENTICATED' && (error.status ?? 500) < 500;
      process.stderr.write(`${refused ? `refused (${error.code})` : 'error'}: ${error.message}\n`);
      return refused ? EXIT.refused : EXIT.unreachable;
    }
    process.stderr.write(`error: ${(error as Error).message}\n`);
    return EXIT.unreachable;
  }
}
