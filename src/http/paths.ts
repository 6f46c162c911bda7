/**
 * The request target as a URL, or null when it cannot be one. Only the path and query are taken from
 * the client: the Host header is never parsed (a hostile one would make `new URL` throw).
 */
export function requestUrl(target: string | undefined): URL | null {
  const raw = target ?? '/';
  try {
    // Origin form (`/graphql?x`), as almost every client sends it; absolute form (`http://host/graphql`) from proxies.
    return raw.startsWith('/') ? new URL(`http://localhost${raw}`) : new URL(raw);
  } catch {
    return null;
  }
}

/**
 * A path (or one segment of it) with its percent-escapes decoded, or null when an escape is malformed
 * (`%`, `%zz`), decodes to bytes that are not UTF-8 (`%ff`), or decodes to a NUL: the caller answers 400.
 */
export function decodePath(encoded: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(encoded);
  } catch {
    return null;
  }
  return decoded.includes('\0') ? null : decoded;
}
