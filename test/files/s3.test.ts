import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { DeleteObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateModel, CreateVersion } from '../api/operations.ts';
import { adminHeaders, listen, openTestApi, type TestApi } from '../helpers/api.ts';
import { postMultipart } from '../helpers/multipart.ts';
import { type LocalS3, startLocalS3 } from '../helpers/s3.ts';
import { observeStaging, stagingEntries } from '../helpers/staging.ts';

// Cairn with CAIRN_BLOB_STORE=s3://…: uploads go to the bucket, downloads come from it, nothing under the data directory.
let s3: LocalS3;
let api: TestApi;
let staging: ReturnType<typeof observeStaging>;
let server: Awaited<ReturnType<typeof listen>>;

beforeAll(async () => {
  s3 = await startLocalS3();
  api = await openTestApi({
    env: { ...s3.env, CAIRN_MAX_UPLOAD_BYTES: String(16 * 1024 * 1024) },
    blobs: (stored) => (staging = observeStaging(stored)).store,
  });
  server = await listen(api.app);
});
afterAll(async () => {
  await server?.close();
  await api?.close();
  await s3?.close();
});

const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');
const UPLOAD = `mutation ($input: UploadFormatInput!) {
  uploadFormat(input: $input) {
    __typename
    ... on UploadFormatSuccess { format { size sha256 downloadUrl } }
    ... on Error { code message }
  }
}`;

async function storedBlobs(): Promise<string[]> {
  const all: string[] = [];
  for await (const s of api.app.blobs.list()) all.push(s);
  return all;
}

async function newVersion(name: string) {
  const m = (await api.ok(CreateModel, { input: { name } })).createModel;
  if (m.__typename !== 'CreateModelSuccess') throw new Error(JSON.stringify(m));
  const v = (await api.ok(CreateVersion, { input: { modelId: m.model.id } })).createVersion;
  if (v.__typename !== 'CreateVersionSuccess') throw new Error(JSON.stringify(v));
  return { modelId: m.model.id, number: v.version.number };
}

const upload = (where: { modelId: string; number: number }, data: Uint8Array<ArrayBuffer>, format = 'pkl') =>
  postMultipart(`${server.url}/graphql`, UPLOAD, { input: { ...where, format, file: null, sha256: sha256(data) } }, [
    { path: 'variables.input.file', data, name: `model.${format}` },
  ]);

describe('Cairn on an S3 blob store', () => {
  it('stores an upload of several parts in the bucket and serves it back whole and by range', async () => {
    const where = await newVersion('s3-roundtrip');
    const data = new Uint8Array(randomBytes(12 * 1024 * 1024 + 3));
    const { status, body } = await upload(where, data);
    expect(status).toBe(200);
    expect(body.data.uploadFormat).toMatchObject({ __typename: 'UploadFormatSuccess', format: { size: data.length, sha256: sha256(data) } });
    expect(await storedBlobs()).toContain(sha256(data));
    // Nothing went to the local disk.
    expect(fs.existsSync(path.join(api.config.dataDir, 'blobs'))).toBe(false);

    const url = `${server.url}${body.data.uploadFormat.format.downloadUrl}`;
    const whole = await fetch(url, { headers: adminHeaders });
    expect(whole.status).toBe(200);
    expect(whole.headers.get('content-length')).toBe(String(data.length));
    expect(sha256(new Uint8Array(await whole.arrayBuffer()))).toBe(sha256(data));

    const part = await fetch(url, { headers: { ...adminHeaders, range: 'bytes=5000000-5000099' } });
    expect(part.status).toBe(206);
    expect(Buffer.from(await part.arrayBuffer()).equals(Buffer.from(data.subarray(5_000_000, 5_000_100)))).toBe(true);
  });

  it('is seen to stage where the staging count looks', async () => {
    // What the refusal below relies on: the count looks under this store's staging prefix (the tests' store
    // is s3://bucket/blobs). An object put there is counted, and is gone again once removed.
    const client = new S3Client({ region: 'us-east-1', endpoint: s3.endpoint, forcePathStyle: true });
    const probe = { Bucket: s3.bucket, Key: 'blobs/staging/probe' };
    await client.send(new PutObjectCommand({ ...probe, Body: 'x' }));
    expect(await stagingEntries(api.config)).toContain(probe.Key);
    await client.send(new DeleteObjectCommand(probe));
    expect(await stagingEntries(api.config)).not.toContain(probe.Key);
    client.destroy();
  });

  it('deletes the replaced blob from the bucket and keeps nothing of a refused upload', async () => {
    const where = await newVersion('s3-replace');
    const first = new Uint8Array(randomBytes(100_000));
    const second = new Uint8Array(randomBytes(100_000));
    expect((await upload(where, first)).body.data.uploadFormat.__typename).toBe('UploadFormatSuccess');
    expect((await upload(where, second)).body.data.uploadFormat.__typename).toBe('UploadFormatSuccess');
    const blobs = await storedBlobs();
    expect(blobs).toContain(sha256(second));
    expect(blobs).not.toContain(sha256(first));

    const tooLarge = new Uint8Array(randomBytes(16 * 1024 * 1024 + 1));
    const started = staging.started;
    const refused = await upload(where, tooLarge);
    expect(refused.body.data.uploadFormat).toMatchObject({ code: 'FILE_TOO_LARGE' });
    expect(await storedBlobs()).not.toContain(sha256(tooLarge));
    // It reached the store (and so staging), and once it has ended no staging object is left. Counted in the
    // bucket: cleanStaging() leaves young staging objects alone, so its 0 would say nothing.
    expect(staging.started).toBe(started + 1);
    await staging.idle();
    expect(await stagingEntries(api.config)).toEqual([]);
  });
});
