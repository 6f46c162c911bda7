import { execFile } from 'node:child_process';
import { createHmac } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { givenContext, givenModel, type Served, serveTestApi } from '../helpers/fixtures.ts';
import { ROOT } from '../helpers/processes.ts';
import { type Receiver, signatureValid, startReceiver } from '../helpers/webhookReceiver.ts';

// The signature checks the README shows receivers, run as they are written (python3, node) against a real
// delivery: what they call valid and invalid is what a receiver would.
const DOCUMENT = path.join(ROOT, 'README.md');

/** The fenced code block of `file` whose first line is the comment `marker` (the README's snippets are marked so). */
function codeBlock(file: string, marker: string): string {
  const blocks = [...fs.readFileSync(file, 'utf8').matchAll(/^```[\w-]*\n([\s\S]*?)^```$/gm)].map((m) => m[1]!);
  const found = blocks.filter((b) => b.split('\n', 1)[0]!.trim().endsWith(marker));
  if (found.length !== 1) throw new Error(`${file} has ${found.length} code blocks marked "${marker}"`);
  return found[0]!;
}

const run = promisify(execFile);
let dir: string;
let s: Served;
let receiver: Receiver;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-verify-'));
  s = await serveTestApi({ env: { CAIRN_WEBHOOK_ALLOW_PRIVATE: 'true', CAIRN_WEBHOOK_TIMEOUT_MS: '2000' } });
  receiver = await startReceiver();
});
afterAll(async () => {
  await receiver?.close();
  await s?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

// Each snippet with a few lines that call its verify(secret, signature, body) on a body read from a file as bytes.
const verifiers = {
  python: async (secret: string, signature: string, body: Buffer) => {
    const code = `${codeBlock(DOCUMENT, 'cairn-webhook-verify: python')}
import os, sys
with open(sys.argv[1], "rb") as f:
    print("valid" if verify(os.environ["SECRET"], os.environ["SIGNATURE"], f.read()) else "invalid")
`;
    return check('python3', ['-c', code], secret, signature, body);
  },
  node: async (secret: string, signature: string, body: Buffer) => {
    const file = path.join(dir, 'verify.mjs');
    fs.writeFileSync(
      file,
      `${codeBlock(DOCUMENT, 'cairn-webhook-verify: node')}
import fs from 'node:fs';
console.log(verify(process.env.SECRET, process.env.SIGNATURE, fs.readFileSync(process.argv[2])) ? 'valid' : 'invalid');
`,
    );
    return check(process.execPath, [file], secret, signature, body);
  },
};

let bodies = 0;
/** What the snippet printed for this secret, header and raw body (it fails the test if it printed anything else). */
async function check(command: string, args: string[], secret: string, signature: string, body: Buffer): Promise<string> {
  const file = path.join(dir, `body-${++bodies}`);
  fs.writeFileSync(file, body);
  const { stdout, stderr } = await run(command, [...args, file], { env: { ...process.env, SECRET: secret, SIGNATURE: signature } });
  expect(stderr).toBe('');
  return stdout.trim();
}

/** A header signed as Cairn signs, at `t` (for timestamps a real delivery would not have). */
const signedAt = (secret: string, t: number, body: Buffer) => `t=${t},v1=${createHmac('sha256', secret).update(`${t}.`).update(body).digest('hex')}`;

it.each(Object.keys(verifiers) as (keyof typeof verifiers)[])('the README snippet in %s accepts a real delivery and refuses a changed body, a wrong secret and an old timestamp', async (language) => {
  const verify = verifiers[language];
  const context = await givenContext(s);
  const data = await s.asAdmin(
    'mutation ($input: CreateWebhookInput!) { createWebhook(input: $input) { ... on CreateWebhookSuccess { secret } ... on Error { code message } } }',
    { input: { url: receiver.url, eventTypes: ['ModelCreated'] } },
    context.name,
  );
  const secret: string = data.createWebhook.secret;
  expect(secret).toMatch(/^whsec_/);
  const before = receiver.requests.length;
  // A name outside ASCII: the body's bytes are not its characters, as a check over a decoded string would assume.
  await givenModel(s, { context: context.name, name: `modèle-π-✓-${language}` });
  const delivery = (await receiver.received(before + 1))[before]!;
  // The receiver decoded the body as UTF-8, which Cairn sends: encoded again, it is the bytes that came.
  const body = Buffer.from(delivery.body, 'utf8');
  expect(body.length).toBeGreaterThan(delivery.body.length);
  const signature = delivery.headers['cairn-signature'] as string;
  expect(signatureValid(secret, signature, delivery.body)).toBe(true);

  expect(await verify(secret, signature, body)).toBe('valid');
  const changed = Buffer.from(body);
  const at = changed.indexOf('"type"') + 1;
  changed[at] = changed[at]! ^ 0x01;
  expect(await verify(secret, signature, changed)).toBe('invalid');
  expect(await verify(`${secret.slice(0, -1)}${secret.endsWith('A') ? 'B' : 'A'}`, signature, body)).toBe('invalid');
  // Signed 6 minutes ago: refused; 4 minutes ago: still accepted (the same check, only the age differs).
  const now = Math.floor(Date.now() / 1000);
  expect(await verify(secret, signedAt(secret, now - 360, body), body)).toBe('invalid');
  expect(await verify(secret, signedAt(secret, now - 240, body), body)).toBe('valid');
  expect(await verify(secret, 'garbage', body)).toBe('invalid');
});
