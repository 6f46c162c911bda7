import { useCallback, useMemo, useState } from 'react';
import { Link, Route, Routes, useParams, useSearchParams } from 'react-router';
import { useQuery } from 'urql';
import { useCairn, useModelPaths } from '../cairn.tsx';
import { parseNumbers, isUuid } from '../paths.ts';
import { CompareView, HistoryView, NewVersionView, VersionsView } from '../record/index.ts';
import { RecordContext, RecordModelDocument, type RecordModel } from '../recordModel.tsx';
import { ChipList, EmptyState, Loading, Markdown, RelativeTime, TabNav, useDocumentTitle } from '../ui/index.ts';
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

function NotFound({ what }: { what: string }) {
  useDocumentTitle('Not found');
  return <EmptyState title={`${what} is not here`}>It may have been deleted, or the link is wrong.</EmptyState>;
}

function NewVersionRoute({ model }: { model: RecordModel }) {
  const { may } = useCairn();
  useDocumentTitle(may('VERSION_CREATE') ? null : model.name, may('VERSION_CREATE') ? null : 'new version');
  if (!may('VERSION_CREATE')) return <EmptyState title="Your roles do not allow creating versions">Ask an editor of this context.</EmptyState>;
  return <NewVersionView model={model} />;
}

/** The frame of a model's record: name, tags, description, general section, and the tabs (links) to its views. */
function Frame({ model }: { model: RecordModel }) {
  const to = useModelPaths(model.name);
  const { may } = useCairn();
  const last = model.lastEvent.edges[0]?.node;
  const tabs = [
    { to: to.model, label: 'Overview', prefix: false },
    { to: to.history, label: 'History' },
    { to: to.compare(), label: 'Compare' },
    ...(may('VERSION_CREATE') ? [{ to: to.newVersion, label: 'New version' }] : []),
  ];
  return (
    <article className="record" aria-labelledby="model-name">
      <p className="breadcrumb">
        <Link to={to.list}>Models</Link>
      </p>
      <header className="record-header">
        <h1 id="model-name">{model.name}</h1>
        <ChipList items={model.tags} label="Tags" />
      </header>
      <Markdown>{model.description}</Markdown>
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
      <TabNav label="Model record" items={tabs.map((t) => ({ ...t, prefix: t.to === to.model ? false : true }))} />
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
  const [{ data, error, fetching }, refetch] = useQuery({ query: RecordModelDocument, variables, requestPolicy: 'cache-and-network' });
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
          <Frame model={state.model} />
        </RecordContext.Provider>
      ) : data ? (
        <NotFound what={`The model “${name}”`} />
      ) : (
        !error && <Loading label="Loading the model" lines={6} />
      )}
    </>
  );
}
