import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Alias, CairnClient, ComparisonRow, DeliveryStatus, Evaluation, Model, ModelEvent, Version, Webhook, WebhookChanges, WebhookDelivery } from '../client/index.ts';
import { EXIT, usage } from './exitCodes.js';

// What each command of program.js does. Loaded when the first one runs; the client (and graphql with it)
// when it first talks to a server, readline at the first confirmation. Kept to erasable syntax (no
// parameter properties, enums or namespaces; type-only imports marked `import type`), so that Node can
// strip its types itself once the client can be stripped too and tsx leaves the path (see cairn.js).

type ClientModule = typeof import('../client/index.ts');

/** What a run takes from outside its arguments; the `cairn` binary passes its own, a test may pass others. */
export interface Io {
  /** Where a confirmation is read from; one is asked for only when this is a terminal. */
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  /** Loads the client module (the binary registers tsx first: the client uses syntax that type stripping does not remove). */
  loadClient: () => Promise<ClientModule>;
}

/** A request the server, a rule or the user turned down: exit 1, with its code printed. */
class Refused extends Error {
  readonly code: string;

  constructor(code: string, message: string) {
    super(message);
    this.code = code;
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

/** `text`, or `@file` for a file's contents. */
function textOrFile(value: string): string {
  return value.startsWith('@') ? fs.readFileSync(value.slice(1), 'utf8') : value;
}

function json(value: string, what: string): unknown {
  try {
    return JSON.parse(textOrFile(value));
  } catch (error) {
    throw usage(`--${what} is not JSON: ${(error as Error).message}`);
  }
}

const tagList = (value: string) =>
  value
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean);

/** A typed mutation result: the success's payload, or a Refused with the error's code. */
function unwrap<T extends { __typename: string }>(result: T): T {
  if ('code' in result && typeof result.code === 'string') throw new Refused(result.code, (result as { message?: string }).message ?? result.code);
  return result;
}

interface Out {
  json?: boolean;
}

function print(opts: Out, value: unknown, human: () => string): void {
  process.stdout.write(`${opts.json ? JSON.stringify(value, null, 2) : human()}\n`);
}

const formatBytes = (n: number) => (n >= 1024 ** 3 ? `${(n / 1024 ** 3).toFixed(2)} GiB` : n >= 1024 ** 2 ? `${(n / 1024 ** 2).toFixed(1)} MiB` : n >= 1024 ? `${(n / 1024).toFixed(1)} KiB` : `${n} B`);

const quoted = (text: string) => JSON.stringify(text);
const tagsText = (tags: readonly string[]) => (tags.length ? tags.join(', ') : 'none');

/** What an event did, in a few words after its type: its typed fields (`history` prints one a line). */
function eventSummary(e: ModelEvent): string {
  switch (e.__typename) {
    case 'ModelCreatedEvent':
      return `${quoted(e.name)}, tags ${tagsText(e.tags)}${e.description === null ? '' : ', with a description'}`;
    case 'ModelUpdatedEvent': {
      const { name, description, tags } = e.changes;
      const said: Record<string, string> = { name: `name ${quoted(name ?? '')}`, description: description === null ? 'description cleared' : 'description set', tags: `tags ${tagsText(tags ?? [])}` };
      return e.changed.map((field) => said[field] ?? field).join(', ');
    }
    case 'ModelDeletedEvent':
      return 'with its versions and files';
    case 'VersionCreatedEvent':
      return `version ${e.number}, tags ${tagsText(e.tags)}`;
    case 'VersionUpdatedEvent':
      return `version ${e.number}: ${e.changed.join(', ')}`;
    case 'VersionPublishedEvent':
    case 'VersionDeletedEvent':
      return `version ${e.number}`;
    case 'FormatUploadedEvent':
      return `version ${e.number} ${e.format}: ${e.filename}, ${formatBytes(e.size)}, sha256 ${e.sha256}${e.replaced ? ' (replaced the one before)' : ''}`;
    case 'FormatDeletedEvent':
      return `version ${e.number} ${e.format}`;
    case 'EvaluationRecordedEvent':
      return `version ${e.number} on ${e.dataset.uri}: ${Object.entries(e.metrics as Record<string, number>)
        .map(([k, v]) => `${k}=${v}`)
        .join(', ')}`;
    case 'AliasSetEvent':
      return `${e.alias} -> version ${e.number}${e.previousNumber === null ? '' : ` (was ${e.previousNumber})`}`;
    case 'AliasRemovedEvent':
      return `${e.alias} (pointed at version ${e.number})`;
    default: {
      // A newer server may send an event type this client does not know: its type alone is shown.
      const _known: never = e;
      return '';
    }
  }
}

/** 2026-11-27T17:02:03.456Z as 2026-11-27 17:02:03Z; none as -. */
const when = (iso: string | null | undefined) => (iso ? iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z') : '-');

/** Rows as columns, each as wide as its widest cell. */
function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ')).join('\n');
}

/**
 * A version as `versions show --json` prints it, and each element of `versions list --json`: these
 * fields, in this order, whatever else the client's fragment may come to hold.
 */
function versionJson(v: Version) {
  return {
    number: v.number,
    status: v.status,
    description: v.description ?? null,
    tags: v.tags,
    hyperparameters: v.hyperparameters,
    config: v.config,
    records: v.records.map((r) => ({ uri: r.uri, name: r.name ?? null })),
    formats: v.formats.map((f) => ({
      id: f.id,
      filename: f.filename,
      size: f.size,
      sha256: f.sha256,
      contentType: f.contentType,
      downloadUrl: f.downloadUrl,
      uploadedAt: f.uploadedAt,
      uploadedBy: f.uploadedBy ?? null,
    })),
    createdAt: v.createdAt,
    createdBy: v.createdBy ?? null,
    publishedAt: v.publishedAt ?? null,
    publishedBy: v.publishedBy ?? null,
    aliases: v.aliases,
    evaluations: v.evaluations.map(evaluationJson),
  };
}

/** An evaluation as `evaluations list --json` prints it (and `versions show --json` within a version). */
function evaluationJson(e: Evaluation) {
  return {
    id: e.id,
    dataset: { uri: e.dataset.uri, name: e.dataset.name ?? null },
    metrics: e.metrics as Record<string, number>,
    notes: e.notes ?? null,
    recordedAt: e.recordedAt,
    recordedBy: e.recordedBy ?? null,
  };
}

/** An alias as `aliases list --json` and `aliases set --json` print it: the version by its number. */
function aliasJson(a: Alias) {
  return { name: a.name, version: a.version.number, setAt: a.setAt, setBy: a.setBy ?? null };
}

const datasetText = (d: { uri: string; name?: string | null }) => (d.name ? `${d.uri} (${d.name})` : d.uri);
const metricsText = (metrics: unknown) =>
  Object.entries(metrics as Record<string, number>)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');

/** At most `max` characters of one line: the rest as …. */
function clipped(text: string, max: number): string {
  const line = text.split('\n', 1)[0]!;
  return line.length > max || line !== text ? `${line.slice(0, max - 1)}…` : line;
}

function evaluationsText(model: string, number: number, evaluations: Evaluation[]): string {
  if (!evaluations.length) return `Version ${number} of ${model} has no evaluations.`;
  return table([['RECORDED', 'BY', 'DATASET', 'METRICS', 'NOTES'], ...evaluations.map((e) => [when(e.recordedAt), e.recordedBy ?? '-', datasetText(e.dataset), metricsText(e.metrics), e.notes ? clipped(e.notes, 60) : '-'])]);
}

/** A compared value in a cell: JSON (so that "1" and 1 look different), - where the version lacks the key. */
const cell = (value: unknown) => (value === null || value === undefined ? '-' : clipped(JSON.stringify(value), 40));

/**
 * Versions side by side: a row per key, a column per version (headed by its number and aliases), and a
 * leading * on each row whose values are not all the same.
 */
function comparisonText(versions: Version[], rows: ComparisonRow[], onlyDifferences: boolean): string {
  const numbers = versions.map((v) => v.number);
  const shown = onlyDifferences ? rows.filter((r) => r.differs) : rows;
  if (!shown.length) return rows.length ? `Versions ${numbers.join(', ')} do not differ.` : `Versions ${numbers.join(', ')} have no settings or metrics to compare.`;
  const heads = versions.map((v) => `v${v.number}${v.aliases.length ? ` (${v.aliases.join(', ')})` : ''}`);
  const lines = shown.map((r) => [r.differs ? '*' : ' ', r.section.toLowerCase(), r.key, r.dataset ?? '-', ...r.values.map(cell)]);
  return `${table([[' ', 'SECTION', 'KEY', 'DATASET', ...heads], ...lines])}\n${shown.some((r) => r.differs) ? 'rows marked * differ' : 'no values differ'}`;
}

function aliasesText(model: string, aliases: Alias[]): string {
  if (!aliases.length) return `${model} has no aliases.`;
  return table([['ALIAS', 'VERSION', 'SET', 'BY'], ...aliases.map((a) => [a.name, String(a.version.number), when(a.setAt), a.setBy ?? '-'])]);
}

function versionText(model: string, v: Version): string {
  const by = (name: string | null | undefined) => (name ? ` by ${name}` : '');
  const indent = (text: string) => text.replace(/\n/g, '\n  ');
  return [
    `${model} version ${v.number} (${v.status.toLowerCase()})`,
    `description: ${v.description ? indent(v.description) : '-'}`,
    `tags: ${v.tags.join(', ') || '-'}`,
    `created: ${when(v.createdAt)}${by(v.createdBy)}`,
    `published: ${when(v.publishedAt)}${by(v.publishedBy)}`,
    `hyperparameters: ${JSON.stringify(v.hyperparameters)}`,
    `config: ${JSON.stringify(v.config)}`,
    `records: ${v.records.map(datasetText).join(', ') || '-'}`,
    `aliases: ${v.aliases.join(', ') || '-'}`,
    `formats:${v.formats.length ? '' : ' -'}`,
    ...v.formats.map((f) => `  ${f.id}  ${f.filename}  ${formatBytes(f.size)}  sha256 ${f.sha256}  uploaded ${when(f.uploadedAt)}${by(f.uploadedBy)}`),
    `evaluations:${v.evaluations.length ? '' : ' -'}`,
    ...v.evaluations.map((e) => `  ${datasetText(e.dataset)}: ${metricsText(e.metrics)}  recorded ${when(e.recordedAt)}${by(e.recordedBy)}${e.notes ? `\n    ${indent(e.notes).replace(/\n/g, '\n  ')}` : ''}`),
  ].join('\n');
}

/** A webhook as the `webhooks` commands print it with --json: these fields, in this order. */
function webhookJson(w: Webhook) {
  return {
    id: w.id,
    url: w.url,
    eventTypes: w.eventTypes,
    modelId: w.modelId ?? null,
    description: w.description ?? null,
    active: w.active,
    createdAt: w.createdAt,
    createdBy: w.createdBy ?? null,
  };
}

/** A delivery as `webhooks deliveries --json` and `webhooks redeliver --json` print it. */
function deliveryJson(d: WebhookDelivery) {
  return {
    id: d.id,
    eventId: d.eventId,
    eventType: d.eventType,
    position: d.position,
    status: d.status,
    attempts: d.attempts,
    lastResponseStatus: d.lastResponseStatus ?? null,
    lastError: d.lastError ?? null,
    lastAttemptAt: d.lastAttemptAt ?? null,
    nextAttemptAt: d.nextAttemptAt ?? null,
  };
}

const eventsText = (types: readonly string[]) => (types.length ? types.join(',') : 'all');

function webhookText(w: Webhook): string {
  return [
    `webhook ${w.id}${w.active ? '' : ' (inactive)'}`,
    `url: ${w.url}`,
    `events: ${eventsText(w.eventTypes)}`,
    `model: ${w.modelId ?? 'all'}`,
    ...(w.description ? [`description: ${w.description}`] : []),
  ].join('\n');
}

function webhooksText(webhooks: Webhook[]): string {
  if (!webhooks.length) return 'No webhooks.';
  return table([['ID', 'URL', 'EVENTS', 'MODEL', 'ACTIVE', 'CREATED'], ...webhooks.map((w) => [w.id, w.url, eventsText(w.eventTypes), w.modelId ?? 'all', w.active ? 'yes' : 'no', when(w.createdAt)])]);
}

function deliveriesText(id: string, deliveries: WebhookDelivery[], status: DeliveryStatus | undefined): string {
  if (!deliveries.length) return `Webhook ${id} has no ${status ? `${status.toLowerCase()} ` : ''}deliveries.`;
  return table([
    ['ID', 'EVENT', 'POSITION', 'STATUS', 'ATTEMPTS', 'LAST STATUS', 'LAST ERROR', 'NEXT ATTEMPT'],
    ...deliveries.map((d) => [d.id, d.eventType, d.position, d.status.toLowerCase(), String(d.attempts), d.lastResponseStatus === null || d.lastResponseStatus === undefined ? '-' : String(d.lastResponseStatus), d.lastError ? clipped(d.lastError, 60) : '-', when(d.nextAttemptAt)]),
  ]);
}

function versionsText(model: string, versions: Version[]): string {
  if (!versions.length) return `${model} has no versions.`;
  const rows = [['NUMBER', 'STATUS', 'FORMATS', 'CREATED', 'PUBLISHED'], ...versions.map((v) => [String(v.number), v.status.toLowerCase(), v.formats.map((f) => f.id).join(',') || '-', when(v.createdAt), when(v.publishedAt)])];
  // Numbers are given once, from 1 up: one missing below the highest listed was deleted.
  const listed = new Set(versions.map((v) => v.number));
  const deleted = Array.from({ length: Math.max(...listed) }, (_, i) => i + 1).filter((n) => !listed.has(n));
  return table(rows) + (deleted.length ? `\ndeleted: ${deleted.join(', ')}` : '');
}

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

function settingsFrom(o: Record<string, unknown>) {
  return {
    ...(o.description !== undefined && { description: textOrFile(o.description as string) }),
    ...(o.tags !== undefined && { tags: tagList(o.tags as string) }),
    ...(o.hyperparameters !== undefined && { hyperparameters: json(o.hyperparameters as string, 'hyperparameters') }),
    ...(o.config !== undefined && { config: json(o.config as string, 'config') }),
    ...(o.record !== undefined && { records: (o.record as string[]).map((uri) => ({ uri })) }),
  };
}

/**
 * Before an irreversible command. With --yes, a confirmation that asks nothing. Otherwise (program.js has
 * made sure that stdin is a terminal) it asks its question on stderr and refuses (NOT_CONFIRMED) unless
 * the answer is `expected` exactly (or, when that is `y`, y or yes in any case). End of input is a no.
 */
function confirmation(io: Io, yes: boolean | undefined) {
  if (yes) return async () => {};
  return async (question: string, expected: string, declined: string) => {
    const { createInterface } = await import('node:readline');
    const rl = createInterface({ input: io.stdin, output: process.stderr, terminal: false });
    const answer = await new Promise<string>((resolve) => {
      rl.once('line', resolve);
      rl.once('close', () => resolve(''));
      process.stderr.write(question);
    });
    rl.close();
    const ok = expected === 'y' ? /^\s*y(es)?\s*$/i.test(answer) : answer.trim() === expected;
    if (!ok) throw new Refused('NOT_CONFIRMED', declined);
  };
}

/** Commander's options object for a command (its flags, camel-cased). */
type Options = Record<string, any>;

/** The actions of one run, sharing the client module once it is loaded; `report` turns an error into an exit code. */
export function session(io: Io) {
  let loaded: ClientModule | undefined;
  const lib = async () => (loaded ??= await io.loadClient());

  /** CAIRN_URL and CAIRN_TOKEN override what `cairn login` saved. */
  async function client(): Promise<CairnClient> {
    const { CairnClient, CairnRequestError } = await lib();
    const saved = readConfig();
    const url = process.env.CAIRN_URL ?? saved.url;
    const token = process.env.CAIRN_TOKEN ?? saved.token;
    if (!url || !token) throw new CairnRequestError('Not logged in: run `cairn login --url <url> --token <token>`, or set CAIRN_URL and CAIRN_TOKEN', 401, 'UNAUTHENTICATED');
    return new CairnClient({ url, token, context: process.env.CAIRN_CONTEXT ?? saved.context });
  }

  /** A model by name or id, or a NOT_FOUND refusal. */
  async function modelOf(c: CairnClient, ref: string) {
    const m = await c.getModel(ref);
    if (!m) throw new Refused('NOT_FOUND', `No model "${ref}"`);
    return m;
  }

  async function versionOf(c: CairnClient, ref: string, number: number): Promise<Version> {
    const v = await c.getVersion(ref, number);
    if (!v) throw new Refused('NOT_FOUND', `${ref} has no version ${number}`);
    return v;
  }

  const actions = {
    async login(o: Options) {
      const { CairnClient } = await lib();
      const me = await new CairnClient({ url: o.url, token: o.token, context: o.context }).me();
      const file = configFile();
      fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
      fs.writeFileSync(file, JSON.stringify({ url: o.url, token: o.token, context: o.context }, null, 2), { mode: 0o600 });
      fs.chmodSync(file, 0o600);
      print(o, { principal: me.principal.name, context: me.context.name, config: file }, () => `Logged in as ${me.principal.name} in context ${me.context.name}; saved to ${file}`);
    },

    async modelsList(o: Options) {
      const c = await client();
      const all: Model[] = [];
      let after: string | undefined;
      for (;;) {
        const page = await c.listModels({ search: o.search, tags: o.tag, after });
        all.push(...page.edges.map((e) => e.node));
        if (!page.pageInfo.hasNextPage) break;
        after = page.pageInfo.endCursor ?? undefined;
      }
      print(o, all, () => (all.length ? all.map((m) => `${m.id}  ${m.name}  v${m.latestVersion?.number ?? '-'}  [${m.tags.join(', ')}]`).join('\n') : 'No models.'));
    },

    async modelsCreate(name: string, o: Options) {
      const r = unwrap(await (await client()).createModel({ name, tags: o.tags ? tagList(o.tags) : undefined, description: o.description ? textOrFile(o.description) : undefined }));
      if (r.__typename !== 'CreateModelSuccess') return;
      print(o, r.model, () => `Created model ${r.model.name} (${r.model.id})`);
    },

    async modelsShow(ref: string, o: Options) {
      const m = await modelOf(await client(), ref);
      print(o, m, () =>
        [
          `${m.name} (${m.id})`,
          `tags: ${m.tags.join(', ') || '-'}`,
          m.description ? `description: ${m.description}` : '',
          `versions: ${m.versions.edges.map((e) => `${e.node.number} ${e.node.status.toLowerCase()} [${e.node.formats.map((f) => f.id).join(', ')}]${e.node.aliases.length ? ` (${e.node.aliases.join(', ')})` : ''}`).join('; ') || '-'}`,
        ]
          .filter(Boolean)
          .join('\n'),
      );
    },

    async modelsUpdate(ref: string, o: Options) {
      const changes = {
        ...(o.name && { name: o.name as string }),
        ...(o.tags !== undefined && { tags: tagList(o.tags) }),
        ...(o.description !== undefined && { description: textOrFile(o.description) }),
      };
      const r = unwrap(await (await client()).updateModel(ref, changes));
      if (r.__typename !== 'UpdateModelSuccess') return;
      print(o, r.model, () => `Updated model ${r.model.name}`);
    },

    async modelsDelete(ref: string, o: Options) {
      const confirm = confirmation(io, o.yes);
      const c = await client();
      const m = await modelOf(c, ref);
      const versions = m.versionCount === 1 ? '1 version' : `${m.versionCount} versions`;
      await confirm(`Delete model ${m.name} (${m.id}) with its ${versions} and their files? This cannot be undone.\nType the model's name to confirm: `, m.name, `model ${m.name} was not deleted`);
      // By id: the model named in the question, even if another one takes its name meanwhile.
      const r = unwrap(await c.deleteModel(m.id));
      if (r.__typename !== 'DeleteModelSuccess') return;
      print(o, r, () => `Deleted model ${m.name}`);
    },

    async versionsList(o: Options) {
      const all = await (await client()).listVersions(o.model);
      if (!all) throw new Refused('NOT_FOUND', `No model "${o.model}"`);
      print(o, all.map(versionJson), () => versionsText(o.model, all));
    },

    async versionsCreate(o: Options) {
      const r = unwrap(await (await client()).createVersion(o.model, settingsFrom(o)));
      if (r.__typename !== 'CreateVersionSuccess') return;
      print(o, r.version, () => `Created version ${r.version.number} of ${o.model}`);
    },

    async versionsShow(o: Options) {
      const v = await versionOf(await client(), o.model, o.version);
      print(o, versionJson(v), () => versionText(o.model, v));
    },

    async versionsUpdate(o: Options) {
      const r = unwrap(await (await client()).updateVersion(o.model, o.version, settingsFrom(o)));
      if (r.__typename !== 'UpdateVersionSuccess') return;
      print(o, r.version, () => `Updated version ${r.version.number}`);
    },

    async versionsPublish(o: Options) {
      const confirm = confirmation(io, o.yes);
      const c = await client();
      const m = await modelOf(c, o.model);
      const v = await versionOf(c, m.id, o.version);
      // A published version gets the server's answer (VERSION_PUBLISHED) without a question first.
      if (v.status === 'DRAFT') await confirm(`Publish version ${v.number} of model ${m.name}? Its settings and files can then never change. [y/N] `, 'y', `version ${v.number} of ${m.name} was not published`);
      const r = unwrap(await c.publishVersion(m.id, v.number));
      if (r.__typename !== 'PublishVersionSuccess') return;
      print(o, r.version, () => `Published version ${r.version.number} of ${m.name}`);
    },

    async versionsDelete(o: Options) {
      const confirm = confirmation(io, o.yes);
      const c = await client();
      const m = await modelOf(c, o.model);
      const v = await versionOf(c, m.id, o.version);
      const files = v.formats.length ? `its files: ${v.formats.map((f) => f.id).join(', ')}` : 'no files';
      // Refused anyway while aliases point at it (the server says so with --yes): no question first.
      if (!o.yes && v.aliases.length) throw new Refused('VERSION_ALIASED', `Version ${v.number} of ${m.name} is what ${v.aliases.map(quoted).join(', ')} ${v.aliases.length === 1 ? 'points' : 'point'} at; move or remove ${v.aliases.length === 1 ? 'that alias' : 'those aliases'} first`);
      await confirm(`Delete version ${v.number} (${v.status.toLowerCase()}, ${files}) of model ${m.name}? This cannot be undone, and the number is not given again. [y/N] `, 'y', `version ${v.number} of ${m.name} was not deleted`);
      const r = unwrap(await c.deleteVersion(m.id, v.number));
      if (r.__typename !== 'DeleteVersionSuccess') return;
      print(o, { model: r.model.id, deleted: v.number }, () => `Deleted version ${v.number} of ${m.name}`);
    },

    async upload(file: string, o: Options) {
      if (!fs.existsSync(file)) throw usage(`No file ${file}`);
      const r = unwrap(await (await client()).uploadFormat({ model: o.model, version: o.version, format: o.format, file, onProgress: o.json ? undefined : progress('upload') }));
      if (r.__typename !== 'UploadFormatSuccess') return;
      print(o, r.format, () => `Stored ${r.format.filename} as ${r.format.id} of version ${o.version}: ${formatBytes(r.format.size)}, sha256 ${r.format.sha256}`);
    },

    async download(o: Options) {
      const c = await client();
      // program.js lets through exactly one of the two.
      const which = o.alias === undefined ? { version: o.version as number } : { alias: o.alias as string };
      let target = o.output as string | undefined;
      if (!target) {
        const v = which.alias === undefined ? await c.getVersion(o.model, which.version) : await c.getVersionByAlias(o.model, which.alias);
        target = v?.formats.find((f) => f.id === o.format)?.filename ?? `model.${o.format}`;
      }
      const r = await c.downloadFormat({ model: o.model, ...which, format: o.format, to: target, onProgress: o.json ? undefined : progress('download') });
      const of = which.alias === undefined ? '' : ` (version ${r.version ?? '?'}, which ${which.alias} points at)`;
      print(o, r, () => `Saved ${r.path}${of}: ${formatBytes(r.size)}, sha256 ${r.sha256} (verified)`);
    },

    async versionsCompare(numbers: number[], o: Options) {
      const { versions, rows } = await (await client()).compareVersions(o.model, numbers);
      const shown = o.onlyDifferences ? rows.filter((r) => r.differs) : rows;
      print(o, { versions: versions.map((v) => v.number), rows: shown }, () => comparisonText(versions, rows, Boolean(o.onlyDifferences)));
    },

    async evaluationsRecord(o: Options) {
      const metrics = json(o.metrics, 'metrics') as Record<string, number>;
      const results = { dataset: { uri: o.dataset as string, name: o.datasetName as string | undefined }, metrics, notes: o.notes === undefined ? undefined : textOrFile(o.notes) };
      const r = unwrap(await (await client()).recordEvaluation(o.model, o.version, results));
      if (r.__typename !== 'RecordEvaluationSuccess') return;
      const e = r.evaluation;
      print(o, evaluationJson(e), () => `Recorded evaluation ${e.id} of version ${r.version.number} of ${o.model} on ${datasetText(e.dataset)}: ${metricsText(e.metrics)}`);
    },

    async evaluationsList(o: Options) {
      const v = await versionOf(await client(), o.model, o.version);
      print(o, v.evaluations.map(evaluationJson), () => evaluationsText(o.model, v.number, v.evaluations));
    },

    async aliasesSet(alias: string, number: number, o: Options) {
      const r = unwrap(await (await client()).setAlias(o.model, alias, number));
      if (r.__typename !== 'SetAliasSuccess') return;
      print(o, aliasJson(r.alias), () => `${r.alias.name} of ${o.model} -> version ${r.alias.version.number}`);
    },

    async aliasesRemove(alias: string, o: Options) {
      const r = unwrap(await (await client()).removeAlias(o.model, alias));
      if (r.__typename !== 'RemoveAliasSuccess') return;
      print(o, { model: r.model.id, removed: alias }, () => `Removed alias ${alias} of ${o.model}`);
    },

    async aliasesList(o: Options) {
      const all = await (await client()).listAliases(o.model);
      if (!all) throw new Refused('NOT_FOUND', `No model "${o.model}"`);
      print(o, all.map(aliasJson), () => aliasesText(o.model, all));
    },

    async webhooksCreate(o: Options) {
      const settings = { url: o.url as string, eventTypes: o.event as string[] | undefined, model: o.model as string | undefined, description: o.description as string | undefined };
      const r = unwrap(await (await client()).createWebhook(settings));
      if (r.__typename !== 'CreateWebhookSuccess') return;
      print(o, { webhook: webhookJson(r.webhook), secret: r.secret }, () => `Created ${webhookText(r.webhook)}\nsecret: ${r.secret}`);
      process.stderr.write('The secret is not shown again: keep it now. Receivers check Cairn-Signature with it.\n');
    },

    async webhooksList(o: Options) {
      const all = await (await client()).listWebhooks();
      print(o, all.map(webhookJson), () => webhooksText(all));
    },

    async webhooksDeliveries(id: string, o: Options) {
      const c = await client();
      const status = o.status as DeliveryStatus | undefined;
      const all: WebhookDelivery[] = [];
      let after: string | undefined;
      for (;;) {
        const page = await c.listDeliveries(id, { status, after });
        if (!page) throw new Refused('NOT_FOUND', `No webhook ${id} in this context`);
        all.push(...page.deliveries);
        if (!page.hasNextPage || page.endCursor === null) break;
        after = page.endCursor;
      }
      print(o, all.map(deliveryJson), () => deliveriesText(id, all, status));
    },

    async webhooksRedeliver(id: string, o: Options) {
      const r = unwrap(await (await client()).redeliver(id));
      if (r.__typename !== 'RedeliverWebhookSuccess') return;
      const d = r.delivery;
      print(o, deliveryJson(d), () => `Delivery ${d.id} (${d.eventType} at ${d.position}) is due again now: ${d.status.toLowerCase()}, ${d.attempts} attempts so far`);
    },

    async webhooksUpdate(id: string, o: Options) {
      const changes: WebhookChanges = {
        ...(o.url !== undefined && { url: o.url as string }),
        ...(o.event !== undefined && { eventTypes: o.event as string[] }),
        ...(o.allEvents && { eventTypes: null }),
        ...(o.active !== undefined && { active: o.active as boolean }),
        ...(o.description !== undefined && { description: o.description === '' ? null : (o.description as string) }),
      };
      const r = unwrap(await (await client()).updateWebhook(id, changes));
      if (r.__typename !== 'UpdateWebhookSuccess') return;
      print(o, webhookJson(r.webhook), () => `Updated ${webhookText(r.webhook)}`);
    },

    async webhooksDelete(id: string, o: Options) {
      const confirm = confirmation(io, o.yes);
      const c = await client();
      const w = (await c.listWebhooks()).find((x) => x.id === id);
      if (!w) throw new Refused('NOT_FOUND', `No webhook ${id} in this context`);
      await confirm(`Delete webhook ${w.id} (${w.url}) and its deliveries? Nothing more is sent to it. This cannot be undone. [y/N] `, 'y', `webhook ${w.id} was not deleted`);
      const r = unwrap(await c.deleteWebhook(w.id));
      if (r.__typename !== 'DeleteWebhookSuccess') return;
      print(o, webhookJson(r.webhook), () => `Deleted webhook ${w.id} (${w.url})`);
    },

    async history(o: Options) {
      const events = await (await client()).history(o.model);
      print(o, events, () => events.map((e) => `${e.recordedAt}  ${e.actor ?? '-'}  ${e.type}  ${eventSummary(e)}`.trimEnd()).join('\n'));
    },

    async export(o: Options) {
      const target = (o.output as string | undefined) ?? `cairn-export-${new Date().toISOString().replace(/[:.]/g, '-')}.tar`;
      const r = await (await client()).exportArchive({ to: target, onProgress: o.json ? undefined : progress('export') });
      // Read back whole before it is called a backup: every member against the manifest's size and sha256, every event line.
      const { ArchiveRefused } = await import('../archive/format.ts');
      const { readArchive } = await import('../archive/read.ts');
      let summary;
      try {
        summary = await readArchive(fs.createReadStream(r.path));
      } catch (error) {
        if (!(error instanceof ArchiveRefused)) throw error;
        throw new Refused('ARCHIVE_DAMAGED', `The archive saved in ${r.path} does not check: ${error.message}`);
      }
      const { manifest } = summary;
      print(o, { path: r.path, bytes: r.size, cairnVersion: manifest.cairnVersion, exportedAt: manifest.exportedAt, counts: manifest.counts }, () =>
        [
          `Saved ${r.path}: ${formatBytes(r.size)}, checked against its manifest`,
          `  ${summary.events} events (${summary.streams.model} on ${summary.models} models, deleted ones included; ${summary.streams.context + summary.streams.group + summary.streams.principal} of access control), ${summary.blobs} files (${formatBytes(summary.blobBytes)})`,
          `It holds token hashes and the server's keys: keep it as safe as a database dump. Restore: npm run import -- ${r.path}`,
        ].join('\n'),
      );
    },
  };

  /** Prints an action's error and returns the exit code it means. */
  function report(error: unknown): number {
    if (error instanceof Refused) {
      process.stderr.write(`refused (${error.code}): ${error.message}\n`);
      return EXIT.refused;
    }
    // Errors of the client's own kinds can only come once it is loaded.
    if (loaded && error instanceof loaded.ChecksumMismatch) {
      process.stderr.write(`refused (CHECKSUM_MISMATCH): ${error.message}; nothing was saved\n`);
      return EXIT.refused;
    }
    if (loaded && error instanceof loaded.CairnRequestError) {
      // An answer with a code (NOT_FOUND, FORBIDDEN, CHECKSUM_MISMATCH ...) is a refusal; no answer, no valid
      // token or a server failure means not getting through.
      const refused = error.code !== undefined && error.code !== 'UNAUTHENTICATED' && (error.status ?? 500) < 500;
      process.stderr.write(`${refused ? `refused (${error.code})` : 'error'}: ${error.message}\n`);
      return refused ? EXIT.refused : EXIT.unreachable;
    }
    process.stderr.write(`error: ${(error as Error).message}\n`);
    return EXIT.unreachable;
  }

  return { actions, report };
}

export type Session = ReturnType<typeof session>;
export type Actions = Session['actions'];
