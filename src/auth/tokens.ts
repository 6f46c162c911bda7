import { createHash, randomBytes } from 'node:crypto';

const PREFIX = 'cairn_';

/** A new API token: 32 random bytes, shown to its owner once. */
export const newTokenSecret = () => `${PREFIX}${randomBytes(32).toString('base64url')}`;

/**
 * What the database keeps of a token. A fast hash suffices: the secret has 256 bits of entropy, so there
 * is nothing for a slow, salted hash to protect against.
 */
export const hashSecret = (secret: string) => createHash('sha256').update(secret, 'utf8').digest('hex');

/** The token in an `Authorization: Bearer <token>` header, or null. */
export function bearerToken(header: string | undefined | null): string | null {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return m ? m[1]! : null;
}
