import { lazy, Suspense, useEffect, useId, useMemo, useRef, useState } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { useQuery } from 'urql';
import { useCairn } from '../cairn.tsx';
import { graphql } from '../generated/index.ts';
import { eventSentence, useLiveEvents } from '../live.tsx';
import { paths } from '../paths.ts';
import { Badge, Chip, ChipList } from '../ui/Badge.tsx';
import { Button } from '../ui/Button.tsx';
import { TextField } from '../ui/Field.tsx';
import { useLiveStatus } from '../ui/LiveStatus.tsx';
import { RelativeTime } from '../ui/RelativeTime.tsx';
import { EmptyState, Loading } from '../ui/Skeleton.tsx';
import { useDocumentTitle, useLastData } from '../ui/title.ts';
import { ErrorBanner } from './ErrorBanner.tsx';
import { type ListFilter, rememberPageStart, usePageStart } from './pageCursors.tsx';
import { pageWindow } from './pages.ts';

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
          createdAt
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

// The tags of the most recently updated models, for the tag filter's suggestions (the schema has no tag list).
const TagSuggestionsQuery = graphql(`
  query DashboardTagSuggestions {
    models(first: 100, orderBy: { field: UPDATED_AT, direction: DESC }) {
      edges {
        node {
          tags
        }
      }
    }
  }
`);

// The dialog (and Radix's dialog code) loads when first opened: the list itself loads light.
const CreateModelDialog = lazy(() => import('./CreateModel.tsx').then((m) => ({ default: m.CreateModelDialog })));

export const PAGE_SIZE = 20;
const SEARCH_DEBOUNCE_MS = 300;

const SORTS = ['name', '-name', 'created', '-created', 'updated', '-updated'] as const;
type Sort = (typeof SORTS)[number];
type SortKey = 'name' | 'created' | 'updated';
const FIELDS = { name: 'NAME', created: 'CREATED_AT', updated: 'UPDATED_AT' } as const;

function orderBy(sort: Sort): ListFilter['orderBy'] {
  return { field: FIELDS[sort.replace('-', '') as SortKey], direction: sort.startsWith('-') ? 'DESC' : 'ASC' };
}

/** The list's state, read from and written to the URL: ?search=&tag=&tag=&sort=&page=. */
function useListParams() {
  const [params, setParams] = useSearchParams();
  const search = params.get('search') ?? '';
  const tags = params.getAll('tag');
  const sortParam = params.get('sort') as Sort | null;
  const sort: Sort = sortParam && SORTS.includes(sortParam) ? sortParam : 'name';
  const page = Math.min(1_000_000, Math.max(1, Number.parseInt(params.get('page') ?? '1', 10) || 1));
  const set = (next: { search?: string; tags?: string[]; sort?: Sort; page?: number }, options?: { replace?: boolean }) => {
    const merged = { search, tags, sort, page: 1, ...next };
    const url = paths.models('x', { ...merged, sort: merged.sort === 'name' ? undefined : merged.sort });
    setParams(new URLSearchParams(url.split('?')[1] ?? ''), options);
  };
  return { search, tags, sort, page, set };
}

/** The search box: the URL (and so the request) follows SEARCH_DEBOUNCE_MS after typing stops. */
function SearchBox({ value, onSearch }: { value: string; onSearch: (text: string) => void }) {
  const [text, setText] = useState(value);
  const latest = useRef(onSearch);
  useEffect(() => {
    latest.current = onSearch;
  });
  // Back, Forward or a link changed the URL: show its search.
  useEffect(() => setText(value), [value]);
  useEffect(() => {
    if (text === value) return;
    const timer = setTimeout(() => latest.current(text), SEARCH_DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [text, value]);
  return <TextField label="Search" hideLabel type="search" placeholder="Search names, descriptions, tags" value={text} onChange={(e) => setText(e.target.value)} maxLength={200} />;
}

/** Tags that a model must all carry, as chips; the input suggests existing tags. */
function TagFilter({ tags, onChange, suggestions }: { tags: string[]; onChange: (tags: string[]) => void; suggestions: string[] }) {
  const [text, setText] = useState('');
  const listId = useId();
  const add = () => {
    const tag = text.trim();
    if (tag && !tags.some((t) => t.toLowerCase() === tag.toLowerCase())) onChange([...tags, tag]);
    setText('');
  };
  return (
    <div className="tag-filter">
      <form
        className="tag-input"
        onSubmit={(e) => {
          e.preventDefault();
          add();
        }}
      >
        <TextField label="Filter by tag" hideLabel placeholder="Filter by tag" list={listId} value={text} onChange={(e) => setText(e.target.value)} maxLength={32} autoComplete="off" />
        <datalist id={listId}>
          {suggestions
            .filter((s) => !tags.includes(s))
            .map((s) => (
              <option key={s} value={s} />
            ))}
        </datalist>
        <Button type="submit" disabled={!text.trim()}>
          Add tag
        </Button>
      </form>
      {tags.length > 0 && (
        <ul className="chip-list" aria-label="Tag filters">
          {tags.map((tag) => (
            <li key={tag}>
              <Chip onRemove={() => onChange(tags.filter((t) => t !== tag))}>{tag}</Chip>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

function SortHeader({ label, sortKey, sort, onSort }: { label: string; sortKey: SortKey; sort: Sort; onSort: (sort: Sort) => void }) {
  const active = sort.replace('-', '') === sortKey;
  const descending = sort.startsWith('-');
  const next: Sort = active && !descending ? `-${sortKey}` : sortKey;
  return (
    <th scope="col" aria-sort={active ? (descending ? 'descending' : 'ascending') : 'none'}>
      <button type="button" className="sort-button" onClick={() => onSort(next)}>
        {label}
        <span aria-hidden="true" className="sort-arrow">
          {active ? (descending ? '▼' : '▲') : '↕'}
        </span>
      </button>
    </th>
  );
}

function Pager({ page, total, href }: { page: number; total: number; href: (page: number) => string }) {
  const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
  const first = (page - 1) * PAGE_SIZE + 1;
  const last = Math.min(total, page * PAGE_SIZE);
  return (
    <nav className="pager" aria-label="Pages">
      <span className="pager-summary">
        {first <= total ? `${first}–${last} of ${total} ${total === 1 ? 'model' : 'models'}` : `${total} ${total === 1 ? 'model' : 'models'}`}
      </span>
      {pages > 1 && (
        <ol className="pager-pages">
          {page > 1 && (
            <li>
              <Link to={href(page - 1)} className="pager-link" rel="prev">
                Previous<span className="visually-hidden"> page</span>
              </Link>
            </li>
          )}
          {pageWindow(page, pages).map((p, i) =>
            p === 'gap' ? (
              <li key={`gap${i}`} aria-hidden="true" className="pager-gap">
                …
              </li>
            ) : (
              <li key={p}>
                <Link to={href(p)} className="pager-link" aria-current={p === page ? 'page' : undefined} aria-label={`Page ${p}`}>
                  {p}
                </Link>
              </li>
            ),
          )}
          {page < pages && (
            <li>
              <Link to={href(page + 1)} className="pager-link" rel="next">
                Next<span className="visually-hidden"> page</span>
              </Link>
            </li>
          )}
        </ol>
      )}
    </nav>
  );
}

/** /<context>/models: search, tags, sort and page all live in the URL, so reload and Back restore them. */
export default function ModelList() {
  const { context, may, principal } = useCairn();
  const navigate = useNavigate();
  const { search, tags, sort, page, set } = useListParams();
  const [creating, setCreating] = useState(false);
  const [liveNode, announce] = useLiveStatus();
  useDocumentTitle(page > 1 ? `page ${page}` : null, 'Models', context);
  // Kept the same object while the URL says the same, so the effects below run on real changes only.
  const tagKey = tags.join('\u0000');
  const filter: ListFilter = useMemo(() => ({ search: search || null, tags: tagKey ? tagKey.split('\u0000') : null, orderBy: orderBy(sort) }), [search, tagKey, sort]);
  const start = usePageStart(filter, page, PAGE_SIZE);
  const [{ data: fresh, error, fetching }, refetch] = useQuery({
    query: ModelsQuery,
    requestPolicy: 'cache-and-network',
    variables: { ...filter, first: PAGE_SIZE, after: start.state === 'ready' ? start.after : null },
    pause: start.state !== 'ready',
  });
  const data = useLastData(fresh);
  const [{ data: tagData }, refetchTags] = useQuery({ query: TagSuggestionsQuery });
  const endCursor = data?.models.pageInfo.endCursor;
  useEffect(() => rememberPageStart(filter, page + 1, endCursor), [filter, page, endCursor]);

  // Someone else changed a model: reload this page (at most once a second) and say who did what.
  const pendingRefresh = useRef<ReturnType<typeof setTimeout> | null>(null);
  useEffect(() => () => clearTimeout(pendingRefresh.current ?? undefined), []);
  useLiveEvents(null, (event) => {
    if (event.actor !== principal) announce(eventSentence(event, data?.models.edges.find((e) => e.node.id === event.modelId)?.node.name));
    if (pendingRefresh.current) return;
    pendingRefresh.current = setTimeout(() => {
      pendingRefresh.current = null;
      refetch({ requestPolicy: 'network-only' });
      if (event.__typename === 'ModelCreatedEvent' || event.__typename === 'ModelUpdatedEvent') refetchTags({ requestPolicy: 'network-only' });
    }, 1000);
  });

  const suggestions = useMemo(() => {
    const counts = new Map<string, number>();
    for (const edge of [...(tagData?.models.edges ?? []), ...(data?.models.edges ?? [])]) for (const t of edge.node.tags) counts.set(t, (counts.get(t) ?? 0) + 1);
    return [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([t]) => t);
  }, [tagData, data]);

  const models = data?.models;
  const filtered = !!search || tags.length > 0;
  const href = (p: number) => paths.models(context, { search, tags, sort: sort === 'name' ? undefined : sort, page: p });
  const retry = () => (start.state === 'error' ? start.retry() : refetch({ requestPolicy: 'network-only' }));
  const loadError = error ?? (start.state === 'error' ? (start.error as typeof error) : undefined);
  return (
    <section aria-labelledby="models-heading">
      <div className="page-header">
        <h1 id="models-heading">Models</h1>
        {may('MODEL_CREATE') && (
          <Button variant="primary" onClick={() => setCreating(true)}>
            New model
          </Button>
        )}
      </div>
      {liveNode}
      <div className="toolbar" role="search" aria-label="Models">
        <SearchBox value={search} onSearch={(text) => set({ search: text })} />
        <TagFilter tags={tags} onChange={(next) => set({ tags: next })} suggestions={suggestions} />
      </div>
      <ErrorBanner error={loadError} stale={!!data} onRetry={retry} retrying={fetching} />
      {start.state === 'past-end' ? (
        <EmptyState title={`There is no page ${page}`} action={<Link to={href(1)}>Go to the first page</Link>}>
          The list has fewer models now.
        </EmptyState>
      ) : !models ? (
        !loadError && <Loading label="Loading models" lines={8} />
      ) : models.totalCount === 0 ? (
        <EmptyState
          title={filtered ? 'No model matches' : 'No models yet'}
          action={
            filtered ? (
              <Link to={paths.models(context)}>Clear the search and tags</Link>
            ) : (
              may('MODEL_CREATE') && (
                <Button variant="primary" onClick={() => setCreating(true)}>
                  Create the first model
                </Button>
              )
            )
          }
        >
          {filtered ? 'Try other words or fewer tags.' : may('MODEL_CREATE') ? 'Create one, or register one from a script or the CLI.' : 'Models appear here once an editor creates one.'}
        </EmptyState>
      ) : (
        <>
          <table className="data-table model-table" aria-label="Models" aria-busy={fetching || undefined}>
            <thead>
              <tr>
                <SortHeader label="Name" sortKey="name" sort={sort} onSort={(s) => set({ sort: s })} />
                <th scope="col">Tags</th>
                <th scope="col">Versions</th>
                <th scope="col">Latest</th>
                <SortHeader label="Created" sortKey="created" sort={sort} onSort={(s) => set({ sort: s })} />
                <SortHeader label="Updated" sortKey="updated" sort={sort} onSort={(s) => set({ sort: s })} />
              </tr>
            </thead>
            <tbody>
              {models.edges.map(({ node: m }) => (
                <tr key={m.id}>
                  <td data-label="Name" className="cell-name">
                    <Link to={paths.model(context, m.name)}>{m.name}</Link>
                  </td>
                  <td data-label="Tags">
                    <ChipList items={m.tags} empty="—" />
                  </td>
                  <td data-label="Versions">{m.versionCount}</td>
                  <td data-label="Latest">
                    {m.latestVersion ? (
                      <>
                        v{m.latestVersion.number} <Badge status={m.latestVersion.status} />
                      </>
                    ) : (
                      <span className="muted">none</span>
                    )}
                  </td>
                  <td data-label="Created" className="cell-created">
                    <RelativeTime value={m.createdAt} />
                  </td>
                  <td data-label="Updated">
                    <RelativeTime value={m.updatedAt} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <Pager page={page} total={models.totalCount} href={href} />
        </>
      )}
      {creating && (
        <Suspense fallback={null}>
          <CreateModelDialog open={creating} onOpenChange={setCreating} onCreated={(name) => (setCreating(false), navigate(paths.model(context, name)))} />
        </Suspense>
      )}
    </section>
  );
}
