// Export and import as a move between the two databases: an instance with models, versions (one deleted: a
// gap in the numbers), files (one replaced, one blob shared by two models), aliases, evaluations, access control
// (two contexts, roles, a group, live, revoked and expiring tokens) and a webhook, exported through GET
// /admin/export and imported into a fresh database of the other kind with its own blob directory. The imported
// instance answers every query as the exported one did, to every caller; serves every file byte for byte; keeps
// the old tokens, signed links and webhook secret working; and goes on from the end of the archive's log.
// Then the same move as an operator makes it, with the real commands (cairn export, npm run import, npm run verify).
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importArchive } from '../../src/archive/import.ts';
import { verifyBlobs } from '../../src/files/blobReferences.ts';
import type { BlobStore } from '../../src/files/blobStore.ts';
import { openBlobStore } from '../../src/files/openBlobStore.ts';
import type { ArchiveSummary } from '../../src/archive/read.ts';
import { migrateToLatest } from '../../src/store/open.ts';
import { ADMIN_TOKEN, adminHeaders, testConfig } from '../helpers/api.ts';
import { runCairn } from '../helpers/cli.ts';
import { openTestDatabase, type TestDatabase, type TestDatabaseKind } from '../helpers/database.ts';
import { givenContext, givenFormat, givenModel, givenPrincipal, type Served, servedAt, serveTestApi, uniqueName } from '../helpers/fixtures.ts';
import { runScript, type Started, startServer, stopProcess } from '../helpers/processes.ts';
import { type Receiver, signatureValid, startReceiver } from '../helpers/webhookReceiver.ts';

/** Building an instance, exporting and importing it, with both cores busy: a bound, not a target. */
const ROUND_TRIP_MS = 240_000;

const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');
const randomFile = (n: number) => new Uint8Array(randomBytes(n)) as Uint8Array<ArrayBuffer>;

/**
 * A fresh, migrated database of either kind. PGlite is migrated here: this project (postgres) has no global
 * setup, so there is no migrated PGlite snapshot to load.
 */
async function openDatabase(kind: TestDatabaseKind): Promise<TestDatabase> {
  if (kind === 'postgres') return openTestDatabase('postgres');
  const t = await openTestDatabase('pglite', { migrated: false });
  await migrateToLatest(t.db);
  return t;
}

/** Webhook settings for an app whose targets are on this machine, retried soon. */
const WEBHOOK_ENV = { CAIRN_WEBHOOK_ALLOW_PRIVATE: 'true', CAIRN_WEBHOOK_BACKOFF_MS: '100', CAIRN_WEBHOOK_TIMEOUT_MS: '5000' };

const FORMAT = 'id filename size sha256 contentType downloadUrl uploadedAt uploadedBy';
const VERSION = `number status description tags hyperparameters config records { name uri } createdAt createdBy updatedAt publishedAt publishedBy aliases
  evaluations { id dataset { name uri } metrics notes recordedAt recordedBy } formats { ${FORMAT} }`;
const HISTORY = 'totalCount edges { cursor node { id type position actor recordedAt requestId schemaVersion modelId data } }';
const MODELS = `query { models(first: 10, orderBy: { field: NAME, direction: ASC }) { totalCount edges { cursor node {
  id name description tags createdAt createdBy updatedAt versionCount latestVersion { number }
  aliases { name setAt setBy version { number } }
  versions(first: 10) { totalCount edges { cursor node { ${VERSION} } } }
  history(first: 40) { ${HISTORY} } } } } }`;
const ME = 'query { me { context { id name } contexts { id name } principal { id kind name superuser } roles permissions tokenId } }';
const ACCESS = `query { principals { id kind name superuser } roleGrants { id role principalId groupId } groups { id name members { id name } }
  webhooks { id url eventTypes modelId description active createdAt createdBy }
  auditLog(first: 100) { pageInfo { hasNextPage } edges { cursor node { id type position actor streamId streamType recordedAt occurredAt requestId data } } } }`;
const TOKENS = 'query ($p: ID) { tokens(principalId: $p) { id name principalId createdAt createdBy expiresAt revokedAt } }';

interface Caller {
  name: string;
  token: string;
  context: string;
  /** Administrators are asked about access control and tokens too. */
  admin: boolean;
}

/** What one caller's queries answer, status and body, keyed by caller and query. */
async function answers(s: Served, callers: Caller[], extra: { model: string; context: string }[]): Promise<Record<string, unknown>> {
  const found: Record<string, unknown> = {};
  const ask = async (key: string, token: string, query: string, variables: Record<string, unknown>, context: string) => {
    const { status, body } = await s.gql(token, query, variables, context);
    found[key] = { status, body };
    return body;
  };
  for (const c of callers) {
    await ask(`${c.name} me`, c.token, ME, {}, c.context);
    await ask(`${c.name} models`, c.token, MODELS, {}, c.context);
    if (!c.admin) continue;
    const access = await ask(`${c.name} access`, c.token, ACCESS, {}, c.context);
    for (const p of access.data?.principals ?? []) await ask(`${c.name} tokens of ${p.name}`, c.token, TOKENS, { p: p.id }, c.context);
  }
  for (const { model, context } of extra) {
    await ask(`admin model ${model}`, ADMIN_TOKEN, `query ($id: ID!) { model(id: $id) { id name versionCount history(first: 100) { ${HISTORY} } } }`, { id: model }, context);
  }
  return found;
}

/** The formats the admin's `models` answers hold, with the context each is in. */
function formatsIn(found: Record<string, unknown>, contexts: string[]): { context: string; downloadUrl: string; sha256: string; size: number }[] {
  const out: { context: string; downloadUrl: string; sha256: string; size: number }[] = [];
  for (const context of contexts) {
    const { body } = found[`admin@${context} models`] as { body: any };
    for (const m of body.data.models.edges) for (const v of m.node.versions.edges) for (const f of v.node.formats) out.push({ context, ...f });
  }
  return out;
}

/** A file's bytes over HTTP, as the administrator in its context (no headers at all for a signed link). */
async function download(url: string, context?: string): Promise<{ status: number; bytes: Buffer }> {
  const response = await fetch(url, { headers: context ? { ...adminHeaders, 'x-cairn-context': context } : {} });
  return { status: response.status, bytes: Buffer.from(await response.arrayBuffer()) };
}

async function mutate(s: Served, query: string, variables: Record<string, unknown>, context: string, field: string, success: string): Promise<any> {
  const data = await s.asAdmin(query, variables, context);
  expect(data[field].__typename, JSON.stringify(data)).toBe(success);
  return data[field];
}

const CREATE_VERSION = 'mutation ($id: ID!) { createVersion(input: { modelId: $id }) { __typename ... on CreateVersionSuccess { version { number } } ... on Error { code message } } }';
const PUBLISH = 'mutation ($id: ID!, $n: Int!) { publishVersion(modelId: $id, number: $n) { __typename ... on Error { code message } } }';

/**
 * The instance every round trip moves. Context A: `churn` (versions 1 and 3, the 2nd deleted; v1 published
 * with a pkl replaced once and an rda, alias production, two evaluations; v3 a draft with the shared pkl),
 * `twin` (its pkl the same bytes as churn v3's: one blob), and a deleted model. Context B: `scores` (v1 published,
 * alias, evaluation), a group with editor in B, and the webhook (B's model events: few, so their delivery is
 * easily awaited). Principals: viewer and editor in A, admin in B, a group member in B, one with a token that
 * expires next year, one whose token is revoked.
 */
async function givenInstance(s: Served, receiver: Receiver) {
  const A = await givenContext(s, uniqueName('rt-a'));
  const B = await givenContext(s, uniqueName('rt-b'));
  const viewerA = await givenPrincipal(s, 'viewer', { context: A.name, name: uniqueName('viewer-a') });
  const editorA = await givenPrincipal(s, 'editor', { context: A.name, name: uniqueName('editor-a') });
  const adminB = await givenPrincipal(s, 'admin', { context: B.name, name: uniqueName('admin-b') });
  const expiresAt = new Date(Date.now() + 365 * 24 * 3600 * 1000).toISOString();
  const expiring = await givenPrincipal(s, 'viewer', { context: B.name, name: uniqueName('expiring-b'), expiresAt });
  const revoked = await givenPrincipal(s, 'viewer', { context: A.name, name: uniqueName('revoked-a') });
  await mutate(s, 'mutation ($id: ID!) { revokeToken(id: $id) { __typename ... on Error { code message } } }', { id: revoked.tokenId }, A.name, 'revokeToken', 'RevokeTokenSuccess');
  const member = await givenPrincipal(s, null, { context: B.name, name: uniqueName('member-b') });
  const group = await mutate(s, 'mutation ($n: String!) { createGroup(name: $n) { __typename ... on CreateGroupSuccess { group { id } } ... on Error { code message } } }', { n: uniqueName('modellers') }, B.name, 'createGroup', 'CreateGroupSuccess');
  await mutate(s, 'mutation ($g: ID!, $p: ID!) { addGroupMember(groupId: $g, principalId: $p) { __typename ... on Error { code message } } }', { g: group.group.id, p: member.id }, B.name, 'addGroupMember', 'AddGroupMemberSuccess');
  await mutate(s, 'mutation ($i: RoleGrantInput!) { grantRole(input: $i) { __typename ... on Error { code message } } }', { i: { role: 'editor', groupId: group.group.id } }, B.name, 'grantRole', 'GrantRoleSuccess');

  const webhook = await mutate(s, 'mutation ($i: CreateWebhookInput!) { createWebhook(input: $i) { __typename ... on CreateWebhookSuccess { secret webhook { id } } ... on Error { code message } } }', { i: { url: receiver.url, description: 'moves with the instance' } }, B.name, 'createWebhook', 'CreateWebhookSuccess');

  const files = { first: randomFile(50_000), replaced: randomFile(70_001), rda: randomFile(30_000), shared: randomFile(40_000), scores: randomFile(20_000), gone: randomFile(10_000) };
  const churn = await givenModel(s, { context: A.name, versions: 3, name: uniqueName('churn') });
  await givenFormat(s, churn, 1, files.first, { context: A.name });
  await givenFormat(s, churn, 1, files.replaced, { context: A.name });
  await givenFormat(s, churn, 1, files.rda, { context: A.name, format: 'rda', filename: 'model.rda' });
  await givenFormat(s, churn, 3, files.shared, { context: A.name });
  await mutate(s, 'mutation ($id: ID!) { deleteVersion(modelId: $id, number: 2) { __typename ... on Error { code message } } }', { id: churn.id }, A.name, 'deleteVersion', 'DeleteVersionSuccess');
  await mutate(s, PUBLISH, { id: churn.id, n: 1 }, A.name, 'publishVersion', 'PublishVersionSuccess');
  const SET_ALIAS = 'mutation ($i: SetAliasInput!) { setAlias(input: $i) { __typename ... on Error { code message } } }';
  await mutate(s, SET_ALIAS, { i: { modelId: churn.id, number: 1, alias: 'production' } }, A.name, 'setAlias', 'SetAliasSuccess');
  const EVALUATE = 'mutation ($i: RecordEvaluationInput!) { recordEvaluation(input: $i) { __typename ... on Error { code message } } }';
  await mutate(s, EVALUATE, { i: { modelId: churn.id, number: 1, dataset: { name: 'holdout', uri: 's3://data/holdout.parquet' }, metrics: { auc: 0.91, f1: 0.5 }, notes: 'before the move' } }, A.name, 'recordEvaluation', 'RecordEvaluationSuccess');
  await mutate(s, EVALUATE, { i: { modelId: churn.id, number: 3, dataset: { uri: 's3://data/recent.parquet' }, metrics: { auc: 0.89 } } }, A.name, 'recordEvaluation', 'RecordEvaluationSuccess');
  const twin = await givenModel(s, { context: A.name, versions: 1, name: uniqueName('twin') });
  await givenFormat(s, twin, 1, files.shared, { context: A.name, filename: 'twin.pkl' });
  const gone = await givenModel(s, { context: A.name, versions: 1, name: uniqueName('gone') });
  await givenFormat(s, gone, 1, files.gone, { context: A.name });
  await mutate(s, 'mutation ($id: ID!) { deleteModel(id: $id) { __typename ... on Error { code message } } }', { id: gone.id }, A.name, 'deleteModel', 'DeleteModelSuccess');

  const scores = await givenModel(s, { context: B.name, versions: 1, name: uniqueName('scores') });
  await givenFormat(s, scores, 1, files.scores, { context: B.name, filename: 'scores.pkl' });
  await mutate(s, PUBLISH, { id: scores.id, n: 1 }, B.name, 'publishVersion', 'PublishVersionSuccess');
  await mutate(s, SET_ALIAS, { i: { modelId: scores.id, number: 1, alias: 'stable' } }, B.name, 'setAlias', 'SetAliasSuccess');
  await mutate(s, EVALUATE, { i: { modelId: scores.id, number: 1, dataset: { name: 'q4', uri: 'https://data.example/q4.csv' }, metrics: { rmse: 1.25 } } }, B.name, 'recordEvaluation', 'RecordEvaluationSuccess');

  // A signed link, made before the export: it must still download after the move.
  const signed = await s.gql(ADMIN_TOKEN, 'query ($id: ID!) { model(id: $id) { version(number: 1) { format(id: "pkl") { signedUrl } } } }', { id: churn.id }, A.name);
  const signedUrl = signed.body.data.model.version.format.signedUrl as string;

  const callers: Caller[] = [
    { name: `admin@${A.name}`, token: ADMIN_TOKEN, context: A.name, admin: true },
    { name: `admin@${B.name}`, token: ADMIN_TOKEN, context: B.name, admin: true },
    { name: 'admin@default', token: ADMIN_TOKEN, context: 'default', admin: true },
    { name: 'viewer@A', token: viewerA.secret, context: A.name, admin: false },
    { name: 'editor@A', token: editorA.secret, context: A.name, admin: false },
    // Outside its context: refused alike before and after.
    { name: 'editor@B', token: editorA.secret, context: B.name, admin: false },
    { name: 'admin@B', token: adminB.secret, context: B.name, admin: true },
    { name: 'member@B', token: member.secret, context: B.name, admin: false },
    { name: 'expiring@B', token: expiring.secret, context: B.name, admin: false },
  ];
  return { A, B, churn, twin, gone, scores, files, webhook, signedUrl, callers, revoked };
}
type Instance = Awaited<ReturnType<typeof givenInstance>>;

/** Every format's file the answers `before` list, from the Cairn at `url`, byte for byte; and the signed link made before the export. */
async function expectSameFiles(url: string, given: Instance, before: Record<string, unknown>): Promise<void> {
  const byHash = new Map(Object.values(given.files).map((f) => [sha256(f), f]));
  const formats = formatsIn(before, [given.A.name, given.B.name]);
  expect(formats).toHaveLength(5);
  for (const f of formats) {
    const got = await download(`${url}${f.downloadUrl}`, f.context);
    expect(got.status, f.downloadUrl).toBe(200);
    expect(Buffer.compare(got.bytes, Buffer.from(byHash.get(f.sha256)!)), f.downloadUrl).toBe(0);
  }
  const link = await download(`${url}${given.signedUrl}`);
  expect(link.status).toBe(200);
  expect(Buffer.compare(link.bytes, Buffer.from(given.files.replaced))).toBe(0);
}

/** Resolves once the webhook's deliveries satisfy `done`, read again after each attempt the app records. */
async function deliveriesWhen(s: Served, context: string, done: (d: any[]) => boolean): Promise<any[]> {
  for (;;) {
    const attempted = s.api.app.webhooks.attempted();
    const data = await s.asAdmin('query { webhooks { deliveries(first: 100) { edges { node { eventId eventType position status } } } } }', {}, context);
    const found = data.webhooks[0].deliveries.edges.map((e: any) => e.node);
    if (done(found)) return found;
    await attempted;
  }
}

const lastPosition = async (t: TestDatabase) => BigInt((await sql<{ p: string }>`select max(position)::text as p from events`.execute(t.db)).rows[0]!.p);

describe.each([
  ['pglite', 'postgres'],
  ['postgres', 'pglite'],
] as const)('an instance exported from %s over HTTP and imported into %s', (from, to) => {
  let source: Served;
  let target: Served;
  let receiver: Receiver;
  let given: Instance;
  let before: Record<string, unknown>;
  let summary: ArchiveSummary;
  let archivedUpTo: bigint;
  let delivered: number;
  let targetBlobs: BlobStore;
  let targetDir: string;

  beforeAll(async () => {
    receiver = await startReceiver();
    source = await serveTestApi({ database: await openDatabase(from), env: WEBHOOK_ENV });
    given = await givenInstance(source, receiver);
    // Every event of B's model delivered before the export: whatever reaches the receiver later is the target's.
    const events = (await source.asAdmin(`query ($id: ID!) { model(id: $id) { history { totalCount } } }`, { id: given.scores.id }, given.B.name)).model.history.totalCount;
    await deliveriesWhen(source, given.B.name, (d) => d.length === events && d.every((x) => x.status === 'SUCCEEDED'));
    delivered = receiver.requests.length;
    before = await answers(source, given.callers, [{ model: given.gone.id, context: given.A.name }]);
    archivedUpTo = await lastPosition(source.api.t);

    const response = await fetch(`${source.url}/admin/export`, { headers: adminHeaders });
    expect(response.status).toBe(200);
    const database = await openDatabase(to);
    targetDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-roundtrip-'));
    targetBlobs = await openBlobStore(testConfig({ CAIRN_DATA_DIR: targetDir }));
    try {
      summary = await importArchive(database.store, targetBlobs, Readable.fromWeb(response.body as import('node:stream/web').ReadableStream));
    } catch (error) {
      await database.close();
      throw error;
    }
    target = await serveTestApi({ database, env: { ...WEBHOOK_ENV, CAIRN_DATA_DIR: targetDir } });
  }, ROUND_TRIP_MS);
  afterAll(async () => {
    await target?.close();
    await source?.close();
    await receiver?.close();
    if (targetDir) fs.rmSync(targetDir, { recursive: true, force: true });
  });

  it('imports every event and every live blob once (the shared one once, the deleted model and the replaced file none)', async () => {
    expect(BigInt(summary.manifest.counts.events)).toBe(BigInt(summary.events));
    expect(await lastPosition(target.api.t)).toBe(archivedUpTo);
    // first (replaced), gone (deleted model): not live. replaced, rda, shared (twice), scores: four blobs.
    expect(summary.blobs).toBe(4);
    expect(summary.blobBytes).toBe(given.files.replaced.length + given.files.rda.length + given.files.shared.length + given.files.scores.length);
    expect(summary.models).toBe(4);
  });

  it('answers every query as before, to every caller in every context', { timeout: ROUND_TRIP_MS }, async () => {
    // What the comparison covers, so that two empty answers cannot agree.
    for (const c of given.callers.filter((c) => c.name !== 'editor@B')) {
      for (const q of ['me', 'models', ...(c.admin ? ['access'] : [])]) expect((before[`${c.name} ${q}`] as any).body.errors, `${c.name} ${q}`).toBeUndefined();
    }
    const churn = (before[`admin@${given.A.name} models`] as any).body.data.models.edges.find((e: any) => e.node.id === given.churn.id).node;
    expect(churn.versions.edges.map((e: any) => e.node.number).sort()).toEqual([1, 3]);
    expect(churn.aliases.map((a: any) => a.name)).toEqual(['production']);
    expect(churn.versions.edges.find((e: any) => e.node.number === 1).node.evaluations).toHaveLength(1);
    expect((before['viewer@A models'] as any).body.data.models.totalCount).toBe(2);
    expect((before[`admin model ${given.gone.id}`] as any).body.data.model).toBeNull();
    expect((before['member@B me'] as any).body.data.me.roles).toEqual(['editor']);
    expect((before['editor@B models'] as any).status).not.toBe(200);
    expect((before[`admin@${given.B.name} access`] as any).body.data.webhooks).toHaveLength(1);
    expect((before[`admin@${given.A.name} access`] as any).body.data.auditLog.edges.length).toBeGreaterThan(5);

    const after = await answers(target, given.callers, [{ model: given.gone.id, context: given.A.name }]);
    expect(Object.keys(after)).toEqual(Object.keys(before));
    for (const key of Object.keys(before)) expect(after[key], key).toEqual(before[key]);
  });

  it('serves every file byte for byte, and the signed link made before the export', async () => {
    await expectSameFiles(target.url, given, before);
  });

  it('keeps the tokens: each still works, the revoked one is still refused', async () => {
    for (const c of given.callers.filter((c) => c.token !== ADMIN_TOKEN && c.name !== 'editor@B')) {
      const { status, body } = await target.gql(c.token, ME, {}, c.context);
      expect(status, c.name).toBe(200);
      expect(body.errors, c.name).toBeUndefined();
    }
    expect((await source.gql(given.revoked.secret, ME, {}, given.A.name)).status).toBe(401);
    expect((await target.gql(given.revoked.secret, ME, {}, given.A.name)).status).toBe(401);
  });

  it('goes on after the archive: a new version gets the next position, is delivered signed with the old secret, and nothing imported is delivered again', { timeout: ROUND_TRIP_MS }, async () => {
    const v = await mutate(target, CREATE_VERSION, { id: given.scores.id }, given.B.name, 'createVersion', 'CreateVersionSuccess');
    expect(v.version.number).toBe(2);
    const history = await target.asAdmin(`query ($id: ID!) { model(id: $id) { history(last: 1) { edges { node { id type position } } } } }`, { id: given.scores.id }, given.B.name);
    const created = history.model.history.edges[0].node;
    expect(created.type).toBe('VersionCreated');
    expect(BigInt(created.position)).toBeGreaterThan(archivedUpTo);

    const got = await receiver.received(delivered + 1);
    const latest = got[delivered]!;
    expect(JSON.parse(latest.body)).toMatchObject({ id: created.id, type: 'VersionCreated', position: created.position });
    expect(signatureValid(given.webhook.secret, latest.headers['cairn-signature'] as string, latest.body)).toBe(true);
    // The target's dispatcher started at the end of the imported log: the new event is its first delivery, and its only one.
    const deliveries = await deliveriesWhen(target, given.B.name, (d) => d.length > 0 && d.every((x) => x.status === 'SUCCEEDED'));
    expect(deliveries.map((d) => d.eventId)).toEqual([created.id]);
    expect(receiver.requests).toHaveLength(delivered + 1);
  });

  it('leaves nothing for verify to find: every live format has its blob, whole', async () => {
    const problems: string[] = [];
    const found = await verifyBlobs(target.api.t.db, targetBlobs, (ref, problem) => problems.push(`${JSON.stringify(ref)} ${problem.kind}`));
    expect(problems).toEqual([]);
    expect(found.problems).toBe(0);
    expect(found.formats).toBeGreaterThanOrEqual(5);
  });
});

// ---------------------------------------------------------------------------------------------------------
// The same move with the real commands, as an operator makes it: a server on the old database, `cairn export
// -o file`, the server stopped, `npm run import -- file` into a new, empty database (createdb's: not even
// migrated), `npm run verify`, and a server on the new database answering as the old one did.

/** A server's database and blob directory, as an operator's environment names them. */
interface Installation {
  env: Record<string, string>;
  close(): Promise<void>;
}

async function givenInstallation(kind: TestDatabaseKind): Promise<Installation> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `cairn-move-${kind}-`));
  const database = kind === 'postgres' ? await openTestDatabase('postgres', { migrated: false }) : null;
  return {
    // Set explicitly: nothing of the test runner's own environment may point a process elsewhere.
    env: { DATABASE_URL: database?.url ?? '', CAIRN_DATA_DIR: dataDir, CAIRN_BLOB_STORE: '' },
    async close() {
      await database?.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}


describe.each([
  ['pglite', 'postgres'],
  ['postgres', 'pglite'],
] as const)('moving a server from %s to %s with cairn export, npm run import and npm run verify', (from, to) => {
  const running: Started[] = [];
  const opened: Installation[] = [];
  let receiver: Receiver;
  let work: string;

  beforeAll(async () => {
    receiver = await startReceiver();
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-move-'));
  });
  afterAll(async () => {
    for (const server of running) await stopProcess(server);
    for (const installation of opened) await installation.close();
    await receiver?.close();
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  it('gives the same answers and the same files on the new database', { timeout: 2 * ROUND_TRIP_MS }, async () => {
    const old = await givenInstallation(from);
    const next = await givenInstallation(to);
    opened.push(old, next);
    const first = await startServer({ ...old.env, ...WEBHOOK_ENV });
    running.push(first.server);
    const given = await givenInstance(servedAt(first.url), receiver);
    const extra = [{ model: given.gone.id, context: given.A.name }];
    const before = await answers(servedAt(first.url), given.callers, extra);

    const file = path.join(work, `${from}.tar`);
    const exported = await runCairn(['export', '-o', file], { CAIRN_URL: first.url, CAIRN_TOKEN: ADMIN_TOKEN, CAIRN_CONFIG: path.join(work, 'config.json') });
    expect(exported.code, exported.stderr).toBe(0);
    expect(exported.stdout).toContain(`Saved ${file}`);
    const saved = /(\d+) events \(.*\), (\d+) files/.exec(exported.stdout);
    expect(saved, exported.stdout).not.toBeNull();
    // first (replaced) and the deleted model's file are not live; the shared bytes are one blob.
    expect(saved![2]).toBe('4');
    await stopProcess(first.server);

    const imported = await runScript('import', next.env, [file]);
    expect(imported.code, imported.stderr).toBe(0);
    expect(imported.stdout).toMatch(new RegExp(`^Imported ${saved![1]} events \\(.*\\) and 4 blobs \\(.*\\) into ${to === 'postgres' ? 'PostgreSQL' : 'the embedded database'}`));
    const verified = await runScript('verify', next.env);
    expect(verified.code, verified.stdout + verified.stderr).toBe(0);
    expect(verified.stdout).toMatch(/^All 5 formats \(4 blobs, .*\) have their blob, whole\./);

    const second = await startServer({ ...next.env, ...WEBHOOK_ENV });
    running.push(second.server);
    const after = await answers(servedAt(second.url), given.callers, extra);
    expect((before[`admin@${given.A.name} models`] as any).body.data.models.totalCount).toBe(2);
    expect(Object.keys(after)).toEqual(Object.keys(before));
    for (const key of Object.keys(before)) expect(after[key], key).toEqual(before[key]);

    await expectSameFiles(second.url, given, before);
    expect((await servedAt(second.url).gql(given.revoked.secret, ME, {}, given.A.name)).status).toBe(401);
  });
});
