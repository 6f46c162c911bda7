// A format whose file the blob store has lost (deleted by hand, a lost disk, an emptied bucket): every download
// of it is a named 500, BLOB_MISSING, logged at error and counted, on both blob stores.
import { createHash, randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.ts';
import { ADMIN_TOKEN, adminHeaders } from '../helpers/api.ts';
import { givenModel, type Served, serveTestApi } from '../helpers/fixtures.ts';
import { postMultipart } from '../helpers/multipart.ts';
import { type LocalS3, startLocalS3 } from '../helpers/s3.ts';

const UPLOAD = `mutation ($input: UploadFormatInput!) {
  uploadFormat(input: $input) { __typename ... on UploadFormatSuccess { format { sha256 downloadUrl } } ... on Error { code message } } }`;

const stores: { name: string; env: () => Promise<{ env: Record<string, string>; close(): Promise<void> }> }[] = [
  { name: 'the file-system store', env: async () => ({ env: {}, close: async () => {} }) },
  {
    name: 'the S3 store',
    env: async () => {
      const s3: LocalS3 = await startLocalS3();
      return { env: s3.env, close: () => s3.close() };
    },
  },
];

describe.each(stores)('a download whose blob is missing from $name', ({ env }) => {
  let s: Served;
  let closeStore: () => Promise<void>;
  /** Every line the app logs, parsed. */
  const logged: Record<string, unknown>[] = [];
  let where: { modelId: string; number: number; format: string };
  let url: string;

  beforeAll(async () => {
    const store = await env();
    closeStore = store.close;
    const logStream = new Writable({
      write(chunk, _encoding, callback) {
        for (const line of String(chunk).split('\n')) if (line) logged.push(JSON.parse(line));
        callback();
      },
    });
    s = await serveTestApi({ env: store.env, logger: createLogger('info', logStream) });
    const model = await givenModel(s, { versions: 1 });
    where = { modelId: model.id, number: 1, format: 'pmml' };
    const data = new Uint8Array(randomBytes(64 * 1024));
    const sha256 = createHash('sha256').update(data).digest('hex');
    const { body } = await postMultipart(`${s.url}/graphql`, UPLOAD, { input: { ...where, file: null, sha256 } }, [{ path: 'variables.input.file', data, name: 'model.pmml' }]);
    expect(body.data.uploadFormat.__typename).toBe('UploadFormatSuccess');
    url = `${s.url}${body.data.uploadFormat.format.downloadUrl}`;
    // Served before the loss, so the route, token and record are known to be fine.
    expect((await fetch(url, { headers: adminHeaders })).status).toBe(200);
    await s.api.app.blobs.delete(sha256);
  });
  afterAll(async () => {
    await s?.close();
    await closeStore?.();
  });

  const missingCount = async () => {
    const metric = await s.api.app.metrics.registry.getSingleMetric('cairn_blobs_missing_total')?.get();
    return metric?.values.reduce((n, v) => n + v.value, 0);
  };
  const errorLines = () => logged.filter((l) => l.level === 50 && l.msg === "a format's file is missing from the blob store");

  it.each([
    ['GET', {}],
    ['GET with a Range', { range: 'bytes=10-99' }],
    ['HEAD', {}],
  ] as const)('answers %s with a 500 that names the model, version and format, logs it at error and counts it', async (label, headers) => {
    const method = label === 'HEAD' ? 'HEAD' : 'GET';
    const before = await missingCount();
    const linesBefore = errorLines().length;
    const response = await fetch(url, { method, headers: { ...adminHeaders, ...headers } });
    expect(response.status).toBe(500);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(response.headers.get('content-range')).toBeNull();
    const text = await response.text();
    if (method === 'GET') {
      const body = JSON.parse(text);
      expect(body).toMatchObject({ code: 'BLOB_MISSING', modelId: where.modelId, number: where.number, format: where.format });
      expect(body.error).toContain(where.modelId);
      // No server path, stack or store internals reach the client.
      expect(text).not.toMatch(/\/tmp|blobs\/|sha256\/|at .*\.ts|ENOENT|NoSuchKey/);
      expect(text).not.toContain(ADMIN_TOKEN);
    } else expect(text).toBe('');
    expect(await missingCount()).toBe(before! + 1);
    const lines = errorLines().slice(linesBefore);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ modelId: where.modelId, number: where.number, format: where.format });
  });

  it('shows the counter on /metrics without ids in its labels', async () => {
    const text = await (await fetch(`${s.url}/metrics`, { headers: adminHeaders })).text();
    const count = await missingCount();
    expect(count).toBeGreaterThan(0);
    expect(text).toMatch(new RegExp(`^cairn_blobs_missing_total ${count}$`, 'm'));
    expect(text).not.toMatch(/^cairn_blobs_missing_total\{/m);
  });
});
