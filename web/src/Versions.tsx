import { useState } from 'react';
import { useMutation, useQuery } from 'urql';
import { bytes } from './bytes.ts';
import { graphql } from './generated/index.ts';
import type { Session } from './session.ts';
import { parseTags } from './tags.ts';
import { parseJsonObject } from './json.ts';
import { downloadFile, multipartRequest } from './transfers.ts';

const VersionQuery = graphql(`
  query DashboardVersion($id: ID!, $number: Int!) {
    formats
    model(id: $id) {
      id
      version(number: $number) {
        number
        status
        description
        tags
        hyperparameters
        config
        records {
          uri
          name
        }
        publishedAt
        publishedBy
        formats {
          id
          filename
          size
          sha256
          downloadUrl
        }
      }
    }
  }
`);

const PublishMutation = graphql(`
  mutation DashboardPublish($id: ID!, $number: Int!) {
    publishVersion(modelId: $id, number: $number) {
      __typename
      ... on Error {
        message
      }
    }
  }
`);

const UpdateMutation = graphql(`
  mutation DashboardUpdateVersion($input: UpdateVersionInput!) {
    updateVersion(input: $input) {
      __typename
      ... on Error {
        message
      }
    }
  }
`);

const DeleteFormatMutation = graphql(`
  mutation DashboardDeleteFormat($id: ID!, $number: Int!, $format: String!) {
    deleteFormat(modelId: $id, number: $number, format: $format) {
      __typename
      ... on Error {
        message
      }
    }
  }
`);

const UPLOAD = `mutation ($input: UploadFormatInput!) { uploadFormat(input: $input) { __typename ... on Error { code message } } }`;
const CREATE = `mutation ($input: CreateVersionInput!) { createVersion(input: $input) { __typename ... on CreateVersionSuccess { version { number } } ... on Error { code message } } }`;

export interface Can {
  update: boolean;
  publish: boolean;
  upload: boolean;
  deleteFormat: boolean;
}

function Confirm({ text, onYes, onNo }: { text: string; onYes: () => void; onNo: () => void }) {
  return (
    <div className="dialog" role="dialog" aria-label="Confirm">
      <div className="panel">
        <p>{text}</p>
        <div className="actions">
          <button onClick={onNo}>Cancel</button>
          <button onClick={onYes}>Confirm</button>
        </div>
      </div>
    </div>
  );
}

/** The Version Details and Version Formats sections of the selected version. */
export function VersionPanel({ session, modelId, number, can, onChanged }: { session: Session; modelId: string; number: number; can: Can; onChanged: () => void }) {
  const [{ data, error }, refetch] = useQuery({ query: VersionQuery, variables: { id: modelId, number }, requestPolicy: 'cache-and-network' });
  const [, publish] = useMutation(PublishMutation);
  const [, update] = useMutation(UpdateMutation);
  const [, deleteFormat] = useMutation(DeleteFormatMutation);
  const [confirming, setConfirming] = useState(false);
  const [editing, setEditing] = useState(false);
  const [description, setDescription] = useState('');
  const [tagText, setTagText] = useState('');
  const [hyperparameters, setHyperparameters] = useState('');
  const [config, setConfig] = useState('');
  const [message, setMessage] = useState<string | null>(null);
  const [progress, setProgress] = useState<Record<string, number>>({});
  const version = data?.model?.version;
  const hp = parseJsonObject(hyperparameters);
  const cfg = parseJsonObject(config);
  const tags = parseTags(tagText);
  if (error) return <p role="alert">{error.networkError ? 'Lost the connection to Cairn.' : error.message}</p>;
  if (!version) return null;
  const draft = version.status === 'DRAFT';
  const reload = () => {
    refetch({ requestPolicy: 'network-only' });
    onChanged();
  };
  const upload = async (format: string, file: File) => {
    setMessage(null);
    try {
      const r = await multipartRequest(session, UPLOAD, { input: { modelId, number, format, file: null } }, [{ path: 'variables.input.file', file }], (f) =>
        setProgress((p) => ({ ...p, [format]: f })),
      );
      const result = r.data?.uploadFormat;
      if (!result || result.__typename !== 'UploadFormatSuccess') setMessage(result?.message ?? r.errors?.[0]?.message ?? 'Upload failed');
    } catch (e) {
      setMessage((e as Error).message);
    }
    setProgress((p) => ({ ...p, [format]: 0 }));
    reload();
  };
  return (
    <>
      <div className="panel" aria-label="Version details">
        <h3>
          Version {version.number} <span className="chip">{version.status.toLowerCase()}</span>
          {!draft && <span> published {version.publishedAt && new Date(version.publishedAt).toLocaleString()} by {version.publishedBy}</span>}
        </h3>
        {editing ? (
          <form
            onSubmit={async (e) => {
              e.preventDefault();
              const r = await update({ input: { modelId, number, description, tags: tags.tags, hyperparameters: hp.value, config: cfg.value } });
              const result = r.data?.updateVersion;
              if (result && 'message' in result) setMessage(result.message);
              setEditing(false);
              reload();
            }}
          >
            <label>
              Description
              <textarea aria-label="Version description" value={description} onChange={(e) => setDescription(e.target.value)} />
            </label>
            <label>
              Tags
              <input aria-label="Version tags" value={tagText} onChange={(e) => setTagText(e.target.value)} />
              {tags.errors.map((t) => (
                <span key={t} className="error">
                  {t}
                </span>
              ))}
            </label>
            <label>
              Hyperparameters (JSON)
              <textarea aria-label="Version hyperparameters" value={hyperparameters} onChange={(e) => setHyperparameters(e.target.value)} />
              {hp.error && <span className="error">{hp.error}</span>}
            </label>
            <label>
              Config (JSON)
              <textarea aria-label="Version config" value={config} onChange={(e) => setConfig(e.target.value)} />
              {cfg.error && <span className="error">{cfg.error}</span>}
            </label>
            <div className="actions">
              <button type="button" onClick={() => setEditing(false)}>
                Cancel
              </button>
              <button type="submit" disabled={!!hp.error || !!cfg.error || tags.errors.length > 0}>
                Save
              </button>
            </div>
          </form>
        ) : (
          <dl>
            <dt>Description</dt>
            <dd>{version.description ?? '-'}</dd>
            <dt>Hyperparameters</dt>
            <dd>
              <code>{JSON.stringify(version.hyperparameters)}</code>
            </dd>
            <dt>Config</dt>
            <dd>
              <code>{JSON.stringify(version.config)}</code>
            </dd>
            <dt>Records</dt>
            <dd>{version.records.map((r) => r.name ?? r.uri).join(', ') || '-'}</dd>
          </dl>
        )}
        <div className="actions">
          {draft && can.update && !editing && (
            <button
              onClick={() => {
                setDescription(version.description ?? '');
                setTagText(version.tags.join(', '));
                setHyperparameters(JSON.stringify(version.hyperparameters, null, 2));
                setConfig(JSON.stringify(version.config, null, 2));
                setEditing(true);
              }}
              aria-label="Edit version"
            >
              ✎ Edit
            </button>
          )}
          {draft && can.publish && <button onClick={() => setConfirming(true)}>Publish</button>}
        </div>
        {message && (
          <p role="alert" className="error">
            {message}
          </p>
        )}
      </div>
      <div className="panel" aria-label="Version formats">
        <h3>Formats</h3>
        <table>
          <tbody>
            {data.formats.map((id) => {
              const f = version.formats.find((x) => x.id === id);
              return (
                <tr key={id} data-format={id}>
                  <td>{id}</td>
                  <td>{f ? `${f.filename} · ${bytes(f.size)} · ${f.sha256.slice(0, 12)}…` : '-'}</td>
                  <td>
                    {f && (
                      <button onClick={() => downloadFile(session, f.downloadUrl, f.filename).catch((e: Error) => setMessage(e.message))} aria-label={`Download ${id}`}>
                        Download
                      </button>
                    )}
                    {draft && can.upload && (
                      <label className="file">
                        {f ? 'Replace' : 'Upload'}
                        <input type="file" aria-label={`${f ? 'Replace' : 'Upload'} ${id}`} onChange={(e) => e.target.files?.[0] && upload(id, e.target.files[0])} />
                      </label>
                    )}
                    {progress[id] ? <progress value={progress[id]} max={1} /> : null}
                    {f && draft && can.deleteFormat && (
                      <button
                        aria-label={`Delete ${id}`}
                        onClick={async () => {
                          await deleteFormat({ id: modelId, number, format: id });
                          reload();
                        }}
                      >
                        Delete
                      </button>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      {confirming && (
        <Confirm
          text={`Publish version ${number}? Its settings and files can never change again. This cannot be undone.`}
          onNo={() => setConfirming(false)}
          onYes={async () => {
            setConfirming(false);
            const r = await publish({ id: modelId, number });
            const result = r.data?.publishVersion;
            if (result && 'message' in result) setMessage(result.message);
            reload();
          }}
        />
      )}
    </>
  );
}

/** The New Version tab: settings, JSON editors that validate before submit, dataset records and files, in one step. */
export function NewVersion({ session, modelId, formats, onCreated }: { session: Session; modelId: string; formats: string[]; onCreated: (n: number) => void }) {
  const [description, setDescription] = useState('');
  const [tagText, setTagText] = useState('');
  const [hyperparameters, setHyperparameters] = useState('{}');
  const [config, setConfig] = useState('{}');
  const [records, setRecords] = useState<string[]>(['']);
  const [files, setFiles] = useState<Record<string, File | undefined>>({});
  const [error, setError] = useState<string | null>(null);
  const [progress, setProgress] = useState(0);
  const hp = parseJsonObject(hyperparameters);
  const cfg = parseJsonObject(config);
  const tags = parseTags(tagText);
  const chosen = Object.entries(files).filter((e): e is [string, File] => !!e[1]);
  const submit = async (event: React.FormEvent) => {
    event.preventDefault();
    setError(null);
    const input = {
      modelId,
      description: description || null,
      tags: tags.tags,
      hyperparameters: hp.value,
      config: cfg.value,
      records: records.filter((r) => r.trim()).map((uri) => ({ uri: uri.trim() })),
      formats: chosen.map(([format]) => ({ format, file: null })),
    };
    try {
      const r = await multipartRequest(session, CREATE, { input }, chosen.map(([, file], i) => ({ path: `variables.input.formats.${i}.file`, file })), setProgress);
      const result = r.data?.createVersion;
      if (result?.__typename === 'CreateVersionSuccess') onCreated(result.version.number);
      else setError(result?.message ?? r.errors?.[0]?.message ?? 'Failed');
    } catch (e) {
      setError((e as Error).message);
    }
  };
  return (
    <form className="panel" onSubmit={submit} aria-label="New version">
      <label>
        Description
        <textarea aria-label="New version description" value={description} onChange={(e) => setDescription(e.target.value)} />
      </label>
      <label>
        Tags
        <input aria-label="New version tags" value={tagText} onChange={(e) => setTagText(e.target.value)} />
      </label>
      <label>
        Hyperparameters (JSON)
        <textarea aria-label="Hyperparameters" value={hyperparameters} onChange={(e) => setHyperparameters(e.target.value)} />
        {hp.error && <span className="error">{hp.error}</span>}
      </label>
      <label>
        Config (JSON)
        <textarea aria-label="Config" value={config} onChange={(e) => setConfig(e.target.value)} />
        {cfg.error && <span className="error">{cfg.error}</span>}
      </label>
      <fieldset>
        <legend>Records (training datasets)</legend>
        {records.map((r, i) => (
          <input key={i} aria-label={`Record ${i + 1}`} placeholder="s3://bucket/train.csv" value={r} onChange={(e) => setRecords(records.map((x, j) => (j === i ? e.target.value : x)))} />
        ))}
        <button type="button" onClick={() => setRecords([...records, ''])}>
          + Record
        </button>
      </fieldset>
      <fieldset>
        <legend>Files</legend>
        {formats.map((f) => (
          <label key={f}>
            {f}
            <input type="file" aria-label={`File ${f}`} onChange={(e) => setFiles({ ...files, [f]: e.target.files?.[0] })} />
          </label>
        ))}
      </fieldset>
      {progress > 0 && progress < 1 && <progress value={progress} max={1} />}
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      <button type="submit" disabled={!!hp.error || !!cfg.error || tags.errors.length > 0}>
        Submit
      </button>
    </form>
  );
}
