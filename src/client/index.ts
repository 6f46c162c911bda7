import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { getOperationAST, print } from 'graphql';
import type {
  ClientAliasFragment,
  ClientModelEventFragment,
  ClientUploadFormatMutation,
  ClientVersionFragment,
  ClientWebhookDeliveryFragment,
  ClientWebhookFragment,
  ComparisonSection,
  CreateModelInput,
  CreateVersionInput,
  DeliveryStatus,
  UpdateModelInput,
  UpdateVersionInput,
} from './generated/graphql.ts';
import * as ops from './operations.ts';

export type {
  ClientAliasFragment as Alias,
  ClientEvaluationFragment as Evaluation,
  ClientModelEventFragment as ModelEvent,
  ClientModelFragment as Model,
  ClientVersionFragment as Version,
  ClientWebhookDeliveryFragment as WebhookDelivery,
  ClientWebhookFragment as Webhook,
  DeliveryStatus,
} from './generated/graphql.ts';

/** One key across compared versions: `values` line up with the comparison's `versions` (null where one lacks the key). */
export interface ComparisonRow {
  section: ComparisonSection;
  key: string;
  /** The dataset's URI, for a METRICS row. */
  dataset: string | null;
  values: unknown[];
  differs: boolean;
}

/** What an evaluation records: the dataset, 1-200 metric names to finite numbers, and notes. */
export interface EvaluationResults {
  dataset: { uri: string; name?: string | null };
  metrics: Record<string, number>;
  notes?: string | null;
}

/** A new webhook: where it sends, and which events (none given: all of them; no model: every model of the context). */
export interface WebhookSettings {
  url: string;
  eventTypes?: string[] | null;
  /** A model's id or name: only its events. */
  model?: string | null;
  description?: string | null;
}

/** What updateWebhook changes; a field left out stays as it is. `eventTypes` null or [] means all; `description` null, none. */
export interface WebhookChanges {
  url?: string;
  eventTypes?: string[] | null;
  active?: boolean;
  description?: string | null;
}

/** One page of a webhook's deliveries, newest event first; `endCursor` is the `after` of the next page. */
export interface DeliveryPage {
  deliveries: ClientWebhookDeliveryFragment[];
  hasNextPage: boolean;
  endCursor: string | null;
}

/**
 * A typed client for Cairn: every request and response type comes from the committed schema through
 * GraphQL Code Generator. Rule violations come back as typed results (`{ __typename: 'NameTakenError',
 * code, message }`); only a failure to talk to the server at all is thrown, as a CairnRequestError.
 */
export interface CairnClientOptions {
  /** The server, e.g. http://localhost:4000 (a trailing /graphql is accepted). */
  url: string;
  token: string;
  /** A context name or id (X-Cairn-Context); the token's only context when absent. */
  context?: string;
  /** How many times a request is sent again when the server says it may be (default 3; 0: never). */
  retries?: number;
}

/** The server could not be reached, refused the credentials, or answered with something other than a result. */
export class CairnRequestError extends Error {
  constructor(
    message: string,
    readonly status?: number,
    readonly code?: string,
    /** The error's GraphQL extensions: `retryable`, `outcomeUnknown`. */
    readonly extensions: { retryable?: boolean; outcomeUnknown?: boolean } = {},
  ) {
    super(message);
  }

  /**
   * Whether the request may be sent again: the server said so (retryable), or, for a request that carries
   * an idempotency key, its outcome is unknown (the key makes the repeat return what was done, once).
   */
  mayRepeat(keyed: boolean): boolean {
    if (this.extensions.retryable === true) return true;
    return keyed && (this.extensions.outcomeUnknown === true || this.code === 'UNREACHABLE');
  }
}

/** Runs send() again while its failure says it may, at most `retries` more times, pausing longer each time. */
async function repeating<T>(retries: number, keyed: boolean, send: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await send();
    } catch (error) {
      if (attempt >= retries || !(error instanceof CairnRequestError) || !error.mayRepeat(keyed)) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.min(2000, 250 * 2 ** attempt)));
    }
  }
}

/** The header that makes a mutation safe to repeat: a fresh value per call, the same on its repeats. */
export const IDEMPOTENCY_HEADER = 'idempotency-key';

/** A download whose bytes do not hash to the checksum the server recorded for them. */
export class ChecksumMismatch extends Error {
  constructor(
    readonly expected: string,
    readonly actual: string,
  ) {
    super(`The download's sha256 is ${actual}, not the recorded ${expected}`);
  }
}

export type FileSource = string | Uint8Array | Readable;

export interface UploadOptions {
  model: string;
  version: number;
  format: string;
  file: FileSource;
  /** The name stored with the file (the path's base name by default). */
  filename?: string;
  contentType?: string;
  /** Called as bytes go out: bytes sent so far and the total (when known). */
  onProgress?: (sent: number, total: number | undefined) => void;
}

/** A format's file of a version given by number, or by the alias that points at it (what a deployment follows). */
export type DownloadOptions = {
  model: string;
  format: string;
  /** Where to write the file; without, the bytes are returned. */
  to?: string;
  onProgress?: (received: number, total: number | undefined) => void;
} & ({ version: number; alias?: undefined } | { alias: string; version?: undefined });

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

async function sha256OfFile(file: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(fs.createReadStream(file, { highWaterMark: 1024 * 1024 }), hash);
  return hash.digest('hex');
}

export class CairnClient {
  readonly base: URL;

  constructor(private readonly options: CairnClientOptions) {
    this.base = new URL(options.url.replace(/\/graphql\/?$/, '').replace(/\/?$/, '/'));
  }

  private headers(extra: Record<string, string> = {}): Record<string, string> {
    return {
      authorization: `Bearer ${this.options.token}`,
      ...(this.options.context && { 'x-cairn-context': this.options.context }),
      ...extra,
    };
  }

  /**
   * Runs any typed document; top-level GraphQL errors are thrown as CairnRequestError. A mutation is sent
   * with a fresh Idempotency-Key, and sent again with the same key when the answer says it may be.
   */
  async request<R, V extends Record<string, unknown>>(document: TypedDocumentNode<R, V>, variables?: V): Promise<R> {
    const keyed = getOperationAST(document)?.operation === 'mutation';
    const headers = this.headers({ 'content-type': 'application/json', ...(keyed && { [IDEMPOTENCY_HEADER]: randomUUID() }) });
    let body: string;
    try {
      body = JSON.stringify({ query: print(document), variables });
    } catch (error) {
      // Only a value nested deeper than the stack can serialise fails here (the variables come from JSON or code).
      if (!(error instanceof RangeError)) throw error;
      throw new CairnRequestError('A value in the request is nested too deeply to send', 400, 'VALIDATION');
    }
    return repeating(this.options.retries ?? 3, keyed, async () => {
      let response: Response;
      try {
        response = await fetch(new URL('graphql', this.base), { method: 'POST', headers, body });
      } catch (error) {
        throw new CairnRequestError(`Cannot reach Cairn at ${this.base.origin}: ${(error as Error).cause ?? (error as Error).message}`, undefined, 'UNREACHABLE');
      }
      return this.result<R>(response.status, await response.text());
    });
  }

  /** A GraphQL response body: its data, or its first error thrown as a CairnRequestError. */
  private result<R>(status: number, text: string): R {
    let body: { data?: R; errors?: { message: string; extensions?: { code?: string; retryable?: boolean; outcomeUnknown?: boolean } }[] };
    try {
      body = JSON.parse(text);
    } catch {
      throw new CairnRequestError(`Cairn answered ${status} with something that is not GraphQL`, status);
    }
    if (body.errors?.length) {
      const [first] = body.errors;
      throw new CairnRequestError(first!.message, status, first!.extensions?.code, first!.extensions ?? {});
    }
    return body.data as R;
  }

  me() {
    return this.request(ops.Me, {}).then((d) => d.me);
  }

  async listModels(filter: { search?: string; tags?: string[]; first?: number; after?: string } = {}) {
    return (await this.request(ops.ListModels, { first: filter.first ?? 100, after: filter.after, search: filter.search, tags: filter.tags })).models;
  }

  /** A model by id or by name, with its versions; null when there is none. */
  async getModel(ref: string) {
    const vars = UUID.test(ref) ? { id: ref } : { name: ref };
    return (await this.request(ops.GetModel, vars)).model ?? null;
  }

  /** The id of a model given by id or name; throws when there is none. */
  async modelId(ref: string): Promise<string> {
    if (UUID.test(ref)) return ref;
    const model = await this.getModel(ref);
    if (!model) throw new CairnRequestError(`No model named "${ref}"`, 404, 'NOT_FOUND');
    return model.id;
  }

  /** A version by its number; null when the model or the version is not there. */
  async getVersion(model: string, number: number): Promise<ClientVersionFragment | null> {
    const vars = UUID.test(model) ? { id: model, number } : { name: model, number };
    return (await this.request(ops.GetVersion, vars)).model?.version ?? null;
  }

  /** The version an alias points at; null when the model or the alias is not there. */
  async getVersionByAlias(model: string, alias: string): Promise<ClientVersionFragment | null> {
    const vars = UUID.test(model) ? { id: model, alias } : { name: model, alias };
    return (await this.request(ops.GetVersionByAlias, vars)).model?.version ?? null;
  }

  /** A model's aliases by name, each with the number it points at; null when there is no such model. */
  async listAliases(model: string): Promise<ClientAliasFragment[] | null> {
    return (await this.request(ops.ListAliases, UUID.test(model) ? { id: model } : { name: model })).model?.aliases ?? null;
  }

  /**
   * 2-10 live versions side by side: hyperparameters, then config (nested keys dotted), then the metrics of
   * each version's latest evaluation per dataset. A number that is not a live version is thrown (NOT_FOUND).
   */
  async compareVersions(model: string, numbers: number[]): Promise<{ versions: ClientVersionFragment[]; rows: ComparisonRow[] }> {
    const found = (await this.request(ops.CompareVersions, { ...(UUID.test(model) ? { id: model } : { name: model }), numbers })).model;
    if (!found) throw new CairnRequestError(`No model named "${model}"`, 404, 'NOT_FOUND');
    return { versions: found.comparison.versions, rows: found.comparison.rows.map((r) => ({ ...r, dataset: r.dataset ?? null })) };
  }

  /** All of a model's live versions, by number (the numbers of deleted ones stay missing); null when there is no such model. */
  async listVersions(model: string): Promise<ClientVersionFragment[] | null> {
    let ref: { id: string } | { name: string } = UUID.test(model) ? { id: model } : { name: model };
    const versions: ClientVersionFragment[] = [];
    let after: string | undefined;
    for (;;) {
      const found = (await this.request(ops.ListVersions, { ...ref, first: 100, after })).model;
      if (!found) return null;
      versions.push(...found.versions.edges.map((e) => e.node));
      if (!found.versions.pageInfo.hasNextPage) return versions;
      after = found.versions.pageInfo.endCursor ?? undefined;
      ref = { id: found.id }; // the same model on every page, even if renamed meanwhile
    }
  }

  /** The model's events, oldest first; `__typename` (or `type`) tells which fields each has. */
  async history(model: string): Promise<ClientModelEventFragment[]> {
    const id = await this.modelId(model);
    const events: ClientModelEventFragment[] = [];
    let after: string | undefined;
    for (;;) {
      const page = (await this.request(ops.History, { id, first: 100, after })).model?.history;
      if (!page) break;
      events.push(...page.edges.map((e) => e.node));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor ?? undefined;
    }
    return events;
  }

  async createModel(input: CreateModelInput) {
    return (await this.request(ops.CreateModel, { input })).createModel;
  }

  async updateModel(model: string, changes: Omit<UpdateModelInput, 'id'>) {
    return (await this.request(ops.UpdateModel, { input: { id: await this.modelId(model), ...changes } })).updateModel;
  }

  async deleteModel(model: string) {
    return (await this.request(ops.DeleteModel, { id: await this.modelId(model) })).deleteModel;
  }

  async createVersion(model: string, settings: Omit<CreateVersionInput, 'modelId' | 'formats'> = {}) {
    return (await this.request(ops.CreateVersion, { input: { modelId: await this.modelId(model), ...settings } })).createVersion;
  }

  async updateVersion(model: string, number: number, settings: Omit<UpdateVersionInput, 'modelId' | 'number'>) {
    return (await this.request(ops.UpdateVersion, { input: { modelId: await this.modelId(model), number, ...settings } })).updateVersion;
  }

  async publishVersion(model: string, number: number) {
    return (await this.request(ops.PublishVersion, { modelId: await this.modelId(model), number })).publishVersion;
  }

  async deleteVersion(model: string, number: number) {
    return (await this.request(ops.DeleteVersion, { modelId: await this.modelId(model), number })).deleteVersion;
  }

  /** Records a version's results on a dataset (a draft's or a published one's: the version does not change). */
  async recordEvaluation(model: string, number: number, results: EvaluationResults) {
    const input = { modelId: await this.modelId(model), number, dataset: results.dataset, metrics: results.metrics, notes: results.notes };
    return (await this.request(ops.RecordEvaluation, { input })).recordEvaluation;
  }

  /** Points an alias at a published version: creates it, or moves it; where it points already, nothing is recorded. */
  async setAlias(model: string, alias: string, number: number) {
    return (await this.request(ops.SetAlias, { input: { modelId: await this.modelId(model), alias, number } })).setAlias;
  }

  /** Removes an alias (setting it again brings it back); the version it pointed at stays. */
  async removeAlias(model: string, alias: string) {
    return (await this.request(ops.RemoveAlias, { modelId: await this.modelId(model), alias })).removeAlias;
  }

  /** The context's webhooks, oldest first (its administrators only: FORBIDDEN is thrown to others). */
  async listWebhooks(): Promise<ClientWebhookFragment[]> {
    return (await this.request(ops.ListWebhooks, {})).webhooks;
  }

  /**
   * Sends the context's model events to a URL from now on. A success carries the signing `secret`, which
   * the server never shows again; a refused URL (not http(s), or not on a public address) is a ValidationError.
   */
  async createWebhook(settings: WebhookSettings) {
    const input = {
      url: settings.url,
      eventTypes: settings.eventTypes,
      description: settings.description,
      ...(settings.model != null && { modelId: await this.modelId(settings.model) }),
    };
    return (await this.request(ops.CreateWebhook, { input })).createWebhook;
  }

  async updateWebhook(id: string, changes: WebhookChanges) {
    return (await this.request(ops.UpdateWebhook, { input: { id, ...changes } })).updateWebhook;
  }

  /** Deletes a webhook and its deliveries: nothing more is sent to it. */
  async deleteWebhook(id: string) {
    return (await this.request(ops.DeleteWebhook, { id })).deleteWebhook;
  }

  /**
   * A page of a webhook's deliveries, newest event first (at most `first`, 100 by default), optionally of
   * one status; null when the context has no such webhook.
   */
  async listDeliveries(webhookId: string, options: { status?: DeliveryStatus; first?: number; after?: string } = {}): Promise<DeliveryPage | null> {
    const data = await this.request(ops.WebhookDeliveries, { id: webhookId, first: options.first ?? 100, after: options.after, status: options.status });
    const found = data.webhook?.deliveries;
    if (!found) return null;
    return { deliveries: found.edges.map((e) => e.node), hasNextPage: found.pageInfo.hasNextPage, endCursor: found.pageInfo.endCursor ?? null };
  }

  /** Makes a delivery due again now, with a fresh allowance of attempts. */
  async redeliver(deliveryId: string) {
    return (await this.request(ops.RedeliverWebhook, { deliveryId })).redeliverWebhook;
  }

  /**
   * Streams a file to a version as a GraphQL multipart request. For a path or bytes the sha256 is
   * computed first and sent, so the server refuses a file that arrives different; a stream is hashed on
   * the way and checked against what the server computed.
   */
  async uploadFormat(options: UploadOptions) {
    const modelId = await this.modelId(options.model);
    // A path or bytes can be sent again (a repeat under the same key); a stream only once.
    let open: () => Readable;
    let total: number | undefined;
    let sha256: string | undefined;
    let filename = options.filename;
    if (typeof options.file === 'string') {
      total = (await fsp.stat(options.file)).size;
      sha256 = await sha256OfFile(options.file);
      const file = options.file;
      open = () => fs.createReadStream(file, { highWaterMark: 1024 * 1024 });
      filename ??= path.basename(options.file);
    } else if (options.file instanceof Uint8Array) {
      total = options.file.byteLength;
      sha256 = createHash('sha256').update(options.file).digest('hex');
      const bytes = Buffer.from(options.file.buffer, options.file.byteOffset, options.file.byteLength);
      open = () => Readable.from([bytes]);
    } else {
      const stream = options.file;
      open = () => stream;
    }
    const repeatable = typeof options.file === 'string' || options.file instanceof Uint8Array;
    filename ??= `model.${options.format}`;
    let streamed = createHash('sha256');
    const boundary = `cairn-${createHash('sha256').update(String(Math.random())).digest('hex').slice(0, 24)}`;
    const operations = JSON.stringify({
      query: print(ops.UploadFormat),
      variables: { input: { modelId, number: options.version, format: options.format, file: null, sha256 } },
    });
    const safeName = filename.replace(/["\r\n\\]/g, '_');
    const head = Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="operations"\r\n\r\n${operations}\r\n` +
        `--${boundary}\r\nContent-Disposition: form-data; name="map"\r\n\r\n{"0":["variables.input.file"]}\r\n` +
        `--${boundary}\r\nContent-Disposition: form-data; name="0"; filename="${safeName}"\r\nContent-Type: ${options.contentType ?? 'application/octet-stream'}\r\n\r\n`,
    );
    const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
    const headers = this.headers({
      'content-type': `multipart/form-data; boundary=${boundary}`,
      [IDEMPOTENCY_HEADER]: randomUUID(),
      ...(total !== undefined && { 'content-length': String(head.length + total + tail.length) }),
    });
    let status = 0;
    const result = await repeating(repeatable ? (this.options.retries ?? 3) : 0, true, async () => {
      const { meter, hash } = hashingMeter((sent) => options.onProgress?.(sent, total));
      streamed = hash;
      options.onProgress?.(0, total);
      const response = await this.send('POST', new URL('graphql', this.base), headers, async (req) => {
        req.write(head);
        await pipeline(open(), meter, req, { end: false });
        req.end(tail);
      });
      status = response.statusCode ?? 0;
      return this.result<ClientUploadFormatMutation>(status, await text(response)).uploadFormat;
    });
    if (result.__typename === 'UploadFormatSuccess' && sha256 === undefined && result.format.sha256 !== streamed.digest('hex')) {
      throw new CairnRequestError('The server stored different bytes from those sent', status, 'CHECKSUM_MISMATCH');
    }
    return result;
  }

  /**
   * Downloads a format's file, checking its sha256 against the one recorded on upload. With `to`, writes
   * the file there (through a temporary name, removed if the check fails); without, returns the bytes.
   */
  async downloadFormat(options: DownloadOptions) {
    // By alias, the server resolves it and sends the file in one answer: the bytes are of the version it points at then.
    const version = options.alias === undefined ? String(options.version) : pathSegment(options.alias);
    const format = pathSegment(options.format);
    // Neither can be an alias or a format id: nothing to ask the server.
    if (version === null) throw new CairnRequestError(`Model "${options.model}" has no alias ${JSON.stringify(options.alias)}`, 404, 'NOT_FOUND');
    if (format === null) throw new CairnRequestError(`Model "${options.model}" has no format ${JSON.stringify(options.format)}`, 404, 'NOT_FOUND');
    const url = new URL(`files/${await this.modelSegment(options.model)}/${version}/${format}`, this.base);
    const response = await this.send('GET', url, this.headers());
    if (response.statusCode !== 200) throw await refusal(response, 'the download');
    const expected = String(response.headers['x-checksum-sha256'] ?? '');
    // Which version the file is of (by alias: the one it pointed at when the server answered).
    const number = Number(response.headers['cairn-version']) || (options.version ?? null);
    const total = Number(response.headers['content-length']) || undefined;
    let received = 0;
    const { meter, hash } = hashingMeter((bytes) => {
      received = bytes;
      options.onProgress?.(bytes, total);
    });
    if (options.to) {
      const partial = `${options.to}.part`;
      await pipeline(response, meter, fs.createWriteStream(partial));
      const actual = hash.digest('hex');
      if (actual !== expected) {
        await fsp.rm(partial, { force: true });
        throw new ChecksumMismatch(expected, actual);
      }
      await fsp.rename(partial, options.to);
      return { path: options.to, version: number, size: received, sha256: actual };
    }
    const chunks: Buffer[] = [];
    for await (const chunk of response.pipe(meter)) chunks.push(chunk as Buffer);
    const actual = hash.digest('hex');
    if (actual !== expected) throw new ChecksumMismatch(expected, actual);
    return { bytes: Buffer.concat(chunks), version: number, size: received, sha256: actual };
  }

  /**
   * The whole instance as one archive (GET /admin/export, superusers only), streamed into `to` through
   * `${to}.part`, which is renamed only once every byte the server announced has arrived. The archive's own
   * check (each member against its manifest) is the caller's: `npm run import -- --check`, or the CLI's export.
   */
  async exportArchive(options: { to: string; onProgress?: (bytes: number, total: number | undefined) => void }): Promise<{ path: string; size: number }> {
    const response = await this.send('GET', new URL('admin/export', this.base), this.headers());
    if (response.statusCode !== 200) throw await refusal(response, 'the export');
    const total = Number(response.headers['content-length']) || undefined;
    let received = 0;
    const { meter } = hashingMeter((bytes) => {
      received = bytes;
      options.onProgress?.(bytes, total);
    });
    const partial = `${options.to}.part`;
    try {
      await pipeline(response, meter, fs.createWriteStream(partial));
      if (total !== undefined && received !== total) throw new Error(`The export stopped after ${received} of ${total} bytes`);
    } catch (error) {
      await fsp.rm(partial, { force: true });
      throw new CairnRequestError(`The export did not arrive whole (${(error as Error).message}); the server's log says why`, undefined, 'EXPORT_INCOMPLETE');
    }
    await fsp.rename(partial, options.to);
    return { path: options.to, size: received };
  }

  /**
   * A model in a download path: its id or name as given (the server reads either), or the id a name resolves
   * to where a URL cannot carry the name itself (`.` and `..` are path steps; a lone surrogate cannot be encoded).
   */
  private async modelSegment(ref: string): Promise<string> {
    if (UUID.test(ref)) return ref;
    return pathSegment(ref) ?? this.modelId(ref);
  }

  private send(method: string, url: URL, headers: Record<string, string>, body?: (req: http.ClientRequest) => Promise<void>): Promise<http.IncomingMessage> {
    const transport = url.protocol === 'https:' ? https : http;
    return new Promise((resolve, reject) => {
      const req = transport.request(url, { method, headers }, resolve);
      req.on('error', (error) => reject(new CairnRequestError(`Cannot reach Cairn at ${url.origin}: ${error.message}`, undefined, 'UNREACHABLE')));
      if (body) body(req).catch(reject);
      else req.end();
    });
  }
}

/** One segment of a URL path, or null where a URL cannot carry the value as it is: `.` and `..` are path steps, and a lone surrogate has no UTF-8. */
function pathSegment(value: string): string | null {
  if (value === '.' || value === '..') return null;
  try {
    return encodeURIComponent(value);
  } catch {
    return null;
  }
}

/** A non-200 answer to a plain HTTP request (a download, an export) as the error it says it is. */
async function refusal(response: http.IncomingMessage, what: string): Promise<CairnRequestError> {
  const body = await text(response);
  let message = body;
  let code: string | undefined;
  try {
    const parsed = JSON.parse(body) as { error?: string; code?: string };
    message = parsed.error ?? body;
    code = parsed.code;
  } catch {
    // plain text
  }
  const status = response.statusCode ?? 0;
  // The server names its refusal (TOO_MANY_REQUESTS, STORAGE_FULL ...); the status says it otherwise. A
  // request Node's parser refuses (a path too long: 414, 431) gets the status alone, without a body.
  code ??= status === 404 ? 'NOT_FOUND' : status === 403 ? 'FORBIDDEN' : status === 401 ? 'UNAUTHENTICATED' : status === 400 || status === 414 || status === 431 ? 'VALIDATION' : undefined;
  return new CairnRequestError(message.trim() || `Cairn refused ${what}: HTTP ${status} ${http.STATUS_CODES[status] ?? ''}`.trimEnd(), status, code);
}

async function text(response: http.IncomingMessage): Promise<string> {
  let out = '';
  for await (const chunk of response) out += chunk;
  return out;
}

/** A pass-through stream that hashes (sha256) and counts what goes through it, reporting the count as it grows. */
function hashingMeter(onBytes: (bytes: number) => void) {
  const hash = createHash('sha256');
  let bytes = 0;
  const meter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      bytes += chunk.length;
      hash.update(chunk);
      onBytes(bytes);
      callback(null, chunk);
    },
  });
  return { meter, hash };
}
