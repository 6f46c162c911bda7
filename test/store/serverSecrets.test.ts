import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openLinkSigner } from '../../src/auth/signedLinks.ts';
import { serverSecret } from '../../src/store/serverSecrets.ts';
import { openTestDatabase, type TestDatabase } from '../helpers/database.ts';

let t: TestDatabase;
beforeAll(async () => {
  t = await openTestDatabase();
});
afterAll(() => t?.close());

it('keeps the first secret made under a name: later and concurrent makers all get that one', async () => {
  const name = `test-${randomUUID()}`;
  expect(await serverSecret(t.db, name, 'first')).toBe('first');
  expect(await serverSecret(t.db, name, 'second')).toBe('first');
  const concurrentName = `test-${randomUUID()}`;
  const made = await Promise.all(Array.from({ length: 8 }, (_, i) => serverSecret(t.db, concurrentName, `made-${i}`)));
  expect(new Set(made).size).toBe(1);
  expect(made[0]).toMatch(/^made-\d$/);
  const rows = await t.db.selectFrom('server_secrets').select('name').where('name', 'in', [name, concurrentName]).execute();
  expect(rows).toHaveLength(2);
});

it('gives every signer on one database the same key: a link one process signs, another verifies', async () => {
  const [one, two] = await Promise.all([openLinkSigner(t.db), openLinkSigner(t.db)]);
  const claims = { contextId: randomUUID(), modelId: randomUUID(), number: 3, format: 'pkl', sha256: randomBytes(32).toString('hex'), tokenId: randomUUID(), expires: 2_000_000_000 };
  const sig = Buffer.from(new URLSearchParams(one.sign(claims)).get('sig')!, 'base64url');
  expect(two.verify(claims, sig)).toBe(true);
  expect(two.verify({ ...claims, number: 4 }, sig)).toBe(false);
});
