import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ControlledTransaction, Kysely } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { run as runCli } from '../../src/cli/program.js';
import { CairnClient } from '../../src/client/index.ts';
import type { Database, Db } from '../../src/store/database.ts';
import { ADMIN_TOKEN } from '../helpers/api.ts';
import { testDatabaseKind } from '../helpers/database.ts';
import { postMultipart } from '../helpers/multipart.ts';
import { ROOT } from '../helpers/processes.ts';
import { stagingEntries } from '../helpers/staging.ts';
import { givenContext, givenModel, givenPrincipal, type Served, serveTestApi, uniqueName } from '../helpers/fixtures.ts';

/**
 * Idempotency keys, played as a client whose connection (or whose server's connection to the database)
 * fails at the worst moment: during COMMIT.
 */

/**
 * What the next command's transaction meets: at COMMIT, a reply lost after the commit, a COMMIT that never
 * reached the server, or a pause; or, before COMMIT, a connection lost while appending its events.
 */
type CommitFault =
  | { kind: 'lostReply' }
  | { kind: 'neverSent' }
  | { kind: 'pause'; reached: () => void; resume: Promise<void> }
  | { kind: 'lostBeforeCommit' };

/** pg's words when the server's socket closes under a query: what a lost COMMIT reply looks like. */
const connectionLost = () => new Error('Connection terminated unexpectedly');

/** The test database, with a hook on every controlled transaction (the ones commands use). */
function withCommitFaults(db: Db, nextFault: () => CommitFault | undefined): Db {
  const bind = (target: object, prop: string | symbol) => {
    const value = Reflect.get(target, prop, target);
    return typeof value === 'function' ? value.bind(target) : value;
  };
  const wrapTransaction = (trx: ControlledTransaction<Database>, fault: CommitFault | undefined) =>
    new Proxy(trx, {
      get(target, prop) {
        if (prop === 'insertInto' && fault?.kind === 'lostBeforeCommit') {
          return () => {
            throw connectionLost();
          };
        }
        if (prop !== 'commit') return bind(target, prop);
        return () => ({
          async execute() {
            if (fault?.kind === 'lostReply') {
              await target.commit().execute();
              throw connectionLost();
            }
            if (fault?.kind === 'neverSent') {
              await target.rollback().execute();
              throw connectionLost();
            }
            if (fault?.kind === 'pause') {
              fault.reached();
              await fault.resume;
            }
            await target.commit().execute();
          },
        });
      },
    });
  return new Proxy(db, {
    get(target, prop) {
      // A command without a key appends optimistically, on one connection and with no transaction: its
      // append statement is its COMMIT.
      if (prop === 'connection') {
        return () => {
          const builder = target.connection();
          return { execute: <T>(work: (c: Kysely<Database>) => Promise<T>) => builder.execute((c) => work(appendRepliesLost > 0 ? withAppendReplyLost(c) : c)) };
        };
      }
      if (prop === 'insertInto') {
        return (table: keyof Database) => {
          const builder = target.insertInto(table);
          return table === 'idempotency_keys' && claimRepliesLost > 0 ? (claimRepliesLost--, replyLost(builder)) : builder;
        };
      }
      if (prop !== 'startTransaction') return bind(target, prop);
      return () => {
        const builder = target.startTransaction();
        return { execute: async () => wrapTransaction(await builder.execute(), nextFault()) };
      };
    },
  });
}

let s: Served;
let faults: CommitFault[] = [];
/** How many of the next key claims are written but answered with a lost connection. */
let claimRepliesLost = 0;
/** How many of the next optimistic appends (commands without a key) commit and are answered with a lost connection. */
let appendRepliesLost = 0;

/** A connection whose next statement that appends events runs, and whose caller then hears that the connection was lost. */
function withAppendReplyLost(connection: Kysely<Database>): Kysely<Database> {
  return new Proxy(connection, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target);
      if (prop !== 'getExecutor') return typeof value === 'function' ? value.bind(target) : value;
      return () => {
        const executor = target.getExecutor();
        return new Proxy(executor, {
          get(e, p) {
            const v = Reflect.get(e, p, e);
            if (p !== 'executeQuery') return typeof v === 'function' ? v.bind(e) : v;
            return async (compiled: { sql: string }, ...rest: unknown[]) => {
              const result = await v.call(e, compiled, ...rest);
              if (appendRepliesLost > 0 && /insert into "events"/.test(compiled.sql)) {
                appendRepliesLost--;
                throw connectionLost();
              }
              return result;
            };
          },
        });
      };
    },
  });
}

/** A query builder whose statement runs, and whose caller then hears that the connection was lost. */
function replyLost<T extends object>(builder: T): T {
  return new Proxy(builder, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target);
      if (typeof value !== 'function') return value;
      if (prop === 'execute' || prop === 'executeTakeFirst' || prop === 'executeTakeFirstOrThrow') {
        return async (...args: unknown[]) => {
          await value.apply(target, args);
          throw connectionLost();
        };
      }
      return (...args: unknown[]) => {
        const next = value.apply(target, args);
        return next && typeof next === 'object' ? replyLost(next) : next;
      };
    },
  });
}
beforeAll(async () => {
  s = await serveTestApi({ store: (t) => ({ ...t.store, db: withCommitFaults(t.db, () => faults.shift()) }) });
});
afterAll(() => s?.close());
// A fault a test armed and did not use must not reach the next test.
beforeEach(() => {
  faults = [];
  claimRepliesLost = 0;
  appendRepliesLost = 0;
});

const CREATE_VERSION = `mutation ($id: ID!, $d: String) { createVersion(input: { modelId: $id, description: $d }) {
  __typename ... on CreateVersionSuccess { version { number } } ... on Error { code message } } }`;

const createVersion = (id: string, key?: string, options: { token?: string; context?: string; description?: string } = {}) =>
  s.gql(options.token ?? ADMIN_TOKEN, CREATE_VERSION, { id, d: options.description ?? null }, options.context, key === undefined ? {} : { 'idempotency-key': key });

/** How many VersionCreated events the model's stream holds: the truth, whatever the answers said. */
async function versionsCreated(modelId: string): Promise<number> {
  const row = await s.api.t.db
    .selectFrom('events')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('stream_id', '=', modelId)
    .where('type', '=', 'VersionCreated')
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

const newKey = () => uniqueName('key');

describe('a connection lost during COMMIT', () => {
  it('is answered OUTCOME_UNKNOWN (503, not retryable); the repeat with the same key returns the committed version, appending nothing', async () => {
    const model = await givenModel(s);
    const key = newKey();
    faults = [{ kind: 'lostReply' }];
    const first = await createVersion(model.id, key);
    expect(first.status).toBe(503);
    expect(first.body.errors[0].extensions).toEqual({ code: 'OUTCOME_UNKNOWN', retryable: false, outcomeUnknown: true });
    expect(first.body.errors[0].message).not.toMatch(/try again shortly|nothing was done/i);
    expect(await versionsCreated(model.id)).toBe(1);

    const retry = await createVersion(model.id, key);
    expect(retry.status).toBe(200);
    expect(retry.body.data.createVersion).toEqual({ __typename: 'CreateVersionSuccess', version: { number: 1 } });
    const again = await createVersion(model.id, key);
    expect(again.body.data.createVersion).toEqual({ __typename: 'CreateVersionSuccess', version: { number: 1 } });
    expect(await versionsCreated(model.id)).toBe(1);
  });

  it('a claim whose reply was lost does not keep the repeat out: it is SERVICE_UNAVAILABLE, then the repeat runs once', async () => {
    const model = await givenModel(s);
    const key = newKey();
    claimRepliesLost = 1;
    const first = await createVersion(model.id, key);
    expect([first.status, first.body.errors[0].extensions.code]).toEqual([503, 'SERVICE_UNAVAILABLE']);
    expect(await versionsCreated(model.id)).toBe(0);
    const retry = await createVersion(model.id, key);
    expect(retry.body.data.createVersion).toEqual({ __typename: 'CreateVersionSuccess', version: { number: 1 } });
    expect(await versionsCreated(model.id)).toBe(1);
  });

  it('without a key is still OUTCOME_UNKNOWN, never "retryable"', async () => {
    const model = await givenModel(s);
    appendRepliesLost = 1;
    const first = await createVersion(model.id);
    expect(first.status).toBe(503);
    expect(first.body.errors[0].extensions.code).toBe('OUTCOME_UNKNOWN');
    expect(first.body.errors[0].extensions.retryable).toBe(false);
    expect(await versionsCreated(model.id)).toBe(1);
  });

  it('when the COMMIT never reached the database, the repeat with the same key runs the command once', async () => {
    const model = await givenModel(s);
    const key = newKey();
    faults = [{ kind: 'neverSent' }];
    const first = await createVersion(model.id, key);
    expect(first.body.errors[0].extensions.code).toBe('OUTCOME_UNKNOWN');
    expect(await versionsCreated(model.id)).toBe(0);
    const retry = await createVersion(model.id, key);
    expect(retry.body.data.createVersion).toEqual({ __typename: 'CreateVersionSuccess', version: { number: 1 } });
    expect(await versionsCreated(model.id)).toBe(1);
  });

  it('but a connection lost before COMMIT is SERVICE_UNAVAILABLE, retryable: nothing was done', async () => {
    const model = await givenModel(s);
    faults = [{ kind: 'lostBeforeCommit' }];
    const first = await createVersion(model.id, newKey());
    expect(first.status).toBe(503);
    expect(first.body.errors[0].extensions).toEqual({ code: 'SERVICE_UNAVAILABLE', retryable: true });
    expect(await versionsCreated(model.id)).toBe(0);
  });

  it('a createModel repeated after a lost reply names the model the first run created', async () => {
    const key = newKey();
    const name = uniqueName('model');
    const query = 'mutation ($n: String!) { createModel(input: { name: $n }) { __typename ... on CreateModelSuccess { model { id name } } ... on Error { code } } }';
    faults = [{ kind: 'lostReply' }];
    const first = await s.gql(ADMIN_TOKEN, query, { n: name }, undefined, { 'idempotency-key': key });
    expect(first.body.errors[0].extensions.code).toBe('OUTCOME_UNKNOWN');
    const retry = await s.gql(ADMIN_TOKEN, query, { n: name }, undefined, { 'idempotency-key': key });
    expect(retry.body.data.createModel.__typename).toBe('CreateModelSuccess');
    const streams = await s.api.t.db.selectFrom('models').select('id').where('name', '=', name).execute();
    expect(streams).toHaveLength(1);
    expect(retry.body.data.createModel.model.id).toBe(streams[0]!.id);
  });
});

describe('a repeated key', () => {
  it('with the same request gets the first answer without running again', async () => {
    const model = await givenModel(s);
    const key = newKey();
    const first = await createVersion(model.id, key);
    const second = await createVersion(model.id, key);
    expect(first.body.data.createVersion.version.number).toBe(1);
    expect(second.body).toEqual(first.body);
    expect(await versionsCreated(model.id)).toBe(1);
    // A typed refusal is an answer too: kept and given again.
    const missing = '00000000-0000-4000-8000-000000000000';
    const refusedKey = newKey();
    expect((await createVersion(missing, refusedKey)).body.data.createVersion.code).toBe('NOT_FOUND');
    expect((await createVersion(missing, refusedKey)).body.data.createVersion.code).toBe('NOT_FOUND');
  });

  it('with a different request is refused with VALIDATION and changes nothing', async () => {
    const model = await givenModel(s);
    const key = newKey();
    await createVersion(model.id, key, { description: 'first' });
    const other = await createVersion(model.id, key, { description: 'second' });
    expect(other.status).toBe(422);
    expect(other.body.errors[0].extensions).toMatchObject({ code: 'VALIDATION', field: 'Idempotency-Key' });
    expect(await versionsCreated(model.id)).toBe(1);
  });

  it('from another principal, or in another context, is another key', async () => {
    const ctx = await givenContext(s);
    const editor = await givenPrincipal(s, 'editor', { context: ctx.name });
    const model = await givenModel(s, { context: ctx.name });
    const key = newKey();
    expect((await createVersion(model.id, key, { context: ctx.name })).body.data.createVersion.version.number).toBe(1);
    expect((await createVersion(model.id, key, { context: ctx.name, token: editor.secret })).body.data.createVersion.version.number).toBe(2);
    // The administrator's key in the default context does not answer for it here, nor the reverse.
    const home = await givenModel(s);
    expect((await createVersion(home.id, key)).body.data.createVersion.version.number).toBe(1);
    expect(await versionsCreated(model.id)).toBe(2);
  });

  it('is forgotten after 24 hours: an expired key runs again, and expired keys are deleted when keys are written', async () => {
    const model = await givenModel(s);
    const key = newKey();
    await createVersion(model.id, key);
    const stale = newKey();
    await createVersion(model.id, stale);
    const dayAgo = new Date(Date.now() - 24 * 3600 * 1000 - 1000);
    await s.api.t.db.updateTable('idempotency_keys').set({ expires_at: dayAgo }).where('key', 'in', [key, stale]).execute();
    const again = await createVersion(model.id, key);
    expect(again.body.data.createVersion.version.number).toBe(3);
    expect(await versionsCreated(model.id)).toBe(3);
    const left = await s.api.t.db.selectFrom('idempotency_keys').select('key').where('key', 'in', [key, stale]).execute();
    expect(left.map((r) => r.key)).toEqual([key]);
  });

  it("of a createToken is refused with SECRET_NOT_KEPT: the secret is never stored", async () => {
    const key = newKey();
    const query = 'mutation { createToken(input: { name: "idem" }) { __typename ... on CreateTokenSuccess { s: secret token { id } } } }';
    const first = await s.gql(ADMIN_TOKEN, query, {}, undefined, { 'idempotency-key': key });
    const secret = first.body.data.createToken.s as string;
    expect(secret.length).toBeGreaterThan(20);
    const stored = await s.api.t.db.selectFrom('idempotency_keys').select('response').where('key', '=', key).executeTakeFirstOrThrow();
    expect(stored.response).not.toContain(secret);
    const repeat = await s.gql(ADMIN_TOKEN, query, {}, undefined, { 'idempotency-key': key });
    expect(repeat.status).toBe(409);
    expect(repeat.body.errors[0].extensions.code).toBe('SECRET_NOT_KEPT');
    expect(JSON.stringify(repeat.body)).not.toContain(secret);
  });
});

describe('multipart mutations (what the dashboard sends to upload)', () => {
  const CREATE_WITH_FILES = `mutation ($input: CreateVersionInput!) { createVersion(input: $input) {
    __typename ... on CreateVersionSuccess { version { number formats { id sha256 size } } } ... on Error { code message } } }`;
  const UPLOAD = `mutation ($input: UploadFormatInput!) { uploadFormat(input: $input) {
    __typename ... on UploadFormatSuccess { format { id sha256 } version { number } } ... on Error { code message } } }`;
  const file = (n: number) => new Uint8Array(randomBytes(n)) as Uint8Array<ArrayBuffer>;
  const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');
  const headers = (key: string) => ({ authorization: `Bearer ${ADMIN_TOKEN}`, 'idempotency-key': key });
  const eventsOf = async (modelId: string) =>
    (await s.api.t.db.selectFrom('events').select('type').where('stream_id', '=', modelId).orderBy('position').execute()).map((e) => e.type);

  const createWithFile = (modelId: string, key: string, data: Uint8Array<ArrayBuffer>, declared?: string) =>
    postMultipart(
      `${s.url}/graphql`,
      CREATE_WITH_FILES,
      { input: { modelId, description: 'with its file', formats: [{ format: 'pkl', file: null, ...(declared && { sha256: declared }) }] } },
      [{ path: 'variables.input.formats.0.file', data, name: 'model.pkl' }],
      headers(key),
    );

  it('createVersion with files, repeated with its key, creates one version and one file and answers as the first time', async () => {
    const model = await givenModel(s);
    const key = newKey();
    const data = file(256 * 1024);
    const first = await createWithFile(model.id, key, data);
    expect(first.status).toBe(200);
    expect(first.body.data.createVersion).toEqual({ __typename: 'CreateVersionSuccess', version: { number: 1, formats: [{ id: 'pkl', sha256: sha256(data), size: data.byteLength }] } });
    const events = await eventsOf(model.id);
    expect(events.filter((t) => t === 'VersionCreated' || t === 'FormatUploaded')).toEqual(['VersionCreated', 'FormatUploaded']);

    const repeat = await createWithFile(model.id, key, data);
    expect([repeat.status, repeat.body]).toEqual([200, first.body]);
    expect(await eventsOf(model.id)).toEqual(events);
    // The repeat's file was read and dropped, never staged.
    expect(await stagingEntries(s.api.config)).toEqual([]);

    // The same key with another file, declared by its sha256, is another request: refused, nothing made.
    const other = file(1000);
    const refused = await createWithFile(model.id, key, other, sha256(other));
    expect([refused.status, refused.body.errors?.[0]?.extensions?.code]).toEqual([422, 'VALIDATION']);
    expect(await eventsOf(model.id)).toEqual(events);
    expect(await stagingEntries(s.api.config)).toEqual([]);
  });

  it('createVersion with files sent twice at once with one key makes one version: the other answer is the same or a CONFLICT', async () => {
    const model = await givenModel(s);
    const key = newKey();
    const data = file(512 * 1024);
    const answers = await Promise.all([createWithFile(model.id, key, data), createWithFile(model.id, key, data)]);
    for (const a of answers) {
      if (a.status === 200) expect(a.body.data.createVersion.version.number).toBe(1);
      else expect([a.status, a.body.errors[0].extensions.code]).toEqual([409, 'CONFLICT']);
    }
    expect(answers.some((a) => a.status === 200)).toBe(true);
    expect(await versionsCreated(model.id)).toBe(1);
    expect((await eventsOf(model.id)).filter((t) => t === 'FormatUploaded')).toHaveLength(1);
  });

  it('uploadFormat repeated with its key uploads once', async () => {
    const model = await givenModel(s, { versions: 1 });
    const key = newKey();
    const data = file(64 * 1024);
    const upload = () =>
      postMultipart(`${s.url}/graphql`, UPLOAD, { input: { modelId: model.id, number: 1, format: 'pkl', file: null } }, [{ path: 'variables.input.file', data, name: 'model.pkl' }], headers(key));
    const first = await upload();
    expect(first.body.data.uploadFormat).toEqual({ __typename: 'UploadFormatSuccess', format: { id: 'pkl', sha256: sha256(data) }, version: { number: 1 } });
    const repeat = await upload();
    expect([repeat.status, repeat.body]).toEqual([200, first.body]);
    expect((await eventsOf(model.id)).filter((t) => t === 'FormatUploaded')).toHaveLength(1);
  });
});

describe('hostile keys', () => {
  const hostile: [string, string][] = [
    ['201 characters', 'k'.repeat(201)],
    ['a NUL', 'key\0'],
    ['a lone surrogate', 'key\uD800'],
    ['nothing', ''],
  ];
  for (const [what, key] of hostile) {
    it(`with ${what} are refused with VALIDATION before anything runs`, async () => {
      const model = await givenModel(s);
      const response = await s.api.app.yoga.fetch('http://cairn.test/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN_TOKEN}`, 'idempotency-key': key },
        body: JSON.stringify({ query: CREATE_VERSION, variables: { id: model.id } }),
      });
      const body = (await response.json()) as any;
      expect(response.status).toBe(400);
      expect(body.errors[0].extensions).toMatchObject({ code: 'VALIDATION', field: 'Idempotency-Key' });
      expect(await versionsCreated(model.id)).toBe(0);
    });
  }

  it('of 200 characters (any characters) are accepted; queries ignore the header altogether', async () => {
    const model = await givenModel(s);
    const key = 'é'.repeat(100) + '🪨'.repeat(100);
    const response = await s.api.app.yoga.fetch('http://cairn.test/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN_TOKEN}`, 'idempotency-key': key },
      body: JSON.stringify({ query: CREATE_VERSION, variables: { id: model.id } }),
    });
    expect(((await response.json()) as any).data.createVersion.version.number).toBe(1);
    const query = await s.gql(ADMIN_TOKEN, 'query ($id: ID!) { model(id: $id) { id } }', { id: model.id }, undefined, { 'idempotency-key': '' });
    expect(query.body.data.model.id).toBe(model.id);
  });
});

describe('concurrent repeats of one key', () => {
  it('run the command once: every answer names the same version or is a CONFLICT', async () => {
    const model = await givenModel(s);
    const key = newKey();
    const answers = await Promise.all(Array.from({ length: 12 }, () => createVersion(model.id, key)));
    for (const a of answers) {
      if (a.status === 200) expect(a.body.data.createVersion.version.number).toBe(1);
      else expect([a.status, a.body.errors[0].extensions.code, a.body.errors[0].extensions.retryable]).toEqual([409, 'CONFLICT', true]);
    }
    expect(answers.some((a) => a.status === 200)).toBe(true);
    expect(await versionsCreated(model.id)).toBe(1);
  });

  // PGlite has one connection: there the second request cannot even claim its key while the first holds its
  // transaction, so it waits, and then finds the key claimed (CONFLICT) or answered (the same version).
  it('while the first is in its COMMIT, a second with the key is refused with CONFLICT or waits for it: one version', async () => {
    const model = await givenModel(s);
    const key = newKey();
    let reached!: () => void;
    const atCommit = new Promise<void>((resolve) => (reached = resolve));
    let resume!: () => void;
    faults = [{ kind: 'pause', reached, resume: new Promise<void>((resolve) => (resume = resolve)) }];
    const first = createVersion(model.id, key);
    await atCommit;
    const secondAnswer = createVersion(model.id, key);
    if (testDatabaseKind === 'postgres') {
      const second = await secondAnswer;
      expect([second.status, second.body.errors[0].extensions.code]).toEqual([409, 'CONFLICT']);
      resume();
    } else {
      resume();
      const second = await secondAnswer;
      if (second.status === 200) expect(second.body.data.createVersion.version.number).toBe(1);
      else expect([second.status, second.body.errors[0].extensions.code]).toEqual([409, 'CONFLICT']);
    }
    expect((await first).body.data.createVersion.version.number).toBe(1);
    expect((await createVersion(model.id, key)).body.data.createVersion.version.number).toBe(1);
    expect(await versionsCreated(model.id)).toBe(1);
  });
});

describe('the clients', () => {
  const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
  /** The keys the server holds for the administrator that it did not hold before. */
  const keysSince = async (before: Set<string>) =>
    (await s.api.t.db.selectFrom('idempotency_keys').select('key').execute()).map((r) => r.key).filter((k) => !before.has(k));
  const keysNow = async () => new Set((await s.api.t.db.selectFrom('idempotency_keys').select('key').execute()).map((r) => r.key));

  it('TypeScript: a fresh key per mutation, reused on its repeat after OUTCOME_UNKNOWN: one version', async () => {
    const model = await givenModel(s);
    const client = new CairnClient({ url: s.url, token: ADMIN_TOKEN });
    const before = await keysNow();
    faults = [{ kind: 'lostReply' }];
    const created = await client.createVersion(model.id, { description: 'ts' });
    expect(created.__typename === 'CreateVersionSuccess' && created.version.number).toBe(1);
    expect(await versionsCreated(model.id)).toBe(1);
    await client.createVersion(model.id);
    const keys = await keysSince(before);
    expect(keys).toHaveLength(2);
    for (const k of keys) expect(k).toMatch(UUID);
    expect(await versionsCreated(model.id)).toBe(2);
  });

  it('TypeScript: an upload from bytes is repeated under its key after OUTCOME_UNKNOWN, once', async () => {
    const model = await givenModel(s, { versions: 1 });
    const client = new CairnClient({ url: s.url, token: ADMIN_TOKEN });
    faults = [{ kind: 'lostReply' }];
    const uploaded = await client.uploadFormat({ model: model.id, version: 1, format: 'pkl', file: new TextEncoder().encode('weights') });
    expect(uploaded.__typename).toBe('UploadFormatSuccess');
    const uploads = await s.api.t.db.selectFrom('events').select('type').where('stream_id', '=', model.id).where('type', '=', 'FormatUploaded').execute();
    expect(uploads).toHaveLength(1);
  });

  it('CLI (through the TypeScript client): repeats under the same key after OUTCOME_UNKNOWN, one version', async () => {
    const model = await givenModel(s);
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-idem-'));
    const saved = { ...process.env };
    const out: string[] = [];
    const write = process.stdout.write.bind(process.stdout);
    const before = await keysNow();
    try {
      Object.assign(process.env, { CAIRN_URL: s.url, CAIRN_TOKEN: ADMIN_TOKEN, CAIRN_CONFIG: path.join(work, 'config.json') });
      process.stdout.write = ((chunk: string) => (out.push(String(chunk)), true)) as typeof process.stdout.write;
      faults = [{ kind: 'lostReply' }];
      expect(await runCli(['versions', 'create', '--model', model.id, '--json'])).toBe(0);
    } finally {
      process.stdout.write = write;
      for (const k of ['CAIRN_URL', 'CAIRN_TOKEN', 'CAIRN_CONFIG']) {
        if (saved[k] === undefined) delete process.env[k];
        else process.env[k] = saved[k];
      }
      fs.rmSync(work, { recursive: true, force: true });
    }
    expect(JSON.parse(out.join('')).number).toBe(1);
    expect(await versionsCreated(model.id)).toBe(1);
    expect(await keysSince(before)).toHaveLength(1);
  });

  it('Python: a fresh key per mutation, reused on its repeat after OUTCOME_UNKNOWN: one version', async () => {
    const model = await givenModel(s);
    const before = await keysNow();
    faults = [{ kind: 'lostReply' }];
    const script = [
      'import os, sys',
      "sys.path.insert(0, os.environ['CLIENT_DIR'])",
      'from cairn_client import Cairn',
      "cairn = Cairn(os.environ['CAIRN_URL'], os.environ['CAIRN_TOKEN'])",
      "model = cairn.model(os.environ['MODEL_ID'])",
      "print(model.create_version(description='py').number)",
      'print(model.create_version().number)',
    ].join('\n');
    const result = await new Promise<{ code: number | null; output: string }>((resolve) => {
      const child = spawn('python3', ['-c', script], {
        env: { ...process.env, CLIENT_DIR: path.join(ROOT, 'clients/python'), CAIRN_URL: s.url, CAIRN_TOKEN: ADMIN_TOKEN, MODEL_ID: model.id, PYTHONDONTWRITEBYTECODE: '1' },
      });
      let output = '';
      child.stdout.on('data', (d) => (output += d));
      child.stderr.on('data', (d) => (output += d));
      child.on('exit', (code) => resolve({ code, output }));
    });
    expect(result.code, result.output).toBe(0);
    expect(result.output.trim().split('\n')).toEqual(['1', '2']);
    expect(await versionsCreated(model.id)).toBe(2);
    const keys = await keysSince(before);
    expect(keys).toHaveLength(2);
    for (const k of keys) expect(k).toMatch(UUID);
  });
});
