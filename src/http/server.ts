import fs from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { once } from 'node:events';
import { sql } from 'kysely';
import type { YogaServerInstance } from 'graphql-yoga';
import type { Config } from '../config.ts';
import type { GraphQLContext } from '../graphql/context.ts';
import { GRAPHIQL_ASSETS, GRAPHIQL_ASSETS_PATH, graphiqlAssetsDir } from '../graphql/graphiql.ts';
import type { Logger } from '../logger.ts';
import type { Store } from '../store/open.ts';

export type RequestHandler = (req: IncomingMessage, res: ServerResponse) => void;

interface Deps {
  yoga: YogaServerInstance<Record<string, unknown>, GraphQLContext>;
  store: Store;
  config: Config;
  logger: Logger;
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

/**
 * The Node side of the server. GraphQL requests are read here, within a size limit, and handed to Yoga
 * through its fetch interface; its response (JSON, or a server-sent event stream) is written back as it comes.
 */
export function createRequestHandler({ yoga, store, config, logger }: Deps): RequestHandler {
  async function graphql(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const type = req.headers['content-type'] ?? '';
    if (type.startsWith('multipart/')) {
      sendJson(res, 415, graphqlError('File uploads are not accepted here yet', 'VALIDATION'));
      return;
    }
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
    const abort = new AbortController();
    res.on('close', () => abort.abort());
    const headers = new Headers();
    for (const [name, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
    }
    const response = await yoga.fetch(url, { method: req.method, headers, body, signal: abort.signal });
    const outHeaders: Record<string, string | string[]> = {};
    response.headers.forEach((value, name) => {
      outHeaders[name] = value;
    });
    res.writeHead(response.status, outHeaders);
    if (!response.body) {
      res.end();
      return;
    }
    // Server-sent events must reach the client as they are produced, not when a buffer fills.
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

  function graphiqlAsset(res: ServerResponse, name: string): void {
    const type = GRAPHIQL_ASSETS[name];
    if (!type) return sendJson(res, 404, { error: 'not found' });
    const file = path.join(graphiqlAssetsDir, name);
    res.writeHead(200, { 'content-type': type, 'cache-control': 'public, max-age=86400' });
    fs.createReadStream(file).pipe(res);
  }

  return (req, res) => {
    const url = new URL(req.url ?? '/', `http://${req.headers.host ?? 'localhost'}`);
    const route = async () => {
      if (url.pathname === '/health') return sendJson(res, 200, { status: 'ok' });
      if (url.pathname === '/ready') {
        const ok = await ready(store);
        return sendJson(res, ok ? 200 : 503, { status: ok ? 'ready' : 'database unavailable' });
      }
      if (url.pathname === '/graphql') return graphql(req, res, url);
      if (url.pathname.startsWith(GRAPHIQL_ASSETS_PATH)) return graphiqlAsset(res, url.pathname.slice(GRAPHIQL_ASSETS_PATH.length));
      if (url.pathname === '/') {
        res.writeHead(302, { location: '/graphql' });
        return res.end();
      }
      sendJson(res, 404, { error: 'not found' });
    };
    route().catch((error: unknown) => {
      logger.error({ err: error, url: url.pathname }, 'request failed');
      if (!res.headersSent) sendJson(res, 500, graphqlError('Unexpected error.', 'INTERNAL'));
      else res.destroy();
    });
  };
}
