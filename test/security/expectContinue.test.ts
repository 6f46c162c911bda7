import net from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CSRF_HEADER } from '../../src/app.ts';
import { ADMIN_TOKEN } from '../helpers/api.ts';
import { type Served, serveTestApi } from '../helpers/fixtures.ts';

// A client that asks before sending its body (`Expect: 100-continue`, as curl does for large bodies) must get
// a refusal instead of "100 Continue" when Cairn is going to refuse it, and "100 Continue" once it is accepted.
let s: Served;
beforeAll(async () => {
  s = await serveTestApi();
});
afterAll(() => s?.close());

/** Opens a connection, sends `head`, and resolves with the first response head the server sends (100 or final). */
function firstResponseHead(head: string): Promise<{ socket: net.Socket; head: string; rest: () => Promise<string> }> {
  const { port } = new URL(s.url);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), '127.0.0.1', () => socket.write(head));
    let received = '';
    let resolved = false;
    const waiters: (() => void)[] = [];
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      received += chunk;
      for (const w of waiters.splice(0)) w();
      const end = received.indexOf('\r\n\r\n');
      if (!resolved && end >= 0) {
        resolved = true;
        const first = received.slice(0, end);
        const after = end + 4;
        resolve({
          socket,
          head: first,
          // Everything after the first head, once a second head and a body have arrived (or the socket closed).
          rest: () =>
            new Promise<string>((done) => {
              const check = () => {
                const tail = received.slice(after);
                if (/\r\n\r\n[\s\S]*\}$/.test(tail) || socket.readableEnded) done(tail);
                else waiters.push(check);
              };
              socket.once('end', check);
              check();
            }),
        });
      }
    });
    socket.on('error', (error) => {
      if (!resolved) reject(error);
    });
  });
}

const request = (headers: Record<string, string | number>) =>
  `POST /graphql HTTP/1.1\r\nHost: cairn.test\r\n${Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}`)
    .join('\r\n')}\r\n\r\n`;

it('answers 401 instead of "100 Continue" to a client with no token, before it sends a byte of its body', async () => {
  const { socket, head } = await firstResponseHead(request({ 'content-type': 'application/json', [CSRF_HEADER]: 1, 'content-length': 4_000_000, expect: '100-continue' }));
  socket.destroy();
  expect(head.split('\r\n')[0]).toBe('HTTP/1.1 401 Unauthorized');
  expect(head.toLowerCase()).toContain('www-authenticate: bearer');
});

it('answers 401 instead of "100 Continue" to a revoked token too', async () => {
  const { body } = await s.gql(ADMIN_TOKEN, 'mutation { createToken(input: { name: "soon-revoked" }) { ... on CreateTokenSuccess { secret token { id } } } }');
  const { secret, token } = body.data.createToken;
  await s.asAdmin('mutation ($id: ID!) { revokeToken(id: $id) { __typename } }', { id: token.id });
  const { socket, head } = await firstResponseHead(
    request({ authorization: `Bearer ${secret}`, 'content-type': 'application/json', [CSRF_HEADER]: 1, 'content-length': 4_000_000, expect: '100-continue' }),
  );
  socket.destroy();
  expect(head.split('\r\n')[0]).toBe('HTTP/1.1 401 Unauthorized');
});

it('says "100 Continue" to an identified caller, then answers the body it sends', async () => {
  const body = JSON.stringify({ query: '{ me { principal { name } } }' });
  const { socket, head, rest } = await firstResponseHead(
    request({ authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json', [CSRF_HEADER]: 1, 'content-length': Buffer.byteLength(body), expect: '100-continue' }),
  );
  expect(head.split('\r\n')[0]).toBe('HTTP/1.1 100 Continue');
  socket.write(body);
  const answer = await rest();
  socket.destroy();
  expect(answer.split('\r\n')[0]).toBe('HTTP/1.1 200 OK');
  expect(answer).toContain('"name":"admin"');
});
