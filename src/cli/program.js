// @ts-check
// The `cairn` command tree: commands, options, help text and exit codes. Plain (type-checked) JavaScript,
// so that `cairn --help`, `cairn --version` and a usage error load commander and nothing else: no
// TypeScript (Node's type stripper alone takes longer to start than the 0.4 s a --help may take on
// Node 22), no tsx, no client, no graphql. What each command does is in actions.ts, loaded when one runs.
import fs from 'node:fs';
import path from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import { EXIT, usage } from './exitCodes.js';

/** @import { Actions, Io, Session } from './actions.ts' */

export { EXIT };

/** The package's version, from package.json two directories up. */
function packageVersion() {
  return /** @type {{ version: string }} */ (JSON.parse(fs.readFileSync(path.join(import.meta.dirname, '../../package.json'), 'utf8'))).version;
}

/** @param {string} value @param {string[]} previous */
const collect = (value, previous = []) => [...previous, value];

/** A parser of a version number, `what` naming it in the usage error. @param {string} what */
const numberOf = (what) => /** @param {string} value */ (value) => {
  const n = Number(value);
  // GraphQL's Int is 32 bits: a larger number could only be refused by the server, as a malformed request.
  if (!Number.isInteger(n) || n < 1 || n > 2 ** 31 - 1) throw usage(`${what} must be a whole number from 1 to ${2 ** 31 - 1}, not "${value}"`);
  return n;
};
const versionNumber = numberOf('--version');
/** Each of a variadic argument's version numbers. @param {string} value @param {number[]} [previous] */
const versionNumbers = (value, previous = []) => [...previous, numberOf('A version number')(value)];

/** A delivery status, in any case. @param {string} value */
function deliveryStatus(value) {
  const status = value.toUpperCase();
  if (!['PENDING', 'SUCCEEDED', 'FAILED'].includes(status)) throw usage(`--status must be PENDING, SUCCEEDED or FAILED, not "${value}"`);
  return status;
}

/** --active's value. @param {string} value */
function trueOrFalse(value) {
  if (value !== 'true' && value !== 'false') throw usage(`--active must be true or false, not "${value}"`);
  return value === 'true';
}

/** @param {Command} cmd */
const withJson = (cmd) => cmd.addOption(new Option('--json', 'machine-readable output'));
/** @param {Command} cmd */
const inVersion = (cmd) => cmd.requiredOption('--model <name|id>').requiredOption('--version <n>', 'version number', versionNumber);

/** @param {Command} cmd */
function versionSettings(cmd) {
  return cmd
    .option('--description <text|@file>', 'plain text or markdown, or @file to read it from a file')
    .option('--tags <a,b>', 'comma-separated tags')
    .option('--hyperparameters <json|@file>', 'a JSON object')
    .option('--config <json|@file>', 'a JSON object, read by the deployment container')
    .option('--record <uri>', 'a training dataset (repeatable)', collect);
}

/**
 * The command tree; `act(name)` is the action that runs `name` of actions.ts with commander's arguments,
 * `canAsk()` whether a question can be put to the user (stdin is a terminal).
 * @param {(name: keyof Actions) => (...args: any[]) => Promise<void>} act
 * @param {() => boolean} canAsk
 */
export function buildProgram(act, canAsk) {
  /**
   * An irreversible command: it takes --yes, and without it goes ahead (to ask, in actions.ts) only when a
   * question can be asked. Refused here otherwise, before actions.ts, the client or any request.
   * @param {Command} cmd @param {keyof Actions} name @param {(...args: any[]) => string} what
   */
  const irreversible = (cmd, name, what) =>
    cmd.option('-y, --yes', 'do not ask for confirmation (needed when stdin is not a terminal)').action(async (...args) => {
      if (!args.at(-2).yes && !canAsk()) throw usage(`${what(...args)} cannot be undone and needs confirmation, but stdin is not a terminal: pass --yes to go ahead without asking`);
      await act(name)(...args);
    });

  const program = new Command('cairn')
    .description('Cairn model registry from the shell. Exit codes: 0 ok, 1 refused (by a rule, or not confirmed), 2 usage, 3 cannot connect or not authorized.')
    .version(packageVersion(), '-V, --version', "print cairn's version")
    // Only before a command: after one, --version is a version number (versions show --version 2).
    .enablePositionalOptions()
    .showHelpAfterError()
    .exitOverride();

  withJson(program.command('login').description('save the server URL and a token (mode 0600) for later commands'))
    .requiredOption('--url <url>', 'e.g. http://localhost:4000')
    .requiredOption('--token <token>', 'an API token')
    .option('--context <name>', 'the context to work in')
    .action(act('login'));

  const models = program.command('models').description('list, create, show, update and delete models');
  withJson(models.command('list').description('list models'))
    .option('--search <text>', 'match name, description and tags')
    .option('--tag <tag>', 'keep models with this tag (repeatable)', collect)
    .action(act('modelsList'));
  withJson(models.command('create <name>').description('create a model'))
    .option('--tags <a,b>', 'comma-separated tags')
    .option('--description <text|@file>', 'plain text or markdown, or @file')
    .action(act('modelsCreate'));
  withJson(models.command('show <model>').description('show a model (name or id) and its versions')).action(act('modelsShow'));
  withJson(models.command('update <model>').description('rename, retag or redescribe a model'))
    .option('--name <name>')
    .option('--tags <a,b>')
    .option('--description <text|@file>')
    .action(act('modelsUpdate'));
  irreversible(withJson(models.command('delete <model>').description('delete a model, all its versions and files (irreversible: asks you to type its name)')), 'modelsDelete', (ref) => `Deleting model ${ref}`);

  const versions = program.command('versions').description('list, create, show, update, publish and delete versions');
  withJson(versions.command('list').description("list a model's versions by number (deleted ones are not listed: their numbers stay missing)"))
    .requiredOption('--model <name|id>')
    .action(act('versionsList'));
  withJson(versionSettings(versions.command('create').description("create the model's next version")))
    .requiredOption('--model <name|id>')
    .action(act('versionsCreate'));
  inVersion(withJson(versions.command('show').description('show a version: settings, records, formats, who created and published it, and when'))).action(act('versionsShow'));
  inVersion(withJson(versionSettings(versions.command('update').description("change a draft version's settings")))).action(act('versionsUpdate'));
  irreversible(inVersion(withJson(versions.command('publish').description('publish a draft version: it can never change again (irreversible: asks y/N)'))), 'versionsPublish', (o) => `Publishing version ${o.version} of ${o.model}`);
  irreversible(inVersion(withJson(versions.command('delete').description('delete a version and its files (irreversible: asks y/N; its number is not given again; refused while an alias points at it)'))), 'versionsDelete', (o) => `Deleting version ${o.version} of ${o.model}`);
  withJson(versions.command('compare').description('versions side by side: hyperparameters, config and the latest metrics per dataset; * marks the rows that differ'))
    .argument('<numbers...>', '2-10 version numbers, in the order of the columns', versionNumbers)
    .requiredOption('--model <name|id>')
    .option('--only-differences', 'leave out the rows whose values are all the same')
    .action(act('versionsCompare'));

  const evaluations = program.command('evaluations').description("record and list a version's results on datasets (draft or published: the version does not change)");
  inVersion(withJson(evaluations.command('record').description("record a version's metrics on a dataset")))
    .requiredOption('--dataset <uri>', 'the dataset the results are on, e.g. s3://data/holdout.csv')
    .option('--dataset-name <name>', "the dataset's name")
    .requiredOption('--metrics <json|@file>', 'a JSON object of metric names to numbers, e.g. \'{"auc": 0.91}\', or @file')
    .option('--notes <text|@file>', 'plain text or markdown, or @file')
    .action(act('evaluationsRecord'));
  inVersion(withJson(evaluations.command('list').description("a version's evaluations, in the order recorded"))).action(act('evaluationsList'));

  const aliases = program.command('aliases').description('the names deployments follow (production, champion): set, move, remove and list them');
  withJson(aliases.command('set').description('point an alias at a published version: creates it, or moves it'))
    .argument('<alias>', 'a lower-case letter, then lower-case letters, digits, _ or -')
    .argument('<number>', 'a published version', numberOf('The version number'))
    .requiredOption('--model <name|id>')
    .action(act('aliasesSet'));
  // Reversible (setting it again brings it back): no question asked.
  withJson(aliases.command('remove <alias>').description('remove an alias; the version it pointed at stays'))
    .requiredOption('--model <name|id>')
    .action(act('aliasesRemove'));
  withJson(aliases.command('list').description("a model's aliases and the versions they point at"))
    .requiredOption('--model <name|id>')
    .action(act('aliasesList'));

  const webhooks = program.command('webhooks').description("POST this context's model events, signed, to other systems (context administrators): create, list, update, delete them, and see and redo their deliveries");
  withJson(webhooks.command('create').description('send events to a URL from now on; prints the signing secret, this once'))
    .requiredOption('--url <url>', 'http:// or https://, on a public address')
    .option('--event <type>', 'an event type to send: ModelCreated, VersionPublished, AliasSet ... (repeatable; none: all of them)', collect)
    .option('--model <name|id>', "only this model's events (default: every model of the context)")
    .option('--description <text>')
    .action(act('webhooksCreate'));
  withJson(webhooks.command('list').description("the context's webhooks, oldest first")).action(act('webhooksList'));
  withJson(webhooks.command('deliveries <webhook-id>').description("a webhook's deliveries, newest event first: status, attempts, the last answer or error"))
    .option('--status <status>', 'only PENDING, SUCCEEDED or FAILED ones', deliveryStatus)
    .action(act('webhooksDeliveries'));
  // Reversible in effect (it sends an event once more, which receivers de-duplicate by Cairn-Delivery): no question.
  withJson(webhooks.command('redeliver <delivery-id>').description('make a delivery due again now, with a fresh allowance of attempts')).action(act('webhooksRedeliver'));
  withJson(webhooks.command('update <webhook-id>').description("change a webhook's URL, events, description, or pause it (--active false: its deliveries wait)"))
    .option('--url <url>')
    .addOption(new Option('--event <type>', 'the event types to send from now on (repeatable)').argParser(collect).conflicts('allEvents'))
    .option('--all-events', 'send every event type')
    .option('--active <true|false>', 'false: send nothing until true again (deliveries wait meanwhile)', trueOrFalse)
    .option('--description <text>', "'' removes it")
    .action(async (/** @type {string} */ id, /** @type {Record<string, unknown>} */ o, /** @type {Command} */ cmd) => {
      if (['url', 'event', 'allEvents', 'active', 'description'].every((k) => o[k] === undefined)) throw usage('webhooks update needs at least one of --url, --event, --all-events, --active, --description');
      await act('webhooksUpdate')(id, o, cmd);
    });
  irreversible(withJson(webhooks.command('delete <webhook-id>').description('delete a webhook and its deliveries: nothing more is sent to it (irreversible: asks y/N)')), 'webhooksDelete', (id) => `Deleting webhook ${id}`);

  inVersion(withJson(program.command('upload <file>').description("store a file as a draft version's format (streamed, checksummed)")))
    .requiredOption('--format <id>', 'pkl, rda, pmml, ...')
    .action(act('upload'));
  withJson(program.command('download').description("fetch a version's file, by number or by alias, and verify its sha256"))
    .requiredOption('--model <name|id>')
    .addOption(new Option('--version <n>', 'version number').argParser(versionNumber).conflicts('alias'))
    .option('--alias <name>', 'the version an alias points at (production, ...)')
    .requiredOption('--format <id>')
    .option('-o, --output <path>', 'where to write it (default: the uploaded file name)')
    .action(async (/** @type {{ version?: number; alias?: string }} */ o, /** @type {Command} */ cmd) => {
      if (o.version === undefined && o.alias === undefined) throw usage('download needs --version <n> or --alias <name>');
      await act('download')(o, cmd);
    });
  withJson(program.command('history').description("a model's events: who did what, and when"))
    .requiredOption('--model <name|id>')
    .action(act('history'));
  withJson(program.command('export').description('the whole instance as one archive, checked once saved (superusers): the log, every file, access control; npm run import restores it'))
    .option('-o, --output <path>', 'where to write it (default: cairn-export-<time>.tar)')
    .action(act('export'));

  return program;
}

/**
 * @typedef {Partial<Io> & { loadActions?: () => Promise<typeof import('./actions.ts')> }} RunOptions
 * Where stdin is, and how actions.ts and the client are loaded: by default this process's stdin and plain
 * imports; the `cairn` binary registers tsx before an import that needs it.
 */

/**
 * Runs the command line; returns the exit code.
 * @param {string[]} argv
 * @param {RunOptions} [options]
 * @returns {Promise<number>}
 */
export async function run(argv, options = {}) {
  const { loadActions = () => import('./actions.ts'), ...io } = options;
  /** @type {Io} */
  const full = { stdin: process.stdin, loadClient: () => import('../client/index.ts'), ...io };
  /** @type {Session | undefined} */
  let session;
  const program = buildProgram(
    (name) =>
      async (...args) => {
        session ??= (await loadActions()).session(full);
        await /** @type {(...args: any[]) => Promise<void>} */ (session.actions[name])(...args);
      },
    () => Boolean(full.stdin.isTTY),
  );
  try {
    await program.parseAsync(argv, { from: 'user' });
    return EXIT.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help') return EXIT.ok;
      if (error.code === 'cairn.usage') process.stderr.write(`error: ${error.message}\n`);
      return EXIT.usage;
    }
    if (session) return session.report(error);
    process.stderr.write(`error: ${/** @type {Error} */ (error).message}\n`);
    return EXIT.unreachable;
  }
}
