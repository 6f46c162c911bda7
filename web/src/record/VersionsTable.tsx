import { useEffect, useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { useQuery } from 'urql';
import { useModelPaths } from '../cairn.tsx';
import { graphql } from '../generated/index.ts';
import { type RecordModel, useRecord } from '../recordModel.tsx';
import { errorText } from '../routes/ErrorBanner.tsx';
import { Badge, Button, ChipList, EmptyState, Loading, RelativeTime } from '../ui/index.ts';
import { gapText, MAX_COMPARED, MIN_COMPARED, withGaps } from './versionRows.ts';

export const VersionsDocument = graphql(`
  query RecordVersions($id: ID!, $before: String) {
    model(id: $id) {
      id
      versions(last: 100, before: $before) {
        totalCount
        pageInfo {
          hasPreviousPage
          startCursor
        }
        edges {
          node {
            number
            status
            aliases
            tags
            formats {
              id
            }
            createdAt
            createdBy
            publishedAt
            publishedBy
          }
        }
      }
    }
  }
`);

/** The versions table: newest first, deleted numbers shown as gap rows, 2-10 picked to compare. */
export function VersionsTable({ model }: { model: RecordModel }) {
  const to = useModelPaths(model.name);
  const navigate = useNavigate();
  const { revision } = useRecord();
  const [before, setBefore] = useState<string | null>(null);
  const [{ data, error, fetching }, refetch] = useQuery({ query: VersionsDocument, variables: { id: model.id, before }, requestPolicy: 'cache-and-network' });
  const [picked, setPicked] = useState<number[]>([]);
  useEffect(() => {
    if (revision > 0) refetch({ requestPolicy: 'network-only' });
  }, [revision, refetch]);
  const versions = data?.model?.versions;
  if (!versions) return error ? <p role="alert" className="field-error">{errorText(error)}</p> : <Loading label="Loading the versions" lines={4} />;
  if (versions.totalCount === 0) return <EmptyState title="No versions yet">Create the first version with its settings and files from “New version”.</EmptyState>;
  const rows = withGaps(versions.edges.map((e) => e.node));
  const toggle = (n: number, on: boolean) => setPicked((p) => (on ? [...p, n].slice(-MAX_COMPARED) : p.filter((x) => x !== n)));
  const canCompare = picked.length >= MIN_COMPARED && picked.length <= MAX_COMPARED;
  return (
    <section aria-labelledby="versions-heading" className="versions">
      <div className="section-header">
        <h2 id="versions-heading">Versions</h2>
        <span className="muted" aria-live="polite">
          {picked.length === 0 ? `Pick ${MIN_COMPARED}–${MAX_COMPARED} versions to compare` : `${picked.length} picked${picked.length < MIN_COMPARED ? `: pick ${MIN_COMPARED - picked.length} more to compare` : ''}`}
        </span>
        <Button variant="primary" disabled={!canCompare} onClick={() => navigate(to.compare([...picked].sort((a, b) => a - b)))}>
          Compare
        </Button>
      </div>
      <div className="table-scroll">
        <table className="data-table versions-table" aria-label="Versions">
          <thead>
            <tr>
              <th scope="col">
                <span className="visually-hidden">Compare</span>
              </th>
              <th scope="col">Version</th>
              <th scope="col">Status</th>
              <th scope="col">Aliases</th>
              <th scope="col">Tags</th>
              <th scope="col">Formats</th>
              <th scope="col">Created</th>
              <th scope="col">Published</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row) =>
              row.kind === 'gap' ? (
                <tr key={`gap-${row.from}`} className="gap-row">
                  <td />
                  <td colSpan={7} className="muted">
                    {gapText(row)}
                  </td>
                </tr>
              ) : (
                <tr key={row.version.number} data-version={row.version.number}>
                  <td>
                    <input
                      type="checkbox"
                      className="checkbox"
                      aria-label={`Compare version ${row.version.number}`}
                      checked={picked.includes(row.version.number)}
                      disabled={!picked.includes(row.version.number) && picked.length >= MAX_COMPARED}
                      onChange={(e) => toggle(row.version.number, e.target.checked)}
                    />
                  </td>
                  <td>
                    <Link to={to.version(row.version.number)}>Version {row.version.number}</Link>
                  </td>
                  <td>
                    <Badge status={row.version.status} />
                  </td>
                  <td>
                    <ChipList items={row.version.aliases} kind="alias" label={`Aliases of version ${row.version.number}`} />
                  </td>
                  <td>
                    <ChipList items={row.version.tags} label={`Tags of version ${row.version.number}`} />
                  </td>
                  <td>{row.version.formats.map((f) => f.id).join(', ') || <span className="muted">none</span>}</td>
                  <td>
                    <RelativeTime value={row.version.createdAt} by={row.version.createdBy} />
                  </td>
                  <td>{row.version.publishedAt ? <RelativeTime value={row.version.publishedAt} by={row.version.publishedBy} /> : <span className="muted">not yet</span>}</td>
                </tr>
              ),
            )}
          </tbody>
        </table>
      </div>
      <p className="pager">
        {before && (
          <Button size="sm" onClick={() => setBefore(null)}>
            Newest versions
          </Button>
        )}
        {versions.pageInfo.hasPreviousPage && (
          <Button size="sm" pending={fetching} onClick={() => setBefore(versions.pageInfo.startCursor ?? null)}>
            Older versions
          </Button>
        )}
      </p>
    </section>
  );
}
