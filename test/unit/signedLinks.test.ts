import { randomBytes, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { isSignedQuery, type LinkClaims, linkSigner, parseLinkParameters } from '../../src/auth/signedLinks.ts';

const signer = linkSigner(randomBytes(32));
const claims: LinkClaims = {
  contextId: randomUUID(),
  modelId: randomUUID(),
  number: 7,
  format: 'pkl',
  sha256: randomBytes(32).toString('hex'),
  tokenId: randomUUID(),
  expires: 1_900_000_000,
};

describe('signed link parameters', () => {
  it('read back what was signed, and the signature verifies', () => {
    const query = new URLSearchParams(signer.sign(claims));
    const parsed = parseLinkParameters(query);
    expect(parsed).toMatchObject({ contextId: claims.contextId, tokenId: claims.tokenId, expires: claims.expires });
    expect(signer.verify(claims, parsed!.mac)).toBe(true);
    expect(isSignedQuery(query)).toBe(true);
    expect(isSignedQuery(new URLSearchParams('download=1'))).toBe(false);
  });

  it('fail to verify when any claim differs, or under another key', () => {
    const mac = parseLinkParameters(new URLSearchParams(signer.sign(claims)))!.mac;
    const changed: Partial<LinkClaims>[] = [
      { contextId: randomUUID() },
      { modelId: randomUUID() },
      { number: 8 },
      { format: 'rda' },
      { sha256: randomBytes(32).toString('hex') },
      { tokenId: randomUUID() },
      { expires: claims.expires + 1 },
    ];
    for (const change of changed) expect(signer.verify({ ...claims, ...change }, mac), JSON.stringify(change)).toBe(false);
    expect(linkSigner(randomBytes(32)).verify(claims, mac)).toBe(false);
    expect(signer.verify(claims, mac.subarray(0, 16))).toBe(false);
  });

  it('take only the canonical base64url a link is written with', () => {
    const query = new URLSearchParams(signer.sign(claims));
    const ctx = query.get('ctx')!;
    // 22 characters carry 132 bits for 128: the last one's 4 low bits are spare, and one with them set decodes to the same bytes.
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const last = alphabet.indexOf(ctx.at(-1)!);
    expect(last & 0b1111).toBe(0);
    const sameBytes = `${ctx.slice(0, -1)}${alphabet[last | 0b1]}`;
    expect(Buffer.from(sameBytes, 'base64url').equals(Buffer.from(ctx, 'base64url'))).toBe(true);
    query.set('ctx', sameBytes);
    expect(parseLinkParameters(query)).toBeNull();
    for (const [name, value] of [['exp', '01900000000'], ['exp', ' 1900000000'], ['sig', `${query.get('sig')}=`], ['tok', query.get('tok')!.replace(/./, '+')]] as const) {
      const bad = new URLSearchParams(signer.sign(claims));
      bad.set(name, value);
      expect(parseLinkParameters(bad), `${name}=${value}`).toBeNull();
    }
  });
});
