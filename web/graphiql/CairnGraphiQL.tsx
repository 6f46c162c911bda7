import { GraphiQL } from 'graphiql';
import { type FormEvent, useMemo, useState } from 'react';
import { withoutToken, withToken } from './fetcher.ts';
import { loadToken, parseToken, saveToken, sessionStore } from './session.ts';

const WAITING = 'Nothing is sent to the server until a token is given.';
const LOADING = 'Loading the schema…';
const CONNECTED = 'Connected: the schema is loaded (Docs, autocompletion).';
const REFUSED = 'The server refused this token (401): it is unknown, revoked or expired.';

/**
 * GraphiQL that asks for the API token first. Without one it sends nothing (no introspection either:
 * `schema={null}`); once one is given the fetcher changes and GraphiQL introspects with it, so Docs and
 * autocompletion work without a manual re-fetch.
 */
export function CairnGraphiQL({ defaultQuery }: { defaultQuery?: string }) {
  const [token, setToken] = useState(loadToken);
  const [draft, setDraft] = useState(() => token ?? '');
  const [problem, setProblem] = useState<string | null>(null);
  const [status, setStatus] = useState(token ? LOADING : WAITING);
  const fetcher = useMemo(() => (token ? withToken(token, () => setStatus(REFUSED)) : withoutToken), [token]);

  function submit(event: FormEvent) {
    event.preventDefault();
    const parsed = parseToken(draft);
    if ('problem' in parsed) return setProblem(parsed.problem);
    setProblem(null);
    setDraft(parsed.token);
    saveToken(parsed.token);
    setToken(parsed.token);
    setStatus(LOADING);
  }

  function forget() {
    saveToken(null);
    setToken(null);
    setDraft('');
    setProblem(null);
    setStatus(WAITING);
  }

  return (
    <>
      <form className="token-bar" aria-label="API access" onSubmit={submit}>
        <strong>Cairn GraphiQL</strong>
        <label htmlFor="cairn-token">API token</label>
        <input
          id="cairn-token"
          type="password"
          autoComplete="off"
          spellCheck={false}
          placeholder="cairn_…"
          value={draft}
          onChange={(event) => setDraft(event.target.value)}
          aria-invalid={problem !== null}
          aria-describedby="cairn-token-status"
        />
        <button type="submit">Use token</button>
        {token && (
          <button type="button" onClick={forget}>
            Forget token
          </button>
        )}
        <span id="cairn-token-status" role="status" className={problem ? 'problem' : undefined}>
          {problem ?? status}
        </span>
        <span className="note">Kept in this tab only (session storage).</span>
      </form>
      <div className="graphiql">
        <GraphiQL
          fetcher={fetcher}
          schema={token ? undefined : null}
          storage={sessionStore}
          defaultQuery={defaultQuery}
          shouldPersistHeaders
          onSchemaChange={() => setStatus(CONNECTED)}
        />
      </div>
    </>
  );
}
