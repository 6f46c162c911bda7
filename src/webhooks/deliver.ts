import { createHmac } from 'node:crypto';
import type { LookupAddress, LookupOptions } from 'node:dns';
import http, { type ClientRequest, type IncomingMessage } from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { performance } from 'node:perf_hooks';
import { connectHost, lookupAll, lookupFailure, type LookupAll, refuseAddress, refuseTargetSyntax } from './target.ts';

export interface DeliveryRequest {
  url: string;
  /** The raw JSON body, sent byte for byte as given (UTF-8). */
  body: string;
  /** Cairn-Event, Cairn-Delivery, Cairn-Signature; Content-Type and User-Agent are added. */
  headers: Record<string, string>;
  /** The whole attempt: connect, send, response head and the (bounded) body read. */
  timeoutMs: number;
  allowPrivate: boolean;
  lookup?: LookupAll;
}

export interface AttemptResult {
  /** A 2xx response head within the timeout. */
  ok: boolean;
  /** The response status, null when none came. */
  status: number | null;
  /** Why it failed, one short line; null on success. */
  error: string | null;
  /** At most RESPONSE_BODY_LIMIT bytes of the response body, as UTF-8 text. */
  body: string;
  durationMs: number;
}

export const RESPONSE_BODY_LIMIT = 4096;
export const USER_AGENT = 'cairn-webhooks';

/** `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>" keyed with secret>` */
export function signatureHeader(secret: string, body: string, unixSeconds: number): string {
  const t = Math.floor(unixSeconds);
  const v1 = createHmac('sha256', secret).update(`${t}.${body}`, 'utf8').digest('hex');
  return `t=${t},v1=${v1}`;
}

/** Carries a refusal from the connect-time lookup to the request's 'error' event, its message the line to record. */
class RefusedTarget extends Error {}

/**
 * The `lookup` a connection uses: the addresses it returns are the ones the socket connects to, so checking
 * them here (rather than before the request) leaves no gap for a name that resolves differently a second time.
 */
function checkedLookup(lookup: LookupAll, allowPrivate: boolean): LookupFunction {
  return (hostname: string, options: LookupOptions, callback: (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void) => {
    lookup(hostname).then(
      (all) => {
        const family = options.family === 4 || options.family === 'IPv4' ? 4 : options.family === 6 || options.family === 'IPv6' ? 6 : 0;
        const wanted = family === 0 ? all : all.filter((entry) => entry.family === family);
        if (wanted.length === 0) return callback(new RefusedTarget(`host not found: ${hostname}`), '', 0);
        if (!allowPrivate) {
          // Every address, not only the one tried first: with autoSelectFamily the socket may try them all.
          for (const { address } of all) {
            const refusal = refuseAddress(hostname, address);
            if (refusal !== null) return callback(new RefusedTarget(refusal), '', 0);
          }
        }
        if (options.all) return callback(null, wanted);
        return callback(null, wanted[0]!.address, wanted[0]!.family);
      },
      (error: unknown) => callback(new RefusedTarget(lookupFailure(hostname, error)), '', 0),
    );
  };
}

const NETWORK_ERRORS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset by the receiver',
  EPIPE: 'connection closed by the receiver',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ETIMEDOUT: 'connection timed out',
  EADDRNOTAVAIL: 'address not available',
  HPE_INVALID_CONSTANT: 'the response is not HTTP',
};

function failureLine(error: unknown): string {
  if (error instanceof RefusedTarget) return error.message;
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && NETWORK_ERRORS[code]) return NETWORK_ERRORS[code];
  if (typeof code === 'string' && code.startsWith('HPE_')) return `invalid HTTP response (${code})`;
  const message = error instanceof Error ? error.message : String(error);
  // One line, bounded: TLS and parser messages can be long; no stack.
  const line = (message.split('\n')[0] ?? '').slice(0, 200);
  if (typeof code === 'string' && (code.startsWith('ERR_TLS') || code.includes('CERT') || code.startsWith('ERR_SSL'))) return `TLS: ${line}`;
  return line === '' ? 'request failed' : line;
}

function statusLine(status: number): string | null {
  if (status >= 200 && status < 300) return null;
  if (status >= 300 && status < 400) return `redirect (${status}) not followed`;
  return `HTTP ${status}`;
}

// The body is stored as text in the delivery's row: PostgreSQL text holds no NUL.
const decodeBody = (bytes: Buffer) => new TextDecoder('utf-8', { fatal: false }).decode(bytes, { stream: true }).replaceAll('\u0000', '\uFFFD');

/**
 * One delivery attempt: POST the body, read the response head and at most 4 KB of its body, within
 * timeoutMs. No redirect is followed, no connection is reused (so every attempt looks the name up and
 * checks what it connects to), and it never throws: every failure is a result with ok false.
 */
export async function attemptDelivery(request: DeliveryRequest): Promise<AttemptResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const failed = (error: string): AttemptResult => ({ ok: false, status: null, error, body: '', durationMs: elapsed() });

  const refusal = refuseTargetSyntax(request.url);
  if (refusal !== null) return failed(refusal);
  const url = new URL(request.url);
  const host = connectHost(url);
  if (!request.allowPrivate && isIP(host) !== 0) {
    // A literal address is connected to without a lookup, so it is checked here.
    const literal = refuseAddress(host, host);
    if (literal !== null) return failed(literal);
  }

  return new Promise<AttemptResult>((resolve) => {
    let settled = false;
    let status: number | null = null;
    let req: ClientRequest | undefined;
    let res: IncomingMessage | undefined;
    const chunks: Buffer[] = [];
    let received = 0;

    const finish = (error: string | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      // Whatever is still coming is not read: the socket goes, with the request and the response.
      res?.destroy();
      req?.destroy();
      const body = decodeBody(Buffer.concat(chunks));
      const reason = error ?? (status === null ? 'no response' : statusLine(status));
      resolve({ ok: reason === null, status, error: reason, body, durationMs: elapsed() });
    };

    // Once the head has come, its status decides: a body that is cut by the timeout (or by the limit) is
    // recorded as far as it came, and does not turn a receiver's 2xx into a failure.
    const timer = setTimeout(() => finish(status === null ? `timed out after ${request.timeoutMs} ms` : null), request.timeoutMs);

    try {
      const transport = url.protocol === 'https:' ? https : http;
      const lookup = request.lookup ?? (request.allowPrivate ? undefined : lookupAll);
      req = transport.request(url, {
        method: 'POST',
        agent: false,
        headers: {
          ...request.headers,
          'Content-Type': 'application/json',
          'User-Agent': USER_AGENT,
          'Content-Length': String(Buffer.byteLength(request.body, 'utf8')),
        },
        ...(lookup ? { lookup: checkedLookup(lookup, request.allowPrivate) } : {}),
      });
    } catch (error) {
      // An invalid header name or value is refused before anything is sent.
      finish(failureLine(error));
      return;
    }

    req.on('error', (error) => finish(failureLine(error)));
    req.on('response', (response) => {
      res = response;
      status = response.statusCode ?? null;
      response.on('data', (chunk: Buffer) => {
        if (settled) return;
        const kept = chunk.subarray(0, RESPONSE_BODY_LIMIT - received);
        chunks.push(kept);
        received += kept.length;
        if (received >= RESPONSE_BODY_LIMIT) finish(null);
      });
      response.on('end', () => finish(null));
      // A body cut off by the receiver after the head: the status still decides.
      response.on('aborted', () => finish(null));
      response.on('error', () => finish(null));
    });
    req.end(request.body, 'utf8');
  });
}
