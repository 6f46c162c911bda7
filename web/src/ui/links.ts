/** http(s) URLs and relative ones (path, query, fragment) are links; javascript:, data:, mailto: and the rest are not. */
export function safeHref(href: string | undefined): string | null {
  if (!href) return null;
  const trimmed = href.trim();
  if (/^https?:\/\//i.test(trimmed)) return trimmed;
  // No scheme at all (nothing before a ':' that comes before any '/', '?' or '#') and not protocol-relative.
  if (!trimmed.startsWith('//') && !/^[^/?#]*:/.test(trimmed)) return trimmed;
  return null;
}
