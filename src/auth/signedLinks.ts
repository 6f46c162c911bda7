import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Db } from '../store/database.ts';
import { serverSecret } from '../store/serverSecrets.ts';

/**
 * Signed download links: a URL to one format's file that carries, instead of an Authorization header, an
 * HMAC-SHA256 over what it may fetch (context, model, version, format, the file's sha256), until when, and
 * on whose behalf (the issuing token's id). The key is a server secret kept in the database, so every
 * process on it signs and verifies alike. Using a link checks the signature, the expiry, and then that the
 * token is still live and may still download in that context (a revoked token's links stop at once).
 */

/** What a link is signed over. Ids are lower-case UUIDs; `expires` is in seconds since the epoch. */
export interface LinkClaims {
  contextId: string;
  modelId: string;
  number: number;
  format: string;
  sha256: string;
  tokenId: string;
  expires: number;
}

/** The query parameters of a signed link. Their presence on a /files/ URL makes it a signed download. */
export const LINK_PARAMETERS = ['ctx', 'tok', 'exp', 'sig'] as const;

const SECRET_NAME = 'signed-links';
const MAC_BYTES = 32;

const uuidToBase64url = (uuid: string) => Buffer.from(uuid.replace(/-/g, ''), 'hex').toString('base64url');

/** A UUID from its 22-character base64url form, or null; only the canonical form (the one we write) is taken. */
function uuidFromBase64url(text: string): string | null {
  if (!/^[A-Za-z0-9_-]{22}$/.test(text)) return null;
  const bytes = Buffer.from(text, 'base64url');
  if (bytes.length !== 16 || bytes.toString('base64url') !== text) return null;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** A link's parameters as the client sent them: its claims but the file's own (from the path and the store), and its MAC. */
export interface LinkParameters {
  contextId: string;
  tokenId: string;
  expires: number;
  mac: Buffer;
}

/**
 * The link parameters of a query string, or null when any is missing, repeated, or not exactly as a link
 * writes it (a bad value is refused here, before any lookup: no NUL, surrogate or 10 KB string goes further).
 */
export function parseLinkParameters(query: URLSearchParams): LinkParameters | null {
  const values: Partial<Record<(typeof LINK_PARAMETERS)[number], string>> = {};
  for (const name of LINK_PARAMETERS) {
    const all = query.getAll(name);
    if (all.length !== 1) return null;
    values[name] = all[0]!;
  }
  const contextId = uuidFromBase64url(values.ctx!);
  const tokenId = uuidFromBase64url(values.tok!);
  if (!contextId || !tokenId || !/^[1-9]\d{0,11}$/.test(values.exp!) || !/^[A-Za-z0-9_-]{43}$/.test(values.sig!)) return null;
  const mac = Buffer.from(values.sig!, 'base64url');
  if (mac.length !== MAC_BYTES || mac.toString('base64url') !== values.sig) return null;
  return { contextId, tokenId, expires: Number(values.exp), mac };
}

/** Whether the query string asks for a signed download at all (any link parameter present). */
export const isSignedQuery = (query: URLSearchParams) => LINK_PARAMETERS.some((name) => query.has(name));

export interface LinkSigner {
  /** The query string (no `?`) that lets anyone holding it download the file the claims name, until they expire. */
  sign(claims: LinkClaims): string;
  /** Whether `mac` is the signature of these claims; compared in constant time. */
  verify(claims: LinkClaims, mac: Buffer): boolean;
}

export function linkSigner(secret: Buffer): LinkSigner {
  const macOf = (c: LinkClaims) =>
    // A JSON array: no field can run into the next, whatever it holds.
    createHmac('sha256', secret)
      .update(JSON.stringify(['cairn-link-v1', c.contextId, c.modelId, c.number, c.format, c.sha256, c.tokenId, c.expires]))
      .digest();
  return {
    sign(claims) {
      const query = new URLSearchParams({
        ctx: uuidToBase64url(claims.contextId),
        tok: uuidToBase64url(claims.tokenId),
        exp: String(claims.expires),
        sig: macOf(claims).toString('base64url'),
      });
      return query.toString();
    },
    verify(claims, mac) {
      const expected = macOf(claims);
      return mac.length === expected.length && timingSafeEqual(mac, expected);
    },
  };
}

/** The signer with this database's key, made on first use by whichever process gets there first. */
export async function openLinkSigner(db: Db): Promise<LinkSigner> {
  const secret = await serverSecret(db, SECRET_NAME, randomBytes(32).toString('base64url'));
  return linkSigner(Buffer.from(secret, 'base64url'));
}
