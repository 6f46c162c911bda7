// verifyBlobs (the heart of `npm run verify`) beside a server that keeps changing files: a format deleted
// between verify reading its record and looking at its blob is not a problem; a blob really lost is.
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import type { BlobStore } from '../../src/files/blobStore.ts';
import { type BlobProblem, describeProblem, verifyBlobs } from '../../src/files/blobReferences.ts';
import type { FormatReference } from '../../src/store/formatBlobs.ts';
import { openStore, StoreNotReadyError } from '../../src/store/open.ts';
import { DeleteFormat } from '../api/operations.ts';
import { testDatabaseKind } from '../helpers/database.ts';
import { givenModel, type Served, serveTestApi } from '../helpers/fixtures.ts';
import { postMultipart } from '../helpers/multipart.ts';

let s: Served;

beforeAll(async () => {
  s = await serveTestApi();
});
afterAll(async () => {
  await s?.close();
});

const UPLOAD = `mutation ($input: UploadFormatInput!) { uploadFormat(input: $input) { __typename ... on Error { code message } } }`;
const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');

async function upload(modelId: string, format: string, data: Uint8Array<ArrayBuffer>) {
  const { body } = await postMultipart(`${s.url}/graphql`, UPLOAD, { input: { modelId, number: 1, format, file: null } }, [
    { path: 'variables.input.file', data, name: `model.${format}` },
  ]);
  expect(body.data.uploadFormat.__typename).toBe('UploadFormatSuccess');
}

describe('verifyBlobs beside a running server', () => {
  it('does not report a format deleted while it was being checked, and does report a blob lost under a format that stays', async () => {
    const model = await givenModel(s, { versions: 1 });
    const goes = new Uint8Array(randomBytes(5000));
    const lost = new Uint8Array(randomBytes(6000));
    await upload(model.id, 'pkl', goes);
    await upload(model.id, 'rda', lost);
    await s.api.app.blobs.delete(sha256(lost));

    // The store as verify sees it: the first look at `goes` comes just after the server deleted its format (and so its blob).
    const blobs = s.api.app.blobs;
    let deleted = false;
    const racing: BlobStore = {
      ...blobs,
      async stat(sha) {
        if (sha === sha256(goes) && !deleted) {
          deleted = true;
          const r = await s.api.ok(DeleteFormat, { modelId: model.id, number: 1, format: 'pkl' });
          expect(r.deleteFormat.__typename).toBe('DeleteFormatSuccess');
          expect(await blobs.stat(sha)).toBeNull();
        }
        return blobs.stat(sha);
      },
    };
    const problems: { ref: FormatReference; problem: BlobProblem }[] = [];
    const totals = await verifyBlobs(s.api.t.db, racing, (ref, problem) => problems.push({ ref, problem }));
    expect(deleted).toBe(true);
    expect(problems.map(({ ref, problem }) => describeProblem(ref, problem))).toEqual([`model ${model.id} version 1 format rda: missing from the blob store (sha256 ${sha256(lost)})`]);
    expect(totals).toMatchObject({ formats: 2, problems: 1 });
  });
});

// PostgreSQL has no such case: its database is named by DATABASE_URL, and one that does not exist is refused by the server.
if (testDatabaseKind === 'pglite') {
  describe('the read-only store verify opens', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-readonly-'));
    afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

    it('refuses a data directory without a database, and creates none there', async () => {
      const opening = openStore(loadConfig({ DATABASE_URL: '', CAIRN_DATA_DIR: dir }), { readOnly: true });
      await expect(opening).rejects.toBeInstanceOf(StoreNotReadyError);
      await expect(opening).rejects.toThrow(dir);
      expect(fs.readdirSync(dir)).toEqual([]);
    });
  });
}
