import { once } from 'node:events';
import fs from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { processRequest } from 'graphql-upload-minimal';
import type { YogaServerInstance } from 'graphql-yoga';
import { prepareExport } from '../archive/write.ts';
import type { Identity } from '../auth/identity.ts';
import type { IdentityCache } from '../auth/identityCache.ts';
import { identifyRequest, RequestRefused } from '../auth/requestIdentity.ts';
import { checkTokenMay } from '../auth/revalidate.ts';
import { isSignedQuery, type LinkSigner, parseLinkParameters } from '../auth/signedLinks.ts';
import type { Config } from '../config.ts';
import { BlobMissingError, type BlobStore } from '../files/blobStore.ts';
import type { GraphQLContext } from '../graphql/context.ts';
import { GRAPHIQL_ASSETS_PATH, graphiqlAsset } from '../graphql/graphiql.ts';
import { DATABASE_UNAVAILABLE, STORAGE_FULL, STORAGE_FULL_RETRY_AFTER_SECONDS } from '../graphql/serviceErrors.ts';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';
import { isDatabaseUnavailable, storageFullCode } from '../store/pgErrors.ts';
import type { Store } from '../store/open.ts';
import { findFormat, type FormatRecord } from '../store/readModels.ts';
import { isRebuilding } from '../store/rebuild.ts';
import { type Body, BodyBudget, BodyTimedOut, BodyTooLarge, bodyLeft, ClientGone, discardRestOfBody, readBody, ServerBusy, watchBody } from './bodies.ts';
import { allowCrossOrigin, answerPreflight } from './cors.ts';
import { CSRF_HEADER, needsCsrfHeader } from './csrf.ts';
import { serveDashboard } from './dashboard.ts';
import { decodePath, requestUrl } from './paths.ts';
import { PerTokenLimit } from './perTokenLimit.ts';
import { requestIdFrom } from './requestId.ts';
import { type DownloadPath, parseDownloadPath, sendFile } from './downloads.ts';

export type RequestHandler = (req: IncomingMessage, res: ServerResponse) => void;

/** The server context Yoga is given: a multipart request's operations, already parsed with its files. */
export interface ServerContext {
  uploadOperations?: unknown;
  /** Set by the HTTP layer, which identifies every request from its headers before reading its body. */
  identity?: Identity;
}

export { CSRF_HEADER, CSRF_HEADERS } from './csrf.ts';

interface Deps {
  yoga: YogaServerInstance<ServerContext, GraphQLContext>;
  store: Store;
  blobs: BlobStore;
  /** Verifies signed download links. */
  links: LinkSigner;
  config: Config;
  logger: Logger;
  metrics: Metrics;
  /** The process's cache of identities, if it keeps one. */
  identities?: IdentityCache;
}

/** The whole instance as one archive (src/archive/): superusers only. */
export const EXPORT_PATH = '/admin/export';

/** The fixed set of routes requests are counted under (never the raw path: ids would make a series each). */
function routeOf(pathname: string): string {
  if (pathname === '/graphql') return 'graphql';
  if (pathname.startsWith('/files/')) return 'files';
  if (pathname === '/health' || pathname === '/ready' || pathname === '/metrics') return pathname.slice(1);
  if (pathname === EXPORT_PATH) return 'export';
  if (pathname.startsWith(GRAPHIQL_ASSETS_PATH)) return 'graphiql';
  return 'dashboard';
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  // Already answered (a body that timed out while a resolver still ran): the first answer stands.
  if (res.headersSent || res.destroyed) return;
  const text = JSON.stringify(body);
  closeIfBodyLeft(res);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/**
 * An answer sent before the request's body has arrived says `Connection: close`: the rest of the body is
 * read and dropped after it (see discardRestOfBody), and the connection is not used again. A client that
 * asked first (`Expect: 100-continue`) and was refused sends no body at all, and must not be kept waiting
 * to send one.
 */
function closeIfBodyLeft(res: ServerResponse): void {
  if (!res.headersSent && bodyLeft(res.req)) res.setHeader('connection', 'close');
}

/** A GraphQL-shaped error for requests refused before GraphQL sees them. */
const graphqlError = (message: string, code: string, extensions: Record<string, unknown> = {}) => ({ errors: [{ message, extensions: { code, ...extensions } }] });

const CHALLENGE = { 'www-authenticate': 'Bearer realm="cairn"' };

/** The caller of a request, from its headers alone; or null, once the refusal (401, or 404 for a context it cannot see) is sent. */
async function identified(
  { db, identities }: { db: Store['db']; identities: IdentityCache | undefined },
  req: IncomingMessage,
  res: ServerResponse,
  body: (message: string, code: string) => unknown,
): Promise<Identity | null> {
  try {
    return await identifyRequest(db, (name) => headerOf(req, name), identities);
  } catch (error) {
    if (!(error instanceof RequestRefused)) throw error;
    sendJson(res, error.status, body(error.message, error.code), error.status === 401 ? CHALLENGE : {});
    return null;
  }
}

/**
 * Whether the database answers, and whether a rebuild of the read models runs on it (in any process): the
 * server keeps serving reads and writes meanwhile, so "rebuilding" is ready too, only said.
 */
async function ready(store: Store): Promise<'ready' | 'rebuilding' | 'database unavailable'> {
  let timer: NodeJS.Timeout | undefined;
  try {
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('timeout')), 2000);
    });
    return (await Promise.race([isRebuilding(store.db), timeout])) ? 'rebuilding' : 'ready';
  } catch {
    return 'database unavailable';
  } finally {
    clearTimeout(timer);
  }
}

function headerOf(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function requestHeaders(req: IncomingMessage): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
  }
  return headers;
}

/** Writes a fetch Response (JSON, or a server-sent event stream) to the Node response as it is produced. */
async function writeResponse(response: Response, res: ServerResponse, abort: AbortController): Promise<void> {
  const outHeaders: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    outHeaders[name] = value;
  });
  res.writeHead(response.status, outHeaders);
  if (!response.body) {
    res.end();
    return;
  }
  res.flushHeaders();
  const reader = response.body.getReader();
  abort.signal.addEventListener('abort', () => void reader.cancel().catch(() => {}));
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (!res.write(value)) await once(res, 'drain', { signal: abort.signal });
    }
    res.end();
  } catch (error) {
    if (!abort.signal.aborted) throw error;
  }
}

/** Serves /metrics, in Prometheus' text format. */
export function createMetricsHandler(metrics: Metrics): RequestHandler {
  return (req, res) => {
    if (requestUrl(req.url)?.pathname !== '/metrics') return sendJson(res, 404, { error: 'not found' });
    metrics.registry.metrics().then(
      (text) => {
        res.writeHead(200, { 'content-type': metrics.registry.contentType });
        res.end(text);
      },
      () => sendJson(res, 500, { error: 'Unexpected error.' }),
    );
  };
}

/**
 * The Node side of the server. Every GraphQL request is identified from its headers before a byte of
 * its body is read, and refused at once without a valid token. Plain GraphQL bodies are then read here,
 * within a size limit, a time limit between bytes and the process's budget for bodies in memory;
 * multipart requests go through graphql-upload-minimal, which hands each file to its resolver as a
 * stream. Either way Yoga gets the operation, and the identity, through its fetch interface.
 */
export function createRequestHandler({ yoga, store, blobs, links, config, logger, metrics, identities }: Deps): RequestHandler {
  const identifying = { db: store.db, identities };
  const budget = new BodyBudget(config.maxBufferedBodyBytes);
  const downloads = new PerTokenLimit(config.maxDownloadsPerToken);
  const serveMetrics = createMetricsHandler(metrics);

  /** Ends a request whose body did not arrive whole; false when the error is not one of those. */
  function bodyRefused(res: ServerResponse, error: unknown): boolean {
    if (error instanceof BodyTooLarge) {
      sendJson(res, 413, graphqlError(`The request body is larger than ${config.maxBodyBytes} bytes`, 'VALIDATION'));
    } else if (error instanceof BodyTimedOut) {
      // The client is not sending: there is nothing to wait for, so the connection closes with the answer.
      sendJson(res, 408, graphqlError(`No byte of the request body arrived for ${config.bodyTimeoutMs} ms`, 'REQUEST_TIMEOUT'), { connection: 'close' });
    } else if (error instanceof ServerBusy) {
      sendJson(res, 503, graphqlError('The server is reading too many requests at once; try again shortly', 'SERVICE_UNAVAILABLE', { retryable: true }), { 'retry-after': '1' });
    } else if (error instanceof ClientGone) {
      res.destroy();
    } else {
      return false;
    }
    return true;
  }

  async function graphql(req: IncomingMessage, res: ServerResponse, url: URL, requestId: string): Promise<void> {
    const abort = new AbortController();
    res.on('close', () => abort.abort());
    const headers = requestHeaders(req);
    // The id this request is logged under reaches the resolvers, and so the metadata of the events it appends.
    headers.set('x-request-id', requestId);
    const contentType = (req.headers['content-type'] ?? '').toLowerCase();
    const multipart = contentType.startsWith('multipart/form-data');
    // GraphiQL's page (a browser's GET, by Yoga's own test) carries no token and has no body; Yoga answers
    // it without running anything. Every other request is identified from its headers before a byte of its
    // body is read.
    const open = req.method === 'GET' && (req.headers.accept ?? '').includes('text/html');
    let identity: Identity | undefined;
    if (!open) {
      // A forgery needs credentials the browser sends by itself, and Cairn accepts none (see csrf.ts): this
      // refuses nothing today. It stays here, before the token and the body, for a cookie session to come.
      if (needsCsrfHeader(req)) {
        sendJson(res, 403, graphqlError(`Required CSRF header not present: send ${CSRF_HEADER}: 1 (or use a JSON content type)`, 'FORBIDDEN'));
        return;
      }
      const known = await identified(identifying, req, res, graphqlError);
      if (!known) return;
      identity = known;
    }
    // A client that asked first (`Expect: 100-continue`) sends its body only now, once the request may go on.
    if (/\b100-continue\b/i.test(req.headers.expect ?? '')) res.writeContinue();
    let response: Response;
    if (multipart) {
      // graphql-upload-minimal listens for its parser's errors once; busboy can emit a second one while the
      // parser is destroyed after a malformed body, and an 'error' with no listener would end the process.
      let unwatch = () => {};
      const pipe = req.pipe.bind(req);
      req.pipe = ((destination: NodeJS.WritableStream, options?: { end?: boolean }) => {
        destination.on('error', () => {});
        const piped = pipe(destination, options);
        // A client that stops sending mid-upload is answered 408 and its connection closed; the upload sees
        // the request end early and drops what it staged.
        unwatch = watchBody(req, config.bodyTimeoutMs, () => {
          if (res.headersSent) req.destroy();
          else bodyRefused(res, new BodyTimedOut());
        });
        return piped;
      }) as typeof req.pipe;
      let operations: unknown;
      try {
        operations = await processRequest(req, res, {
          // One byte past the limit, so that the resolver sees the file is too large and says so in its result.
          maxFileSize: config.limits.maxUploadBytes + 1,
          maxFiles: config.limits.maxFormats,
          maxFieldSize: config.maxBodyBytes,
        });
      } catch (error) {
        unwatch();
        const status = (error as { status?: number }).status ?? 400;
        sendJson(res, status >= 400 && status < 500 ? status : 400, graphqlError((error as Error).message, 'VALIDATION'), { connection: 'close' });
        return;
      }
      // Yoga gets the parsed operations, not this body: its length must not count against Yoga's limits.
      headers.set('content-type', 'application/json');
      headers.delete('content-length');
      headers.delete('transfer-encoding');
      response = await yoga.fetch(url, { method: 'POST', headers, body: '{}', signal: abort.signal }, { uploadOperations: operations, identity });
      unwatch();
      // A refused upload (a precheck, a file too large) is answered before its file is read to the end.
      closeIfBodyLeft(res);
    } else {
      let body: Body | undefined;
      if (req.method !== 'GET' && req.method !== 'HEAD' && req.method !== 'OPTIONS') {
        try {
          body = await readBody(req, { limit: config.maxBodyBytes, idleMs: config.bodyTimeoutMs, budget });
        } catch (error) {
          if (bodyRefused(res, error)) return;
          throw error;
        }
      }
      try {
        response = await yoga.fetch(url, { method: req.method, headers, body: body?.bytes as BodyInit | undefined, signal: abort.signal }, { identity });
      } finally {
        body?.release();
      }
    }
    // Answered already (the body timed out while a resolver ran): this result has nowhere to go.
    if (res.headersSent || res.destroyed) {
      await response.body?.cancel().catch(() => {});
      return;
    }
    await writeResponse(response, res, abort);
  }

  async function download(req: IncomingMessage, res: ServerResponse, where: DownloadPath, log: Logger): Promise<void> {
    const identity = await identified(identifying, req, res, (error, code) => ({ error, code }));
    if (!identity) return;
    // Another context's model is not there at all; a visible one without the permission is forbidden.
    const file = await findFormat(store.db, identity.context.id, where);
    if (!file) return sendJson(res, 404, { error: 'No such model, version or format', code: 'NOT_FOUND' });
    if (!identity.permissions.has('format:download')) return sendJson(res, 403, { error: 'Your roles here do not allow downloads', code: 'FORBIDDEN' });
    return serveFormat(req, res, file, identity.tokenId, log);
  }

  /**
   * A download through a signed link (Format.signedUrl): no Authorization header, the link's parameters
   * instead. Anything wrong with them, or a link for another file (or for this file before it was
   * replaced), is one and the same 403, so that a forger learns nothing, not even whether the model exists;
   * a genuine link past its expiry is 410. Then the token that asked for it must still be live and allowed.
   */
  async function signedDownload(req: IncomingMessage, res: ServerResponse, where: DownloadPath, query: URLSearchParams, log: Logger): Promise<void> {
    const refused = () => sendJson(res, 403, { error: 'This link is not valid for this file: ask for a new one (Format.signedUrl)', code: 'FORBIDDEN' });
    const link = parseLinkParameters(query);
    // Links are made with the model's id and the version's number, never a name or an alias.
    if (!link || where.modelId === undefined || where.number === undefined) return refused();
    const file = await findFormat(store.db, link.contextId, { modelId: where.modelId, number: where.number, format: where.format });
    // The file as it is now: a link made before it was replaced was signed over the old sha256.
    const genuine =
      file !== null &&
      links.verify({ contextId: link.contextId, modelId: file.modelId, number: file.number, format: file.format, sha256: file.sha256, tokenId: link.tokenId, expires: link.expires }, link.mac);
    if (!file || !genuine) return refused();
    if (Date.now() >= link.expires * 1000) return sendJson(res, 410, { error: 'This link has expired: ask for a new one (Format.signedUrl)', code: 'LINK_EXPIRED' });
    // Uncached: a token revoked (or a role lost) a moment ago stops its links now.
    const access = await checkTokenMay(store.db, link.tokenId, link.contextId, 'format:download');
    if (access !== 'ok') {
      return sendJson(res, 403, { error: 'The token this link was made with was revoked or has expired, or may no longer download this model', code: 'FORBIDDEN' });
    }
    // The link is in the URL: it must not travel on in a Referer from whatever the file is opened with.
    res.setHeader('referrer-policy', 'no-referrer');
    return serveFormat(req, res, file, link.tokenId, log);
  }

  /** Sends a format's file, counted against its token's downloads in progress. */
  async function serveFormat(req: IncomingMessage, res: ServerResponse, file: FormatRecord, tokenId: string, log: Logger): Promise<void> {
    const release = downloads.take(tokenId);
    if (!release) {
      return sendJson(
        res,
        429,
        { error: `This token already has ${downloads.limit} downloads in progress; try again when one has finished`, code: 'TOO_MANY_REQUESTS', limit: downloads.limit },
        { 'retry-after': '5' },
      );
    }
    res.once('close', release);
    res.once('finish', () => {
      if (req.method === 'GET' && (res.statusCode === 200 || res.statusCode === 206)) metrics.downloadBytes.inc(Number(res.getHeader('content-length') ?? 0));
    });
    // A client that takes no byte for that long has stopped reading: it gives its slot back.
    res.setTimeout(config.bodyTimeoutMs, () => res.destroy());
    try {
      await sendFile(req, res, file, blobs);
    } catch (error) {
      if (!(error instanceof BlobMissingError)) throw error;
      // The record outlived its file: the installation's fault. The caller learns which file, the operator too.
      const { modelId, number, format } = file;
      metrics.blobsMissing.inc();
      log.error({ modelId, number, format, sha256: file.sha256 }, "a format's file is missing from the blob store");
      sendJson(res, 500, {
        error: `The file of format ${format} of version ${number} of model ${modelId} is missing from the server's blob store: a fault of the server, logged for its operator`,
        code: 'BLOB_MISSING',
        modelId,
        number,
        format,
      });
    }
  }

  /** Whether this process is streaming an export now: one at a time (each reads the whole log and every blob). */
  let exporting = false;

  /**
   * GET /admin/export: the instance as one archive (src/archive/format.ts), streamed while the server goes on
   * serving. Its length is known before the first byte (Content-Length), so a client can tell an archive cut
   * short; one that fails midway (a blob gone from the store) is cut short on purpose, never ended as if whole.
   */
  async function exportRoute(req: IncomingMessage, res: ServerResponse, log: Logger): Promise<void> {
    if (req.method !== 'GET') return sendJson(res, 405, { error: 'GET only', code: 'METHOD_NOT_ALLOWED' }, { allow: 'GET' });
    const identity = await identified(identifying, req, res, (error, code) => ({ error, code }));
    if (!identity) return;
    // The archive holds every context, the tokens' hashes and the server's keys: a superuser's, as a database dump is its owner's.
    if (!identity.principal.superuser) return sendJson(res, 403, { error: 'Only a superuser may export the instance', code: 'FORBIDDEN' });
    if (exporting) {
      return sendJson(res, 429, { error: 'An export is running on this server already; try again when it has finished', code: 'TOO_MANY_REQUESTS' }, { 'retry-after': '30' });
    }
    exporting = true;
    try {
      const prepared = await prepareExport(store.db, blobs);
      const { counts } = prepared.manifest;
      const stamp = prepared.manifest.exportedAt.replace(/[:.]/g, '-');
      res.writeHead(200, {
        'content-type': 'application/x-tar',
        'content-length': prepared.bytes,
        'content-disposition': `attachment; filename="cairn-export-${stamp}.tar"`,
        'cache-control': 'no-store',
        'x-content-type-options': 'nosniff',
      });
      // A client that takes no byte for that long has stopped reading.
      res.setTimeout(config.bodyTimeoutMs, () => res.destroy());
      log.info({ events: counts.events, blobs: counts.blobs, bytes: prepared.bytes, principal: identity.principal.name }, 'export started');
      try {
        await prepared.writeTo(res);
        log.info({ events: counts.events, blobs: counts.blobs, bytes: prepared.bytes }, 'export finished');
      } catch (error) {
        const clientGone = res.destroyed || req.socket.destroyed;
        // Cut short on purpose: the client sees fewer bytes than announced, and no archive passes for whole.
        res.destroy();
        if (clientGone) log.info({ reason: String(error) }, 'export stopped: the client went away');
        else log.error({ err: error }, 'export failed: the archive was cut short');
      }
    } finally {
      exporting = false;
    }
  }

  function graphiqlFile(res: ServerResponse, name: string): void {
    const asset = graphiqlAsset(decodePath(name) ?? '');
    if (!asset) return sendJson(res, 404, { error: 'not found' });
    // Built files have their content's hash in their names.
    res.writeHead(200, { 'content-type': asset.type, 'content-length': asset.size, 'cache-control': 'public, max-age=31536000, immutable', 'x-content-type-options': 'nosniff' });
    fs.createReadStream(asset.file).pipe(res);
  }

  async function metricsRoute(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // Served on a listener of its own (127.0.0.1 only) when CAIRN_METRICS_PORT is set; not here, then.
    if (config.metricsPort !== undefined) return sendJson(res, 404, { error: 'not found' });
    // Any principal with a role: Prometheus sends its token as `authorization: Bearer`.
    const identity = await identified(identifying, req, res, (error, code) => ({ error, code }));
    if (identity) serveMetrics(req, res);
  }

  return (req, res) => {
    // Only the path and query come from the client's URL; a target that is not a URL at all is refused below.
    const url = requestUrl(req.url);
    const requestId = requestIdFrom(headerOf(req, 'x-request-id'));
    res.setHeader('x-request-id', requestId);
    const log = logger.child({ requestId });
    const routeName = routeOf(url?.pathname ?? '/');
    const timer = metrics.httpDuration.startTimer({ route: routeName });
    const started = performance.now();
    res.once('close', () => {
      timer();
      metrics.httpRequests.inc({ route: routeName, method: req.method ?? 'GET', status: String(res.statusCode) });
      // One line per request; probes and scrapes only at debug level.
      const quiet = routeName === 'health' || routeName === 'ready' || routeName === 'metrics' || routeName === 'graphiql';
      log[quiet ? 'debug' : 'info'](
        { method: req.method, route: routeName, status: res.statusCode, ms: Math.round(performance.now() - started), completed: res.writableFinished },
        'request',
      );
    });
    // A body nobody read (a refusal, a route that takes none, a file a resolver refused) is drained, bounded,
    // so that its answer reaches the client.
    discardRestOfBody(req, res, { maxBytes: config.drainBytes, maxMs: config.drainTimeoutMs });
    const route = async () => {
      // Every route decodes its path the same way: a malformed escape or a NUL is the client's mistake.
      if (!url || decodePath(url.pathname) === null) {
        return sendJson(res, 400, { error: 'The path is not a valid URL path (a malformed percent-escape, or a NUL)', code: 'VALIDATION' });
      }
      if (url.pathname === '/health') return sendJson(res, 200, { status: 'ok' });
      if (url.pathname === '/metrics') return metricsRoute(req, res);
      if (url.pathname === '/ready') {
        const status = await ready(store);
        return sendJson(res, status === 'database unavailable' ? 503 : 200, { status });
      }
      // The API's answers, refusals included, may be read by other sites' pages as CAIRN_CORS_ORIGINS says.
      const methods = url.pathname === '/graphql' ? ['GET', 'POST'] : url.pathname.startsWith('/files/') ? ['GET', 'HEAD'] : undefined;
      if (methods) {
        allowCrossOrigin(config.corsOrigins, req, res);
        if (req.method === 'OPTIONS') {
          closeIfBodyLeft(res);
          return answerPreflight(config.corsOrigins, req, res, methods);
        }
      }
      if (url.pathname === '/graphql') return graphql(req, res, url, requestId);
      if (url.pathname === EXPORT_PATH) return exportRoute(req, res, log);
      if (url.pathname.startsWith('/files/')) {
        if (req.method !== 'GET' && req.method !== 'HEAD') return sendJson(res, 405, { error: 'GET or HEAD' }, { allow: 'GET, HEAD, OPTIONS' });
        const where = parseDownloadPath(url.pathname);
        // A path that cannot name a file (an alias in capitals, a bad escape) is not there either, in the same words.
        if (!where) return sendJson(res, 404, { error: 'No such model, version or format', code: 'NOT_FOUND' });
        if (isSignedQuery(url.searchParams)) return signedDownload(req, res, where, url.searchParams, log);
        return download(req, res, where, log);
      }
      if (url.pathname.startsWith(GRAPHIQL_ASSETS_PATH)) return graphiqlFile(res, url.pathname.slice(GRAPHIQL_ASSETS_PATH.length));
      if ((req.method === 'GET' || req.method === 'HEAD') && serveDashboard(req, res, url.pathname, config.dashboardDir)) return;
      if (url.pathname === '/') {
        // Not built (npm start builds it): GraphiQL is there all the same.
        res.writeHead(302, { location: '/graphql' });
        return res.end();
      }
      sendJson(res, 404, { error: 'not found' });
    };
    route().catch((error: unknown) => {
      // The client went away (aborted, reset) before the answer was complete: nothing to answer, nothing wrong here.
      if (!res.writableFinished && (res.destroyed || req.socket.destroyed)) return log.debug({ route: routeName, reason: String(error) }, 'client went away');
      const full = storageFullCode(error);
      if (full) {
        log.warn({ code: full, route: routeName }, 'no room left to store what a request sent; answered STORAGE_FULL');
        if (!res.headersSent) sendJson(res, 507, { errors: [STORAGE_FULL] }, { 'retry-after': String(STORAGE_FULL_RETRY_AFTER_SECONDS) });
        else res.destroy();
        return;
      }
      if (isDatabaseUnavailable(error)) {
        // Before anything was done (identifying the caller, say): the client may simply try again.
        log.warn({ err: error, route: routeName }, 'database unavailable');
        if (!res.headersSent) sendJson(res, 503, { errors: [DATABASE_UNAVAILABLE] }, { 'retry-after': '1' });
        else res.destroy();
        return;
      }
      log.error({ err: error, route: routeName }, 'request failed');
      if (!res.headersSent) sendJson(res, 500, graphqlError('Unexpected error.', 'INTERNAL'));
      else res.destroy();
    });
  };
}
