import { promises as dns } from 'node:dns';
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';

/** Every address a name resolves to, as `dns.promises.lookup(name, { all: true })` gives them. */
export type LookupAll = (hostname: string) => Promise<{ address: string; family: 4 | 6 }[]>;

export interface TargetPolicy {
  /** Turns the address check off (CAIRN_WEBHOOK_ALLOW_PRIVATE=true, and the tests' local receivers). */
  allowPrivate: boolean;
  lookup?: LookupAll;
}

export const MAX_TARGET_LENGTH = 2048;

// verbatim: the resolver's order, so that the first address is the one a connection would try first.
export const lookupAll: LookupAll = async (hostname) =>
  (await dns.lookup(hostname, { all: true, verbatim: true })).map(({ address, family }) => ({ address, family: family === 6 ? 6 : 4 }));

// C0 controls, DEL and C1 controls (the URL parser drops tabs and newlines silently, so what was stored
// would not be what is called), and lone surrogates (they do not survive UTF-8).
const hasControlCharacter = (text: string) => [...text].some((c) => c.charCodeAt(0) <= 0x1f || (c.charCodeAt(0) >= 0x7f && c.charCodeAt(0) <= 0x9f));
const LONE_SURROGATE = /\p{Cs}/u;

/** The syntax-only part of the check (no DNS): null when `url` may be a webhook target, else why not. */
export function refuseTargetSyntax(url: string): string | null {
  if (url.length > MAX_TARGET_LENGTH) return `The URL is ${url.length} characters long; at most ${MAX_TARGET_LENGTH} are allowed.`;
  if (url.includes('\u0000')) return 'The URL contains a NUL character.';
  if (hasControlCharacter(url) || LONE_SURROGATE.test(url)) return 'The URL contains a control character or an unpaired surrogate.';
  if (url.trim() !== url) return 'The URL begins or ends with white space.';
  // The authority as written (the parser reads a backslash as a slash in http URLs): "http://@host/" has
  // an empty user name, which the parsed URL no longer shows.
  const authority = /^https?:[/\\]*([^/\\?#]*)/i.exec(url)?.[1];
  if (authority === '' || authority?.startsWith(':')) return 'The URL has no host.';
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'The URL is not a valid absolute URL.';
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return `The URL must use http or https, not ${parsed.protocol}`;
  if (parsed.hostname === '') return 'The URL has no host.';
  if (parsed.username !== '' || parsed.password !== '' || authority?.includes('@')) return 'The URL must not carry a user name or password (user:password@).';
  if (url.includes('#')) return 'The URL must not have a fragment (#...): it is never sent to the receiver.';
  return null;
}

/** The host of a parsed http(s) URL as a connection takes it: an IPv6 literal without its brackets. */
export function connectHost(url: URL): string {
  const host = url.hostname;
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

const V4_RANGE_WORDS: Record<string, string> = {
  unspecified: 'an unspecified address',
  broadcast: 'the broadcast address',
  multicast: 'a multicast address',
  linkLocal: 'a link-local address',
  loopback: 'a loopback address',
  carrierGradeNat: 'a carrier-grade NAT address',
  private: 'a private address',
};
const V6_RANGE_WORDS: Record<string, string> = {
  unspecified: 'an unspecified address',
  multicast: 'a multicast address',
  linkLocal: 'a link-local address',
  loopback: 'a loopback address',
  uniqueLocal: 'a private (unique local) address',
  deprecatedSiteLocal: 'a site-local address',
};

// Global unicast is 2000::/3; ipaddr.js calls everything outside its special ranges 'unicast', even
// addresses no registry has handed out, so the prefix is checked too.
const GLOBAL_UNICAST_V6 = ipaddr.IPv6.parseCIDR('2000::/3');

function describeV4(address: ipaddr.IPv4): string | null {
  const range = address.range();
  if (range === 'unicast') return null;
  if (range === 'linkLocal' && address.toString() === '169.254.169.254') return 'the cloud metadata address (link-local)';
  return V4_RANGE_WORDS[range] ?? 'a reserved address';
}

/**
 * What kind of non-public address `address` is ("a loopback address", ...), or null when it is public.
 * Anything that is not an IP address is "not an IP address": the check fails closed.
 */
export function describeNonPublicAddress(address: string): string | null {
  if (isIP(address) === 0) return 'not an IP address';
  let parsed: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    parsed = ipaddr.parse(address);
  } catch {
    return 'not an IP address';
  }
  if (parsed.kind() === 'ipv4') return describeV4(parsed as ipaddr.IPv4);
  const v6 = parsed as ipaddr.IPv6;
  const range = v6.range();
  // ::ffff:a.b.c.d reaches a.b.c.d; so does NAT64's 64:ff9b::a.b.c.d through a translator: judge the v4 address.
  if (range === 'ipv4Mapped') return describeV4(v6.toIPv4Address());
  if (range === 'rfc6052') {
    const [, , , , , , high = 0, low = 0] = v6.parts;
    return describeV4(new ipaddr.IPv4([high >> 8, high & 0xff, low >> 8, low & 0xff]));
  }
  if (range === 'unicast' && v6.match(GLOBAL_UNICAST_V6)) return null;
  return V6_RANGE_WORDS[range] ?? 'a reserved address';
}

/**
 * Whether one address (IPv4 or IPv6, v4-mapped v6 included) is loopback, private, link-local (the cloud
 * metadata address among them), unspecified, carrier-grade NAT, multicast, broadcast or otherwise reserved.
 */
export function isNonPublicAddress(address: string): boolean {
  return describeNonPublicAddress(address) !== null;
}

/** The sentence that refuses a connection to `address`, or null when it may be connected to. */
export function refuseAddress(host: string, address: string): string | null {
  const kind = describeNonPublicAddress(address);
  if (kind === null) return null;
  return host === address ? `refused: ${address} is ${kind}` : `refused: ${host} resolves to ${address}, ${kind}`;
}

/** One short line for a failed lookup, without the resolver's internals. */
export function lookupFailure(host: string, error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'ENOTFOUND' || code === 'ENODATA') return `host not found: ${host}`;
  return `could not resolve ${host}${typeof code === 'string' ? ` (${code})` : ''}`;
}

/**
 * Null when `url` may be a webhook target, else a sentence saying why not (shown to the caller). Unless the
 * policy allows private targets, the host (a literal address, or every address its name resolves to now)
 * must be public: one non-public address among several is a refusal. Delivery checks again at connect time.
 */
export async function refuseTarget(url: string, policy: TargetPolicy): Promise<string | null> {
  const syntax = refuseTargetSyntax(url);
  if (syntax !== null || policy.allowPrivate) return syntax;
  const host = connectHost(new URL(url));
  if (isIP(host) !== 0) return refuseAddress(host, host);
  let addresses: { address: string }[];
  try {
    addresses = await (policy.lookup ?? lookupAll)(host);
  } catch (error) {
    return lookupFailure(host, error);
  }
  if (addresses.length === 0) return `host not found: ${host}`;
  for (const { address } of addresses) {
    const refusal = refuseAddress(host, address);
    if (refusal !== null) return refusal;
  }
  return null;
}
