import { createHmac, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach } from 'vitest';

export interface Received {
  headers: http.IncomingHttpHeaders;
  body: string;
  at: number;
}

/** What the receiver does with its nth request (from 0): answer with a status, or never answer. */
export type Behaviour = (index: number, request: Received) => { status: number; headers?: Record<string, string> } | 'hang';

/**
 * A webhook receiver on 127.0.0.1 for the tests: it keeps every request it gets, and `received(n)` resolves
 * once n have arrived (the event a test waits for, never a sleep).
 */
export interface Receiver {
  url: string;
  requests: Received[];
  received(count: number): Promise<Received[]>;
  close(): Promise<void>;
}

export async function startReceiver(behaviour: Behaviour = () => ({ status: 204 })): Promise<Receiver> {
  const requests: Received[] = [];
  const waiters: { count: number; resolve: (r: Received[]) => void }[] = [];
  const hanging = new Set<http.ServerResponse>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const request = { headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now() };
      const index = requests.push(request) - 1;
      const answer = behaviour(index, request);
      if (answer === 'hang') hanging.add(res);
      else res.writeHead(answer.status, answer.headers).end();
      for (const w of waiters.filter((w) => requests.length >= w.count)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(requests.slice());
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    requests,
    received: (count) => (requests.length >= count ? Promise.resolve(requests.slice()) : new Promise((resolve) => waiters.push({ count, resolve }))),
    async close() {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Verifies Cairn-Signature as the README tells receivers to: `t=<seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`. */
export function signatureValid(secret: string, header: string | undefined, body: string): boolean {
  const match = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header ?? '');
  if (!match) return false;
  const expected = createHmac('sha256', secret).update(`${match[1]}.${body}`).digest();
  return timingSafeEqual(expected, Buffer.from(match[2]!, 'hex'));
}

/**
 * For a test file: `receiver(behaviour)` starts one, and each is closed after the test that started it.
 * Call at the top level of the file (it registers the afterEach).
 */
export function useReceivers(): (behaviour?: Behaviour) => Promise<Receiver> {
  const started: Receiver[] = [];
  afterEach(async () => {
    for (const r of started.splice(0)) await r.close();
  });
  return async (behaviour) => {
    const r = await startReceiver(behaviour);
    started.push(r);
    return r;
  };
}
