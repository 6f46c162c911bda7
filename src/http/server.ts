import { once } from 'node:events';
import fs from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { processRequest } from 'graphql-upload-minimal';
import type { YogaServerInstance } from 'graphql-yoga';
import { sql } from 'kysely';
import type { ServerContext } from '../app.ts';
import type { Identity } from '../auth/identity.ts';
import { identifyRequest, RequestRefused } from '../auth/requestIdentity.ts';
import type { Config } from '../config.ts';
import type { BlobStore } from '../files/blobStore.ts';
import type { GraphQLContext } from '../graphql/context.ts';
import { GRAPHIQL_ASSETS, GRAPHIQL_ASSETS_PATH, graphiqlAssetsDir } from '../graphql/graphiql.ts';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';
import { DATABASE_UNAVAILABLE, isDatabaseUnavailable, STORAGE_FULL, STORAGE_FULL_RETRY_AFTER_SECONDS, storageFullCode } from '../store/pgErrors.ts';
import type { Store } from '../store/open.ts';
import { serveDashboard } from './dashboard.ts';
import { requestIdFrom } from './requestId.ts';
import { findFormatFile, parseDownloadPath, sendFile } from './downloads.ts';

export type RequestHandler = (req: IncomingMessage, res: ServerResponse) => void;

/** The header that marks a request as not a cross-site form post; any one of these will do. */
export const CSRF_HEADER = 'x-cairn-csrf';
export const CSRF_HEADERS = [CSRF_HEADER, 'x-graphql-yoga-csrf', 'apollo-require-preflight'];

interface Deps {
  yoga: YogaServerInstance<ServerContext, GraphQLContext>;
  store: Store;
  blobs: BlobStore;
  config: Config;
  logger: Logger;
  metrics: Metrics;
}

/** The fixed set of routes requests are counted under (never the raw path: ids would make a series each). */
function routeOf(pathname: string): string {
  if (pathname === '/graphql') return 'graphql';
  if (pathname.startsWith('/files/')) return 'files';
  if (pathname === '/health' || pathname === '/ready' || pathname === '/metrics') return pathname.slice(1);
  if (pathname.startsWith(GRAPHIQL_ASSETS_PATH)) return 'graphiql';
  return 'dashboard';
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** A GraphQL-shaped error for requests refused before GraphQL sees them. */
const graphqlError = (message: string, code: string) => ({ errors: [{ message, extensions: { code } }] });

class BodyTooLarge extends Error {}

async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) throw new BodyTooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new BodyTooLarge();
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

async function ready(store: Store): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  try {
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('timeout')), 2000);
    });
    await Promise.race([sql`select 1`.execute(store.db), timeout]);
    return true;
  } catch {
    return false;
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

/**
 * The Node side of the server. Plain GraphQL requests are read here within a size limit; multipart
 * requests go through graphql-upload-minimal, which hands each file to its resolver as a stream. Either
 * way Yoga gets the operation through its fetch interface.
 */
export function createRequestHandler({ yoga, store, blobs, config, logger, metrics }: Deps): RequestHandler {
  async function graphql(req: IncomingMessage, res: ServerResponse, url: URL, requestId: string): Promise<void> {
    const abort = new AbortController();
    res.on('close', () => abort.abort());
    const headers = requestHeaders(req);
    // The id this request is logged under reaches the resolvers, and so the metadata of the events it appends.
    headers.set('x-request-id', requestId);
    const multipart = (req.headers['content-type'] ?? '').toLowerCase().startsWith('multipart/form-data');
    let response: Response;
    if (multipart) {
      // Checked before any file is read: a cross-site form post never gets to stream a file in.
      if (!CSRF_HEADERS.some((h) => req.headers[h] !== undefined)) {
        sendJson(res, 403, graphqlError(`A file upload needs the ${CSRF_HEADER} header`, 'FORBIDDEN'), { connection: 'close' });
        return;
      }
      // So is the token: file parts that no resolver reads would still be read to the end.
      let identity: Identity;
      try {
        identity = await identifyRequest(store.db, (name) => headerOf(req, name));
      } catch (error) {
        if (!(error instanceof RequestRefused)) throw error;
        sendJson(res, error.status, graphqlError(error.message, error.code), { connection: 'close' });
        return;
      }
      // graphql-upload-minimal listens for its parser's errors once; busboy can emit a second one while the
      // parser is destroyed after a malformed body, and an 'error' with no listener would end the process.
      const pipe = req.pipe.bind(req);
      req.pipe = ((destination: NodeJS.WritableStream, options?: { end?: boolean }) => {
        destination.on('error', () => {});
        return pipe(destination, options);
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
        const status = (error as { status?: number }).status ?? 400;
        sendJson(res, status >= 400 && status < 500 ? status : 400, graphqlError((error as Error).message, 'VALIDATION'), { connection: 'close' });
        return;
      }
      // Yoga gets the parsed operations, not this body: its length must not count against Yoga's limits.
      headers.set('content-type', 'application/json');
      headers.delete('content-length');
      headers.delete('transfer-encoding');
      response = await yoga.fetch(url, { method: 'POST', headers, body: '{}', signal: abort.signal }, { uploadOperations: operations, identity });
      // A refused upload is answered before its file is read to the end: do not wait for the rest of it.
      res.once('finish', () => {
        if (!req.readableEnded) req.socket.destroySoon();
      });
      res.setHeader('connection', 'close');
    } else {
      let body: Buffer | undefined;
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        try {
          body = await readBody(req, config.maxBodyBytes);
        } catch (error) {
          if (!(error instanceof BodyTooLarge)) throw error;
          sendJson(res, 413, graphqlError(`The request body is larger than ${config.maxBodyBytes} bytes`, 'VALIDATION'), { connection: 'close' });
          req.resume();
          return;
        }
      }
      response = await yoga.fetch(url, { method: req.method, headers, body: body as unknown as BodyInit | undefined, signal: abort.signal });
    }
    await writeResponse(response, res, abort);
  }

  async function download(req: IncomingMessage, res: ServerResponse, where: NonNullable<ReturnType<typeof parseDownloadPath>>): Promise<void> {
    let identity: Identity;
    try {
      identity = await identifyRequest(store.db, (name) => headerOf(req, name));
    } catch (error) {
      if (!(error instanceof RequestRefused)) throw error;
      const headers: Record<string, string> = error.status === 401 ? { 'www-authenticate': 'Bearer realm="cairn"' } : {};
      return sendJson(res, error.status, { error: error.message, code: error.code }, headers);
    }
    // Another context's model is not there at all; a visible one without the permission is forbidden.
    const file = await findFormatFile(store.db, where, identity.context.id);
    if (!file) return sendJson(res, 404, { error: 'No such model, version or format', code: 'NOT_FOUND' });
    if (!identity.permissions.has('format:download')) return sendJson(res, 403, { error: 'Your roles here do not allow downloads', code: 'FORBIDDEN' });
    res.once('finish', () => {
      if (req.method === 'GET' && (res.statusCode === 200 || res.statusCode === 206)) metrics.downloadBytes.inc(Number(res.getHeader('content-length') ?? 0));
    });
    await sendFile(req, res, file, blobs);
  }

  function graphiqlAsset(res: ServerResponse, name: string): void {
    const type = GRAPHIQL_ASSETS[name];
    if (!type) return sendJson(res, 404, { error: 'not found' });
    res.writeHead(200, { 'content-type': type, 'cache-control': 'public, max-age=86400' });
    fs.createReadStream(path.join(graphiqlAssetsDir, name)).pipe(res);
  }

  return (req, res) => {
    const url = new URL(req.url ?? '/', `http://${req.headers.host ?? 'localhost'}`);
    const requestId = requestIdFrom(headerOf(req, 'x-request-id'));
    res.setHeader('x-request-id', requestId);
    const log = logger.child({ requestId });
    const routeName = routeOf(url.pathname);
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
    const route = async () => {
      if (url.pathname === '/health') return sendJson(res, 200, { status: 'ok' });
      if (url.pathname === '/metrics') {
        res.writeHead(200, { 'content-type': metrics.registry.contentType });
        return res.end(await metrics.registry.metrics());
      }
      if (url.pathname === '/ready') {
        const ok = await ready(store);
        return sendJson(res, ok ? 200 : 503, { status: ok ? 'ready' : 'database unavailable' });
      }
      if (url.pathname === '/graphql') return graphql(req, res, url, requestId);
      if (url.pathname.startsWith('/files/')) {
        if (req.method !== 'GET' && req.method !== 'HEAD') return sendJson(res, 405, { error: 'GET or HEAD' }, { allow: 'GET, HEAD' });
        const where = parseDownloadPath(url.pathname);
        if (!where) return sendJson(res, 404, { error: 'No such model, version or format' });
        return download(req, res, where);
      }
      if (url.pathname.startsWith(GRAPHIQL_ASSETS_PATH)) return graphiqlAsset(res, url.pathname.slice(GRAPHIQL_ASSETS_PATH.length));
      if ((req.method === 'GET' || req.method === 'HEAD') && serveDashboard(url.pathname, res)) return;
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
