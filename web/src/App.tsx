import { useEffect, useMemo, useState } from 'react';
import Markdown from 'react-markdown';
import { Client, cacheExchange, fetchExchange, Provider, useMutation, useQuery } from 'urql';
import { graphql } from './generated/index.ts';
import { History } from './History.tsx';
import { authHeaders, loadSession, type Session, saveSession } from './session.ts';
import { parseTags } from './tags.ts';
import { NewVersion, VersionPanel } from './Versions.tsx';

const MeQuery = graphql(`
  query DashboardMe {
    me {
      principal {
        name
      }
      context {
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

const ModelsQuery = graphql(`
  query DashboardModels($first: Int, $after: String, $search: String, $tags: [String!], $orderBy: ModelOrder) {
    models(first: $first, after: $after, search: $search, tags: $tags, orderBy: $orderBy) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        node {
          id
          name
          tags
          updatedAt
          versionCount
          latestVersion {
            number
            status
          }
        }
      }
    }
  }
`);

const ModelQuery = graphql(`
  query DashboardModel($id: ID!) {
    formats
    model(id: $id) {
      id
      name
      description
      tags
      createdAt
      createdBy
      updatedAt
      versions(first: 100) {
        edges {
          node {
            number
            status
          }
        }
      }
      history(last: 100) {
        edges {
          node {
            ...DashboardHistoryEvent
          }
        }
      }
    }
  }
`);

const CreateModelMutation = graphql(`
  mutation DashboardCreateModel($input: CreateModelInput!) {
    createModel(input: $input) {
      __typename
      ... on CreateModelSuccess {
        model {
          id
        }
      }
      ... on Error {
        code
        message
      }
      ... on ValidationError {
        field
      }
    }
  }
`);

/** Hash routes: #/ for the list, #/models/<id> for a model record. */
function useRoute(): string {
  const [hash, setHash] = useState(location.hash);
  useEffect(() => {
    const update = () => setHash(location.hash);
    addEventListener('hashchange', update);
    return () => removeEventListener('hashchange', update);
  }, []);
  return hash.replace(/^#/, '') || '/';
}

function SignIn({ onSignIn }: { onSignIn: (s: Session) => void }) {
  const [token, setToken] = useState('');
  const [error, setError] = useState<string | null>(null);
  const submit = async (event: React.FormEvent) => {
    event.preventDefault();
    setError(null);
    try {
      const response = await fetch('/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...authHeaders({ token: token.trim() }) },
        body: JSON.stringify({ query: '{ me { principal { name } } }' }),
      });
      const body = await response.json();
      if (body.errors) setError(body.errors[0].message);
      else onSignIn({ token: token.trim() });
    } catch {
      setError('Cannot reach Cairn');
    }
  };
  return (
    <form className="panel signin" onSubmit={submit}>
      <h1>Cairn</h1>
      <label>
        API token
        <input aria-label="API token" type="password" value={token} onChange={(e) => setToken(e.target.value)} autoFocus />
      </label>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      <button type="submit" disabled={!token.trim()}>
        Sign in
      </button>
    </form>
  );
}

function CreateModelDialog({ onClose, onCreated }: { onClose: () => void; onCreated: (id: string) => void }) {
  const [name, setName] = useState('');
  const [tagText, setTagText] = useState('');
  const [description, setDescription] = useState('');
  const [serverError, setServerError] = useState<{ field: string; message: string } | null>(null);
  const [, create] = useMutation(CreateModelMutation);
  const tags = parseTags(tagText);
  const submit = async (event: React.FormEvent) => {
    event.preventDefault();
    const result = await create({ input: { name, tags: tags.tags, description: description || null } });
    const r = result.data?.createModel;
    if (!r) return setServerError({ field: 'form', message: result.error?.networkError ? 'Cannot reach Cairn' : (result.error?.message ?? 'Failed') });
    if (r.__typename === 'CreateModelSuccess') return onCreated(r.model.id);
    if ('message' in r) setServerError({ field: r.__typename === 'ValidationError' ? r.field.split('.')[0]! : r.code === 'NAME_TAKEN' ? 'name' : 'form', message: r.message });
  };
  const errorFor = (field: string) =>
    serverError?.field === field && (
      <span role="alert" className="error">
        {serverError.message}
      </span>
    );
  return (
    <div className="dialog" role="dialog" aria-label="New model">
      <form className="panel" onSubmit={submit}>
        <h2>New model</h2>
        <label>
          Name
          <input aria-label="Name" value={name} onChange={(e) => setName(e.target.value)} />
          {errorFor('name')}
        </label>
        <label>
          Tags (comma-separated)
          <input aria-label="Tags" value={tagText} onChange={(e) => setTagText(e.target.value)} />
        </label>
        <div className="chips">
          {tags.tags.map((t) => (
            <span key={t} className={t.length > 32 ? 'chip bad' : 'chip'}>
              {t}
            </span>
          ))}
        </div>
        {tags.errors.map((e) => (
          <span key={e} role="alert" className="error">
            {e}
          </span>
        ))}
        {errorFor('tags')}
        <label>
          Description (markdown)
          <textarea aria-label="Description" value={description} onChange={(e) => setDescription(e.target.value)} />
          {errorFor('description')}
        </label>
        {errorFor('form')}
        <div className="actions">
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" disabled={!name.trim() || tags.errors.length > 0}>
            Create
          </button>
        </div>
      </form>
    </div>
  );
}

const SORTS = {
  'NAME ASC': 'Name A-Z',
  'NAME DESC': 'Name Z-A',
  'CREATED_AT DESC': 'Newest',
  'CREATED_AT ASC': 'Oldest',
  'UPDATED_AT DESC': 'Recently updated',
  'UPDATED_AT ASC': 'Least recently updated',
} as const;

function ModelList({ canCreate }: { canCreate: boolean }) {
  const [search, setSearch] = useState('');
  const [tag, setTag] = useState('');
  const [sort, setSort] = useState<keyof typeof SORTS>('NAME ASC');
  const [after, setAfter] = useState<string | null>(null);
  const [creating, setCreating] = useState(false);
  const [field, direction] = sort.split(' ') as ['NAME' | 'CREATED_AT' | 'UPDATED_AT', 'ASC' | 'DESC'];
  const [{ data, error, fetching }, refetch] = useQuery({
    query: ModelsQuery,
    // The document cache cannot tell that an empty list went stale when a model was created.
    requestPolicy: 'cache-and-network',
    variables: { first: 20, after, search: search || null, tags: tag ? [tag] : null, orderBy: { field, direction } },
  });
  return (
    <section>
      <div className="toolbar">
        <input aria-label="Search" placeholder="Search name, description, tags" value={search} onChange={(e) => (setSearch(e.target.value), setAfter(null))} />
        <input aria-label="Tag" placeholder="Tag" value={tag} onChange={(e) => (setTag(e.target.value), setAfter(null))} />
        <select aria-label="Sort" value={sort} onChange={(e) => (setSort(e.target.value as keyof typeof SORTS), setAfter(null))}>
          {Object.entries(SORTS).map(([k, v]) => (
            <option key={k} value={k}>
              {v}
            </option>
          ))}
        </select>
        {canCreate && <button onClick={() => setCreating(true)}>+ New model</button>}
      </div>
      {error && (
        <p role="alert" className="error">
          {error.networkError ? 'Lost the connection to Cairn.' : error.message}
        </p>
      )}
      <table aria-label="Models">
        <thead>
          <tr>
            <th>Name</th>
            <th>Tags</th>
            <th>Versions</th>
            <th>Latest</th>
            <th>Updated</th>
          </tr>
        </thead>
        <tbody>
          {data?.models.edges.map(({ node: m }) => (
            <tr key={m.id}>
              <td>
                <a href={`#/models/${m.id}`}>{m.name}</a>
              </td>
              <td>{m.tags.join(', ')}</td>
              <td>{m.versionCount}</td>
              <td>{m.latestVersion ? `${m.latestVersion.number} (${m.latestVersion.status.toLowerCase()})` : '-'}</td>
              <td>{new Date(m.updatedAt).toLocaleString()}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p>
        {fetching ? 'Loading…' : `${data?.models.totalCount ?? 0} models`}
        {after && <button onClick={() => setAfter(null)}>First page</button>}
        {data?.models.pageInfo.hasNextPage && <button onClick={() => setAfter(data.models.pageInfo.endCursor ?? null)}>Next page</button>}
      </p>
      {creating && (
        <CreateModelDialog
          onClose={() => setCreating(false)}
          onCreated={(id) => {
            setCreating(false);
            refetch({ requestPolicy: 'network-only' });
            location.hash = `#/models/${id}`;
          }}
        />
      )}
    </section>
  );
}

const DeleteVersionMutation = graphql(`
  mutation DashboardDeleteVersion($id: ID!, $number: Int!) {
    deleteVersion(modelId: $id, number: $number) {
      __typename
      ... on Error {
        message
      }
    }
  }
`);

const DeleteModelMutation = graphql(`
  mutation DashboardDeleteModel($id: ID!) {
    deleteModel(id: $id) {
      __typename
      ... on Error {
        message
      }
    }
  }
`);

const UpdateModelMutation = graphql(`
  mutation DashboardUpdateModel($input: UpdateModelInput!) {
    updateModel(input: $input) {
      __typename
      ... on Error {
        code
        message
      }
    }
  }
`);

/** The General section's edit form: name, tags and description, with the server's refusals shown in place. */
function EditGeneral({ model, onDone }: { model: { id: string; name: string; tags: string[]; description?: string | null }; onDone: () => void }) {
  const [name, setName] = useState(model.name);
  const [tagText, setTagText] = useState(model.tags.join(', '));
  const [description, setDescription] = useState(model.description ?? '');
  const [error, setError] = useState<string | null>(null);
  const [, update] = useMutation(UpdateModelMutation);
  const tags = parseTags(tagText);
  return (
    <form
      aria-label="Edit model"
      onSubmit={async (e) => {
        e.preventDefault();
        const r = await update({ input: { id: model.id, name, tags: tags.tags, description: description || null } });
        const result = r.data?.updateModel;
        if (!result) return setError(r.error?.networkError ? 'Lost the connection to Cairn.' : (r.error?.message ?? 'Failed'));
        if ('message' in result) return setError(result.message);
        onDone();
      }}
    >
      <label>
        Name
        <input aria-label="Model name" value={name} onChange={(e) => setName(e.target.value)} />
      </label>
      <label>
        Tags
        <input aria-label="Model tags" value={tagText} onChange={(e) => setTagText(e.target.value)} />
        {tags.errors.map((t) => (
          <span key={t} className="error">
            {t}
          </span>
        ))}
      </label>
      <label>
        Description (markdown)
        <textarea aria-label="Model description" value={description} onChange={(e) => setDescription(e.target.value)} />
      </label>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      <div className="actions">
        <button type="button" onClick={onDone}>
          Cancel
        </button>
        <button type="submit" disabled={!name.trim() || tags.errors.length > 0}>
          Save
        </button>
      </div>
    </form>
  );
}

function DeleteDialog({ model, number, onClose }: { model: { id: string; name: string; versionCount: number }; number: number | null; onClose: (deleted: 'version' | 'model' | null) => void }) {
  const [choice, setChoice] = useState<'version' | 'model' | null>(model.versionCount <= 1 || number === null ? 'model' : null);
  const [error, setError] = useState<string | null>(null);
  const [, deleteVersion] = useMutation(DeleteVersionMutation);
  const [, deleteModel] = useMutation(DeleteModelMutation);
  const run = async () => {
    const r = choice === 'model' ? (await deleteModel({ id: model.id })).data?.deleteModel : (await deleteVersion({ id: model.id, number: number! })).data?.deleteVersion;
    if (r && 'message' in r) return setError(r.message);
    onClose(choice);
  };
  return (
    <div className="dialog" role="dialog" aria-label="Delete">
      <div className="panel">
        {choice === null ? (
          <>
            <p>What do you want to delete?</p>
            <div className="actions">
              <button onClick={() => setChoice('version')}>Delete version {number}</button>
              <button onClick={() => setChoice('model')}>Delete the whole model</button>
              <button onClick={() => onClose(null)}>Cancel</button>
            </div>
          </>
        ) : (
          <>
            <p>
              {choice === 'model'
                ? `Delete the model ${model.name} with all its versions and files? This cannot be undone.`
                : `Delete version ${number} and its files? This cannot be undone; its number will not be used again.`}
            </p>
            {error && (
              <p role="alert" className="error">
                {error}
              </p>
            )}
            <div className="actions">
              <button onClick={() => onClose(null)}>Cancel</button>
              <button onClick={run}>Delete</button>
            </div>
          </>
        )}
      </div>
    </div>
  );
}

function ModelRecord({ id, session, permissions }: { id: string; session: Session; permissions: readonly string[] }) {
  const [{ data, error }, refetch] = useQuery({ query: ModelQuery, variables: { id }, requestPolicy: 'cache-and-network' });
  const [tab, setTab] = useState<'details' | 'new' | 'history'>('details');
  const [selected, setSelected] = useState<number | null>(null);
  const [deleting, setDeleting] = useState(false);
  const [editingGeneral, setEditingGeneral] = useState(false);
  if (error) return <p role="alert">{error.networkError ? 'Lost the connection to Cairn.' : error.message}</p>;
  const model = data?.model;
  if (data && !model) return <p>No such model.</p>;
  if (!model) return <p>Loading…</p>;
  const numbers = model.versions.edges.map((e) => e.node.number);
  const number = selected !== null && numbers.includes(selected) ? selected : (numbers.at(-1) ?? null);
  const may = (p: string) => permissions.includes(p);
  const reload = () => refetch({ requestPolicy: 'network-only' });
  return (
    <section>
      <p>
        <a href="#/">← Models</a>
      </p>
      <h2>{model.name}</h2>
      <div className="toolbar">
        <label>
          Versions{' '}
          <select aria-label="Versions" value={number ?? ''} onChange={(e) => setSelected(Number(e.target.value))}>
            {model.versions.edges.map(({ node: v }) => (
              <option key={v.number} value={v.number}>
                Version {v.number} ({v.status.toLowerCase()})
              </option>
            ))}
          </select>
        </label>
        {(may('MODEL_DELETE') || may('VERSION_DELETE')) && <button onClick={() => setDeleting(true)}>Delete</button>}
      </div>
      <div className="tabs" role="tablist">
        <button role="tab" aria-selected={tab === 'details'} onClick={() => setTab('details')}>
          Details
        </button>
        {may('VERSION_CREATE') && (
          <button role="tab" aria-selected={tab === 'new'} onClick={() => setTab('new')}>
            New Version
          </button>
        )}
        <button role="tab" aria-selected={tab === 'history'} onClick={() => setTab('history')}>
          History
        </button>
      </div>
      {tab === 'details' && (
        <>
          <div className="panel" aria-label="General">
            <h3>
              General{' '}
              {may('MODEL_UPDATE') && !editingGeneral && (
                <button aria-label="Edit model" onClick={() => setEditingGeneral(true)}>
                  ✎
                </button>
              )}
            </h3>
            {editingGeneral && (
              <EditGeneral
                model={model}
                onDone={() => {
                  setEditingGeneral(false);
                  reload();
                }}
              />
            )}
            <dl>
              <dt>ID</dt>
              <dd>{model.id}</dd>
              <dt>Tags</dt>
              <dd>
                {model.tags.map((t) => (
                  <span key={t} className="chip">
                    {t}
                  </span>
                ))}
              </dd>
              <dt>Created</dt>
              <dd>
                {new Date(model.createdAt).toLocaleString()} by {model.createdBy ?? '-'}
              </dd>
            </dl>
            <div className="description" data-testid="description">
              {/* No raw HTML is rendered; links show as text, so nothing in a description runs or navigates. */}
              <Markdown skipHtml components={{ a: ({ children }) => <span className="link">{children}</span>, img: ({ alt }) => <span>{alt}</span> }}>
                {model.description ?? ''}
              </Markdown>
            </div>
          </div>
          {number !== null && (
            <VersionPanel
              key={number}
              session={session}
              modelId={model.id}
              number={number}
              can={{ update: may('VERSION_UPDATE'), publish: may('VERSION_PUBLISH'), upload: may('FORMAT_UPLOAD'), deleteFormat: may('FORMAT_DELETE') }}
              onChanged={reload}
            />
          )}
        </>
      )}
      {tab === 'new' && (
        <NewVersion
          session={session}
          modelId={model.id}
          formats={data.formats}
          onCreated={(n) => {
            reload();
            setSelected(n);
            setTab('details');
          }}
        />
      )}
      {tab === 'history' && (
        <History events={model.history.edges.map((e) => e.node)} />
      )}
      {deleting && (
        <DeleteDialog
          model={{ id: model.id, name: model.name, versionCount: numbers.length }}
          number={may('VERSION_DELETE') ? number : null}
          onClose={(deleted) => {
            setDeleting(false);
            if (deleted === 'model') location.hash = '#/';
            else if (deleted) {
              setSelected(null);
              reload();
            }
          }}
        />
      )}
    </section>
  );
}

function Dashboard({ session, onSignOut, onContext }: { session: Session; onSignOut: () => void; onContext: (c: string) => void }) {
  const route = useRoute();
  const [{ data, error }] = useQuery({ query: MeQuery });
  const model = /^\/models\/([0-9a-f-]{36})$/.exec(route);
  if (error?.response?.status === 401) onSignOut();
  return (
    <>
      <header>
        <strong>Cairn</strong>
        {data && (
          <>
            <select aria-label="Context" value={session.context ?? data.me.context.name} onChange={(e) => onContext(e.target.value)}>
              {data.me.contexts.map((c) => (
                <option key={c.id} value={c.name}>
                  {c.name}
                </option>
              ))}
            </select>
            <span>{data.me.principal.name}</span>
          </>
        )}
        <button onClick={onSignOut}>Sign out</button>
      </header>
      {error?.networkError && (
        <p role="alert" className="error">
          Lost the connection to Cairn.
        </p>
      )}
      <main>{model ? <ModelRecord id={model[1]!} session={session} permissions={data?.me.permissions ?? []} /> : <ModelList canCreate={!!data?.me.permissions.includes('MODEL_CREATE')} />}</main>
    </>
  );
}

export function App() {
  const [session, setSession] = useState<Session | null>(loadSession);
  const update = (s: Session | null) => {
    saveSession(s);
    setSession(s);
  };
  const client = useMemo(
    () =>
      session &&
      new Client({
        url: '/graphql',
        exchanges: [cacheExchange, fetchExchange],
        fetchOptions: () => ({ headers: authHeaders(session) }),
      }),
    [session],
  );
  if (!session || !client) return <SignIn onSignIn={update} />;
  return (
    <Provider value={client}>
      <Dashboard session={session} onSignOut={() => update(null)} onContext={(context) => update({ ...session, context })} />
    </Provider>
  );
}
