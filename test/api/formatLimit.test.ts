import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { givenModel, type Served, serveTestApi } from '../helpers/fixtures.ts';
import { postMultipart } from '../helpers/multipart.ts';
import { readModelRows } from '../helpers/readModels.ts';

// FORMAT_LIMIT_REACHED through the API. The default formats (three) equal the default limit (three), so no
// upload can reach the limit there: this server allows four formats and three per version.
let s: Served;
beforeAll(async () => {
  s = await serveTestApi({ env: { CAIRN_FORMATS: 'pkl,rda,pmml,onnx', CAIRN_MAX_FORMATS: '3' } });
});
afterAll(() => s?.close());

const UPLOAD = `mutation ($input: UploadFormatInput!) { uploadFormat(input: $input) {
  __typename ... on UploadFormatSuccess { version { formats { id sha256 } } } ... on FormatLimitError { limit } ... on Error { code message } } }`;

const upload = (modelId: string, number: number, format: string, content: string) =>
  postMultipart(`${s.url}/graphql`, UPLOAD, { input: { modelId, number, format, file: null } }, [
    { path: 'variables.input.file', data: new TextEncoder().encode(content), name: `model.${format}` },
  ]);

const sha256 = (content: string) => createHash('sha256').update(content).digest('hex');

const filesIn = (dir: string): string[] =>
  fs.existsSync(dir) ? (fs.readdirSync(dir, { recursive: true }) as string[]).filter((f) => fs.statSync(path.join(dir, f)).isFile()).sort() : [];

/** The log, the read models, the blob store and every file under the data directory. */
async function everything() {
  const events = await s.api.t.db.selectFrom('events').select(['position', 'type']).orderBy('position').execute();
  const blobs: string[] = [];
  for await (const b of s.api.app.blobs.list()) blobs.push(b);
  return { events, rows: await readModelRows(s.api.t.db), blobs: blobs.sort(), files: filesIn(s.api.config.dataDir) };
}

it('configures four formats, three a version', async () => {
  expect((await s.asAdmin('{ formats }')).formats).toEqual(['pkl', 'rda', 'pmml', 'onnx']);
});

it('refuses a fourth format on a version with FORMAT_LIMIT_REACHED and stores nothing; replacing one of the three still works', async () => {
  const model = await givenModel(s, { versions: 1 });
  for (const format of ['pkl', 'rda', 'pmml']) {
    const { body } = await upload(model.id, 1, format, `${format} of ${model.id}`);
    expect(body.data.uploadFormat.__typename).toBe('UploadFormatSuccess');
  }

  const before = await everything();
  const { status, body } = await upload(model.id, 1, 'onnx', `onnx of ${model.id}`);
  expect([status, body.errors]).toEqual([200, undefined]);
  expect(body.data.uploadFormat).toMatchObject({ __typename: 'FormatLimitError', code: 'FORMAT_LIMIT_REACHED', limit: 3 });
  expect(await everything()).toEqual(before);
  expect(before.blobs).not.toContain(sha256(`onnx of ${model.id}`));

  // At the limit, a format the version has is replaced: still three, the new file in, the old one released.
  const replaced = await upload(model.id, 1, 'rda', `rda again of ${model.id}`);
  expect(replaced.body.data.uploadFormat.__typename).toBe('UploadFormatSuccess');
  const formats = replaced.body.data.uploadFormat.version.formats;
  expect(formats.map((f: { id: string }) => f.id).sort()).toEqual(['pkl', 'pmml', 'rda']);
  expect(formats.find((f: { id: string }) => f.id === 'rda').sha256).toBe(sha256(`rda again of ${model.id}`));
  const blobs = (await everything()).blobs;
  expect(blobs).toContain(sha256(`rda again of ${model.id}`));
  expect(blobs).not.toContain(sha256(`rda of ${model.id}`));

  // With one deleted, the fourth goes in.
  const deleted = await s.asAdmin('mutation ($id: ID!) { deleteFormat(modelId: $id, number: 1, format: "pmml") { __typename } }', { id: model.id });
  expect(deleted.deleteFormat.__typename).toBe('DeleteFormatSuccess');
  expect((await upload(model.id, 1, 'onnx', `onnx of ${model.id}`)).body.data.uploadFormat.__typename).toBe('UploadFormatSuccess');
});

// The multipart layer takes at most CAIRN_MAX_FORMATS files a request: four at once are refused there, before
// any file is read, as too many files (413, VALIDATION), not by the domain.
it('refuses a new version with four formats at once, storing no version and no file', async () => {
  const model = await givenModel(s);
  const formats = ['pkl', 'rda', 'pmml', 'onnx'];
  const before = await everything();
  const { status, body } = await postMultipart(
    `${s.url}/graphql`,
    `mutation ($input: CreateVersionInput!) { createVersion(input: $input) { __typename ... on FormatLimitError { limit } ... on Error { code message } } }`,
    { input: { modelId: model.id, formats: formats.map((format) => ({ format, file: null })) } },
    formats.map((format, i) => ({ path: `variables.input.formats.${i}.file`, data: new TextEncoder().encode(`${format} at once`), name: `model.${format}` })),
  );
  expect([status, body.data, body.errors.map((e: { extensions: { code: string } }) => e.extensions.code)]).toEqual([413, undefined, ['VALIDATION']]);
  expect(await everything()).toEqual(before);
});
