import './record.css';
import { Fragment, useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { useQuery } from 'urql';
import { useModelPaths } from '../cairn.tsx';
import { graphql } from '../generated/index.ts';
import { useRecord } from '../recordModel.tsx';
import { errorText } from '../routes/ErrorBanner.tsx';
import { Badge, ChipList, EmptyState, Loading, useDocumentTitle } from '../ui/index.ts';
import { cellText, groupRows, SECTION_TITLE } from './comparison.ts';
import { MAX_COMPARED, MIN_COMPARED } from './versionRows.ts';

export const ComparisonDocument = graphql(`
  query RecordComparison($id: ID!, $numbers: [Int!]!) {
    model(id: $id) {
      id
      comparison(numbers: $numbers) {
        versions {
          number
          status
          aliases
        }
        rows {
          section
          key
          dataset
          differs
          values
        }
      }
    }
  }
`);

/** /compare?versions=1,3: the versions side by side, a column each in the order asked, differences marked. */
export function CompareView({ modelId, numbers }: { modelId: string; numbers: number[] }) {
  const { model } = useRecord();
  const to = useModelPaths(model.name);
  const [params, setParams] = useSearchParams();
  // Local state answers the click at once; the address follows (a data router navigates asynchronously).
  const [only, setOnly] = useState(params.get('only') === 'differences');
  useDocumentTitle(model.name, 'compare');
  const enough = numbers.length >= MIN_COMPARED && numbers.length <= MAX_COMPARED;
  const [{ data, error }] = useQuery({ query: ComparisonDocument, variables: { id: modelId, numbers }, pause: !enough, requestPolicy: 'cache-and-network' });
  if (!enough)
    return (
      <EmptyState title={`Pick ${MIN_COMPARED}–${MAX_COMPARED} versions to compare`} action={<Link to={to.model}>Go to the versions table</Link>}>
        Tick the versions in the table, then press Compare.
      </EmptyState>
    );
  if (!data) return error ? <p role="alert" className="field-error">{errorText(error)}</p> : <Loading label="Comparing the versions" lines={6} />;
  const comparison = data.model?.comparison;
  if (!comparison) return <EmptyState title="Nothing to compare">The model is not here any more.</EmptyState>;
  const groups = groupRows(comparison.rows, only);
  const differing = comparison.rows.filter((r) => r.differs).length;
  const toggle = (on: boolean) => {
    setOnly(on);
    setParams(
      (p) => {
        const next = new URLSearchParams(p);
        if (on) next.set('only', 'differences');
        else next.delete('only');
        return next;
      },
      { replace: true },
    );
  };
  const columns = comparison.versions.length;
  return (
    <section aria-labelledby="compare-heading" className="compare">
      <p className="breadcrumb">
        <Link to={to.model}>All versions</Link>
      </p>
      <div className="section-header">
        <h2 id="compare-heading">Comparing versions {comparison.versions.map((v) => v.number).join(', ')}</h2>
        <span className="muted">
          {differing} of {comparison.rows.length} rows differ
        </span>
        <label className="checkbox-label">
          <input type="checkbox" className="checkbox" checked={only} onChange={(e) => toggle(e.target.checked)} />
          Only differences
        </label>
      </div>
      {groups.length === 0 ? (
        <EmptyState title={only ? 'No differences' : 'Nothing recorded'}>{only ? 'These versions have the same settings and metrics.' : 'These versions have no settings or metrics.'}</EmptyState>
      ) : (
        <div className="table-scroll">
          <table className="data-table compare-table" aria-label="Comparison">
            <thead>
              <tr>
                <th scope="col">Key</th>
                {comparison.versions.map((v) => (
                  <th scope="col" key={v.number}>
                    <Link to={to.version(v.number)}>Version {v.number}</Link> <Badge status={v.status} />
                    <ChipList items={v.aliases} kind="alias" />
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {groups.map((group) => (
                <Fragment key={group.section}>
                  <tr className="section-row">
                    <th scope="colgroup" colSpan={columns + 1}>
                      {SECTION_TITLE[group.section]}
                    </th>
                  </tr>
                  {group.rows.map((row) => (
                    <tr key={`${row.section}|${row.dataset ?? ''}|${row.key}`} className={row.differs ? 'differs' : undefined} data-differs={row.differs}>
                      <th scope="row">
                        {row.differs && (
                          <span className="diff-marker" title="The values differ">
                            ≠<span className="visually-hidden"> differs:</span>
                          </span>
                        )}{' '}
                        <code>{row.key}</code>
                        {row.dataset && <span className="muted"> on {row.dataset}</span>}
                      </th>
                      {row.values.map((value, i) => (
                        <td key={i} className={value === null ? 'muted' : undefined}>
                          {value === null ? <span title="Not set in this version">—</span> : cellText(value)}
                        </td>
                      ))}
                    </tr>
                  ))}
                </Fragment>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
