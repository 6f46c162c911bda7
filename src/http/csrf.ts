import type { IncomingMessage } from 'node:http';

/**
 * Cross-site request forgery needs a credential that the browser attaches by itself to a request another
 * site's page makes: a cookie, HTTP Basic or a client certificate. Cairn accepts none of those. Its only
 * credential is a bearer token in `Authorization`, which a form, a link or an image cannot send, and which
 * fetch sends only after a CORS preflight the server answers (src/http/cors.ts). So today no request needs
 * a CSRF header, and none is asked for.
 *
 * Should a cookie session come, carriesAmbientCredentials says so for a request that has one, and from then
 * on such a request must have been preflighted: one of these headers (or Authorization, or a JSON content
 * type) proves it was.
 */
export const CSRF_HEADER = 'x-cairn-csrf';
export const CSRF_HEADERS = [CSRF_HEADER, 'x-graphql-yoga-csrf', 'apollo-require-preflight'];

/** The content types a browser posts cross-site without asking first (those of HTML forms). */
const NON_PREFLIGHTED = ['application/x-www-form-urlencoded', 'multipart/form-data', 'text/plain'];

type Request = Pick<IncomingMessage, 'method' | 'headers'>;

/**
 * Whether the request carries a credential that a browser would send on its own, cross-site. Cairn
 * accepts none (a Cookie header is ignored: no cookie names a Cairn session), so this says no.
 */
function carriesAmbientCredentials(_req: Request): boolean {
  return false;
}

/**
 * Whether a browser could have sent this request from another site's page only after a CORS preflight:
 * a method other than GET, HEAD and POST, a content type no form has, or a header no form can set.
 */
export function wasPreflighted(req: Request): boolean {
  if (req.method !== 'GET' && req.method !== 'HEAD' && req.method !== 'POST') return true;
  const contentType = (req.headers['content-type'] ?? '').toLowerCase();
  if (contentType && !NON_PREFLIGHTED.some((type) => contentType.startsWith(type))) return true;
  return ['authorization', ...CSRF_HEADERS].some((name) => req.headers[name] !== undefined);
}

/** Whether the request must be refused as a possible forgery: ambient credentials, and no preflight. */
export function needsCsrfHeader(req: Request): boolean {
  return carriesAmbientCredentials(req) && !wasPreflighted(req);
}
