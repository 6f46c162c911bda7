import { lazy, Suspense, useEffect, useMemo, useState } from 'react';
import { Navigate, Route, Routes, useLocation, useNavigate, useParams } from 'react-router';
import { cacheExchange, Client, fetchExchange, Provider, useQuery } from 'urql';
import { type Cairn, CairnContext } from './cairn.tsx';
import { graphql } from './generated/index.ts';
import { liveExchange } from './live.tsx';
import { paths } from './paths.ts';
import { ErrorBanner } from './routes/ErrorBanner.tsx';
import ModelList from './routes/ModelList.tsx';
import { SignIn } from './routes/SignIn.tsx';
import { authHeaders, loadSession, type Session, saveSession } from './session.ts';
// The list's modules import ui/ files one by one, not the ui/index.ts barrel: a module the first page reaches
// goes into its chunk, and the barrel would bring the dialogs, tabs and markdown along.
import { Button } from './ui/Button.tsx';
import { idempotencyExchange } from './ui/mutate.ts';
import { EmptyState, Loading } from './ui/Skeleton.tsx';
import { useDocumentTitle } from './ui/title.ts';

// The record (and with it markdown, the record's views) loads only when a model is opened.
const RecordPage = lazy(() => import('./routes/RecordPage.tsx'));

const MeQuery = graphql(`
  query DashboardMe {
    me {
      principal {
        name
      }
      context {
        id
        name
      }
      contexts {
        id
        name
      }
      permissions
    }
  }
`);

function makeClient(session: Session, context: string | undefined): Client {
  const headers = () => authHeaders({ ...session, context });
  return new Client({
    url: '/graphql',
    exchanges: [cacheExchange, idempotencyExchange, fetchExchange, liveExchange(headers)],
    fetchOptions: () => ({ headers: headers() }),
  });
}

/** `/`: to the models of the context last chosen in this tab, else the token's home context. Old `#/models/<id>` links land on that model. */
function Home({ session }: { session: Session }) {
  const [{ data, error }, refetch] = useQuery({ query: MeQuery });
  const legacy = /^#\/models\/([0-9a-f-]{36})$/i.exec(location.hash)?.[1];
  if (data) {
    const context = session.context && data.me.contexts.some((c) => c.name === session.context) ? session.context : data.me.context.name;
    return <Navigate replace to={legacy ? paths.model(context, legacy) : paths.models(context)} />;
  }
  return (
    <main id="main" className="page">
      <ErrorBanner error={error} stale={false} onRetry={() => refetch({ requestPolicy: 'network-only' })} />
      {!error && <Loading label="Signing in" />}
    </main>
  );
}

function ContextPicker({ current, contexts }: { current: string; contexts: Cairn['contexts'] }) {
  const navigate = useNavigate();
  if (contexts.length < 2) return <span className="context-name">{current}</span>;
  return (
    <label className="context-picker">
      <span className="visually-hidden">Context</span>
      <select className="select" value={current} onChange={(e) => navigate(paths.models(e.target.value))}>
        {!contexts.some((c) => c.name === current) && <option value={current}>{current}</option>}
        {contexts.map((c) => (
          <option key={c.id} value={c.name}>
            {c.name}
          </option>
        ))}
      </select>
    </label>
  );
}

function NotFoundPage() {
  useDocumentTitle('Not found');
  return <EmptyState level={1} title="This page is not here">Check the address, or go back to the models.</EmptyState>;
}

/** Everything under /<context>/: the client speaks for that context; header, then the page the path names. */
function ContextPages({ session, onSignOut, onContext }: { session: Session; onSignOut: () => void; onContext: (context: string) => void }) {
  const { context = '' } = useParams();
  const { token } = session;
  const client = useMemo(() => makeClient({ token }, context), [token, context]);
  useEffect(() => onContext(context), [context, onContext]);
  return (
    <Provider value={client}>
      <ContextShell session={session} context={context} onSignOut={onSignOut} />
    </Provider>
  );
}

function ContextShell({ session, context, onSignOut }: { session: Session; context: string; onSignOut: () => void }) {
  const [{ data, error, fetching }, refetch] = useQuery({ query: MeQuery });
  const unauthenticated = error?.graphQLErrors.some((e) => e.extensions?.code === 'UNAUTHENTICATED') || error?.response?.status === 401;
  useEffect(() => {
    if (unauthenticated) onSignOut();
  }, [unauthenticated, onSignOut]);
  const unknownContext = error?.graphQLErrors.some((e) => e.extensions?.code === 'NOT_FOUND');
  const cairn = useMemo<Cairn | null>(
    () => (data ? { session, context, principal: data.me.principal.name, permissions: data.me.permissions, contexts: data.me.contexts } : null),
    [data, session, context],
  );
  return (
    <>
      <a href="#main" className="skip-link">
        Skip to content
      </a>
      <header className="topbar">
        <a className="brand" href={paths.models(context)}>
          <img src="/favicon.svg" alt="" width="24" height="24" />
          Cairn
        </a>
        {cairn && <ContextPicker current={context} contexts={cairn.contexts} />}
        <span className="spacer" />
        {cairn && <span className="principal">{cairn.principal}</span>}
        <Button size="sm" variant="ghost" onClick={onSignOut}>
          Sign out
        </Button>
      </header>
      <main id="main" className="page" tabIndex={-1}>
        {cairn ? (
          <CairnContext.Provider value={cairn}>
            <Suspense fallback={<Loading label="Loading" lines={6} />}>
              <Routes>
                <Route path="models" element={<ModelList />} />
                <Route path="models/:name/*" element={<RecordPage />} />
                <Route path="*" element={<NotFoundPage />} />
              </Routes>
            </Suspense>
          </CairnContext.Provider>
        ) : unknownContext ? (
          <EmptyState level={1} title={`There is no context “${context}” you can see`} action={<a href="/">Go to your models</a>} />
        ) : error ? (
          <ErrorBanner error={error} stale={false} onRetry={() => refetch({ requestPolicy: 'network-only' })} retrying={fetching} />
        ) : (
          <Loading label="Loading" lines={6} />
        )}
      </main>
    </>
  );
}

export function App() {
  const [session, setSession] = useState<Session | null>(loadSession);
  const location = useLocation();
  const update = (s: Session | null) => {
    saveSession(s);
    setSession(s);
  };
  const signOut = useMemo(() => () => update(null), []);
  // The context in the path is the one to come back to from `/`.
  const rememberContext = useMemo(
    () => (context: string) =>
      setSession((s) => {
        if (!s || s.context === context) return s;
        const next = { ...s, context };
        saveSession(next);
        return next;
      }),
    [],
  );
  const token = session?.token;
  const homeClient = useMemo(() => token && makeClient({ token }, undefined), [token]);
  if (!session || !homeClient) return <SignIn key={location.pathname} onSignIn={update} />;
  return (
    <>
      <Routes>
        <Route
          path="/"
          element={
            <Provider value={homeClient}>
              <Home session={session} />
            </Provider>
          }
        />
        <Route path="/:context/*" element={<ContextPages session={session} onSignOut={signOut} onContext={rememberContext} />} />
      </Routes>
    </>
  );
}
