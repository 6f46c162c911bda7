import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CairnClient, CairnRequestError, ChecksumMismatch } from '../../src/client/index.ts';
import { ADMIN_TOKEN, listen, openTestApi, type TestApi } from '../helpers/api.ts';

let api: TestApi;
let server: Awaited<ReturnType<typeof listen>>;
let client: CairnClient;
let work: string;

beforeAll(async () => {
  api = await openTestApi();
  server = await listen(api.app);
  client = new CairnClient({ url: server.url, token: ADMIN_TOKEN });
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-cli-'));
});
afterAll(async () => {
  await server?.close();
  await api?.close();
  fs.rmSync(work, { recursive: true, force: true });
});

const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');

describe('the TypeScript client', () => {
  it('creates models and versions, returning typed errors as results', async () => {
    const created = await client.createModel({ name: 'ts-client', tags: ['sdk'] });
    expect(created.__typename).toBe('CreateModelSuccess');
    const taken = await client.createModel({ name: 'TS-CLIENT' });
    expect(taken).toMatchObject({ __typename: 'NameTakenError', code: 'NAME_TAKEN' });
    const v = await client.createVersion('ts-client', { hyperparameters: { depth: 4 } });
    expect(v.__typename === 'CreateVersionSuccess' && v.version.number).toBe(1);
    expect((await client.getModel('ts-client'))?.versions.edges[0]?.node.hyperparameters).toEqual({ depth: 4 });
    expect(await client.getModel('nope')).toBeNull();
  });

  it('streams an upload with progress to the file size, and downloads it back verified', async () => {
    await client.createModel({ name: 'ts-upload' });
    await client.createVersion('ts-upload');
    const data = new Uint8Array(randomBytes(3 * 1024 * 1024 + 17));
    const file = path.join(work, 'model.pkl');
    fs.writeFileSync(file, data);
    const seen: number[] = [];
    const result = await client.uploadFormat({ model: 'ts-upload', version: 1, format: 'pkl', file, onProgress: (sent) => seen.push(sent) });
    expect(result).toMatchObject({ __typename: 'UploadFormatSuccess', format: { size: data.length, sha256: sha256(data), filename: 'model.pkl' } });
    expect(seen.at(-1)).toBe(data.length);
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
    const out = path.join(work, 'back.pkl');
    const got = await client.downloadFormat({ model: 'ts-upload', version: 1, format: 'pkl', to: out });
    expect(got.sha256).toBe(sha256(data));
    expect(sha256(fs.readFileSync(out))).toBe(sha256(data));
    const bytes = await client.downloadFormat({ model: 'ts-upload', version: 1, format: 'pkl' });
    expect(bytes.bytes?.length).toBe(data.length);
  });

  it('detects a download that does not match the recorded checksum, and keeps nothing of it', async () => {
    await client.createModel({ name: 'ts-tampered' });
    await client.createVersion('ts-tampered');
    const data = new Uint8Array(randomBytes(4096));
    await client.uploadFormat({ model: 'ts-tampered', version: 1, format: 'rda', file: data });
    // Someone changes the stored file behind Cairn's back.
    const blob = path.join(api.config.dataDir, 'blobs', 'sha256', sha256(data).slice(0, 2), sha256(data));
    const tampered = Buffer.from(fs.readFileSync(blob));
    tampered[0] = tampered[0]! ^ 0xff;
    fs.writeFileSync(blob, tampered);
    const out = path.join(work, 'tampered.rda');
    await expect(client.downloadFormat({ model: 'ts-tampered', version: 1, format: 'rda', to: out })).rejects.toBeInstanceOf(ChecksumMismatch);
    expect(fs.existsSync(out)).toBe(false);
    expect(fs.existsSync(`${out}.part`)).toBe(false);
  });

  it("reads a model's history with each event's typed fields", async () => {
    const created = await client.createModel({ name: 'ts-history', description: 'old', tags: ['x'] });
    if (created.__typename !== 'CreateModelSuccess') throw new Error(JSON.stringify(created));
    await client.updateModel('ts-history', { description: null });
    await client.createVersion('ts-history', { records: [{ uri: 's3://d/a.csv' }] });
    await client.updateVersion('ts-history', 1, { config: { threshold: 0.9 } });
    const data = new Uint8Array(randomBytes(1000));
    await client.uploadFormat({ model: 'ts-history', version: 1, format: 'pmml', file: data });
    const events = await client.history('ts-history');
    expect(events.map((e) => e.__typename)).toEqual(['ModelCreatedEvent', 'ModelUpdatedEvent', 'VersionCreatedEvent', 'VersionUpdatedEvent', 'FormatUploadedEvent']);
    for (const e of events) {
      expect(e.modelId).toBe(created.model.id);
      expect(e.schemaVersion).toBe(e.type === 'ModelCreated' ? 2 : 1);
    }
    expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
    const [model, update, version, settings, file] = events;
    expect(model).toMatchObject({ name: 'ts-history', description: 'old', tags: ['x'] });
    // A description set to null is told from one left alone by `changed`.
    expect(update).toMatchObject({ changed: ['description'], changes: { name: null, description: null, tags: null } });
    expect(version).toMatchObject({ number: 1, records: [{ uri: 's3://d/a.csv', name: null }], hyperparameters: {}, config: {} });
    expect(settings).toMatchObject({ number: 1, changed: ['config'], changes: { config: { threshold: 0.9 }, description: null } });
    expect(file).toMatchObject({ number: 1, format: 'pmml', size: 1000, sha256: sha256(data), replaced: false });
    expect(events.some((e) => 'data' in e)).toBe(false);
  });

  it('throws CairnRequestError for a bad token or an unreachable server', async () => {
    await expect(new CairnClient({ url: server.url, token: 'cairn_wrong' }).listModels()).rejects.toMatchObject({ status: 401, code: 'UNAUTHENTICATED' });
    await expect(new CairnClient({ url: 'http://127.0.0.1:9', token: 'x' }).listModels()).rejects.toBeInstanceOf(CairnRequestError);
  });
});
