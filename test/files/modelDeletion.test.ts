// Deleting a model deletes the files of all its versions from the blob store, except those that another
// model's format still uses (blobs are shared by content).
import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { givenModel, type Served, serveTestApi } from '../helpers/fixtures.ts';
import { postMultipart } from '../helpers/multipart.ts';

let s: Served;

beforeAll(async () => {
  s = await serveTestApi();
});
afterAll(async () => {
  await s?.close();
});

const UPLOAD = `mutation ($input: UploadFormatInput!) {
  uploadFormat(input: $input) { __typename ... on Error { code message } } }`;
const DELETE_MODEL = 'mutation ($id: ID!) { deleteModel(id: $id) { __typename ... on Error { code message } } }';

const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');
const stored = async (data: Uint8Array) => (await s.api.app.blobs.stat(sha256(data))) !== null;

async function upload(modelId: string, number: number, format: string, data: Uint8Array<ArrayBuffer>) {
  const { body } = await postMultipart(`${s.url}/graphql`, UPLOAD, { input: { modelId, number, format, file: null } }, [
    { path: 'variables.input.file', data, name: `model.${format}` },
  ]);
  expect(body.data.uploadFormat.__typename).toBe('UploadFormatSuccess');
}

describe('deleteModel', () => {
  it('deletes the blobs of all its versions, and keeps one that another model still uses until that one goes too', async () => {
    const own = [new Uint8Array(randomBytes(10_000)), new Uint8Array(randomBytes(11_000))];
    const shared = new Uint8Array(randomBytes(12_000));
    const doomed = await givenModel(s, { versions: 2 });
    const other = await givenModel(s, { versions: 1 });
    await upload(doomed.id, 1, 'pkl', own[0]!);
    await upload(doomed.id, 2, 'rda', own[1]!);
    await upload(doomed.id, 2, 'pkl', shared);
    await upload(other.id, 1, 'pmml', shared);
    for (const data of [...own, shared]) expect(await stored(data)).toBe(true);

    expect((await s.asAdmin(DELETE_MODEL, { id: doomed.id })).deleteModel.__typename).toBe('DeleteModelSuccess');
    expect(await stored(own[0]!)).toBe(false);
    expect(await stored(own[1]!)).toBe(false);
    expect(await stored(shared)).toBe(true);

    expect((await s.asAdmin(DELETE_MODEL, { id: other.id })).deleteModel.__typename).toBe('DeleteModelSuccess');
    expect(await stored(shared)).toBe(false);
  });
});
