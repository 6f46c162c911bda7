// Observability: JSON logs with a request id that also lands in event metadata, and /metrics for Prometheus.
import { EventEmitter } from 'node:events';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.ts';
import { createLogger } from '../../src/logger.ts';
import { adminHeaders, listen, openTestApi, type TestApi } from '../helpers/api.ts';
import { postMultipart } from '../helpers/multipart.ts';
import { sseReader } from '../helpers/sse.ts';
import { sample } from '../helpers/metrics.ts';

const lines: Record<string, unknown>[] = [];
const logged = new EventEmitter();

/** The first line logged that matches, whenever it comes (at once when it already has). */
function lineLogged(match: (line: Record<string, unknown>) => boolean): Promise<Record<string, unknown>> {
  const found = lines.find(match);
  if (found) return Promise.resolve(found);
  return new Promise((resolve) => {
    const listener = (line: Record<string, unknown>) => {
      if (!match(line)) return;
      logged.off('line', listener);
      resolve(line);
    };
    logged.on('line', listener);
  });
}
let api: TestApi;
let server: Awaited<ReturnType<typeof listen>>;

beforeAll(async () => {
  api = await openTestApi();
  // A second app on the same database, logging at info level into `lines`.
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
  const app = await createApp(api.config, api.t.store, createLogger('info', destination));
  server = await listen(app);
  const close = server.close;
  server.close = async () => {
    await close();
    await app.close();
  };
});
afterAll(async () => {
  await server?.close();
  await api?.close();
});

const gql = (query: string, variables: Record<string, unknown> = {}, headers: Record<string, string> = {}) =>
  fetch(`${server.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...adminHeaders, ...headers },
    body: JSON.stringify({ query, variables }),
  });

describe('request ids', () => {
  it('echoes the caller request id, logs it, and stores it in the metadata of the events it appends', async () => {
    const response = await gql('mutation { createModel(input: { name: "traced" }) { ... on CreateModelSuccess { model { id } } } }', {}, { 'x-request-id': 'trace-42' });
    expect(response.headers.get('x-request-id')).toBe('trace-42');
    const id = ((await response.json()) as any).data.createModel.model.id;
    const history = await gql(`{ model(id: "${id}") { history(first: 5) { edges { node { type requestId actor } } } } }`);
    expect(((await history.json()) as any).data.model.history.edges).toEqual([{ node: { type: 'ModelCreated', requestId: 'trace-42', actor: 'admin' } }]);
    const logged = lines.find((l) => l.requestId === 'trace-42' && l.msg === 'request');
    expect(logged).toMatchObject({ level: 30, service: 'cairn', route: 'graphql', method: 'POST', status: 200 });
    expect(typeof logged!.ms).toBe('number');
  });

  it('makes up an id when the caller sends none or an implausible one, and never logs the token', async () => {
    const response = await gql('{ me { principal { name } } }', {}, { 'x-request-id': 'spaces <and> markup' });
    const id = response.headers.get('x-request-id')!;
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(lines.some((l) => l.requestId === id)).toBe(true);
    expect(JSON.stringify(lines)).not.toContain(adminHeaders.authorization.slice(7));
  });
});

describe('GET /metrics', () => {
  it('counts requests, operations by root field and outcome, uploads, downloads, appends and the feed lag', async () => {
    const scrape = async () => (await fetch(`${server.url}/metrics`, { headers: adminHeaders })).text();
    const before = await scrape();
    const delta = (text: string, name: string, labels: Record<string, string> = {}) => (sample(text, name, labels) ?? 0) - (sample(before, name, labels) ?? 0);
    // A subscriber, so that the feed reads what the writes append.
    const abort = new AbortController();
    const stream = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', 'x-request-id': 'metered-subscription', ...adminHeaders },
      body: JSON.stringify({ query: 'subscription { modelEvents { type } }' }),
      signal: abort.signal,
    });
    const events = sseReader(stream.body!);
    const created = (await (await gql('mutation { createModel(input: { name: "metered" }) { ... on CreateModelSuccess { model { id } } } }')).json()) as any;
    const modelId = created.data.createModel.model.id;
    await gql(`mutation { createModel(input: { name: "metered" }) { ... on Error { code } } }`);
    await gql(`mutation { createVersion(input: { modelId: "${modelId}" }) { ... on CreateVersionSuccess { version { number } } } }`);
    const data = new Uint8Array(Buffer.alloc(12_345, 7));
    const upload = await postMultipart(
      `${server.url}/graphql`,
      'mutation ($input: UploadFormatInput!) { uploadFormat(input: $input) { ... on UploadFormatSuccess { format { downloadUrl } } } }',
      { input: { modelId, number: 1, format: 'pkl', file: null } },
      [{ path: 'variables.input.file', data, name: 'm.pkl' }],
    );
    const download = await fetch(`${server.url}${upload.body.data.uploadFormat.format.downloadUrl}`, { headers: adminHeaders });
    expect((await download.arrayBuffer()).byteLength).toBe(12_345);
    // Refused before GraphQL: no token.
    expect((await fetch(`${server.url}/graphql`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{"query":"{ me { principal { name } } }"}' })).status).toBe(401);
    for (let i = 0; i < 3; i++) await events.next();
    void events.cancel();
    abort.abort();
    // The subscription's request is counted when the server sees its connection close, in the same step that
    // logs it: once its line is there, every request this test made has been counted.
    await lineLogged((l) => l.requestId === 'metered-subscription' && l.msg === 'request');

    const response = await fetch(`${server.url}/metrics`, { headers: adminHeaders });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/plain');
    const text = await response.text();
    const posts = () => delta(text, 'cairn_http_requests_total', { route: 'graphql', method: 'POST', status: '200' });
    expect(delta(text, 'cairn_graphql_operations_total', { operation: 'createModel', type: 'mutation', outcome: 'ok' })).toBe(2);
    expect(delta(text, 'cairn_graphql_operations_total', { operation: 'createVersion', type: 'mutation', outcome: 'ok' })).toBe(1);
    expect(delta(text, 'cairn_graphql_operation_duration_seconds_count', { operation: 'uploadFormat', type: 'mutation' })).toBe(1);
    expect(delta(text, 'cairn_graphql_operations_total', { operation: 'modelEvents', type: 'subscription', outcome: 'ok' })).toBe(1);
    expect(delta(text, 'cairn_upload_bytes_total')).toBe(12_345);
    expect(delta(text, 'cairn_download_bytes_total')).toBe(12_345);
    // One created model, one refused name (a command handled, nothing appended), one version, one upload.
    expect(delta(text, 'cairn_event_append_duration_seconds_count')).toBe(4);
    expect(delta(text, 'cairn_events_appended_total', { type: 'ModelCreated' })).toBe(1);
    expect(delta(text, 'cairn_events_appended_total', { type: 'VersionCreated' })).toBe(1);
    expect(delta(text, 'cairn_events_appended_total', { type: 'FormatUploaded' })).toBe(1);
    expect(delta(text, 'cairn_http_requests_total', { route: 'files', method: 'GET', status: '200' })).toBe(1);
    expect(delta(text, 'cairn_http_requests_total', { route: 'graphql', method: 'POST', status: '401' })).toBe(1);
    // Four operations and the subscription.
    expect(posts()).toBe(5);
    const lag = sample(text, 'cairn_projection_lag_seconds');
    expect(lag).toBeGreaterThanOrEqual(0);
    expect(lag).toBeLessThan(30);
    expect(sample(text, 'cairn_process_resident_memory_bytes')).toBeGreaterThan(0);
    // Nothing that identifies a model or a caller is a label.
    expect(text).not.toContain(modelId);
    expect(text).not.toContain('metered');
  });
});
