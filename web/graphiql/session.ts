import type { GraphiQLProps } from 'graphiql';

/**
 * What GraphiQL keeps (tabs, headers, history, settings) goes to this browser tab's sessionStorage, never to
 * localStorage (GraphiQL's default): a header or a token typed here is gone with the tab.
 */
const NAMESPACE = 'graphiql:';

export const sessionStore: NonNullable<GraphiQLProps['storage']> = {
  getItem: (key) => sessionStorage.getItem(key),
  setItem: (key, value) => sessionStorage.setItem(key, value),
  removeItem: (key) => sessionStorage.removeItem(key),
  // GraphiQL's "clear storage" setting: its own keys only, not the token below.
  clear() {
    for (const key of Object.keys(sessionStorage)) if (key.startsWith(NAMESPACE)) sessionStorage.removeItem(key);
  },
  get length() {
    return Object.keys(sessionStorage).filter((key) => key.startsWith(NAMESPACE)).length;
  },
};

const TOKEN_KEY = 'cairn.graphiql.token';

export const loadToken = (): string | null => sessionStorage.getItem(TOKEN_KEY);

export function saveToken(token: string | null): void {
  if (token) sessionStorage.setItem(TOKEN_KEY, token);
  else sessionStorage.removeItem(TOKEN_KEY);
}

/** A token goes into a header as it is: printable ASCII, no spaces. Returns the token, or why it is not one. */
export function parseToken(input: string): { token: string } | { problem: string } {
  const token = input.trim().replace(/^Bearer\s+/i, '');
  if (!token) return { problem: 'Paste the API token first.' };
  if (token.length > 512) return { problem: 'That is too long for an API token.' };
  if (!/^[\x21-\x7e]+$/.test(token)) return { problem: 'An API token has only printable ASCII characters, without spaces.' };
  return { token };
}
