// What main.ts needs before the app is loaded: binding the ports, and answering while the rest starts.
// It imports nothing heavy, so that a port that is taken is said within a second of `npm start`.
import type { Server, ServerResponse } from 'node:http';
import type { Config } from '../config.ts';
import { bodyLeft, discardRestOfBody } from './bodies.ts';
import { requestUrl } from './paths.ts';
import type { RequestHandler } from './server.ts';

/** A listener that could not be bound, said in one line that names the variable to change. */
export class ListenRefused extends Error {}

interface Where {
  port: number;
  host: string;
  /** The environment variables that set them. */
  portVariable: string;
  hostVariable?: string;
}

/** One line for an error of listen(): what went wrong, and which variable to change. */
export function listenRefusal(error: NodeJS.ErrnoException, { port, host, portVariable, hostVariable }: Where): string {
  const on = `Cannot listen on ${host.includes(':') ? `[${host}]` : host}:${port}`;
  const setHost = hostVariable ? `Set ${hostVariable} to one it has (0.0.0.0: all of them; 127.0.0.1: this machine only)` : 'It must be one it has';
  switch (error.code) {
    case 'EADDRINUSE':
      return `${on}: port ${port} is already in use (another Cairn, or another program). Stop that, or set ${portVariable} to a free port.`;
    case 'EACCES':
      return port > 0 && port < 1024
        ? `${on}: port ${port} needs privileges this process lacks (ports below 1024 need root or CAP_NET_BIND_SERVICE). Set ${portVariable} to a port of 1024 or above.`
        : `${on}: permission denied. Set ${portVariable} to another port.`;
    case 'EADDRNOTAVAIL':
      return `${on}: no network interface of this machine has the address ${host}. ${setHost}.`;
    case 'EINVAL':
      return `${on}: not an address this machine can listen on. ${setHost}.`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_NONAME':
      return `${on}: the host name ${JSON.stringify(host)} does not resolve to an address of this machine. ${setHost}.`;
    default:
      return `${on}: ${error.code ?? error.message}. Check ${hostVariable ? `${portVariable} and ${hostVariable}` : portVariable}.`;
  }
}

/** Binds `server`; rejects with a ListenRefused that says why in one line when it cannot. */
export function bind(server: Server, where: Where): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      reject(new ListenRefused(listenRefusal(error, where)));
    };
    const onListening = () => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    try {
      server.listen(where.port, where.host);
    } catch (error) {
      // Thrown rather than emitted: a port out of range, say (config refuses those first).
      server.off('listening', onListening);
      server.off('error', onError);
      reject(new ListenRefused(listenRefusal(error as NodeJS.ErrnoException, where)));
    }
  });
}

/** The port a bound server listens on (PORT=0 takes any free one). */
export function boundPort(server: Server): number {
  const address = server.address();
  return typeof address === 'object' && address ? address.port : 0;
}

/**
 * Makes `server` hand `Expect: 100-continue` requests to its request listeners like any other, instead of
 * answering "100 Continue" itself before they run: a client that asks first then sends no byte of a body
 * Cairn refuses (no token, no CSRF header, a server still starting), and gets the refusal at once.
 * `/graphql` says "continue" once the caller is identified; other routes read no body.
 */
export function continueOnlyWhenAccepted(server: Server): void {
  server.on('checkContinue', (req, res) => server.emit('request', req, res));
}

/** A JSON answer; one sent before the body has arrived closes the connection after it (see discardRestOfBody). */
function answer(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    ...(status === 503 && { 'retry-after': '1' }),
    ...(bodyLeft(res.req) && { connection: 'close' }),
  });
  res.end(text);
}

/**
 * What a bound server answers while the database opens (and is migrated): the process is alive, so
 * /health says 200 `starting`; nothing else can be served yet, so the rest is 503 with Retry-After, /ready
 * included, and /graphql's refusal has the shape of a GraphQL error. A body is not read, only drained.
 */
export function startingHandler(config: Pick<Config, 'drainBytes' | 'drainTimeoutMs'>): RequestHandler {
  return (req, res) => {
    discardRestOfBody(req, res, { maxBytes: config.drainBytes, maxMs: config.drainTimeoutMs });
    const pathname = requestUrl(req.url)?.pathname;
    if (pathname === '/health') return answer(res, 200, { status: 'starting' });
    if (pathname === '/ready') return answer(res, 503, { status: 'starting' });
    const message = 'Cairn is starting: the database is being opened; try again shortly';
    if (pathname === '/graphql') return answer(res, 503, { errors: [{ message, extensions: { code: 'SERVICE_UNAVAILABLE', retryable: true } }] });
    answer(res, 503, { error: message, code: 'SERVICE_UNAVAILABLE' });
  };
}
