import { useCallback, useMemo, useState } from 'react';
import { Link, Route, Routes, useLocation, useNavigate, useParams, useSearchParams } from 'react-router';
import { useClient, useQuery } from 'urql';
import { useCairn, useModelPaths } from '../cairn.tsx';
import { eventSentence, useLiveEvents } from '../live.tsx';
import { isUuid, parseNumbers, paths } from '../paths.ts';
import { CompareView, HistoryView, NewVersionView, VersionsView } from '../record/index.ts';
import { RecordContext, RecordModelDocument, type RecordModel } from '../recordModel.tsx';
import { ChipList, EmptyState, Loading, Markdown, RelativeTime, TabNav, useDocumentTitle, useLastData, useLiveStatus } from '../ui/index.ts';
import { ErrorBanner } from './ErrorBanner.tsx';

function VersionRoute({ model }: { model: RecordModel }) {
  const { number } = useParams();
  const n = Number(number);
  if (!/^\d{1,9}$/.test(number ?? '') || n < 1) return <NotFound what={`Version “${number}”`} />;
  return <VersionsView model={model} number={n} />;
}

function CompareRoute({ model }: { model: RecordModel }) {
  const [params] = useSearchParams();
  const numbers = useMemo(() => parseNumbers(params.get('versions')), [params]);
  return <CompareView modelId={model.id} numbers={numbers} />;
}

function NotFound({ what, level = 2 }: { what: string; level?: 1 | 2 }) {
  useDocumentTitle('Not found');
  return (
    <EmptyState level={level} title={`${what} is not here`}>
      It may have been deleted, or the link is wrong.
    </EmptyState>
  );
}

function MayNotCreate({ model }: { model: RecordModel }) {
  useDocumentTitle(model.name, 'new version');
  return <EmptyState title="Your roles do not allow creating versions">Ask an editor or an administrator of this context.</EmptyState>;
}

function NewVersionRoute({ model }: { model: RecordModel }) {
  const { may } = useCairn();
  return may('VERSION_CREATE') ? <NewVersionView model={model} /> : <MayNotCreate model={model} />;
}

/**
 * Follows the model's live events: every change refreshes the frame and the views (their `revision` bumps);
 * one by someone else is also announced ("alice published version 3"). A rename moves the URL to the new name.
 */
function useLiveRecord(model: RecordModel, refresh: () => void, announce: (text: string) => void, onDeleted: (by: string | null) => void) {
  const { principal, context } = useCairn();
  const client = useClient();
  const navigate = useNavigate();
  const location = useLocation();
  useLiveEvents(model.id, (event) => {
    if (event.actor !== principal) announce(eventSentence(event));
    if (event.__typename === 'ModelDeletedEvent') return onDeleted(event.actor ?? 'someone');
    if (event.__typename === 'ModelUpdatedEvent') {
      void client
        .query(RecordModelDocument, { id: model.id }, { requestPolicy: 'network-only' })
        .toPromise()
        .then((r) => {
          const renamed = r.data?.model?.name;
          if (renamed && renamed !== model.name) {
            const base = paths.model(context, model.name);
            const rest = location.pathname.startsWith(base) ? location.pathname.slice(base.length) : '';
            navigate(paths.model(context, renamed) + rest + location.search, { replace: true });
          }
        });
    }
    refresh();
  }, (error) => {
    // The model's stream ends with NOT_FOUND when the model is deleted (before its ModelDeleted event is sent).
    if (error.graphQLErrors.some((e) => e.extensions?.code === 'NOT_FOUND')) onDeleted(null);
  });
}

/** The frame of a model's record: name, tags, description, general section, and the tabs (links) to its views. */
function Frame({ model, refresh }: { model: RecordModel; refresh: () => void }) {
  const to = useModelPaths(model.name);
  const { may } = useCairn();
  const [liveNode, announce] = useLiveStatus();
  const [deleted, setDeleted] = useState<{ by: string | null } | null>(null);
  useLiveRecord(model, refresh, announce, (by) => setDeleted((d) => (d?.by ? d : { by })));
  if (deleted)
    return (
      <EmptyState level={1} title={deleted.by ? `${deleted.by} deleted the model ${model.name}` : `The model ${model.name} was deleted`} action={<Link to={to.list}>Back to the models</Link>} />
    );
  const last = model.lastEvent.edges[0]?.node;
  // Paths as the browser shows them (percent-encoded like the links), to tell which tab is current.
  const tabs = [
    { to: to.model, label: 'Overview', current: (p: string) => p === to.model || p.startsWith(`${to.model}/versions/`) },
    { to: to.history, label: 'History' },
    { to: to.compare(), label: 'Compare' },
    ...(may('VERSION_CREATE') ? [{ to: to.newVersion, label: 'New version' }] : []),
  ];
  return (
    <article className="record" aria-labelledby="model-name">
      <p className="breadcrumb">
        <Link to={to.list}>Models</Link>
      </p>
      {liveNode}
      <header className="record-header">
        <h1 id="model-name">{model.name}</h1>
        <ChipList items={model.tags} label="Tags" />
      </header>
      {model.description?.trim() && (
        <section aria-labelledby="description-heading" className="description">
          <h2 id="description-heading" className="visually-hidden">
            Description
          </h2>
          <Markdown>{model.description}</Markdown>
        </section>
      )}
      <section className="general" aria-labelledby="general-heading">
        <h2 id="general-heading" className="visually-hidden">
          General
        </h2>
        <dl className="facts">
          <div>
            <dt>Created</dt>
            <dd>
              <RelativeTime value={model.createdAt} by={model.createdBy} />
            </dd>
          </div>
          <div>
            <dt>Updated</dt>
            <dd>
              <RelativeTime value={model.updatedAt} by={last?.actor} />
            </dd>
          </div>
          <div>
            <dt>Versions</dt>
            <dd>{model.versionCount}</dd>
          </div>
          <div>
            <dt>ID</dt>
            <dd>
              <code>{model.id}</code>
            </dd>
          </div>
        </dl>
      </section>
      <TabNav label="Model record" items={tabs} />
      <div className="record-view">
        <Routes>
          <Route index element={<VersionsView model={model} />} />
          <Route path="versions/:number" element={<VersionRoute model={model} />} />
          <Route path="history" element={<HistoryView modelId={model.id} />} />
          <Route path="compare" element={<CompareRoute model={model} />} />
          <Route path="new-version" element={<NewVersionRoute model={model} />} />
          <Route path="*" element={<NotFound what="This page" />} />
        </Routes>
      </div>
    </article>
  );
}

/** /<context>/models/<name>/...: the model by name (or id), its frame and the view the rest of the path names. */
export default function RecordPage() {
  const { name = '' } = useParams();
  const variables = isUuid(name) ? { id: name } : { name };
  const [{ data: fresh, error, fetching }, refetch] = useQuery({ query: RecordModelDocument, variables, requestPolicy: 'cache-and-network' });
  const data = useLastData(fresh, name);
  const [revision, setRevision] = useState(0);
  const refresh = useCallback(() => {
    setRevision((r) => r + 1);
    refetch({ requestPolicy: 'network-only' });
  }, [refetch]);
  const model = data?.model;
  const state = useMemo(() => model && { model, formats: data.formats, refresh, revision }, [model, data?.formats, refresh, revision]);
  useDocumentTitle(model ? null : data ? 'Not found' : name);
  return (
    <>
      <ErrorBanner error={error} stale={!!data} onRetry={refresh} retrying={fetching} />
      {state ? (
        <RecordContext.Provider value={state}>
          <Frame model={state.model} refresh={refresh} />
        </RecordContext.Provider>
      ) : data ? (
        <NotFound level={1} what={`The model “${name}”`} />
      ) : (
        !error && <Loading label="Loading the model" lines={6} />
      )}
    </>
  );
}
