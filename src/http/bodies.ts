import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * The bytes of GraphQL request bodies held in memory at once, all requests together, under a ceiling:
 * however many clients send bodies (or start one and stall), the process holds at most `limit` of them.
 */
export class BodyBudget {
  #used = 0;

  constructor(readonly limit: number) {}

  get used(): number {
    return this.#used;
  }

  take(bytes: number): boolean {
    if (this.#used + bytes > this.limit) return false;
    this.#used += bytes;
    return true;
  }

  give(bytes: number): void {
    this.#used -= bytes;
  }
}

/** Why a body was not read whole. */
export class BodyTooLarge extends Error {}
export class BodyTimedOut extends Error {}
export class ServerBusy extends Error {}
export class ClientGone extends Error {}

export interface Body {
  bytes: Buffer;
  /** Gives the body's bytes back to the budget, once it has been parsed. */
  release(): void;
}

/**
 * Reads a request body into memory: at most `limit` bytes, each counted against the process's budget
 * as it arrives, and no more than `idleMs` between two bytes.
 */
export function readBody(req: IncomingMessage, options: { limit: number; idleMs: number; budget: BodyBudget }): Promise<Body> {
  const { limit, idleMs, budget } = options;
  return new Promise((resolve, reject) => {
    if (Number(req.headers['content-length'] ?? 0) > limit) return reject(new BodyTooLarge());
    if (req.destroyed) return reject(new ClientGone());
    const chunks: Buffer[] = [];
    let held = 0;
    let timer: NodeJS.Timeout | undefined;
    const settle = (error?: Error) => {
      clearTimeout(timer);
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('close', onClose);
      if (error) {
        budget.give(held);
        return reject(error);
      }
      let given = false;
      resolve({
        bytes: Buffer.concat(chunks, held),
        release: () => {
          if (!given) budget.give(held);
          given = true;
        },
      });
    };
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => settle(new BodyTimedOut()), idleMs);
    };
    const onData = (chunk: Buffer) => {
      if (held + chunk.length > limit) return settle(new BodyTooLarge());
      if (!budget.take(chunk.length)) return settle(new ServerBusy());
      held += chunk.length;
      chunks.push(chunk);
      arm();
    };
    const onEnd = () => settle();
    // 'close' before 'end': the client went away mid-body.
    const onClose = () => settle(new ClientGone());
    req.on('data', onData);
    req.once('end', onEnd);
    req.once('close', onClose);
    arm();
  });
}

/**
 * Calls `onIdle` when the client of a body that something else reads (a multipart upload, piped into
 * its parser) sends no byte for `idleMs`. Time during which the reader holds the body back (the stream
 * is paused: a file being written out) does not count. Attach only once the body is piped: listening
 * for 'data' starts the flow. Returns a function that stops watching.
 */
export function watchBody(req: IncomingMessage, idleMs: number, onIdle: () => void): () => void {
  let timer: NodeJS.Timeout | undefined;
  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(fire, idleMs);
  };
  const fire = () => {
    if (req.readableFlowing === false) return arm();
    stop();
    onIdle();
  };
  const stop = () => {
    clearTimeout(timer);
    req.off('data', arm);
    req.off('end', stop);
    req.off('close', stop);
  };
  req.on('data', arm);
  req.once('end', stop);
  req.once('close', stop);
  arm();
  return stop;
}

/**
 * Whether some of a request's body has yet to arrive: it declares one (a length, or chunks) and it has
 * not ended. A GET without a body is not complete yet while its 'request' event runs: its headers say so.
 */
export function bodyLeft(req: IncomingMessage): boolean {
  if (req.complete || req.readableEnded) return false;
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length.trim() !== '0');
}

/**
 * Reads and drops what is left of a request body once its answer is sent, so that a client that writes
 * its whole body before it reads (Python's urllib, Node's fetch) gets the answer instead of a broken pipe
 * or a reset: a socket closed while bytes are still coming makes the kernel reset the connection, and the
 * client's pending writes fail before it reads a byte of the answer. Whatever was reading the body (a
 * multipart parser waiting for a file no resolver took) is disconnected from it first.
 *
 * After an answer with `Connection: close`, Node closes the socket as soon as the answer is written; that
 * close waits here until the body has arrived (the answer, and the end of what the server sends, reach
 * the client meanwhile). Bounded: past `maxBytes`, or `maxMs` after the answer, the connection is cut.
 * Not after a 408: that client stopped sending, and its connection closes with the answer.
 */
export function discardRestOfBody(req: IncomingMessage, res: ServerResponse, options: { maxBytes: number; maxMs: number }): void {
  // From the moment the answer's last byte is handed to the socket, before Node's own handling of a
  // finished answer: Node would otherwise drop the body of a request nobody reads itself, without a bound
  // and without passing its bytes on to be counted.
  res.once('prefinish', () => {
    if (res.statusCode === 408 || !bodyLeft(req) || req.destroyed) return;
    const socket = req.socket;
    let bytes = 0;
    let ended = false;
    let closing = false;
    const stop = () => {
      clearTimeout(timer);
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('close', stop);
    };
    const cut = () => {
      stop();
      socket.destroy();
    };
    const onEnd = () => {
      ended = true;
      stop();
      if (closing) socket.destroySoon();
    };
    const onData = (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes > options.maxBytes) cut();
    };
    const timer = setTimeout(cut, options.maxMs);
    // Node's close of a `Connection: close` answer (socket.destroySoon(): end, then destroy once ended) is
    // under way once the answer has finished: its destroy is put off until the body has been read.
    res.once('finish', () => {
      if (ended || !socket.listeners('finish').includes(socket.destroy)) return;
      socket.off('finish', socket.destroy);
      closing = true;
    });
    req.unpipe();
    req.on('data', onData);
    req.once('end', onEnd);
    req.once('close', stop);
    req.resume();
  });
}
