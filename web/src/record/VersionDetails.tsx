import { useEffect, useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { useQuery } from 'urql';
import { useCairn, useModelPaths } from '../cairn.tsx';
import { graphql } from '../generated/index.ts';
import type { RecordVersionQuery } from '../generated/graphql.ts';
import { type RecordModel, useRecord } from '../recordModel.tsx';
import { errorText } from '../routes/ErrorBanner.tsx';
import { Badge, Button, ChipList, EmptyState, KeyValueTable, Loading, Markdown, RelativeTime, useConfirm, useMutationWithKey } from '../ui/index.ts';
import { Aliases } from './Aliases.tsx';
import { EditVersionForm } from './EditVersionForm.tsx';
import { Formats } from './Formats.tsx';
import { refusalOf } from './refusal.ts';
import { UseThisVersion } from './UseThisVersion.tsx';

export const VersionDocument = graphql(`
  query RecordVersion($id: ID!, $number: Int!) {
    formats
    model(id: $id) {
      id
      name
      aliases {
        name
        version {
          number
        }
      }
      version(number: $number) {
        number
        status
        description
        tags
        hyperparameters
        config
        aliases
        records {
          uri
          name
        }
        createdAt
        createdBy
        updatedAt
        publishedAt
        publishedBy
        evaluations {
          id
          dataset {
            uri
            name
          }
          metrics
          notes
          recordedAt
          recordedBy
        }
        formats {
          id
          filename
          size
          sha256
          uploadedAt
          uploadedBy
          signedUrl
        }
      }
    }
  }
`);

export type LoadedVersion = NonNullable<NonNullable<RecordVersionQuery['model']>['version']>;

const PublishDocument = graphql(`
  mutation RecordPublishVersion($id: ID!, $number: Int!) {
    publishVersion(modelId: $id, number: $number) {
      __typename
      ... on Error {
        code
        message
      }
    }
  }
`);

const DeleteVersionDocument = graphql(`
  mutation RecordDeleteVersion($id: ID!, $number: Int!) {
    deleteVersion(modelId: $id, number: $number) {
      __typename
      ... on Error {
        code
        message
      }
    }
  }
`);

const isWebLink = (uri: string) => /^https?:\/\//i.test(uri);

/** A dataset's name and URI, both shown; the URI a link (opening safely) only when it is http(s). */
export function DatasetRecord({ uri, name }: { uri: string; name?: string | null }) {
  const target = isWebLink(uri) ? (
    <a href={uri} target="_blank" rel="noopener noreferrer">
      {uri}
    </a>
  ) : (
    <code>{uri}</code>
  );
  return name ? (
    <>
      <strong>{name}</strong> <span className="muted">·</span> {target}
    </>
  ) : (
    target
  );
}

/** Key/value rows with the JSON itself one press away. */
function Settings({ title, value }: { title: string; value: unknown }) {
  const [json, setJson] = useState(false);
  return (
    <section className="settings" aria-label={title}>
      <div className="section-header">
        <h3>{title}</h3>
        <Button size="sm" variant="ghost" aria-pressed={json} onClick={() => setJson(!json)}>
          {json ? 'Show table' : 'Show JSON'}
        </Button>
      </div>
      {json ? <pre className="json" tabIndex={0}>{JSON.stringify(value, null, 2)}</pre> : <KeyValueTable label={title} value={value} empty={`No ${title.toLowerCase()}`} />}
    </section>
  );
}

function Evaluations({ evaluations }: { evaluations: LoadedVersion['evaluations'] }) {
  return (
    <section aria-labelledby="evaluations-heading">
      <h3 id="evaluations-heading">Evaluations</h3>
      {evaluations.length === 0 ? (
        <p className="muted">No evaluations recorded. Record one with the CLI, a client or the API (recordEvaluation).</p>
      ) : (
        <div className="table-scroll">
          <table className="data-table" aria-label="Evaluations">
            <thead>
              <tr>
                <th scope="col">Dataset</th>
                <th scope="col">Metrics</th>
                <th scope="col">Notes</th>
                <th scope="col">Recorded</th>
              </tr>
            </thead>
            <tbody>
              {evaluations.map((e) => (
                <tr key={e.id}>
                  <td>
                    <DatasetRecord uri={e.dataset.uri} name={e.dataset.name} />
                  </td>
                  <td>
                    <KeyValueTable label={`Metrics on ${e.dataset.name ?? e.dataset.uri}`} value={e.metrics} />
                  </td>
                  <td>{e.notes ? <Markdown>{e.notes}</Markdown> : <span className="muted">—</span>}</td>
                  <td>
                    <RelativeTime value={e.recordedAt} by={e.recordedBy} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

/** /versions/<n>: one version in full, with what the caller's roles allow doing to it. */
export function VersionDetails({ model, number }: { model: RecordModel; number: number }) {
  const { may } = useCairn();
  const to = useModelPaths(model.name);
  const navigate = useNavigate();
  const record = useRecord();
  const [{ data, error }, refetch] = useQuery({ query: VersionDocument, variables: { id: model.id, number }, requestPolicy: 'cache-and-network' });
  const [editing, setEditing] = useState(false);
  const [dialog, confirm] = useConfirm();
  const publish = useMutationWithKey(PublishDocument);
  const remove = useMutationWithKey(DeleteVersionDocument);
  useEffect(() => {
    if (record.revision > 0) refetch({ requestPolicy: 'network-only' });
  }, [record.revision, refetch]);
  const version = data?.model?.version;
  if (!data) return error ? <p role="alert" className="field-error">{errorText(error)}</p> : <Loading label={`Loading version ${number}`} lines={8} />;
  if (!version)
    return (
      <EmptyState title={`Version ${number} is not here`} action={<Link to={to.model}>All versions</Link>}>
        It may have been deleted (deleted numbers are never given again), or not made yet.
      </EmptyState>
    );
  const draft = version.status === 'DRAFT';
  const changed = () => {
    refetch({ requestPolicy: 'network-only' });
    record.refresh();
  };
  return (
    <article className="version" aria-labelledby="version-heading">
      <p className="breadcrumb">
        <Link to={to.model}>All versions</Link>
      </p>
      <header className="section-header">
        <h2 id="version-heading">Version {version.number}</h2>
        <Badge status={version.status} />
        <ChipList items={version.aliases} kind="alias" label="Aliases" />
        <span className="spacer" />
        {draft && may('VERSION_UPDATE') && !editing && <Button onClick={() => setEditing(true)}>Edit version</Button>}
        {draft && may('VERSION_PUBLISH') && (
          <Button
            variant="primary"
            pending={publish.pending}
            onClick={() =>
              confirm({
                title: `Publish version ${version.number}?`,
                body: 'Its settings and files can never change again. This cannot be undone.',
                confirmLabel: 'Publish',
                onConfirm: async () => {
                  const r = await publish.mutate({ id: model.id, number: version.number });
                  const refusal = refusalOf(r.data?.publishVersion, r.error, 'PublishVersionSuccess');
                  changed();
                  return refusal?.message;
                },
              })
            }
          >
            Publish
          </Button>
        )}
        {may('VERSION_DELETE') && (
          <Button
            variant="danger"
            onClick={() =>
              confirm({
                title: `Delete version ${version.number}?`,
                body: 'Its files and evaluations are deleted with it. This cannot be undone, and its number is never given again.',
                confirmLabel: `Delete version ${version.number}`,
                danger: true,
                onConfirm: async () => {
                  const r = await remove.mutate({ id: model.id, number: version.number });
                  const refusal = refusalOf(r.data?.deleteVersion, r.error, 'DeleteVersionSuccess');
                  if (refusal) return refusal.message;
                  record.refresh();
                  navigate(to.model);
                  return undefined;
                },
              })
            }
          >
            Delete version
          </Button>
        )}
      </header>
      <dl className="facts">
        <div>
          <dt>Created</dt>
          <dd>
            <RelativeTime value={version.createdAt} by={version.createdBy} />
          </dd>
        </div>
        <div>
          <dt>Updated</dt>
          <dd>
            <RelativeTime value={version.updatedAt} />
          </dd>
        </div>
        <div>
          <dt>Published</dt>
          <dd>{version.publishedAt ? <RelativeTime value={version.publishedAt} by={version.publishedBy} /> : <span className="muted">not yet (draft)</span>}</dd>
        </div>
      </dl>
      {editing ? (
        <EditVersionForm modelId={model.id} version={version} onDone={() => setEditing(false)} onSaved={changed} />
      ) : (
        <>
          <section aria-label="Description" className="version-description">
            {version.description ? <Markdown>{version.description}</Markdown> : <p className="muted">No description.</p>}
          </section>
          <section aria-labelledby="version-tags-heading">
            <h3 id="version-tags-heading">Tags</h3>
            <ChipList items={version.tags} label="Version tags" empty="No tags" />
          </section>
          <div className="two-columns">
            <Settings title="Hyperparameters" value={version.hyperparameters} />
            <Settings title="Config" value={version.config} />
          </div>
          <section aria-labelledby="records-heading">
            <h3 id="records-heading">Dataset records</h3>
            {version.records.length === 0 ? (
              <p className="muted">No dataset records.</p>
            ) : (
              <ul className="records" aria-label="Dataset records">
                {version.records.map((r) => (
                  <li key={r.uri}>
                    <DatasetRecord uri={r.uri} name={r.name} />
                  </li>
                ))}
              </ul>
            )}
          </section>
        </>
      )}
      <Evaluations evaluations={version.evaluations} />
      <Formats modelId={model.id} modelName={model.name} version={version} formats={data.formats} onChanged={changed} />
      <Aliases modelId={model.id} version={version} aliases={data.model?.aliases ?? []} onChanged={changed} />
      <UseThisVersion model={model.name} version={version} />
      {dialog}
    </article>
  );
}
