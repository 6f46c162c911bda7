import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../src/cli/program.js';
import { ADMIN_TOKEN } from '../helpers/api.ts';
import { givenContext, givenModel, givenPrincipal, type Served, serveTestApi } from '../helpers/fixtures.ts';
import { ROOT } from '../helpers/processes.ts';
import { signatureValid, useReceivers } from '../helpers/webhookReceiver.ts';
import { type Ran, runCairn } from '../helpers/cli.ts';

// `cairn webhooks` against a served app whose webhook targets may be on this machine (the receivers are),
// with a short backoff and two attempts, so that a failure is FAILED within the test. Each test works in a
// context of its own (CAIRN_CONTEXT), so that no other test's events reach its webhooks.

const BIN = path.join(ROOT, 'src/cli/cairn.js');
const WEBHOOK_FIELDS = ['id', 'url', 'eventTypes', 'modelId', 'description', 'active', 'createdAt', 'createdBy'];
const DELIVERY_FIELDS = ['id', 'eventId', 'eventType', 'position', 'status', 'attempts', 'lastResponseStatus', 'lastError', 'lastAttemptAt', 'nextAttemptAt'];

let s: Served;
let work: string;
beforeAll(async () => {
  s = await serveTestApi({ env: { CAIRN_WEBHOOK_ALLOW_PRIVATE: 'true', CAIRN_WEBHOOK_BACKOFF_MS: '100', CAIRN_WEBHOOK_TIMEOUT_MS: '2000', CAIRN_WEBHOOK_MAX_ATTEMPTS: '2' } });
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-cli-webhooks-'));
});
afterAll(async () => {
  await s?.close();
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

const receiver = useReceivers();

/** Runs the command line in this process (as the `cairn` binary would) in `context`, capturing its output; stdin is not a terminal. */
const cairn = (context: string, args: string[], env: Record<string, string> = {}) =>
  runCairn(args, { CAIRN_URL: s.url, CAIRN_TOKEN: ADMIN_TOKEN, CAIRN_CONTEXT: context, CAIRN_CONFIG: path.join(work, 'config.json'), ...env });

async function cairnJson(context: string, ...args: string[]) {
  const r = await cairn(context, [...args, '--json']);
  expect(r.code, r.stderr).toBe(EXIT.ok);
  return JSON.parse(r.stdout);
}

/** The binary as its own process, stdin a pipe closed at once. */
function bin(context: string, args: string[]): Promise<Omit<Ran, 'code'> & { code: number | null }> {
  return new Promise((resolve) => {
    const env = { ...process.env, CAIRN_URL: s.url, CAIRN_TOKEN: ADMIN_TOKEN, CAIRN_CONTEXT: context, CAIRN_CONFIG: path.join(work, 'bin-config.json') };
    const child = spawn(process.execPath, [BIN, ...args], { env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end();
  });
}

/** The webhook's deliveries through `webhooks deliveries --json` once they satisfy `done`, read again after each attempt the worker records. */
async function deliveriesWhen(context: string, id: string, done: (d: any[]) => boolean): Promise<any[]> {
  for (;;) {
    // Asked for before the read: an attempt recorded while it runs is not missed.
    const attempted = s.api.app.webhooks.attempted();
    const found = await cairnJson(context, 'webhooks', 'deliveries', id);
    if (done(found)) return found;
    await attempted;
  }
}

const publish = (model: { id: string }, context: string) => s.asAdmin('mutation ($id: ID!) { publishVersion(modelId: $id, number: 1) { __typename } }', { id: model.id }, context);

/** The cells of a table's lines (columns are two spaces or more apart; no cell here holds two spaces). */
const cells = (text: string) =>
  text
    .trimEnd()
    .split('\n')
    .map((line) => line.split(/ {2,}/));

describe('cairn webhooks', () => {
  it('creates a webhook, printing its secret once, which signs what the receiver gets; lists it and its deliveries, redelivers, pauses and deletes it', async () => {
    const { name: context } = await givenContext(s);
    const r = await receiver();

    const created = await cairn(context, ['webhooks', 'create', '--url', r.url, '--event', 'ModelCreated', '--event', 'VersionPublished', '--description', 'ci pipeline']);
    expect(created.code, created.stderr).toBe(EXIT.ok);
    const secret = /^secret: (whsec_\S+)$/m.exec(created.stdout)?.[1];
    expect(secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    expect((created.stdout + created.stderr).split(secret!)).toHaveLength(2);
    expect(created.stderr).toMatch(/secret is not shown again/);
    expect(created.stdout).toContain(`url: ${r.url}`);
    expect(created.stdout).toContain('events: ModelCreated,VersionPublished');
    expect(created.stdout).toContain('model: all');
    const id = /^Created webhook (\S+)$/m.exec(created.stdout)?.[1];
    expect(id).toMatch(/^[0-9a-f-]{36}$/);

    const listed = await cairnJson(context, 'webhooks', 'list');
    expect(listed).toHaveLength(1);
    expect(Object.keys(listed[0])).toEqual(WEBHOOK_FIELDS);
    expect(listed[0]).toMatchObject({ id, url: r.url, eventTypes: ['ModelCreated', 'VersionPublished'], modelId: null, description: 'ci pipeline', active: true, createdBy: 'admin' });
    const table = cells((await cairn(context, ['webhooks', 'list'])).stdout);
    expect(table[0]).toEqual(['ID', 'URL', 'EVENTS', 'MODEL', 'ACTIVE', 'CREATED']);
    expect(table.slice(1).map((row) => row.slice(0, 5))).toEqual([[id, r.url, 'ModelCreated,VersionPublished', 'all', 'yes']]);
    // The secret is in no answer after the one that created it.
    expect(JSON.stringify(listed)).not.toContain(secret);

    // ModelCreated and VersionPublished are sent, VersionCreated is not; each signed with the secret printed.
    const model = await givenModel(s, { context, versions: 1 });
    await publish(model, context);
    const got = await r.received(2);
    expect(got.map((g) => g.headers['cairn-event']).sort()).toEqual(['ModelCreated', 'VersionPublished']);
    for (const g of got) expect(signatureValid(secret!, g.headers['cairn-signature'] as string, g.body)).toBe(true);

    const done = await deliveriesWhen(context, id!, (d) => d.length === 2 && d.every((x) => x.status === 'SUCCEEDED'));
    expect(Object.keys(done[0])).toEqual(DELIVERY_FIELDS);
    expect(done.map((d) => d.eventType)).toEqual(['VersionPublished', 'ModelCreated']);
    expect(done[0]).toMatchObject({ attempts: 1, lastResponseStatus: 204, lastError: null, nextAttemptAt: null });
    expect(new Set(got.map((g) => g.headers['cairn-delivery']))).toEqual(new Set(done.map((d) => d.id)));
    const deliveries = cells((await cairn(context, ['webhooks', 'deliveries', id!])).stdout);
    expect(deliveries[0]).toEqual(['ID', 'EVENT', 'POSITION', 'STATUS', 'ATTEMPTS', 'LAST STATUS', 'LAST ERROR', 'NEXT ATTEMPT']);
    expect(deliveries.slice(1)).toEqual(done.map((d) => [d.id, d.eventType, d.position, 'succeeded', '1', '204', '-', '-']));
    expect(await cairnJson(context, 'webhooks', 'deliveries', id!, '--status', 'failed')).toEqual([]);
    expect((await cairn(context, ['webhooks', 'deliveries', id!, '--status', 'PENDING'])).stdout.trim()).toBe(`Webhook ${id} has no pending deliveries.`);

    // Redelivered: due again now, sent once more with the same delivery id.
    const again = await cairnJson(context, 'webhooks', 'redeliver', done[0].id);
    expect(Object.keys(again)).toEqual(DELIVERY_FIELDS);
    expect(again).toMatchObject({ id: done[0].id, status: 'PENDING', attempts: 1 });
    const [, , third] = await r.received(3);
    expect(third!.headers['cairn-delivery']).toBe(done[0].id);
    expect(signatureValid(secret!, third!.headers['cairn-signature'] as string, third!.body)).toBe(true);
    await deliveriesWhen(context, id!, (d) => d[0].attempts === 2 && d[0].status === 'SUCCEEDED');

    // Paused: a witness webhook created alongside gets the next event; the paused one's delivery waits, unsent.
    const paused = await cairnJson(context, 'webhooks', 'update', id!, '--active', 'false');
    expect(paused).toMatchObject({ id, active: false, eventTypes: ['ModelCreated', 'VersionPublished'] });
    const w = await receiver();
    const witness = await cairnJson(context, 'webhooks', 'create', '--url', w.url, '--event', 'ModelCreated');
    expect(Object.keys(witness)).toEqual(['webhook', 'secret']);
    expect(Object.keys(witness.webhook)).toEqual(WEBHOOK_FIELDS);
    expect(witness.secret).toMatch(/^whsec_/);
    expect(witness.secret).not.toBe(secret);
    const meanwhile = await givenModel(s, { context });
    const [seen] = await w.received(1);
    expect(signatureValid(witness.secret, seen!.headers['cairn-signature'] as string, seen!.body)).toBe(true);
    const waiting = await cairnJson(context, 'webhooks', 'deliveries', id!, '--status', 'PENDING');
    expect(waiting.map((d: any) => [d.eventType, d.status, d.attempts])).toEqual([['ModelCreated', 'PENDING', 0]]);
    expect(r.requests).toHaveLength(3);
    expect((await cairn(context, ['webhooks', 'list'])).stdout).toMatch(new RegExp(`^${id} .* no {2}`, 'm'));
    const resumed = await cairn(context, ['webhooks', 'update', id!, '--active', 'true', '--all-events', '--description', '']);
    expect(resumed.code, resumed.stderr).toBe(EXIT.ok);
    expect(resumed.stdout).toContain('events: all');
    expect(resumed.stdout).not.toContain('description:');
    const [, , , fourth] = await r.received(4);
    expect(JSON.parse(fourth!.body)).toMatchObject({ type: 'ModelCreated', modelId: meanwhile.id });
    expect((await cairnJson(context, 'webhooks', 'list')).find((x: any) => x.id === id)).toMatchObject({ active: true, eventTypes: [], description: null });

    // Deleted: not without --yes when stdin is not a terminal (exit 2, still there), gone with it.
    const refused = await cairn(context, ['webhooks', 'delete', id!]);
    expect(refused.code).toBe(EXIT.usage);
    expect(refused.stderr).toMatch(/cannot be undone and needs confirmation, but stdin is not a terminal: pass --yes/);
    expect((await cairnJson(context, 'webhooks', 'list')).map((x: any) => x.id)).toEqual([id, witness.webhook.id]);
    const deleted = await cairnJson(context, 'webhooks', 'delete', id!, '--yes');
    expect(deleted).toMatchObject({ id, url: r.url });
    expect((await cairnJson(context, 'webhooks', 'list')).map((x: any) => x.id)).toEqual([witness.webhook.id]);
    const twice = await cairn(context, ['webhooks', 'delete', id!, '--yes']);
    expect(twice.code).toBe(EXIT.refused);
    expect(twice.stderr).toMatch(/^refused \(NOT_FOUND\): /);
    const gone = await cairn(context, ['webhooks', 'deliveries', id!]);
    expect(gone.code).toBe(EXIT.refused);
    expect(gone.stderr).toMatch(/^refused \(NOT_FOUND\): /);
  });

  it("sends one model's events only, given by name; shows a failing delivery's error, FAILED after the last attempt; moves and refilters it", async () => {
    const { name: context } = await givenContext(s);
    const r = await receiver(() => ({ status: 503 }));
    const mine = await givenModel(s, { context });
    const made = await cairnJson(context, 'webhooks', 'create', '--url', r.url, '--model', mine.name);
    expect(made.webhook).toMatchObject({ modelId: mine.id, eventTypes: [] });
    expect(cells((await cairn(context, ['webhooks', 'list'])).stdout)[1]!.slice(2, 4)).toEqual(['all', mine.id]);
    await givenModel(s, { context });
    await s.asAdmin('mutation ($id: ID!) { createVersion(input: { modelId: $id }) { __typename } }', { id: mine.id }, context);
    await r.received(2);
    const [failed] = await deliveriesWhen(context, made.webhook.id, (d) => d[0]?.status === 'FAILED');
    expect(failed).toMatchObject({ eventType: 'VersionCreated', attempts: 2, lastResponseStatus: 503, nextAttemptAt: null });
    expect(failed.lastError).toBeTruthy();
    expect(r.requests.every((q) => JSON.parse(q.body).modelId === mine.id)).toBe(true);
    const row = cells((await cairn(context, ['webhooks', 'deliveries', made.webhook.id, '--status', 'FAILED'])).stdout)[1]!;
    expect(row.slice(0, 6)).toEqual([failed.id, 'VersionCreated', failed.position, 'failed', '2', '503']);
    expect(row[6]).not.toBe('-');

    // Moved and refiltered: the model filter stays (event types come back in the server's order of types); a URL
    // it may not send to is refused and changes nothing.
    const moved = await cairnJson(context, 'webhooks', 'update', made.webhook.id, '--url', 'http://example.org/cairn', '--event', 'AliasSet', '--event', 'VersionPublished', '--description', 'moved');
    expect(moved).toEqual({ ...made.webhook, url: 'http://example.org/cairn', eventTypes: ['VersionPublished', 'AliasSet'], description: 'moved' });
    const refused = await cairn(context, ['webhooks', 'update', made.webhook.id, '--url', 'ftp://example.org/']);
    expect(refused.code).toBe(EXIT.refused);
    expect(refused.stderr).toMatch(/^refused \(VALIDATION\): /);
    expect(await cairnJson(context, 'webhooks', 'list')).toEqual([moved]);
  });

  it('refuses a URL, an event type, a model or an id that is not there with the code and exit 1, no stack trace; usage errors exit 2', async () => {
    const { name: context } = await givenContext(s);
    const refusals: [string[], string][] = [
      [['webhooks', 'create', '--url', 'ftp://example.org/'], 'VALIDATION'],
      [['webhooks', 'create', '--url', 'http://user:pw@example.org/'], 'VALIDATION'],
      [['webhooks', 'create', '--url', 'not a url'], 'VALIDATION'],
      [['webhooks', 'create', '--url', 'http://example.org/', '--event', 'NoSuchEvent'], 'VALIDATION'],
      [['webhooks', 'create', '--url', 'http://example.org/', '--model', 'no-such-model'], 'NOT_FOUND'],
      [['webhooks', 'update', randomUUID(), '--active', 'false'], 'NOT_FOUND'],
      [['webhooks', 'deliveries', randomUUID()], 'NOT_FOUND'],
      [['webhooks', 'redeliver', randomUUID()], 'NOT_FOUND'],
      [['webhooks', 'delete', randomUUID(), '--yes'], 'NOT_FOUND'],
      // Ids that are not UUIDs find nothing either (PostgreSQL's uuid type does not get to refuse them).
      [['webhooks', 'redeliver', 'not-a-uuid'], 'NOT_FOUND'],
      [['webhooks', 'update', '42', '--active', 'false'], 'NOT_FOUND'],
    ];
    for (const [args, code] of refusals) {
      const r = await cairn(context, args);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(EXIT.refused);
      expect(r.stderr, args.join(' ')).toMatch(new RegExp(`^refused \\(${code}\\): `));
      expect(r.stderr, args.join(' ')).not.toMatch(/\n\s+at /);
      expect(r.stdout).toBe('');
    }
    expect(await cairnJson(context, 'webhooks', 'list')).toEqual([]);

    const editor = await givenPrincipal(s, 'editor', { context });
    for (const args of [['webhooks', 'create', '--url', 'http://example.org/'], ['webhooks', 'list']]) {
      const r = await cairn(context, args, { CAIRN_TOKEN: editor.secret });
      expect(r.code, r.stderr).toBe(EXIT.refused);
      expect(r.stderr).toMatch(/^refused \(FORBIDDEN\): /);
    }

    for (const args of [
      ['webhooks', 'create'],
      ['webhooks', 'deliveries', randomUUID(), '--status', 'LOST'],
      ['webhooks', 'update', randomUUID()],
      ['webhooks', 'update', randomUUID(), '--active', 'maybe'],
      ['webhooks', 'update', randomUUID(), '--event', 'ModelCreated', '--all-events'],
      ['webhooks', 'redeliver'],
    ]) {
      const r = await cairn(context, args, { CAIRN_URL: 'http://127.0.0.1:9' });
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(EXIT.usage);
    }
  });

  it('as the binary: the secret on stdout once, the warning on stderr; delete from a pipe needs --yes', async () => {
    const { name: context } = await givenContext(s);
    const help = await bin(context, ['webhooks', '--help']);
    for (const command of ['create', 'list', 'deliveries', 'redeliver', 'update', 'delete']) expect(help.stdout).toMatch(new RegExp(`^  ${command} `, 'm'));
    const r = await receiver();
    const created = await bin(context, ['webhooks', 'create', '--url', r.url, '--json']);
    expect(created.code, created.stderr).toBe(EXIT.ok);
    const { webhook, secret } = JSON.parse(created.stdout);
    expect(created.stderr).toMatch(/secret is not shown again/);
    expect(created.stderr).not.toContain(secret);
    await givenModel(s, { context });
    const [got] = await r.received(1);
    expect(signatureValid(secret, got!.headers['cairn-signature'] as string, got!.body)).toBe(true);
    const refused = await bin(context, ['webhooks', 'delete', webhook.id]);
    expect(refused.code).toBe(EXIT.usage);
    expect(refused.stderr).toMatch(/pass --yes/);
    expect((await bin(context, ['webhooks', 'delete', webhook.id, '-y'])).code).toBe(EXIT.ok);
    expect(await cairnJson(context, 'webhooks', 'list')).toEqual([]);
  }, 60_000);
});
