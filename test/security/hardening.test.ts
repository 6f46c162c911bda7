// Hardening against hostile callers and careless operators: the bootstrap secret's length, callers'
// X-Request-Id values, and clients that go away in the middle of an upload or a download.
import { EventEmitter, once } from 'node:events';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { type App, CSRF_HEADER, createApp } from '../../src/app.ts';
import { ConfigError, loadConfig } from '../../src/config.ts';
import type { BlobStore } from '../../src/files/blobStore.ts';
import { createFileSystemBlobStore } from '../../src/files/fileSystemBlobStore.ts';
import { requestIdFrom } from '../../src/http/requestId.ts';
import { createLogger } from '../../src/logger.ts';
import { ADMIN_TOKEN, adminHeaders, listen } from '../helpers/api.ts';
import { givenModel, type Served, serveTestApi, uniqueName } from '../helpers/fixtures.ts';
import { multipartBody } from '../helpers/multipart.ts';
import { startCairn, waitForOutput } from '../helpers/processes.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('CAIRN_BOOTSTRAP_TOKEN', () => {
  const refusal = (token: string) => {
    try {
      loadConfig({ CAIRN_BOOTSTRAP_TOKEN: token });
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      return (error as Error).message;
    }
    return null;
  };

  it('must be at least 32 printable characters; a shorter or unsendable one is refused, naming the variable and not the secret', () => {
    for (const token of ['0123456789abcdef', 'x'.repeat(31), '', ' '.repeat(40), `${'a'.repeat(20)} ${'b'.repeat(20)}`, 'é'.repeat(32), `${'a'.repeat(32)}\u0000`]) {
      const message = refusal(token);
      expect(message, JSON.stringify(token)).toMatch(/CAIRN_BOOTSTRAP_TOKEN: must be/);
      if (token.trim()) expect(message).not.toContain(token);
    }
    expect(refusal('x'.repeat(31))).toContain('at least 32 characters');
    expect(refusal('x'.repeat(32))).toBeNull();
    expect(loadConfig({ CAIRN_BOOTSTRAP_TOKEN: ADMIN_TOKEN }).bootstrapToken).toBe(ADMIN_TOKEN);
    expect(loadConfig({}).bootstrapToken).toBeUndefined();
  });

  it('stops a server from starting with a 16-character secret: non-zero exit, the variable named, nothing created', { timeout: 90_000 }, async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-short-token-'));
    const secret = 'sixteen-chars-16';
    const started = startCairn('src/main.ts', { CAIRN_BOOTSTRAP_TOKEN: secret, CAIRN_DATA_DIR: dataDir, DATABASE_URL: '', PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info' });
    // A server that did start (the refusal missing) must not outlive the test, even one that timed out.
    onTestFinished(() => {
      started.child.kill('SIGKILL');
      fs.rmSync(dataDir, { recursive: true, force: true });
    });
    // Whichever comes first: the process ends, or (the refusal missing) it says it is listening.
    const outcome = await Promise.race([started.exited, waitForOutput(started, /"port":\d+/).then(() => 'listening')]);
    expect(outcome).not.toBe('listening');
    expect(outcome).not.toBe(0);
    expect(started.output()).toContain('CAIRN_BOOTSTRAP_TOKEN: must be at least 32 characters');
    expect(started.output()).not.toContain(secret);
    expect(fs.readdirSync(dataDir)).toEqual([]);
  });
});

/** An HTTP/1.1 exchange written byte for byte, so that values no HTTP client would send can be sent. */
async function rawExchange(url: string, head: Buffer, body = ''): Promise<{ status: number; headers: Record<string, string>; body: string }> {
  const { hostname, port } = new URL(url);
  const socket = net.connect(Number(port), hostname);
  const chunks: Buffer[] = [];
  socket.on('data', (d: Buffer) => chunks.push(d));
  // Not end(): a server may drop a request whose client half-closed before the answer; `connection: close` ends it.
  socket.write(Buffer.concat([head, Buffer.from(`content-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`)]));
  await once(socket, 'close');
  const text = Buffer.concat(chunks).toString('latin1');
  const split = text.indexOf('\r\n\r\n');
  const [statusLine, ...lines] = text.slice(0, split).split('\r\n');
  const headers = Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
  let rest = text.slice(split + 4);
  if (headers['transfer-encoding'] === 'chunked') {
    let decoded = '';
    for (let size = parseInt(rest, 16); size > 0; size = parseInt(rest, 16)) {
      const start = rest.indexOf('\r\n') + 2;
      decoded += rest.slice(start, start + size);
      rest = rest.slice(start + size + 2);
    }
    rest = decoded;
  }
  return { status: Number(statusLine!.split(' ')[1]), headers, body: Buffer.from(rest, 'latin1').toString('utf8') };
}

describe('X-Request-Id from callers', () => {
  let s: Served;
  beforeAll(async () => {
    s = await serveTestApi();
  });
  afterAll(() => s?.close());

  /** Creates a model sending `requestId` as the raw bytes of X-Request-Id; what was echoed, and what its event recorded. */
  async function createModelWith(requestId: Buffer) {
    const body = JSON.stringify({ query: 'mutation ($n: String!) { createModel(input: { name: $n }) { ... on CreateModelSuccess { model { id } } } }', variables: { n: uniqueName('rid') } });
    const head = Buffer.concat([
      Buffer.from(`POST /graphql HTTP/1.1\r\nhost: cairn.test\r\ncontent-type: application/json\r\n${CSRF_HEADER}: 1\r\nauthorization: Bearer ${ADMIN_TOKEN}\r\nx-request-id: `),
      requestId,
      Buffer.from('\r\n'),
    ]);
    const r = await rawExchange(s.url, head, body);
    if (r.status !== 200) return { status: r.status, echoed: r.headers['x-request-id'], recorded: undefined };
    const id = JSON.parse(r.body).data.createModel.model.id;
    const history = await s.asAdmin('query ($id: ID!) { model(id: $id) { history(first: 5) { edges { node { type requestId } } } } }', { id });
    expect(history.model.history.edges).toHaveLength(1);
    return { status: r.status, echoed: r.headers['x-request-id'], recorded: history.model.history.edges[0].node.requestId as string };
  }

  it('keeps an id of 1-64 letters, digits, dots, dashes and underscores: echoed, and recorded in the event', async () => {
    for (const id of ['a', 'trace-42_x.1', 'A'.repeat(64)]) {
      expect(await createModelWith(Buffer.from(id))).toEqual({ status: 200, echoed: id, recorded: id });
    }
  });

  it('replaces any other id with a fresh UUID, in the echoed header and in the event: 65 characters, UTF-8, a lone surrogate, separators', async () => {
    const hostile = {
      '65 characters': Buffer.from('a'.repeat(65)),
      'UTF-8 text': Buffer.from('résumé-ü-😀', 'utf8'),
      'a lone surrogate (WTF-8)': Buffer.from([0x61, 0xed, 0xa0, 0x80, 0x62]),
      'a tab': Buffer.from('a\tb'),
      'a colon': Buffer.from('trace:42'),
      'a path': Buffer.from('../../etc/passwd'),
      'markup': Buffer.from('<script>x</script>'),
      'a log-line forgery': Buffer.from('x","level":60,"msg":"forged'),
    };
    const seen = new Set<string>();
    for (const [what, value] of Object.entries(hostile)) {
      const r = await createModelWith(value);
      expect(r.status, what).toBe(200);
      expect(r.echoed, what).toMatch(UUID);
      expect(r.recorded, what).toBe(r.echoed);
      seen.add(r.echoed!);
    }
    expect(seen.size).toBe(Object.keys(hostile).length);
  });

  it('never sees NUL, CR or LF in an id: Node refuses such a request with 400 and the server goes on serving', async () => {
    for (const value of ['ab\u0000cd', 'ab\rcd', 'ab\ncd', 'ab\r\n cd']) {
      const r = await rawExchange(s.url, Buffer.from(`GET /health HTTP/1.1\r\nhost: cairn.test\r\nx-request-id: ${value}\r\n`, 'latin1'));
      expect(r.status, JSON.stringify(value)).toBe(400);
      expect(r.headers['x-request-id']).toBeUndefined();
    }
    expect((await fetch(`${s.url}/health`)).status).toBe(200);
  });

  it('replaces an unsafe id that reaches Yoga directly (no HTTP layer), and the function refuses every unsafe string', async () => {
    const response = await s.api.app.yoga.fetch('http://cairn.test/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...adminHeaders, 'x-request-id': 'b'.repeat(65) },
      body: JSON.stringify({ query: 'mutation ($n: String!) { createModel(input: { name: $n }) { ... on CreateModelSuccess { model { id } } } }', variables: { n: uniqueName('rid') } }),
    });
    const id = ((await response.json()) as any).data.createModel.model.id;
    const history = await s.asAdmin('query ($id: ID!) { model(id: $id) { history(first: 5) { edges { node { requestId } } } } }', { id });
    expect(history.model.history.edges[0].node.requestId).toMatch(UUID);
    for (const value of ['\u0000', 'a\u0000b', 'a\r\nb', '\ud800', 'a\udc00b', 'é', 'a'.repeat(65), '', ' ', 'a b', 'a:b', 'a/b', null, undefined]) {
      expect(requestIdFrom(value), JSON.stringify(value)).toMatch(UUID);
    }
    expect(requestIdFrom('Z'.repeat(64))).toBe('Z'.repeat(64));
  });
});

describe('clients that go away mid-way', () => {
  const lines: { level: number; msg: string; requestId?: string; completed?: boolean }[] = [];
  const logged = new EventEmitter();
  /** What the app's blob store is asked to do: an upload starts staging, a download's stream closes. */
  const seen = new EventEmitter();
  let s: Served;
  let app: App;
  let server: Awaited<ReturnType<typeof listen>>;
  let model: { id: string };
  const FILE = 32 * 1024 * 1024;

  beforeAll(async () => {
    s = await serveTestApi();
    const destination = new Writable({
      write(chunk, _encoding, callback) {
        for (const line of String(chunk).split('\n').filter(Boolean)) {
          const parsed = JSON.parse(line);
          lines.push(parsed);
          logged.emit('line', parsed);
        }
        callback();
      },
    });
    const stored = createFileSystemBlobStore(path.join(s.api.config.dataDir, 'blobs'));
    // Without localPath, downloads read through read(), whose stream the test can watch close.
    const blobs: BlobStore = {
      stage(source, options) {
        seen.emit('stage');
        return stored.stage(source, options);
      },
      async read(sha256, range) {
        const stream: Readable = await stored.read(sha256, range);
        stream.once('close', () => seen.emit('read closed'));
        return stream;
      },
      stat: stored.stat,
      delete: stored.delete,
      list: stored.list,
      cleanStaging: stored.cleanStaging,
    };
    app = await createApp(s.api.config, s.api.t.store, createLogger('debug', destination), blobs);
    server = await listen(app);
    model = await givenModel(s, { versions: 1 });
    const form = multipartBody(
      'mutation ($input: UploadFormatInput!) { uploadFormat(input: $input) { __typename } }',
      { input: { modelId: model.id, number: 1, format: 'pkl', file: null } },
      [{ path: 'variables.input.file', data: new Uint8Array(FILE), name: 'm.pkl' }],
    );
    const r = await fetch(`${server.url}/graphql`, { method: 'POST', body: form, headers: { ...adminHeaders } });
    expect(((await r.json()) as any).data.uploadFormat.__typename).toBe('UploadFormatSuccess');
  });
  afterAll(async () => {
    await server?.close();
    await app?.close();
    await s?.close();
  });

  /** The first line logged for request `id` that matches, whenever it comes. */
  function lineFor(id: string, match: (line: (typeof lines)[number]) => boolean) {
    const found = lines.find((l) => l.requestId === id && match(l));
    if (found) return Promise.resolve(found);
    return new Promise<(typeof lines)[number]>((resolve) => {
      const listener = (l: (typeof lines)[number]) => {
        if (l.requestId !== id || !match(l)) return;
        logged.off('line', listener);
        resolve(l);
      };
      logged.on('line', listener);
    });
  }

  const linesOf = (id: string) => lines.filter((l) => l.requestId === id);

  for (const how of ['aborts', 'resets'] as const) {
    it(`logs a client that ${how} its upload at debug, with no error line and no stack`, async () => {
      const id = `upload-${how}`;
      const boundary = 'b0undary';
      const operations = JSON.stringify({
        query: 'mutation ($input: UploadFormatInput!) { uploadFormat(input: $input) { __typename } }',
        variables: { input: { modelId: model.id, number: 1, format: 'rda', file: null } },
      });
      const request = http.request(`${server.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': `multipart/form-data; boundary=${boundary}`, 'x-request-id': id, ...adminHeaders },
      });
      request.on('error', () => {});
      const staging = once(seen, 'stage');
      request.write(
        `--${boundary}\r\nContent-Disposition: form-data; name="operations"\r\n\r\n${operations}\r\n` +
          `--${boundary}\r\nContent-Disposition: form-data; name="map"\r\n\r\n{"0":["variables.input.file"]}\r\n` +
          `--${boundary}\r\nContent-Disposition: form-data; name="0"; filename="m.rda"\r\n\r\n`,
      );
      request.write(Buffer.alloc(512 * 1024, 1));
      // The server is reading the file when the client goes.
      await staging;
      if (how === 'resets') request.socket!.resetAndDestroy();
      else request.destroy();
      // The request handler's last word on it, whatever its level.
      const last = await lineFor(id, (l) => l.msg !== 'request' && l.level !== 30);
      expect(last).toMatchObject({ level: 20 });
      const request_ = await lineFor(id, (l) => l.msg === 'request');
      expect(request_.completed).toBe(false);
      expect(linesOf(id).filter((l) => l.level >= 40)).toEqual([]);
      expect(JSON.stringify(linesOf(id))).not.toContain('"stack"');
    });

    it(`logs a client that ${how} its download mid-way without an error line`, async () => {
      const id = `download-${how}`;
      const closed = once(seen, 'read closed');
      const request = http.get(`${server.url}/files/${model.id}/1/pkl`, { headers: { ...adminHeaders, 'x-request-id': id } });
      request.on('error', () => {});
      const [response] = (await once(request, 'response')) as [http.IncomingMessage];
      response.on('error', () => {});
      expect(response.statusCode).toBe(200);
      await once(response, 'data');
      if (how === 'resets') request.socket!.resetAndDestroy();
      else request.destroy();
      // The server's read of the file is given up (its stream closed) once it sees the client gone.
      await closed;
      const line = await lineFor(id, (l) => l.msg === 'request');
      expect(line).toMatchObject({ level: 30, completed: false });
      expect(linesOf(id).filter((l) => l.level >= 40)).toEqual([]);
      expect(JSON.stringify(linesOf(id))).not.toContain('"stack"');
    });
  }

  it('logged nothing at error level for any of them', () => {
    expect(lines.filter((l) => l.level >= 50)).toEqual([]);
  });
});
