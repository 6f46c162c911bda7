/** The signed-in token and context, kept for this browser tab only (sessionStorage), never in a cookie. */
export interface Session {
  token: string;
  context?: string;
}

const KEY = 'cairn.session';

export function loadSession(): Session | null {
  try {
    const raw = sessionStorage.getItem(KEY);
    return raw ? (JSON.parse(raw) as Session) : null;
  } catch {
    return null;
  }
}

export function saveSession(session: Session | null): void {
  if (session) sessionStorage.setItem(KEY, JSON.stringify(session));
  else sessionStorage.removeItem(KEY);
}

export const authHeaders = (session: Session): Record<string, string> => ({
  authorization: `Bearer ${session.token}`,
  ...(session.context && { 'x-cairn-context': session.context }),
});
