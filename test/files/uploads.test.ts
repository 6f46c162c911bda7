import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateModel, CreateVersion, DeleteFormat, DeleteVersion, ModelById, PublishVersion } from '../api/operations.ts';
import { adminHeaders, listen, openTestApi, type TestApi } from '../helpers/api.ts';
import { postMultipart } from '../helpers/multipart.ts';
import { observeStaging, untilFiles } from '../helpers/staging.ts';

// Above Yoga's own 25 MB request limit: the file must never count against it.
const LIMIT = 30 * 1024 * 1024;
let api: TestApi;
let uploads: ReturnType<typeof observeStaging>;
let server: Awaited<ReturnType<typeof listen>>;
let graphqlUrl: string;

beforeAll(async () => {
  api = await openTestApi({ env: { CAIRN_MAX_UPLOAD_BYTES: String(LIMIT) }, blobs: (stored) => (uploads = observeStaging(stored)).store });
  server = await listen(api.app);
  graphqlUrl = `${server.url}/graphql`;
});
afterAll(async () => {
  await server?.close();
  await api?.close();
});

const bytes = (n: number) => new Uint8Array(randomBytes(n));
const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');
const blobsDir = () => path.join(api.config.dataDir, 'blobs');
const storedBlobs = () => (fs.readdirSync(path.join(blobsDir(), 'sha256'), { recursive: true }) as string[]).filter((f) => /[0-9a-f]{64}$/.test(f)).map((f) => path.basename(f));
const stagingFiles = () => fs.readdirSync(path.join(blobsDir(), 'staging'));

const UPLOAD = `mutation ($input: UploadFormatInput!) {
  uploadFormat(input: $input) {
    __typename
    ... on UploadFormatSuccess { format { id size sha256 filename contentType downloadUrl } version { number formats { id } } }
    ... on Error { code message }
  }
}`;

const CREATE_WITH_FILES = `mutation ($input: CreateVersionInput!) {
  createVersion(input: $input) {
    __typename
    ... on CreateVersionSuccess { version { number formats { id sha256 size downloadUrl } } }
    ... on Error { code message }
  }
}`;

async function model(name: string) {
  const m = (await api.ok(CreateModel, { input: { name } })).createModel;
  if (m.__typename !== 'CreateModelSuccess') throw new Error(JSON.stringify(m));
  return m.model.id;
}

async function version(modelId: string) {
  const v = (await api.ok(CreateVersion, { input: { modelId } })).createVersion;
  if (v.__typename !== 'CreateVersionSuccess') throw new Error(JSON.stringify(v));
  return v.version.number;
}

function upload(modelId: string, number: number, format: string, data: Uint8Array<ArrayBuffer>, extra: { sha256?: string; name?: string } = {}) {
  return postMultipart(graphqlUrl, UPLOAD, { input: { modelId, number, format, file: null, sha256: extra.sha256 } }, [
    { path: 'variables.input.file', data, name: extra.name ?? `model.${format}` },
  ]);
}

const download = (url: string, headers: Record<string, string> = {}) => fetch(`${server.url}${url}`, { headers: { ...adminHeaders, ...headers } });

describe('uploadFormat and download', () => {
  it('stores a file of 30 MB streamed in, and serves back the same bytes with its checksum', async () => {
    const id = await model('roundtrip');
    const n = await version(id);
    const data = bytes(LIMIT - 1);
    const { status, body } = await upload(id, n, 'pkl', data, { sha256: sha256(data), name: 'modèle final.pkl' });
    expect(status).toBe(200);
    const result = body.data.uploadFormat;
    expect(result).toMatchObject({
      __typename: 'UploadFormatSuccess',
      format: { id: 'pkl', size: data.length, sha256: sha256(data), filename: 'modèle final.pkl', contentType: 'application/octet-stream' },
      version: { number: n, formats: [{ id: 'pkl' }] },
    });
    const response = await download(result.format.downloadUrl);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-length')).toBe(String(data.length));
    expect(response.headers.get('etag')).toBe(`"${sha256(data)}"`);
    expect(response.headers.get('content-disposition')).toBe(`attachment; filename="mod_le final.pkl"; filename*=UTF-8''mod%C3%A8le%20final.pkl`);
    expect(sha256(new Uint8Array(await response.arrayBuffer()))).toBe(sha256(data));
    expect(stagingFiles()).toEqual([]);
  });

  it('refuses a file whose sha256 differs from the one sent, storing nothing', async () => {
    const id = await model('mismatch');
    const n = await version(id);
    const before = storedBlobs();
    const { body } = await upload(id, n, 'pkl', bytes(1000), { sha256: 'ab'.repeat(32) });
    expect(body.data.uploadFormat).toMatchObject({ __typename: 'ChecksumMismatchError', code: 'CHECKSUM_MISMATCH' });
    expect((await api.ok(ModelById, { id })).model?.versions.edges[0]?.node.formats).toEqual([]);
    expect(storedBlobs()).toEqual(before);
    expect(stagingFiles()).toEqual([]);
  });

  it('refuses a file over the size limit, an empty file, and an unknown format', async () => {
    const id = await model('refusals');
    const n = await version(id);
    const before = storedBlobs();
    const big = await upload(id, n, 'pkl', bytes(LIMIT + 10));
    expect(big.body.data.uploadFormat).toMatchObject({ __typename: 'FileTooLargeError', code: 'FILE_TOO_LARGE' });
    const empty = await upload(id, n, 'pkl', new Uint8Array(0));
    expect(empty.body.data.uploadFormat).toMatchObject({ __typename: 'ValidationError', code: 'VALIDATION', message: 'The file is empty' });
    const unknown = await upload(id, n, 'onnx', bytes(100));
    expect(unknown.body.data.uploadFormat).toMatchObject({ __typename: 'UnknownFormatError', code: 'UNKNOWN_FORMAT' });
    const missing = await upload(id, 99, 'pkl', bytes(100));
    expect(missing.body.data.uploadFormat).toMatchObject({ __typename: 'NotFoundError', code: 'NOT_FOUND' });
    expect(storedBlobs()).toEqual(before);
    expect(stagingFiles()).toEqual([]);
  });

  it('refuses an upload to a published version, and replaces a draft one, deleting the old file', async () => {
    const id = await model('replace');
    const n = await version(id);
    const first = bytes(500);
    const second = bytes(600);
    await upload(id, n, 'rda', first);
    expect(storedBlobs()).toContain(sha256(first));
    const replaced = await upload(id, n, 'rda', second);
    expect(replaced.body.data.uploadFormat).toMatchObject({ format: { sha256: sha256(second), size: 600 } });
    expect(storedBlobs()).not.toContain(sha256(first));
    await api.ok(PublishVersion, { modelId: id, number: n });
    const refused = await upload(id, n, 'rda', bytes(10));
    expect(refused.body.data.uploadFormat).toMatchObject({ __typename: 'VersionPublishedError', code: 'VERSION_PUBLISHED' });
  });

  it('stores the same bytes once for two versions, and keeps them while one version still uses them', async () => {
    const id = await model('dedupe');
    const a = await version(id);
    const b = await version(id);
    const data = bytes(4096);
    await upload(id, a, 'pkl', data);
    await upload(id, b, 'pkl', data);
    expect(storedBlobs().filter((s) => s === sha256(data))).toHaveLength(1);
    await api.ok(DeleteVersion, { modelId: id, number: a });
    const response = await download(`/files/${id}/${b}/pkl`);
    expect(sha256(new Uint8Array(await response.arrayBuffer()))).toBe(sha256(data));
    await api.ok(DeleteFormat, { modelId: id, number: b, format: 'pkl' });
    expect(storedBlobs()).not.toContain(sha256(data));
  });

  it('serves byte ranges, 304 for a matching If-None-Match, 416 for a range outside the file, 404 for what is not there', async () => {
    const id = await model('ranges');
    const n = await version(id);
    const data = bytes(1000);
    await upload(id, n, 'pmml', data, { name: 'model.pmml' });
    const url = `/files/${id}/${n}/pmml`;
    const partial = await download(url, { range: 'bytes=100-199' });
    expect(partial.status).toBe(206);
    expect(partial.headers.get('content-range')).toBe('bytes 100-199/1000');
    expect(new Uint8Array(await partial.arrayBuffer())).toEqual(data.slice(100, 200));
    const suffix = await download(url, { range: 'bytes=-10' });
    expect(new Uint8Array(await suffix.arrayBuffer())).toEqual(data.slice(990));
    const open = await download(url, { range: 'bytes=995-' });
    expect(open.headers.get('content-range')).toBe('bytes 995-999/1000');
    expect((await download(url, { 'if-none-match': `"${sha256(data)}"` })).status).toBe(304);
    expect((await download(url, { 'if-none-match': '"other"' })).status).toBe(200);
    const outside = await download(url, { range: 'bytes=5000-6000' });
    expect(outside.status).toBe(416);
    expect(outside.headers.get('content-range')).toBe('bytes */1000');
    expect((await download(url, { range: 'bytes=abc' })).status).toBe(416);
    expect((await download(`/files/${id}/${n}/pkl`)).status).toBe(404);
    expect((await download(`/files/${id}/99/pmml`)).status).toBe(404);
    expect((await download(`/files/00000000-0000-4000-8000-000000000000/1/pmml`)).status).toBe(404);
    expect((await download(`/files/not-a-uuid/1/pmml`)).status).toBe(404);
  });

  it('cleans up after a client that goes away in the middle of its upload', async () => {
    const id = await model('aborted');
    const n = await version(id);
    const boundary = 'b0undary';
    const operations = JSON.stringify({ query: UPLOAD, variables: { input: { modelId: id, number: n, format: 'pkl', file: null } } });
    const request = http.request(`${graphqlUrl}`, {
      method: 'POST',
      headers: { 'content-type': `multipart/form-data; boundary=${boundary}`, ...adminHeaders },
    });
    request.on('error', () => {});
    request.write(
      `--${boundary}\r\nContent-Disposition: form-data; name="operations"\r\n\r\n${operations}\r\n` +
        `--${boundary}\r\nContent-Disposition: form-data; name="map"\r\n\r\n{"0":["variables.input.file"]}\r\n` +
        `--${boundary}\r\nContent-Disposition: form-data; name="0"; filename="m.pkl"\r\n\r\n`,
    );
    request.write(Buffer.alloc(512 * 1024, 1));
    // The server is writing the file to staging when the client goes; then its upload ends, and staging is empty.
    const staging = path.join(blobsDir(), 'staging');
    await untilFiles(staging, (names) => names.some((f) => fs.statSync(path.join(staging, f)).size > 0));
    expect(stagingFiles()).toHaveLength(1);
    request.destroy();
    await uploads.idle();
    expect(stagingFiles()).toEqual([]);
    expect((await api.ok(ModelById, { id })).model?.versions.edges[0]?.node.formats).toEqual([]);
  });

  it('answers a multipart request whose file never comes with a VALIDATION error, not a failure', async () => {
    const id = await model('no-file');
    const n = await version(id);
    const form = new FormData();
    form.append('operations', JSON.stringify({ query: UPLOAD, variables: { input: { modelId: id, number: n, format: 'pkl', file: null } } }));
    form.append('map', JSON.stringify({ 0: ['variables.input.file'] }));
    const response = await fetch(graphqlUrl, { method: 'POST', body: form, headers: { ...adminHeaders } });
    const body = (await response.json()) as any;
    expect(body.data.uploadFormat).toMatchObject({ __typename: 'ValidationError', code: 'VALIDATION', message: expect.stringMatching(/File missing/) });
  });

  it('takes a multipart upload with a bearer token and no CSRF header', async () => {
    const id = await model('no-csrf-header');
    const n = await version(id);
    const data = bytes(10);
    const response = await postMultipart(graphqlUrl, UPLOAD, { input: { modelId: id, number: n, format: 'pkl', file: null } }, [
      { path: 'variables.input.file', data, name: 'x.pkl' },
    ], adminHeaders);
    expect(response.status).toBe(200);
    expect(response.body.data.uploadFormat.__typename).toBe('UploadFormatSuccess');
    expect(new Uint8Array(await (await download(`/files/${id}/${n}/pkl`)).arrayBuffer())).toEqual(data);
  });
});

describe('createVersion with files', () => {
  it('creates a version with two files in one step', async () => {
    const id = await model('two-files');
    const pkl = bytes(3000);
    const pmml = bytes(2000);
    const { body } = await postMultipart(
      graphqlUrl,
      CREATE_WITH_FILES,
      { input: { modelId: id, description: 'with files', formats: [{ format: 'pkl', file: null, sha256: sha256(pkl) }, { format: 'pmml', file: null }] } },
      [
        { path: 'variables.input.formats.0.file', data: pkl, name: 'm.pkl' },
        { path: 'variables.input.formats.1.file', data: pmml, name: 'm.pmml' },
      ],
    );
    expect(body.data.createVersion).toMatchObject({
      __typename: 'CreateVersionSuccess',
      version: { number: 1, formats: [{ id: 'pkl', sha256: sha256(pkl), size: 3000 }, { id: 'pmml', sha256: sha256(pmml), size: 2000 }] },
    });
    const back = await download(body.data.createVersion.version.formats[1].downloadUrl);
    expect(sha256(new Uint8Array(await back.arrayBuffer()))).toBe(sha256(pmml));
  });

  it('creates nothing when one of the files is bad', async () => {
    const id = await model('one-bad-file');
    const good = bytes(3000);
    const before = storedBlobs();
    const { body } = await postMultipart(
      graphqlUrl,
      CREATE_WITH_FILES,
      { input: { modelId: id, formats: [{ format: 'pkl', file: null }, { format: 'pmml', file: null, sha256: 'cd'.repeat(32) }] } },
      [
        { path: 'variables.input.formats.0.file', data: good, name: 'm.pkl' },
        { path: 'variables.input.formats.1.file', data: bytes(100), name: 'm.pmml' },
      ],
    );
    expect(body.data.createVersion).toMatchObject({ __typename: 'ChecksumMismatchError', code: 'CHECKSUM_MISMATCH' });
    expect((await api.ok(ModelById, { id })).model).toMatchObject({ versionCount: 0 });
    expect(storedBlobs()).toEqual(before);
    expect(stagingFiles()).toEqual([]);
  });
});
