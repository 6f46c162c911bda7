import fs from 'node:fs';
import fsp from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
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

type Encoding = 'br' | 'gzip';
/** The file beside each built file that holds it compressed, by encoding. */
const SUFFIX: Record<Encoding, string> = { br: '.br', gzip: '.gz' };

const brotli = promisify(zlib.brotliCompress);
const gzip = promisify(zlib.gzip);
const compressors: Record<Encoding, (data: Buffer) => Promise<Buffer>> = {
  br: (data) =>
    brotli(data, {
      params: {
        [zlib.constants.BROTLI_PARAM_QUALITY]: zlib.constants.BROTLI_MAX_QUALITY,
        [zlib.constants.BROTLI_PARAM_MODE]: zlib.constants.BROTLI_MODE_TEXT,
        [zlib.constants.BROTLI_PARAM_SIZE_HINT]: data.length,
      },
    }),
  gzip: (data) => gzip(data, { level: zlib.constants.Z_BEST_COMPRESSION }),
};

/**
 * Writes a `.br` and a `.gz` beside each text file of a built dashboard (the last step of `npm run
 * web:build`), each only when it is smaller than the file. Done once per build, at the best settings
 * (brotli 11: a second of CPU for a 700 KB bundle, which a server would otherwise spend, and hold some
 * 18 MiB for, after each start). Returns the files written.
 */
export async function precompressDashboard(dir: string): Promise<string[]> {
  const written: string[] = [];
  const names = (await fsp.readdir(dir, { recursive: true })).sort();
  for (const name of names) {
    const file = path.join(dir, name);
    if (!COMPRESSIBLE.has(path.extname(file)) || !(await fsp.stat(file)).isFile()) continue;
    const data = await fsp.readFile(file);
    for (const encoding of ['br', 'gzip'] as const) {
      const packed = await compressors[encoding](data);
      const beside = file + SUFFIX[encoding];
      if (packed.length < data.length) {
        await fsp.writeFile(beside, packed);
        written.push(beside);
      } else {
        await fsp.rm(beside, { force: true });
      }
    }
  }
  return written;
}

/**
 * The encodings a request's Accept-Encoding accepts, best first: q-values honoured, brotli before gzip on
 * a tie, identity last unless refused (then it is left out).
 */
export function acceptedEncodings(acceptEncoding: string | undefined): (Encoding | 'identity')[] {
  return new Negotiator({ headers: { 'accept-encoding': acceptEncoding } }).encodings(['br', 'gzip', 'identity'], { preferred: ['br', 'gzip', 'identity'] }) as (Encoding | 'identity')[];
}

/** The encoding the request would best get, were every form there: what acceptedEncodings puts first, identity if none. */
export const negotiateEncoding = (acceptEncoding: string | undefined): Encoding | 'identity' => acceptedEncodings(acceptEncoding)[0] ?? 'identity';

/**
 * The compressed form of `file` to send for this Accept-Encoding: the best accepted one that the build
 * wrote beside it and that is not older than the file (a file changed after its build is sent as it is).
 */
function compressedForm(file: string, stat: fs.Stats, acceptEncoding: string | undefined): { encoding: Encoding; file: string; size: number } | null {
  for (const encoding of acceptedEncodings(acceptEncoding)) {
    if (encoding === 'identity') return null;
    const beside = statFile(file + SUFFIX[encoding]);
    if (beside && beside.mtimeMs >= stat.mtimeMs) return { encoding, file: file + SUFFIX[encoding], size: beside.size };
  }
  return null;
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
 * Text files go brotli- or gzip-compressed as Accept-Encoding asks, from the forms the build wrote beside
 * them. Returns false when the path is neither (or the dashboard is not built), so the caller can answer 404.
 */
export function serveDashboard(req: IncomingMessage, res: ServerResponse, pathname: string, dir: string): boolean {
  let relative: string;
  if (pathname === '/' || isDashboardView(pathname)) relative = 'index.html';
  else {
    const decoded = decodePath(pathname);
    if (decoded === null) return false;
    relative = decoded.replace(/^\/+/, '');
    // The compressed forms are sent for their files (see compressedForm), not as files of their own.
    if (/\.(br|gz)$/.test(relative)) return false;
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
  let send = { file, size: stat.size };
  if (COMPRESSIBLE.has(extension)) {
    // The answer depends on Accept-Encoding, whichever encoding this one gets: caches must keep them apart.
    headers.vary = 'accept-encoding';
    const form = compressedForm(file, stat, req.headers['accept-encoding']);
    if (form) {
      headers['content-encoding'] = form.encoding;
      send = form;
    }
  }
  res.writeHead(200, { ...headers, 'content-length': send.size });
  // Never past the length said: a file rebuilt while it is sent would otherwise add bytes that a client
  // keeping the connection reads as the start of its next answer.
  if (req.method === 'HEAD' || send.size === 0) res.end();
  else fs.createReadStream(send.file, { start: 0, end: send.size - 1 }).pipe(res);
  return true;
}
