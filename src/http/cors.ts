import type { IncomingMessage, ServerResponse } from 'node:http';
import { CONTEXT_HEADER } from '../auth/requestIdentity.ts';
import type { Config } from '../config.ts';
import { IDEMPOTENCY_HEADER } from '../graphql/idempotency.ts';
import { CSRF_HEADERS } from './csrf.ts';

/**
 * Which other sites' pages may read Cairn's answers (CORS), for /graphql and downloads alike. A page on
 * another site reaches Cairn only with a token it holds and sends itself, in `Authorization`: nothing is
 * ambient (see csrf.ts), so no answer ever says `Access-Control-Allow-Credentials`, and the default lets
 * every origin read (`*`). CAIRN_CORS_ORIGINS narrows that to a list; a listed origin is answered with
 * the configured string itself, never with what the request's Origin header says.
 *
 * Written here rather than left to Yoga's `cors` option, which is turned off: Yoga answers `*` by
 * reflecting the caller's origin with `Access-Control-Allow-Credentials: true`, answers a foreign origin
 * `Access-Control-Allow-Origin: null` (which a sandboxed page's opaque origin matches) when more than one is
 * listed, and covers /graphql only, not /files/.
 */

/** The request headers a page may send: what the API reads, and the CSRF headers older clients still send. */
const ALLOWED_HEADERS = ['authorization', 'content-type', CONTEXT_HEADER, IDEMPOTENCY_HEADER, 'x-request-id', 'range', 'if-range', 'if-none-match', ...CSRF_HEADERS];
/** The response headers a page may read beyond the safelisted ones. */
const EXPOSED_HEADERS = ['x-request-id', 'retry-after', 'www-authenticate', 'etag', 'accept-ranges', 'content-range', 'content-disposition', 'x-checksum-sha256', 'cairn-version'];
/** How long a browser may keep a preflight's answer (Chromium keeps it at most 2 hours). */
const PREFLIGHT_MAX_AGE_SECONDS = 600;

function allowedOrigin(origins: Config['corsOrigins'], req: IncomingMessage): string | undefined {
  if (origins === '*') return '*';
  const origin = req.headers.origin;
  return origins.find((listed) => listed === origin);
}

/**
 * Sets the CORS headers of the answer to `req`, whatever its status; with a list of origins the answer
 * depends on the Origin header, and says so (`Vary: Origin`) to caches, also when no origin is allowed.
 */
export function allowCrossOrigin(origins: Config['corsOrigins'], req: IncomingMessage, res: ServerResponse): void {
  if (origins !== '*') res.setHeader('vary', 'Origin');
  const allowed = allowedOrigin(origins, req);
  if (!allowed) return;
  res.setHeader('access-control-allow-origin', allowed);
  res.setHeader('access-control-expose-headers', EXPOSED_HEADERS.join(', '));
}

/**
 * Answers an OPTIONS request to a route with `methods` (a CORS preflight, or a client asking what it
 * may do): 204, the methods and headers it may use when its origin is allowed, no body read.
 */
export function answerPreflight(origins: Config['corsOrigins'], req: IncomingMessage, res: ServerResponse, methods: readonly string[]): void {
  const headers: Record<string, string> = { allow: [...methods, 'OPTIONS'].join(', '), 'content-length': '0' };
  if (allowedOrigin(origins, req)) {
    headers['access-control-allow-methods'] = methods.join(', ');
    headers['access-control-allow-headers'] = ALLOWED_HEADERS.join(', ');
    headers['access-control-max-age'] = String(PREFLIGHT_MAX_AGE_SECONDS);
  }
  res.writeHead(204, headers);
  res.end();
}
