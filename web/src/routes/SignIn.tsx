import { useState } from 'react';
import { authHeaders, type Session } from '../session.ts';
import { Button } from '../ui/Button.tsx';
import { TextField } from '../ui/Field.tsx';
import { useDocumentTitle } from '../ui/title.ts';

/** The token form; the token is checked with one `me` query before it is kept (in this tab's session storage). */
export function SignIn({ onSignIn }: { onSignIn: (s: Session) => void }) {
  const [token, setToken] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  useDocumentTitle('Sign in');
  const submit = async (event: React.FormEvent) => {
    event.preventDefault();
    setError(null);
    setPending(true);
    try {
      const response = await fetch('/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...authHeaders({ token: token.trim() }) },
        body: JSON.stringify({ query: '{ me { principal { name } } }' }),
      });
      const body = (await response.json()) as { errors?: { message: string }[] };
      if (body.errors?.length) setError(body.errors[0]!.message);
      else onSignIn({ token: token.trim() });
    } catch {
      setError('Cannot reach Cairn.');
    } finally {
      setPending(false);
    }
  };
  return (
    <main id="main" className="signin">
      <form className="card form" onSubmit={submit}>
        <h1>Sign in to Cairn</h1>
        <TextField label="API token" type="password" value={token} onChange={(e) => setToken(e.target.value)} autoFocus error={error ?? undefined} autoComplete="off" />
        <Button type="submit" variant="primary" pending={pending} disabled={!token.trim()}>
          Sign in
        </Button>
      </form>
    </main>
  );
}
