import fs from 'node:fs';
import fsp from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { LRUCache } from 'lru-cache';
import Negotiator from 'negotiator';
import { NAME_MAX } from '../domain/rules.ts';
import { decodePath } from './paths.ts';

export { DASHBOARD_DIR } from '../config.ts';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
};

/** The dashboard talks only to this server and runs only its own scripts. */
const CONTENT_SECURITY_POLICY = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'";

// ---- The dashboard's own paths -----------------------------------------------------------------------------

/** First segments that are the server's routes (or the dashboard's files), never a context. */
const RESERVED = new Set(['assets', 'files', 'graphql', 'graphiql', 'health', 'ready', 'metrics']);
/** A context's name (letters, digits, `. _ @ + -`, src/domain/access/decide.ts) or its id. */
const CONTEXT = /^[\w.@+-]{1,100}$/;
const MODEL_VIEWS = new Set(['history', 'compare', 'new-version']);

/**
 * Whether a path is one of the views the dashboard routes in the browser, which the server answers with
 * index.html: `/<context>/models`, `/<context>/models/<name>`, `/<context>/models/<name>/versions/<n>`,
 * and `/<context>/models/<name>/{history,compare,new-version}`. `<name>` is a URL-encoded model name (or
 * id), so it may hold an encoded `/`; each segment must decode (no bad escape, no NUL). The query string is
 * the dashboard's, not looked at here.
 */
export function isDashboardView(pathname: string): boolean {
  const raw = pathname.split('/');
  if (raw[0] !== '' || raw.length < 3 || raw.length > 6) return false;
  const segments = raw.slice(1).map(decodePath);
  if (segments.some((s) => s === null)) return false;
  const [context, models, name, view, number] = segments as string[];
  if (!CONTEXT.test(context!) || RESERVED.has(context!.toLowerCase()) || models !== 'models') return false;
  if (name === undefined) return true;
  if (name.trim().length === 0 || name.length > NAME_MAX) return false;
  if (view === undefined) return true;
  if (number === undefined) return MODEL_VIEWS.has(view);
  return view === 'versions' && /^\d{1,9}$/.test(number);
}

// ---- Compression -------------------------------------------------------------------------------------------

/** What is worth compressing: text. Images (png, ico) are compressed already. */
const COMPRESSIBLE = new Set(['.html', '.js', '.css', '.svg', '.json']);
/** Larger files are sent as they are (a dashboard's files are far smaller). */
const COMPRESS_MAX_BYTES = 16 * 1024 * 1024;

type Encoding = 'br' | 'gzip';
const brotli = promisify(zlib.brotliCompress);
const gzip = promisify(zlib.gzip);

const compressors: Record<Encoding, (data: Buffer) => Promise<Buffer>> = {
  br: (data) =>
    brotli(data, {
      params: { [zlib.constants.BROTLI_PARAM_QUALITY]: zlib.constants.BROTLI_MAX_QUALITY, [zlib.constants.BROTLI_PARAM_MODE]: zlib.constants.BROTLI_MODE_TEXT, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: data.length },
    }),
  gzip: (data) => gzip(data, { level: zlib.constants.Z_BEST_COMPRESSION }),
};

/**
 * Each file's compressed forms, made on its first request and kept: the dashboard is a few files that
 * change only when it is rebuilt. Each is kept with the file's size and mtime, so a rebuilt file is
 * compressed anew (hashed assets get new names anyway; index.html keeps its name). Compression runs on
 * libuv's thread pool, off the event loop; concurrent first requests share one.
 */
const compressed = new LRUCache<string, { stamp: string; form: Promise<Buffer | null> }>({ max: 1000 });

function compressedForm(file: string, stat: fs.Stats, encoding: Encoding): Promise<Buffer | null> {
  const key = `${encoding}:${file}`;
  const stamp = `${stat.size}:${stat.mtimeMs}`;
  const kept = compressed.get(key);
  if (kept?.stamp === stamp) return kept.form;
  const form = fsp.readFile(file).then(async (data) => {
    const packed = await compressors[encoding](data);
    // Nothing gained (a tiny file): sent as it is.
    return packed.length < data.length ? packed : null;
  });
  // A failure (the file went away between stat and read) is not kept: the next request tries again.
  form.catch(() => {
    if (compressed.get(key)?.form === form) compressed.delete(key);
  });
  compressed.set(key, { stamp, form });
  return form;
}

/** The encoding a request's Accept-Encoding asks for, q-values honoured, brotli before gzip on a tie; identity when it names neither. */
export function negotiateEncoding(acceptEncoding: string | undefined): Encoding | 'identity' {
  const best = new Negotiator({ headers: { 'accept-encoding': acceptEncoding } }).encodings(['br', 'gzip', 'identity'], { preferred: ['br', 'gzip', 'identity'] })[0];
  return best === 'br' || best === 'gzip' ? best : 'identity';
}

// ---- Serving -----------------------------------------------------------------------------------------------

function statFile(file: string): fs.Stats | null {
  try {
    const stat = fs.statSync(file);
    return stat.isFile() ? stat : null;
  } catch {
    return null;
  }
}

/**
 * Serves the built dashboard: its hashed assets, cached for good; index.html for `/` and for each of the
 * dashboard's views (isDashboardView), never cached, so a rebuilt dashboard is picked up on the next load.
 * Text files go brotli- or gzip-compressed as Accept-Encoding asks. Resolves false when the path is
 * neither (or the dashboard is not built), so the caller can answer 404.
 */
export async function serveDashboard(req: IncomingMessage, res: ServerResponse, pathname: string, dir: string): Promise<boolean> {
  let relative: string;
  if (pathname === '/' || isDashboardView(pathname)) relative = 'index.html';
  else {
    const decoded = decodePath(pathname);
    if (decoded === null) return false;
    relative = decoded.replace(/^\/+/, '');
  }
  const root = path.resolve(dir);
  const file = path.resolve(root, relative);
  if (!file.startsWith(root + path.sep)) return false;
  const stat = statFile(file);
  if (!stat) return false;
  const extension = path.extname(file);
  const headers: Record<string, string | number> = {
    'content-type': TYPES[extension] ?? 'application/octet-stream',
    'cache-control': relative.startsWith('assets/') ? 'public, max-age=31536000, immutable' : 'no-cache',
    'x-content-type-options': 'nosniff',
    'content-security-policy': CONTENT_SECURITY_POLICY,
  };
  if (COMPRESSIBLE.has(extension) && stat.size <= COMPRESS_MAX_BYTES) {
    // The answer depends on Accept-Encoding, whichever encoding this one gets: caches must keep them apart.
    headers.vary = 'accept-encoding';
    const encoding = negotiateEncoding(req.headers['accept-encoding']);
    const body = encoding === 'identity' ? null : await compressedForm(file, stat, encoding).catch(() => null);
    if (body) {
      res.writeHead(200, { ...headers, 'content-encoding': encoding, 'content-length': body.length });
      res.end(req.method === 'HEAD' ? undefined : body);
      return true;
    }
  }
  res.writeHead(200, { ...headers, 'content-length': stat.size });
  if (req.method === 'HEAD') res.end();
  else fs.createReadStream(file).pipe(res);
  return true;
}
