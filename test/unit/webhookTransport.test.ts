import { createHmac, timingSafeEqual } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { attemptDelivery, type DeliveryRequest, signatureHeader } from '../../src/webhooks/deliver.ts';
import { isNonPublicAddress, type LookupAll, refuseTarget, refuseTargetSyntax } from '../../src/webhooks/target.ts';

interface Received {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: Buffer;
}

interface Receiver {
  url: string;
  port: number;
  /** Requests whose body has been read in full. */
  received: Received[];
  /** How many TCP connections came in (a refused target must open none). */
  connections: () => number;
  /** Resolves with the next request as soon as its head arrives. */
  nextRequest: () => Promise<IncomingMessage>;
}

const servers: Server[] = [];

afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    server.close();
    await once(server, 'close');
  }
});

/** A local HTTP receiver on 127.0.0.1, port 0; `handle` answers after the request's body is read unless it says otherwise. */
async function receiver(handle: (req: IncomingMessage, res: ServerResponse, body: Buffer) => void, options: { readBody?: boolean } = {}): Promise<Receiver> {
  const received: Received[] = [];
  let connections = 0;
  const server = createServer((req, res) => {
    res.on('error', () => {}); // a client that stops reading resets the connection: expected here
    if (options.readBody === false) return handle(req, res, Buffer.alloc(0));
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      handle(req, res, body);
    });
  });
  server.on('connection', () => (connections += 1));
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks/in?team=ml`,
    port,
    received,
    connections: () => connections,
    nextRequest: async () => ((await once(server, 'request')) as [IncomingMessage])[0],
  };
}

/** A port nothing listens on: one that was just bound and released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  server.close();
  await once(server, 'close');
  return port;
}

const delivery = (overrides: Partial<DeliveryRequest> & { url: string }): DeliveryRequest => ({
  body: '{"type":"VersionPublished"}',
  headers: { 'Cairn-Event': 'VersionPublished', 'Cairn-Delivery': 'd-1' },
  timeoutMs: 5_000,
  allowPrivate: true,
  ...overrides,
});

/** A lookup from a fixed table that counts its calls (each value is the answer for one call in turn, the last repeated). */
function tableLookup(table: Record<string, string[][]>) {
  const calls: string[] = [];
  const lookup: LookupAll = async (hostname) => {
    const answers = table[hostname];
    if (!answers) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
    const seen = calls.filter((name) => name === hostname).length;
    calls.push(hostname);
    const addresses = answers[Math.min(seen, answers.length - 1)]!;
    return addresses.map((address) => ({ address, family: address.includes(':') ? (6 as const) : (4 as const) }));
  };
  return { lookup, calls };
}

/** The receiver's side of the signature: recompute, compare in constant time. */
function verifies(secret: string, header: string, rawBody: Buffer): boolean {
  const match = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header);
  if (!match) return false;
  const expected = createHmac('sha256', secret).update(`${match[1]}.`).update(rawBody).digest();
  return timingSafeEqual(expected, Buffer.from(match[2]!, 'hex'));
}

describe('signatureHeader', () => {
  it('is t=<seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">, and changes with the secret, the body and the time', () => {
    const body = '{"id":"e-1","data":{"note":"café ✓"}}';
    const header = signatureHeader('s3cret', body, 1_767_000_000);
    expect(header).toBe(`t=1767000000,v1=${createHmac('sha256', 's3cret').update(`1767000000.${body}`).digest('hex')}`);
    expect(verifies('s3cret', header, Buffer.from(body))).toBe(true);
    expect(verifies('other', header, Buffer.from(body))).toBe(false);
    expect(verifies('s3cret', header, Buffer.from(body.replace('café', 'cafe')))).toBe(false);
    expect(signatureHeader('s3cret', body, 1_767_000_001)).not.toBe(header);
  });
});

describe('attemptDelivery to a local receiver', () => {
  it('a 2xx is ok: the body and headers arrive byte for byte and the signature verifies', async () => {
    const target = await receiver((_req, res) => res.writeHead(202, { 'Content-Type': 'text/plain' }).end('queued ✓'));
    const body = JSON.stringify({ id: 'e-1', type: 'VersionPublished', data: { note: 'naïve “quotes” 🚀', nul: '\u0000' } });
    const secret = 'whsec_test';
    const signature = signatureHeader(secret, body, Math.floor(Date.now() / 1000));
    const result = await attemptDelivery(delivery({ url: target.url, body, headers: { 'Cairn-Event': 'VersionPublished', 'Cairn-Delivery': 'd-42', 'Cairn-Signature': signature } }));

    expect(result).toMatchObject({ ok: true, status: 202, error: null, body: 'queued ✓' });
    expect(result.durationMs).toBeGreaterThanOrEqual(0);
    expect(target.received).toHaveLength(1);
    const [request] = target.received;
    expect(request!.method).toBe('POST');
    expect(request!.url).toBe('/hooks/in?team=ml');
    expect(request!.body.equals(Buffer.from(body, 'utf8'))).toBe(true);
    expect(request!.headers).toMatchObject({
      'content-type': 'application/json',
      'user-agent': 'cairn-webhooks',
      'cairn-event': 'VersionPublished',
      'cairn-delivery': 'd-42',
      'cairn-signature': signature,
      'content-length': String(Buffer.byteLength(body)),
    });
    expect(verifies(secret, request!.headers['cairn-signature'] as string, request!.body)).toBe(true);
  });

  it('a 500 is a failure with its status and the start of its body', async () => {
    const target = await receiver((_req, res) => res.writeHead(500).end('database down'));
    const result = await attemptDelivery(delivery({ url: target.url }));
    expect(result).toMatchObject({ ok: false, status: 500, error: 'HTTP 500', body: 'database down' });
    expect(target.received).toHaveLength(1);
  });

  it('a 302 is not followed: the failure records it and the Location receives nothing', async () => {
    const elsewhere = await receiver((_req, res) => res.writeHead(200).end());
    const target = await receiver((_req, res) => res.writeHead(302, { Location: elsewhere.url }).end());
    const result = await attemptDelivery(delivery({ url: target.url }));
    expect(result).toMatchObject({ ok: false, status: 302, error: 'redirect (302) not followed' });
    expect(target.received).toHaveLength(1);
    expect(elsewhere.connections()).toBe(0);
    expect(elsewhere.received).toHaveLength(0);
  });

  it('a receiver that never answers fails at timeoutMs with no status', async () => {
    const target = await receiver(() => {}, { readBody: false });
    const arrived = target.nextRequest();
    const attempt = attemptDelivery(delivery({ url: target.url, timeoutMs: 300 }));
    const request = await arrived; // the request did reach it: the timeout is the receiver's silence
    expect(request.headers['cairn-delivery']).toBe('d-1');
    const result = await attempt;
    expect(result).toMatchObject({ ok: false, status: null, error: 'timed out after 300 ms', body: '' });
    expect(result.durationMs).toBeGreaterThanOrEqual(290);
    expect(result.durationMs).toBeLessThan(3_000);
    // The attempt let go of the connection: the receiver sees it close.
    if (!request.socket.destroyed) await once(request.socket, 'close');
    expect(request.socket.destroyed).toBe(true);
  });

  it('a 10 MB response body: only the first 4 KB are read, then the connection is dropped', async () => {
    const tenMegabytes = Buffer.alloc(10 * 1024 * 1024, 'x');
    tenMegabytes.write('ab', 0);
    const target = await receiver((_req, res) => {
      res.writeHead(200, { 'Content-Length': String(tenMegabytes.length) });
      res.end(tenMegabytes);
    });
    const result = await attemptDelivery(delivery({ url: target.url, timeoutMs: 10_000 }));
    expect(result).toMatchObject({ ok: true, status: 200, error: null });
    expect(Buffer.byteLength(result.body)).toBe(4096);
    expect(result.body.startsWith('abxxx')).toBe(true);
    expect(result.durationMs).toBeLessThan(5_000);
  });

  it('a body that never ends does not hold the attempt: it ends after 4 KB, long before the timeout', async () => {
    let bytesWritten = 0;
    let receiverSawClose: Promise<unknown> | undefined;
    const target = await receiver((_req, res) => {
      receiverSawClose = once(res, 'close');
      res.writeHead(200, { 'Content-Type': 'application/octet-stream' });
      const chunk = Buffer.alloc(64 * 1024, 'y');
      const pump = () => {
        do bytesWritten += chunk.length;
        while (!res.destroyed && res.write(chunk));
        if (!res.destroyed) res.once('drain', pump);
      };
      pump();
    });
    const result = await attemptDelivery(delivery({ url: target.url, timeoutMs: 20_000 }));
    // Had the body been read to its end, the attempt would have lasted the whole 20 s.
    expect(result.durationMs).toBeLessThan(10_000);
    expect(result).toMatchObject({ ok: true, status: 200, error: null, body: 'y'.repeat(4096) });
    await receiverSawClose;
    expect(bytesWritten).toBeGreaterThan(4096);
  });

  it('a 2xx head followed by a body that stalls ends at the timeout, ok, with the body that came', async () => {
    const target = await receiver((_req, res) => {
      res.writeHead(200, { 'Content-Length': '1000' });
      res.write('partial');
    });
    const result = await attemptDelivery(delivery({ url: target.url, timeoutMs: 300 }));
    expect(result).toMatchObject({ ok: true, status: 200, error: null, body: 'partial' });
    expect(result.durationMs).toBeGreaterThanOrEqual(290);
  });

  it('a closed port is "connection refused"', async () => {
    const port = await closedPort();
    const result = await attemptDelivery(delivery({ url: `http://127.0.0.1:${port}/` }));
    expect(result).toMatchObject({ ok: false, status: null, error: 'connection refused', body: '' });
  });

  it('never throws: a bad URL, a header with a line break, an unknown host are failures', async () => {
    const target = await receiver((_req, res) => res.writeHead(200).end());
    await expect(attemptDelivery(delivery({ url: 'ftp://example.com/' }))).resolves.toMatchObject({ ok: false, status: null, error: 'The URL must use http or https, not ftp:' });
    const injected = await attemptDelivery(delivery({ url: target.url, headers: { 'Cairn-Event': 'X\r\nInjected: yes' } }));
    expect(injected).toMatchObject({ ok: false, status: null });
    expect(injected.error).toMatch(/Cairn-Event/);
    expect(injected.error).not.toMatch(/\n/);
    const { lookup } = tableLookup({});
    await expect(attemptDelivery(delivery({ url: 'http://nowhere.example/', lookup }))).resolves.toMatchObject({ ok: false, status: null, error: 'host not found: nowhere.example' });
    expect(target.connections()).toBe(0);
  });

  it('connects to the address its lookup gave (the one checked), and looks the name up again for every attempt on a new connection', async () => {
    const target = await receiver((_req, res) => res.writeHead(204).end());
    const { lookup, calls } = tableLookup({ 'receiver.example': [['127.0.0.1']] });
    const url = `http://receiver.example:${target.port}/in`;
    for (let i = 0; i < 2; i++) await expect(attemptDelivery(delivery({ url, lookup }))).resolves.toMatchObject({ ok: true, status: 204 });
    expect(calls).toEqual(['receiver.example', 'receiver.example']);
    expect(target.connections()).toBe(2);
    expect(target.received.map((r) => r.headers.host)).toEqual([`receiver.example:${target.port}`, `receiver.example:${target.port}`]);
  });
});

describe('the SSRF guard', () => {
  it('refuseTargetSyntax takes http and https URLs with a host, and refuses the rest with a reason', () => {
    expect(refuseTargetSyntax('https://hooks.example.com/cairn?x=1')).toBeNull();
    expect(refuseTargetSyntax('http://203.0.113.9:8080/in')).toBeNull(); // syntax only: the address is for refuseTarget
    const refused: [string, RegExp][] = [
      ['ftp://example.com/', /http or https, not ftp:/],
      ['javascript:alert(1)', /http or https, not javascript:/],
      ['file:///etc/passwd', /http or https, not file:/],
      ['data:text/plain,hi', /http or https/],
      ['https://user:pass@example.com/', /user name or password/],
      ['https://user@example.com/', /user name or password/],
      ['https://@example.com/', /user name or password/],
      ['https://example.com/\u0000', /NUL/],
      ['https://exa\u0000mple.com/', /NUL/],
      ['https://example.com/\n', /control character/],
      ['https://exam\tple.com/', /control character/],
      ['https://example.com/\u007f', /control character/],
      ['https://example.com/\ud800', /unpaired surrogate/],
      [`https://example.com/${'a'.repeat(3000)}`, /3020 characters long; at most 2048/],
      ['http://', /no host/],
      ['https:///', /no host/],
      ['http://:80/', /no host/],
      ['https://example.com/#part', /fragment/],
      ['https://example.com/#', /fragment/],
      ['not a url', /not a valid absolute URL/],
      ['/relative/path', /not a valid absolute URL/],
      [' https://example.com/', /white space/],
      ['', /not a valid absolute URL/],
    ];
    for (const [url, reason] of refused) expect(refuseTargetSyntax(url), JSON.stringify(url)).toMatch(reason);
    expect(refuseTargetSyntax(`https://example.com/${'a'.repeat(2048 - 20)}`)).toBeNull();
  });

  it('isNonPublicAddress: every non-public range, v4-mapped v6 among them; public addresses pass', () => {
    const nonPublic = [
      '127.0.0.1', '127.255.255.254', '::1', // loopback
      '10.0.0.1', '10.255.255.255', '172.16.0.1', '172.31.255.255', '192.168.0.1', '192.168.255.255', // private
      'fc00::1', 'fd12:3456:789a::1', // unique local
      '169.254.169.254', '169.254.0.1', 'fe80::1', 'fe80::1%eth0', // link-local, the metadata address
      '0.0.0.0', '0.1.2.3', '::', // unspecified
      '100.64.0.1', '100.127.255.254', // carrier-grade NAT
      '224.0.0.1', '239.255.255.250', 'ff02::1', 'ff05::1:3', // multicast
      '255.255.255.255', // broadcast
      '240.0.0.1', '192.0.2.10', '198.51.100.1', '203.0.113.1', '198.18.0.1', '192.0.0.8', '2001:db8::1', 'fec0::1', '4000::1', // reserved, documentation, benchmarking
      '::ffff:127.0.0.1', '::ffff:7f00:1', '::ffff:10.0.0.1', '::ffff:169.254.169.254', '::ffff:192.168.1.1', // v4-mapped
      '64:ff9b::127.0.0.1', '::127.0.0.1', '2002:7f00:1::1', // NAT64 of loopback, v4-compatible, 6to4
      'localhost', 'example.com', '', '127.1', // not an address at all: fails closed
    ];
    for (const address of nonPublic) expect(isNonPublicAddress(address), address).toBe(true);
    const publicAddresses = ['8.8.8.8', '1.1.1.1', '172.32.0.1', '100.128.0.1', '169.255.0.1', '11.0.0.1', '2606:4700::1111', '2001:4860:4860::8888', '::ffff:8.8.8.8', '64:ff9b::8.8.8.8'];
    for (const address of publicAddresses) expect(isNonPublicAddress(address), address).toBe(false);
  });

  it('refuseTarget refuses a name that resolves to 127.0.0.1, and one non-public address among several', async () => {
    const { lookup } = tableLookup({
      'evil.example': [['127.0.0.1']],
      'mixed.example': [['93.184.215.14', '2606:4700::1111', '10.0.0.7']],
      'good.example': [['93.184.215.14', '2606:4700::1111']],
      'metadata.example': [['169.254.169.254']],
      'mapped.example': [['::ffff:127.0.0.1']],
    });
    expect(await refuseTarget('https://evil.example/hook', { allowPrivate: false, lookup })).toBe('refused: evil.example resolves to 127.0.0.1, a loopback address');
    expect(await refuseTarget('https://mixed.example/hook', { allowPrivate: false, lookup })).toBe('refused: mixed.example resolves to 10.0.0.7, a private address');
    expect(await refuseTarget('https://metadata.example/', { allowPrivate: false, lookup })).toMatch(/169\.254\.169\.254, the cloud metadata address/);
    expect(await refuseTarget('https://mapped.example/', { allowPrivate: false, lookup })).toMatch(/::ffff:127\.0\.0\.1, a loopback address/);
    expect(await refuseTarget('https://good.example/hook', { allowPrivate: false, lookup })).toBeNull();
    expect(await refuseTarget('https://unknown.example/', { allowPrivate: false, lookup })).toBe('host not found: unknown.example');
    expect(await refuseTarget('https://evil.example/hook', { allowPrivate: true, lookup })).toBeNull();
    expect(await refuseTarget('ftp://good.example/', { allowPrivate: true, lookup })).toMatch(/http or https/);
  });

  it('refuseTarget refuses localhost through the system resolver, unless private targets are allowed', async () => {
    expect(await refuseTarget('http://localhost:8080/hook', { allowPrivate: false })).toMatch(/^refused: localhost resolves to (127\.0\.0\.1|::1), a loopback address$/);
    expect(await refuseTarget('http://localhost:8080/hook', { allowPrivate: true })).toBeNull();
  });

  it('refuseTarget checks a literal address, in every spelling the URL parser normalises, without a lookup', async () => {
    const lookup: LookupAll = async () => {
      throw new Error('a literal address is not looked up');
    };
    const literals: [string, string][] = [
      ['http://127.0.0.1/', 'refused: 127.0.0.1 is a loopback address'],
      ['http://[::1]/', 'refused: ::1 is a loopback address'],
      ['http://2130706433/', 'refused: 127.0.0.1 is a loopback address'],
      ['http://0x7f.1/', 'refused: 127.0.0.1 is a loopback address'],
      ['http://0177.0.0.1/', 'refused: 127.0.0.1 is a loopback address'],
      ['http://[::ffff:127.0.0.1]/', 'refused: ::ffff:7f00:1 is a loopback address'],
      ['http://169.254.169.254/latest/meta-data/', 'refused: 169.254.169.254 is the cloud metadata address (link-local)'],
      ['http://0.0.0.0:3000/', 'refused: 0.0.0.0 is an unspecified address'],
      ['http://[fd00::1]/', 'refused: fd00::1 is a private (unique local) address'],
      ['http://100.64.1.1/', 'refused: 100.64.1.1 is a carrier-grade NAT address'],
    ];
    for (const [url, reason] of literals) expect(await refuseTarget(url, { allowPrivate: false, lookup }), url).toBe(reason);
    expect(await refuseTarget('http://8.8.8.8/', { allowPrivate: false, lookup })).toBeNull();
  });

  it('attemptDelivery without allowPrivate refuses a 127.0.0.1 receiver, by address or by name, and it sees no request', async () => {
    const target = await receiver((_req, res) => res.writeHead(200).end());
    const literal = await attemptDelivery(delivery({ url: target.url, allowPrivate: false }));
    expect(literal).toMatchObject({ ok: false, status: null, error: 'refused: 127.0.0.1 is a loopback address', body: '' });

    const { lookup } = tableLookup({ 'evil.example': [['127.0.0.1']], 'mixed.example': [['8.8.8.8', '127.0.0.1']] });
    const byName = await attemptDelivery(delivery({ url: `http://evil.example:${target.port}/`, allowPrivate: false, lookup }));
    expect(byName).toMatchObject({ ok: false, status: null, error: 'refused: evil.example resolves to 127.0.0.1, a loopback address' });
    const mixed = await attemptDelivery(delivery({ url: `http://mixed.example:${target.port}/`, allowPrivate: false, lookup }));
    expect(mixed).toMatchObject({ ok: false, status: null, error: 'refused: mixed.example resolves to 127.0.0.1, a loopback address' });
    const localhost = await attemptDelivery(delivery({ url: `http://localhost:${target.port}/`, allowPrivate: false }));
    expect(localhost).toMatchObject({ ok: false, status: null });
    expect(localhost.error).toMatch(/^refused: localhost resolves to (127\.0\.0\.1|::1), a loopback address$/);

    expect(target.connections()).toBe(0);
    expect(target.received).toHaveLength(0);
  });

  it('a name that was public when checked and resolves to 127.0.0.1 at delivery (DNS rebinding) is refused at connect time', async () => {
    const target = await receiver((_req, res) => res.writeHead(200).end());
    const { lookup, calls } = tableLookup({ 'rebind.example': [['93.184.215.14'], ['127.0.0.1']] });
    const url = `http://rebind.example:${target.port}/`;
    expect(await refuseTarget(url, { allowPrivate: false, lookup })).toBeNull();
    const result = await attemptDelivery(delivery({ url, allowPrivate: false, lookup }));
    expect(result).toMatchObject({ ok: false, status: null, error: 'refused: rebind.example resolves to 127.0.0.1, a loopback address' });
    expect(calls).toEqual(['rebind.example', 'rebind.example']);
    expect(target.connections()).toBe(0);
  });
});
