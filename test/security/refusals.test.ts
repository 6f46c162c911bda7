// Refusals that arrive: a request Cairn answers before reading its body (no token, a body
// too large, an upload its resolver refuses before or while reading the file) gets its answer, whatever
// the client. Python's urllib (and so Cairn's Python client) and Node's fetch send the whole body before
// they read; the server must read and drop the rest (bounded) instead of closing on a client still sending,
// which the client sees as a broken pipe or a reset connection instead of the refusal.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { once } from 'node:events';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { CSRF_HEADER } from '../../src/app.ts';
import { ConfigError, loadConfig } from '../../src/config.ts';
import { continueOnlyWhenAccepted } from '../../src/http/listen.ts';
import { ADMIN_TOKEN, adminHeaders } from '../helpers/api.ts';
import { givenModel, type Served, serveTestApi } from '../helpers/fixtures.ts';
import { multipartBody } from '../helpers/multipart.ts';
import { ROOT } from '../helpers/processes.ts';

const MiB = 1024 ** 2;
const TRIES = 25;
const UPLOAD = 'mutation ($input: UploadFormatInput!) { uploadFormat(input: $input) { __typename ... on Error { code message } } }';

let s: Served;
/** Files over 1 MiB are too large here. */
let small: Served;
/** Drops at most 1 MiB of a refused body (and would take ten minutes to give up by time). */
let cutting: Served;
/** Waits at most 100 ms for the rest of a refused body. */
let impatient: Served;
let dir: string;
let file: string;
let data: Uint8Array<ArrayBuffer>;
let published: { id: string };
let draft: { id: string };
let tooLarge: { id: string };

beforeAll(async () => {
  [s, small, cutting, impatient] = await Promise.all([
    serveTestApi(),
    serveTestApi({ env: { CAIRN_MAX_UPLOAD_BYTES: String(MiB) } }),
    serveTestApi({ env: { CAIRN_DRAIN_BYTES: String(MiB), CAIRN_DRAIN_TIMEOUT_MS: '600000' } }),
    serveTestApi({ env: { CAIRN_DRAIN_TIMEOUT_MS: '100' } }),
  ]);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-refusals-'));
  file = path.join(dir, 'model.pkl');
  data = new Uint8Array(randomBytes(8 * MiB));
  fs.writeFileSync(file, data);
  published = await givenModel(s, { versions: 1 });
  const publish = await s.asAdmin('mutation ($id: ID!) { publishVersion(modelId: $id, number: 1) { __typename } }', { id: published.id });
  expect(publish.publishVersion.__typename).toBe('PublishVersionSuccess');
  draft = await givenModel(s, { versions: 1 });
  tooLarge = await givenModel(small, { versions: 1 });
});
afterAll(async () => {
  await Promise.all([s?.close(), small?.close(), cutting?.close(), impatient?.close()]);
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

interface Case {
  what: string;
  server: () => Served;
  variables: () => { modelId: string; number: number; format: string };
  token: string | null;
  /** The answer every try must get: HTTP status and typed code. */
  status: number;
  code: string;
  /**
   * Whether the answer always comes before the body has arrived, and so says `Connection: close`. A file
   * over the limit is refused after the parser has skipped the rest of it, or while it still does.
   */
  early: boolean;
}

const cases: Case[] = [
  { what: 'to a published version', server: () => s, variables: () => ({ modelId: published.id, number: 1, format: 'pkl' }), token: ADMIN_TOKEN, status: 200, code: 'VERSION_PUBLISHED', early: true },
  { what: 'with an unknown format', server: () => s, variables: () => ({ modelId: draft.id, number: 1, format: 'onnx' }), token: ADMIN_TOKEN, status: 200, code: 'UNKNOWN_FORMAT', early: true },
  { what: 'without a token', server: () => s, variables: () => ({ modelId: draft.id, number: 1, format: 'pkl' }), token: null, status: 401, code: 'UNAUTHENTICATED', early: true },
  { what: 'over the size limit', server: () => small, variables: () => ({ modelId: tooLarge.id, number: 1, format: 'pkl' }), token: ADMIN_TOKEN, status: 200, code: 'FILE_TOO_LARGE', early: false },
];

/** `status code` from an answer's body: a top-level error's code, or the typed error uploadFormat returned. */
function outcome(status: number, text: string): string {
  try {
    const body = JSON.parse(text);
    return `${status} ${body.errors?.[0]?.extensions?.code ?? body.data?.uploadFormat?.code ?? body.data?.uploadFormat?.__typename}`;
  } catch {
    return `${status} unparsable: ${text.slice(0, 200)}`;
  }
}

const headersFor = (token: string | null) => ({ [CSRF_HEADER]: '1', ...(token && { authorization: `Bearer ${token}` }) });

/** Runs a child process to its end; its exit code and everything it wrote. */
function run(command: string, args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Fetch's outcome: `status code, connection: ...` of the answer, or what made fetch fail (a broken pipe, a reset, ...). */
async function fetched(url: string, init: RequestInit): Promise<string> {
  try {
    const response = await fetch(url, init);
    return `${outcome(response.status, await response.text())}, connection: ${response.headers.get('connection')}`;
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    return `fetch failed: ${cause?.code ?? cause?.message ?? String(error)}`;
  }
}

describe.each(cases)('an 8 MiB upload $what', (c) => {
  const expected = `${c.status} ${c.code}`;

  it(`gets ${c.code} every time with Node's fetch`, { timeout: 120_000 }, async () => {
    const outcomes: string[] = [];
    for (let i = 0; i < TRIES; i++) {
      const body = multipartBody(UPLOAD, { input: { ...c.variables(), file: null } }, [{ path: 'variables.input.file', data, name: 'model.pkl' }]);
      outcomes.push(await fetched(`${c.server().url}/graphql`, { method: 'POST', body, headers: headersFor(c.token) }));
    }
    if (c.early) expect(outcomes).toEqual(Array(TRIES).fill(`${expected}, connection: close`));
    else expect(outcomes.map((o) => o.replace(/, connection: (close|keep-alive)$/, ''))).toEqual(Array(TRIES).fill(expected));
  });

  it(`gets ${c.code} every time with Cairn's Python client`, { timeout: 120_000 }, async () => {
    // One process for all the tries; no retries, so that a broken pipe shows instead of being repeated away.
    const script = `
import sys
sys.path.insert(0, sys.argv[1])
from cairn_client import Cairn, CairnError, Model, Version
url, token, model_id, number, fmt, path, tries = sys.argv[2:9]
cairn = Cairn(url, token or "unused", retries=0)
if not token:
    headers = cairn._headers
    cairn._headers = lambda extra=None: {k: v for k, v in headers(extra).items() if k != "Authorization"}
version = Version(Model(cairn, {"id": model_id, "name": "m"}), {"number": int(number)})
for _ in range(int(tries)):
    try:
        version.upload(fmt, path)
        print("stored", flush=True)
    except CairnError as error:
        print(error.code if error.code != "UNREACHABLE" else "UNREACHABLE " + error.message, flush=True)
`;
    const v = c.variables();
    const result = await run('python3', ['-c', script, path.join(ROOT, 'clients/python'), c.server().url, c.token ?? '', v.modelId, String(v.number), v.format, file, String(TRIES)], {
      PYTHONDONTWRITEBYTECODE: '1',
    });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout.trim().split('\n')).toEqual(Array(TRIES).fill(c.code));
  });

  for (const expect100 of [true, false]) {
    it(`gets ${c.code} every time with curl, ${expect100 ? 'asking first (Expect: 100-continue)' : 'sending the body blindly (no Expect)'}`, { timeout: 120_000 }, async () => {
      const operations = JSON.stringify({ query: UPLOAD, variables: { input: { ...c.variables(), file: null } } });
      const separator = '--cairn-outcome--';
      const args = [
        '-sS',
        '--form-string',
        `operations=${operations}`,
        '--form-string',
        'map={"0":["variables.input.file"]}',
        '-F',
        `0=@${file};type=application/octet-stream`,
        ...Object.entries(headersFor(c.token)).flatMap(([k, v]) => ['-H', `${k}: ${v}`]),
        ...(expect100 ? [] : ['-H', 'Expect:']),
        '-w',
        `\n${separator} %{http_code} %{exitcode}\n`,
        // One curl, TRIES transfers: each a request of its own (a connection closed after a refusal is opened again).
        ...Array<string>(TRIES).fill(`${c.server().url}/graphql`),
      ];
      const result = await run('/usr/bin/curl', args);
      // body, status, curl's exit code; body, status, exit code; ... and what follows the last one (nothing).
      const parts = result.stdout.split(new RegExp(`\\n${separator} (\\d{3}) (\\d+)\\n`));
      const outcomes: string[] = [];
      for (let i = 0; i + 2 < parts.length; i += 3) outcomes.push(parts[i + 2] === '0' ? outcome(Number(parts[i + 1]), parts[i]!) : `curl exit ${parts[i + 2]}`);
      expect(outcomes, result.stderr).toEqual(Array(TRIES).fill(expected));
    });
  }
});

describe('other refusals sent before the body is read', () => {
  it('a JSON body over CAIRN_MAX_BODY_BYTES gets 413 every time with fetch, declared (Content-Length) or not (chunked)', { timeout: 120_000 }, async () => {
    // Three times the limit (4 MiB): more than the old drain took (twice the limit).
    const query = `{ formats { id } } #${'x'.repeat(12 * MiB)}`;
    const body = JSON.stringify({ query });
    const headers = { 'content-type': 'application/json', [CSRF_HEADER]: '1', ...adminHeaders };
    const outcomes: string[] = [];
    for (let i = 0; i < TRIES; i++) {
      outcomes.push(await fetched(`${s.url}/graphql`, { method: 'POST', headers, body }));
      // Without a length the server finds the body too large only after reading 4 MiB of it.
      const chunks = new Blob([body]).stream();
      outcomes.push(await fetched(`${s.url}/graphql`, { method: 'POST', headers, body: chunks, duplex: 'half' } as RequestInit));
    }
    expect(outcomes).toEqual(Array(2 * TRIES).fill('413 VALIDATION, connection: close'));
  });

  it('an 8 MiB upload with neither a token nor a CSRF header gets 401 UNAUTHENTICATED every time with fetch', { timeout: 120_000 }, async () => {
    const outcomes: string[] = [];
    for (let i = 0; i < TRIES; i++) {
      const body = multipartBody(UPLOAD, { input: { modelId: draft.id, number: 1, format: 'pkl', file: null } }, [{ path: 'variables.input.file', data, name: 'model.pkl' }]);
      outcomes.push(await fetched(`${s.url}/graphql`, { method: 'POST', body }));
    }
    expect(outcomes).toEqual(Array(TRIES).fill('401 UNAUTHENTICATED, connection: close'));
  });

  it('an 8 MiB upload whose multipart operations are not JSON gets 400 VALIDATION every time with fetch', { timeout: 120_000 }, async () => {
    const outcomes: string[] = [];
    for (let i = 0; i < TRIES; i++) {
      const body = new FormData();
      body.append('operations', '{ not json');
      body.append('map', '{"0":["variables.input.file"]}');
      body.append('0', new Blob([data]), 'model.pkl');
      outcomes.push(await fetched(`${s.url}/graphql`, { method: 'POST', body, headers: headersFor(ADMIN_TOKEN) }));
    }
    expect(outcomes).toEqual(Array(TRIES).fill('400 VALIDATION, connection: close'));
  });
});

/**
 * Sends a request head declaring a `total`-byte body and, once the answer's head has arrived (so that the
 * answer is known to come before the body is read), the body as fast as the connection takes it; then ends
 * its side. Half-open: the server's end of the answer does not stop it sending (as with urllib), so only
 * the server can close the connection early. Resolves when the connection is closed: the answer's head,
 * how many body bytes the socket took, and how it ended.
 */
function sendAgainstRefusal(url: string, total: number): Promise<{ head: string; written: number; ended: string }> {
  const { port } = new URL(url);
  return new Promise((resolve) => {
    const socket = net.connect({ port: Number(port), host: '127.0.0.1', allowHalfOpen: true });
    let received = '';
    let head = '';
    let written = 0;
    let ended = 'cleanly';
    const chunk = Buffer.alloc(64 * 1024, 'x');
    const pump = () => {
      while (written < total && !socket.destroyed) {
        const size = Math.min(chunk.length, total - written);
        written += size;
        if (!socket.write(chunk.subarray(0, size))) return socket.once('drain', pump);
      }
      socket.end();
    };
    socket.on('data', (data) => {
      received += data.toString('latin1');
      const end = received.indexOf('\r\n\r\n');
      if (!head && end >= 0) {
        head = received.slice(0, end);
        pump();
      }
    });
    socket.on('error', (error: NodeJS.ErrnoException) => (ended = error.code ?? error.message));
    socket.on('close', () => resolve({ head, written, ended }));
    socket.write(requestHead(total));
  });
}

const requestHead = (length: number) => `POST /graphql HTTP/1.1\r\nHost: cairn.test\r\ncontent-type: application/json\r\n${CSRF_HEADER}: 1\r\ncontent-length: ${length}\r\n\r\n`;

describe('draining a refused body', () => {
  it('reads the whole of an 8 MiB refused body, then closes: the client sends all of it after the 401 and Connection: close, and the connection ends cleanly', async () => {
    const result = await sendAgainstRefusal(s.url, 8 * MiB);
    expect(result.head).toMatch(/^HTTP\/1\.1 401 /);
    expect(result.head).toMatch(/\r\nconnection: close\r\n/i);
    expect(result.written).toBe(8 * MiB);
    expect(result.ended).toBe('cleanly');
  });

  it('cuts a body beyond CAIRN_DRAIN_BYTES instead of draining it: the connection is reset before the client has sent it', async () => {
    const total = 256 * MiB;
    const result = await sendAgainstRefusal(cutting.url, total);
    expect(result.head).toMatch(/^HTTP\/1\.1 401 /);
    expect(result.head).toMatch(/\r\nconnection: close\r\n/i);
    // What the socket took: the 1 MiB drained, plus what the two sides' buffers held when it was cut.
    expect(result.written).toBeLessThan(total);
    expect(result.ended).toMatch(/^(ECONNRESET|EPIPE)$/);
  });

  it('cuts a client that stops sending, CAIRN_DRAIN_TIMEOUT_MS after the answer, and not before: a server with a longer one still waits', async () => {
    const head = requestHead(8 * MiB);
    // The connection's end as the server sees it: the client, half-open and silent, would not notice.
    const stall = async (app: Served) => {
      const server = http.createServer(app.api.app.handle);
      continueOnlyWhenAccepted(server);
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      onTestFinished(() => {
        server.closeAllConnections();
        server.close();
      });
      const accepted = once(server, 'connection').then(([socket]) => socket as net.Socket);
      const client = net.connect({ port: (server.address() as net.AddressInfo).port, host: '127.0.0.1', allowHalfOpen: true });
      onTestFinished(() => void client.destroy());
      let received = '';
      const answered = new Promise<void>((resolve) =>
        client.on('data', (d) => {
          received += d;
          if (received.includes('\r\n\r\n')) resolve();
        }),
      );
      client.write(head + 'x'.repeat(1000));
      await answered;
      return { socket: await accepted, received: () => received };
    };
    const [patient, cut] = await Promise.all([stall(cutting), stall(impatient)]);
    await once(cut.socket, 'close');
    expect(cut.received()).toMatch(/^HTTP\/1\.1 401 /);
    expect(cut.socket.bytesRead).toBe(head.length + 1000);
    // CAIRN_DRAIN_TIMEOUT_MS is ten minutes there: the same silent client is still being waited for.
    expect(patient.received()).toMatch(/^HTTP\/1\.1 401 /);
    expect(patient.socket.destroyed).toBe(false);
  });
});

describe('CAIRN_DRAIN_BYTES and CAIRN_DRAIN_TIMEOUT_MS', () => {
  it('refuse hostile values with a message naming the variable; default to 64 MiB and 10 s; 0 cuts at once', () => {
    for (const name of ['CAIRN_DRAIN_BYTES', 'CAIRN_DRAIN_TIMEOUT_MS']) {
      for (const value of ['-1', '1e9', '64MiB', 'abc', '', ' ', '5\u0000', '0x10', '1.5', '99999999999999999999']) {
        expect(() => loadConfig({ [name]: value }), `${name}=${JSON.stringify(value)}`).toThrow(ConfigError);
        expect(() => loadConfig({ [name]: value }), `${name}=${JSON.stringify(value)}`).toThrow(name);
      }
    }
    // A timer past 2^31-1 ms would fire at once: the longest drain a timer can wait for is the most allowed.
    expect(() => loadConfig({ CAIRN_DRAIN_TIMEOUT_MS: String(2 ** 31) })).toThrow(/CAIRN_DRAIN_TIMEOUT_MS: must be at most/);
    expect(loadConfig({ CAIRN_DRAIN_TIMEOUT_MS: String(2 ** 31 - 1) }).drainTimeoutMs).toBe(2 ** 31 - 1);
    expect(loadConfig({})).toMatchObject({ drainBytes: 64 * MiB, drainTimeoutMs: 10_000 });
    expect(loadConfig({ CAIRN_DRAIN_BYTES: '0', CAIRN_DRAIN_TIMEOUT_MS: '0' })).toMatchObject({ drainBytes: 0, drainTimeoutMs: 0 });
  });
});
