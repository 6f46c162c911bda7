import { useEffect, useState } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { useQuery } from 'urql';
import { useCairn } from '../cairn.tsx';
import { graphql } from '../generated/index.ts';
import { paths } from '../paths.ts';
import { Badge, Button, ChipList, EmptyState, Loading, RelativeTime, TextField, useDocumentTitle } from '../ui/index.ts';
import { CreateModelDialog } from './CreateModel.tsx';
import { ErrorBanner } from './ErrorBanner.tsx';
import { type ListFilter, rememberPageStart, usePageStart } from './pageCursors.tsx';

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

export const PAGE_SIZE = 20;

const SORTS = ['name', '-name', 'created', '-created', 'updated', '-updated'] as const;
type Sort = (typeof SORTS)[number];
const FIELDS = { name: 'NAME', created: 'CREATED_AT', updated: 'UPDATED_AT' } as const;

function orderBy(sort: Sort) {
  const desc = sort.startsWith('-');
  return { field: FIELDS[sort.replace('-', '') as keyof typeof FIELDS], direction: desc ? ('DESC' as const) : ('ASC' as const) };
}

/** /<context>/models: search, tags, sort and page all live in the URL. */
export default function ModelList() {
  const { context, may } = useCairn();
  const navigate = useNavigate();
  const [params, setParams] = useSearchParams();
  const search = params.get('search') ?? '';
  const tags = params.getAll('tag');
  const sortParam = params.get('sort') as Sort | null;
  const sort: Sort = sortParam && SORTS.includes(sortParam) ? sortParam : 'name';
  const page = Math.max(1, Number.parseInt(params.get('page') ?? '1', 10) || 1);
  const [creating, setCreating] = useState(false);
  useDocumentTitle('Models', context);
  const filter: ListFilter = { search: search || null, tags: tags.length ? tags : null, orderBy: orderBy(sort) };
  const start = usePageStart(filter, page, PAGE_SIZE);
  const [{ data, error, fetching }, refetch] = useQuery({
    query: ModelsQuery,
    requestPolicy: 'cache-and-network',
    variables: { ...filter, first: PAGE_SIZE, after: start.state === 'ready' ? start.after : null },
    pause: start.state !== 'ready',
  });
  const endCursor = data?.models.pageInfo.endCursor;
  useEffect(() => rememberPageStart(filter, page + 1, endCursor), [JSON.stringify(filter), page, endCursor]);
  const update = (next: { search?: string; tags?: string[]; sort?: Sort; page?: number }) =>
    setParams(new URLSearchParams(paths.models(context, { search, tags, sort: sort === 'name' ? undefined : sort, page: 1, ...next }).split('?')[1] ?? ''));
  const models = data?.models;
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
      <div className="toolbar">
        <TextField label="Search" hideLabel type="search" placeholder="Search name, description, tags" value={search} onChange={(e) => update({ search: e.target.value })} />
      </div>
      <ErrorBanner error={error} stale={!!data} onRetry={() => refetch({ requestPolicy: 'network-only' })} retrying={fetching} />
      {!models ? (
        !error && <Loading label="Loading models" lines={8} />
      ) : models.totalCount === 0 ? (
        <EmptyState title={search || tags.length ? 'No model matches' : 'No models yet'} action={may('MODEL_CREATE') && !search && <Button onClick={() => setCreating(true)}>Create the first model</Button>}>
          {search || tags.length ? 'Try other words or fewer tags.' : 'Models appear here once someone creates one.'}
        </EmptyState>
      ) : (
        <table className="data-table" aria-label="Models">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Tags</th>
              <th scope="col">Versions</th>
              <th scope="col">Latest</th>
              <th scope="col">Updated</th>
            </tr>
          </thead>
          <tbody>
            {models.edges.map(({ node: m }) => (
              <tr key={m.id}>
                <td>
                  <Link to={paths.model(context, m.name)}>{m.name}</Link>
                </td>
                <td>
                  <ChipList items={m.tags} />
                </td>
                <td>{m.versionCount}</td>
                <td>{m.latestVersion ? <>v{m.latestVersion.number} <Badge status={m.latestVersion.status} /></> : <span className="muted">none</span>}</td>
                <td>
                  <RelativeTime value={m.updatedAt} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {models && models.totalCount > 0 && (
        <nav className="pager" aria-label="Pages">
          <span>{models.totalCount} models</span>
          {page > 1 && <Button onClick={() => update({ page: page - 1 })}>Previous</Button>}
          {models.pageInfo.hasNextPage && <Button onClick={() => update({ page: page + 1 })}>Next</Button>}
        </nav>
      )}
      <CreateModelDialog open={creating} onOpenChange={setCreating} onCreated={(name) => (setCreating(false), navigate(paths.model(context, name)))} />
    </section>
  );
}
