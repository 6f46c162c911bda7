import fc from 'fast-check';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminHeaders, listen, openTestApi, type TestApi } from '../helpers/api.ts';
import { observeStaging, stagingEntries } from '../helpers/staging.ts';

// Hostile input, generated: whatever arrives, the answer is a typed error or a clean 4xx, never a 500 or a
// leaked stack, SQL or path, and a refused request stores nothing.
let api: TestApi;
let staging: ReturnType<typeof observeStaging>;
let server: Awaited<ReturnType<typeof listen>>;
let modelId: string;
let downloadUrl: string;

/** What must never reach a client: stack frames, file paths, SQL and PostgreSQL's words. */
const LEAK = /\bat .*:\d+:\d+|node_modules|\/work\/|\/tmp\/|\/home\/|\.ts\b|\bselect\b.*\bfrom\b|\binsert into\b|syntax error at|relation "|violates .* constraint|pg_|kysely|TypeError|ReferenceError/i;
const CODES = new Set(['VALIDATION', 'NOT_FOUND', 'NAME_TAKEN', 'VERSION_LIMIT_REACHED', 'FORMAT_LIMIT_REACHED', 'UNKNOWN_FORMAT', 'VERSION_PUBLISHED', 'CONFLICT', 'CHECKSUM_MISMATCH', 'FILE_TOO_LARGE', 'FORBIDDEN', 'GRAPHQL_VALIDATION_FAILED', 'GRAPHQL_PARSE_FAILED', 'BAD_USER_INPUT', 'BAD_REQUEST', 'UNAUTHENTICATED']);

/** Strings that do not themselves look like a leak (an input may be echoed in a message). */
const text = (maxLength: number) => fc.string({ unit: 'binary', maxLength }).filter((s) => !LEAK.test(s));

beforeAll(async () => {
  api = await openTestApi({
    env: { CAIRN_MAX_UPLOAD_BYTES: '65536' },
    blobs: (stored) => (staging = observeStaging(stored)).store,
  });
  server = await listen(api.app);
  const created = (await post('mutation { createModel(input: { name: "target" }) { ... on CreateModelSuccess { model { id } } } }')).body;
  modelId = created.data.createModel.model.id;
  await post(`mutation { createVersion(input: { modelId: "${modelId}" }) { __typename } }`);
  const form = new FormData();
  form.append('operations', JSON.stringify({ query: `mutation ($f: Upload!) { uploadFormat(input: { modelId: "${modelId}", number: 1, format: "pkl", file: $f }) { ... on UploadFormatSuccess { format { downloadUrl } } } }`, variables: { f: null } }));
  form.append('map', JSON.stringify({ 0: ['variables.f'] }));
  form.append('0', new Blob([new Uint8Array(1000).fill(9)]), 'm.pkl');
  const uploaded = await fetch(`${server.url}/graphql`, { method: 'POST', body: form, headers: { ...adminHeaders } });
  downloadUrl = ((await uploaded.json()) as any).data.uploadFormat.format.downloadUrl;
});
afterAll(async () => {
  await server?.close();
  await api?.close();
});

async function post(query: string, variables: unknown = {}, raw?: string) {
  const response = await fetch(`${server.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...adminHeaders },
    body: raw ?? JSON.stringify({ query, variables }),
  });
  const body = await response.text();
  return { status: response.status, text: body, body: safeJson(body) };
}

function safeJson(s: string): any {
  try {
    return JSON.parse(s);
  } catch {
    return undefined;
  }
}

/** Whether fetch accepts this as a header value at all (it refuses control characters before sending). */
function sendable(value: string): boolean {
  try {
    new Headers({ range: value });
    return true;
  } catch {
    return false;
  }
}

/** fetch refused to send the request (its dispatcher rejects an argument), as opposed to one that went out and failed. */
const notSent = (error: unknown) => error instanceof TypeError && (error.cause as { code?: string } | undefined)?.code === 'UND_ERR_INVALID_ARG';

const eventCount = async () => Number((await sql<{ n: string }>`select count(*)::text as n from events`.execute(api.t.db)).rows[0]!.n);
async function blobCount() {
  let n = 0;
  for await (const _ of api.app.blobs.list()) n++;
  return n;
}

/** The response is clean: no 5xx, every error typed, nothing in it that leaks internals. */
function expectClean(r: { status: number; text: string; body: any }) {
  expect(r.status, r.text.slice(0, 300)).toBeLessThan(500);
  expect(r.text).not.toMatch(/Unexpected error/);
  for (const e of r.body?.errors ?? []) {
    expect(LEAK.test(JSON.stringify(e)), JSON.stringify(e)).toBe(false);
    if (e.extensions?.code) expect(CODES, JSON.stringify(e)).toContain(e.extensions.code);
  }
}

/** A mutation result that is not a success changed nothing. */
async function expectNothingStoredUnlessSuccess(before: number, result: any) {
  const success = typeof result?.__typename === 'string' && result.__typename.endsWith('Success');
  if (!success) expect(await eventCount()).toBe(before);
  if (result?.__typename && !success) {
    expect(CODES).toContain(result.code);
    expect(LEAK.test(result.message ?? '')).toBe(false);
  }
}

const RESULT = '__typename ... on Error { code message }';
const BOUNDARY = 'hostileboundary';

/** A valid multipart upload of one file to version 1 of the target model, and its operations field. */
function uploadBody() {
  const operations = JSON.stringify({
    query: `mutation ($f: Upload!) { uploadFormat(input: { modelId: "${modelId}", number: 1, format: "rda", file: $f }) { ${RESULT} } }`,
    variables: { f: null },
  });
  const valid =
    `--${BOUNDARY}\r\nContent-Disposition: form-data; name="operations"\r\n\r\n${operations}\r\n` +
    `--${BOUNDARY}\r\nContent-Disposition: form-data; name="map"\r\n\r\n{"0":["variables.f"]}\r\n` +
    `--${BOUNDARY}\r\nContent-Disposition: form-data; name="0"; filename="x.rda"\r\nContent-Type: application/octet-stream\r\n\r\n${'z'.repeat(2000)}\r\n` +
    `--${BOUNDARY}--\r\n`;
  return { operations, valid };
}

async function postRawMultipart(body: string) {
  const response = await fetch(`${server.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': `multipart/form-data; boundary=${BOUNDARY}`, ...adminHeaders },
    body,
  });
  return { status: response.status, textBody: await response.text() };
}

describe('hostile input over the GraphQL API', () => {
  it('random and oversized strings in every text field get a typed result, and refusals store nothing', async () => {
    const field = fc.oneof(text(300), fc.string({ minLength: 100_001, maxLength: 150_000 }).map((s) => s.replace(LEAK, '')), fc.constant(''), fc.constant('   '));
    await fc.assert(
      fc.asyncProperty(fc.record({ name: field, description: field, tags: fc.array(field, { maxLength: 4 }) }), async (input) => {
        const before = await eventCount();
        const r = await post(`mutation ($input: CreateModelInput!) { createModel(input: $input) { ${RESULT} } }`, { input });
        expectClean(r);
        await expectNothingStoredUnlessSuccess(before, r.body?.data?.createModel);
        const beforeVersion = await eventCount();
        const v = await post(`mutation ($input: CreateVersionInput!) { createVersion(input: $input) { ${RESULT} } }`, {
          input: { modelId, description: input.description, tags: input.tags, records: [{ uri: input.name }] },
        });
        expectClean(v);
        await expectNothingStoredUnlessSuccess(beforeVersion, v.body?.data?.createVersion);
      }),
      { numRuns: 40 },
    );
  });

  it('malformed JSON scalars and ids are refused with a typed error and store nothing', async () => {
    const json = fc.oneof(
      fc.jsonValue({ maxDepth: 4 }),
      fc.string().map((s) => ({ s })),
      fc.constant(null),
      fc.array(fc.integer()),
      fc.integer().map((depth) => JSON.parse('{"a":'.repeat(Math.abs(depth % 200) + 1) + '1' + '}'.repeat(Math.abs(depth % 200) + 1))),
    );
    const id = fc.oneof(fc.constant(modelId), fc.uuid(), text(80));
    await fc.assert(
      fc.asyncProperty(id, json, json, async (mid, config, hyperparameters) => {
        const before = await eventCount();
        const r = await post(`mutation ($input: CreateVersionInput!) { createVersion(input: $input) { ${RESULT} } }`, { input: { modelId: mid, config, hyperparameters } });
        expectClean(r);
        await expectNothingStoredUnlessSuccess(before, r.body?.data?.createVersion);
        if (r.body?.data?.createVersion?.__typename === 'CreateVersionSuccess') {
          // Only JSON objects (or nothing) are accepted.
          const objectOrNothing = (v: unknown) => v === null || (typeof v === 'object' && !Array.isArray(v));
          expect(objectOrNothing(config) && objectOrNothing(hyperparameters)).toBe(true);
        }
      }),
      { numRuns: 50 },
    );
  });

  it('deep, wide and garbled queries and bodies are refused cleanly', async () => {
    const deep = fc.integer({ min: 1, max: 60 }).map((n) => `{ __schema { types { ${'fields { type { '.repeat(n)}name${' } }'.repeat(n)} } } }`);
    const wide = fc.integer({ min: 1, max: 3000 }).map((n) => `{ ${Array.from({ length: n }, (_, i) => `a${i}: models(first: 100) { totalCount }`).join(' ')} }`);
    const garbled = text(500);
    const query = fc.oneof(deep, wide, garbled);
    await fc.assert(
      fc.asyncProperty(query, async (q) => {
        const before = await eventCount();
        expectClean(await post(q));
        expect(await eventCount()).toBe(before);
      }),
      { numRuns: 40 },
    );
    // Bodies that are not the JSON a GraphQL request is.
    const body = fc.oneof(
      text(300),
      fc.jsonValue().map((v) => JSON.stringify(v)),
      fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b).toString('latin1')),
      fc.record({ query: fc.jsonValue(), variables: fc.jsonValue(), operationName: fc.jsonValue() }).map((v) => JSON.stringify(v)),
    );
    await fc.assert(
      fc.asyncProperty(body, async (raw) => {
        const r = await post('', {}, raw);
        expectClean(r);
      }),
      { numRuns: 60 },
    );
  });

  it('malformed multipart bodies get a clean 4xx or a typed error, and leave no event, blob or staged file', async () => {
    const { operations, valid } = uploadBody();
    const mutation = fc.oneof(
      // Cut off anywhere.
      fc.integer({ min: 0, max: valid.length - 8 }).map((n) => valid.slice(0, n)),
      // Bytes replaced somewhere.
      fc.tuple(fc.integer({ min: 0, max: valid.length - 1 }), text(40)).map(([at, s]) => valid.slice(0, at) + s + valid.slice(at + s.length)),
      // A map or operations field that is garbage or points elsewhere.
      // (A map that names one path twice is answered only after the server's 30 s wait for a file: tried once, below.)
      fc.oneof(text(60), fc.jsonValue().map((v) => JSON.stringify(v)), fc.constant('{"0":["variables.nope.deeper"]}')).map((map) =>
        valid.replace('{"0":["variables.f"]}', map),
      ),
      fc.oneof(text(60), fc.jsonValue().map((v) => JSON.stringify(v))).map((ops) => valid.replace(operations, ops)),
      // A file over the upload limit.
      fc.constant(valid.replace('z'.repeat(2000), 'z'.repeat(70_000))),
    );
    const blobsBefore = await blobCount();
    const stagedBefore = staging.started;
    await fc.assert(
      fc.asyncProperty(mutation, async (body) => {
        // A body still valid after the change stores a format, and its removal appends an event: count from here.
        const before = await eventCount();
        // Whatever the body, the server answers it: a connection reset or a broken pipe is a refusal that never
        // reached the client, and fails the test like a 500 would.
        const { status, textBody } = await postRawMultipart(body);
        const r = { status, text: textBody, body: safeJson(textBody) };
        expectClean(r);
        await expectNothingStoredUnlessSuccess(before, r.body?.data?.uploadFormat);
        if (r.body?.data?.uploadFormat?.__typename === 'UploadFormatSuccess') {
          // A body that happens to be still valid (bytes changed inside the file): undo, so later runs start equal.
          const undone = await post(`mutation { deleteFormat(modelId: "${modelId}", number: 1, format: "rda") { __typename } }`);
          expect(undone.body.data.deleteFormat.__typename).toBe('DeleteFormatSuccess');
        }
      }),
      { numRuns: 60 },
    );
    // Some bodies did reach the store (else nothing below was tried); once every upload has ended (a server
    // may answer before a file it gave up on is discarded), staging holds nothing and no blob but the one
    // uploaded in beforeAll remains.
    expect(staging.started).toBeGreaterThan(stagedBefore);
    await staging.idle();
    expect(await stagingEntries(api.config)).toEqual([]);
    expect(await blobCount()).toBe(blobsBefore);
  });

  it('answers a map that names one path twice with a typed error once its wait for the unread file ends', { timeout: 90_000 }, async () => {
    // The file part the second entry stands for never comes: the server waits for it (30 s), then says so.
    const before = await eventCount();
    const { status, textBody } = await postRawMultipart(uploadBody().valid.replace('{"0":["variables.f"]}', '{"0":["variables.f"],"1":["variables.f"]}'));
    const r = { status, text: textBody, body: safeJson(textBody) };
    expectClean(r);
    expect(r.body?.data?.uploadFormat).toMatchObject({ __typename: 'ValidationError', code: 'VALIDATION' });
    expect(await eventCount()).toBe(before);
    await staging.idle();
    expect(await stagingEntries(api.config)).toEqual([]);
  });

  it('bad Range headers get 200, 206 with a consistent Content-Range, or 416, never 500', async () => {
    const range = fc.oneof(
      text(40),
      fc.tuple(fc.option(fc.nat({ max: 3000 })), fc.option(fc.nat({ max: 3000 }))).map(([a, b]) => `bytes=${a ?? ''}-${b ?? ''}`),
      fc.array(fc.tuple(fc.nat(2000), fc.nat(2000)), { minLength: 2, maxLength: 4 }).map((rs) => `bytes=${rs.map(([a, b]) => `${a}-${b}`).join(',')}`),
      fc.constantFrom('bytes=-0', 'bytes=--1', 'bytes=1-0', 'bytes=999999999999999999999-', 'items=0-10', 'bytes=0-1,', 'bytes= 5 - 9 '),
    );
    await fc.assert(
      fc.asyncProperty(range, async (header) => {
        // Sent, it is answered: a failed fetch (reset, broken pipe) fails the test. Only a value that no HTTP
        // client sends (control characters) may be refused, by fetch itself, before a byte goes out.
        if (!sendable(header)) return;
        const response = await fetch(`${server.url}${downloadUrl}`, { headers: { ...adminHeaders, range: header } }).catch((error: unknown) => {
          if (notSent(error)) return null;
          throw error;
        });
        if (!response) return;
        const body = Buffer.from(await response.arrayBuffer());
        expect([200, 206, 416]).toContain(response.status);
        if (response.status === 200) expect(body.length).toBe(1000);
        if (response.status === 206) {
          const m = /^bytes (\d+)-(\d+)\/1000$/.exec(response.headers.get('content-range') ?? '');
          expect(m).not.toBeNull();
          expect(body.length).toBe(Number(m![2]) - Number(m![1]) + 1);
        }
        if (response.status === 416) expect(response.headers.get('content-range')).toBe('bytes */1000');
      }),
      { numRuns: 80 },
    );
  });
});
