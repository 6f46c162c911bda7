import './record.css';
import { useEffect, useRef, useState } from 'react';
import { useNavigate } from 'react-router';
import { useCairn, useModelPaths } from '../cairn.tsx';
import { bytes } from '../bytes.ts';
import { parseJsonObject } from '../json.ts';
import { type RecordModel, useRecord } from '../recordModel.tsx';
import { parseTags } from '../tags.ts';
import { Button, Chip, newIdempotencyKey, TextArea, TextField, useDocumentTitle } from '../ui/index.ts';
import { FilePicker } from './FilePicker.tsx';
import { LeaveGuard } from './leaveGuard.tsx';
import type { Refusal } from './refusal.ts';
import { type GraphQLAnswer, sendMultipart, type SentSoFar, UploadFailure } from './upload.ts';
import { UploadProgress } from './UploadProgress.tsx';

// Sent by hand (multipart, with progress and Cancel): kept as a string, its answer read as plain JSON.
const CREATE_VERSION = `mutation RecordCreateVersion($input: CreateVersionInput!) {
  createVersion(input: $input) {
    __typename
    ... on CreateVersionSuccess { version { number } }
    ... on Error { code message }
    ... on ValidationError { field }
  }
}`;

const FIELDS = ['description', 'tags', 'hyperparameters', 'config', 'records', 'formats'];

interface RecordRow {
  uri: string;
  name: string;
}

/** Why each tag is refused, by tag: shown on its chip and beside the field. */
function tagProblem(tag: string): string | null {
  return tag.length > 32 ? `longer than 32 characters (${tag.length})` : null;
}

/**
 * /new-version: settings, dataset records and a file per format, sent in one multipart request with an
 * Idempotency-Key. Submit is disabled while it runs (a second press cannot make a second version); the upload
 * shows its progress and can be cancelled; leaving with unsaved input or a running upload asks first.
 */
export function NewVersionView({ model }: { model: RecordModel }) {
  useDocumentTitle(model.name, 'new version');
  const { session, context } = useCairn();
  const { formats, refresh } = useRecord();
  const to = useModelPaths(model.name);
  const navigate = useNavigate();
  const [description, setDescription] = useState('');
  const [tagText, setTagText] = useState('');
  const [hyperparameters, setHyperparameters] = useState('{}');
  const [config, setConfig] = useState('{}');
  const [records, setRecords] = useState<RecordRow[]>([{ uri: '', name: '' }]);
  const [files, setFiles] = useState<Record<string, File>>({});
  const [refusal, setRefusal] = useState<Refusal | null>(null);
  const [progress, setProgress] = useState<SentSoFar | null>(null);
  const [sending, setSending] = useState(false);
  const inFlight = useRef(false);
  const abort = useRef<AbortController | null>(null);
  // One key per user action; kept after an unknown outcome so that pressing Submit again cannot make a second version.
  const attempt = useRef<{ key: string; fingerprint: string } | null>(null);

  const tags = parseTags(tagText);
  const tagErrors = tags.tags.map((t) => [t, tagProblem(t)] as const).filter((e): e is readonly [string, string] => e[1] !== null);
  const tagError = tagErrors.length > 0 ? tagErrors.map(([t, why]) => `“${t.length > 20 ? `${t.slice(0, 20)}…` : t}” is ${why}`).join('; ') : tags.errors.find((e) => !/longer than 32/.test(e));
  const hp = parseJsonObject(hyperparameters);
  const cfg = parseJsonObject(config);
  const recordErrors = records.map((r) => (r.uri.trim() === '' && r.name.trim() !== '' ? 'A named record needs a URI' : null));
  const chosen = Object.entries(files);
  const invalid = !!tagError || !!hp.error || !!cfg.error || recordErrors.some(Boolean);
  const dirty = description !== '' || tagText !== '' || hyperparameters !== '{}' || config !== '{}' || records.some((r) => r.uri || r.name) || chosen.length > 0;
  // Set on success; the page leaves once it has re-rendered without its guard.
  const [created, setCreated] = useState<number | null>(null);
  const createdPath = created === null ? null : to.version(created);
  useEffect(() => {
    if (createdPath) navigate(createdPath);
  }, [createdPath, navigate]);
  const beside = (field: string) => (refusal?.field === field ? refusal.message : undefined);

  const submit = async (event: React.FormEvent) => {
    event.preventDefault();
    if (inFlight.current || invalid) return;
    inFlight.current = true;
    setSending(true);
    setRefusal(null);
    const input = {
      modelId: model.id,
      description: description || null,
      tags: tags.tags,
      hyperparameters: hp.value,
      config: cfg.value,
      records: records.filter((r) => r.uri.trim()).map((r) => ({ uri: r.uri.trim(), ...(r.name.trim() && { name: r.name.trim() }) })),
      formats: chosen.map(([format]) => ({ format, file: null })),
    };
    const fingerprint = JSON.stringify([input, chosen.map(([f, file]) => [f, file.name, file.size, file.lastModified])]);
    const key = attempt.current?.fingerprint === fingerprint ? attempt.current.key : newIdempotencyKey();
    attempt.current = { key, fingerprint };
    const controller = new AbortController();
    abort.current = controller;
    const total = chosen.reduce((n, [, f]) => n + f.size, 0);
    setProgress(total > 0 ? { loaded: 0, total, elapsedMs: 0 } : null);
    let answer: GraphQLAnswer | null = null;
    try {
      answer = await sendMultipart({
        session,
        context,
        query: CREATE_VERSION,
        variables: { input },
        files: chosen.map(([, file], i) => ({ path: `variables.input.formats.${i}.file`, file })),
        idempotencyKey: key,
        signal: controller.signal,
        onProgress: total > 0 ? setProgress : undefined,
      });
    } catch (error) {
      const cancelled = error instanceof UploadFailure && error.reason === 'cancelled';
      setRefusal({ field: null, message: cancelled ? 'Upload cancelled: no version was created. Your input is kept.' : `${(error as Error).message}. Your input is kept; Submit again to retry safely.` });
    }
    inFlight.current = false;
    abort.current = null;
    setSending(false);
    setProgress(null);
    if (!answer) return;
    const result = answer.data?.createVersion as { __typename: string; version?: { number: number }; message?: string; field?: string; code?: string } | undefined;
    if (result?.__typename === 'CreateVersionSuccess' && result.version) {
      attempt.current = null;
      refresh();
      setCreated(result.version.number);
      return;
    }
    const code = answer.errors?.[0]?.extensions?.code;
    // A repeat while the first still runs (CONFLICT) or an unknown outcome keeps the key for the next press.
    if (!(code === 'CONFLICT' || code === 'OUTCOME_UNKNOWN')) attempt.current = null;
    const field = result?.field?.split('.')[0] ?? null;
    setRefusal({ field: field && FIELDS.includes(field) ? field : null, message: result?.message ?? answer.errors?.[0]?.message ?? 'Cairn refused the new version.' });
  };

  return (
    <form className="form new-version" aria-label="New version" onSubmit={submit} noValidate>
      <h2>New version</h2>
      <TextArea label="Description (markdown)" value={description} onChange={(e) => setDescription(e.target.value)} error={beside('description')} rows={5} />
      <TextField label="Tags" description="Comma-separated; each at most 32 characters" value={tagText} onChange={(e) => setTagText(e.target.value)} error={tagError ?? beside('tags')} />
      {tags.tags.length > 0 && (
        <ul className="chip-list" aria-label="Tags as entered">
          {tags.tags.map((t) => {
            const why = tagProblem(t);
            return (
              <li key={t} className={why ? 'chip-invalid' : undefined}>
                <Chip title={why ?? undefined} onRemove={() => setTagText(tags.tags.filter((x) => x !== t).join(', '))}>
                  {t}
                </Chip>
                {why && <span className="visually-hidden"> ({why})</span>}
              </li>
            );
          })}
        </ul>
      )}
      <div className="two-columns">
        <TextArea label="Hyperparameters (JSON)" className="code" value={hyperparameters} onChange={(e) => setHyperparameters(e.target.value)} error={hp.error ?? beside('hyperparameters')} rows={6} />
        <TextArea label="Config (JSON)" className="code" value={config} onChange={(e) => setConfig(e.target.value)} error={cfg.error ?? beside('config')} rows={6} />
      </div>
      <fieldset className="fieldset">
        <legend>Dataset records</legend>
        {records.map((r, i) => (
          <div key={i} className="record-row">
            <TextField label={`Record ${i + 1} URI`} placeholder="s3://bucket/train.csv" value={r.uri} error={recordErrors[i] ?? undefined} onChange={(e) => setRecords(records.map((x, j) => (j === i ? { ...x, uri: e.target.value } : x)))} />
            <TextField label={`Record ${i + 1} name`} placeholder="train (optional)" value={r.name} onChange={(e) => setRecords(records.map((x, j) => (j === i ? { ...x, name: e.target.value } : x)))} />
            {records.length > 1 && (
              <Button size="sm" variant="ghost" aria-label={`Remove record ${i + 1}`} onClick={() => setRecords(records.filter((_, j) => j !== i))}>
                Remove
              </Button>
            )}
          </div>
        ))}
        <Button size="sm" onClick={() => setRecords([...records, { uri: '', name: '' }])}>
          Add a record
        </Button>
        {beside('records') && (
          <p role="alert" className="field-error">
            {beside('records')}
          </p>
        )}
      </fieldset>
      <fieldset className="fieldset">
        <legend>Files</legend>
        <ul className="file-rows">
          {formats.map((f) => (
            <li key={f}>
              <strong>{f}</strong>{' '}
              {files[f] ? (
                <>
                  <span>
                    {files[f].name} ({bytes(files[f].size)})
                  </span>{' '}
                  <Button
                    size="sm"
                    variant="ghost"
                    aria-label={`Remove the ${f} file`}
                    disabled={sending}
                    onClick={() =>
                      setFiles((all) => {
                        const { [f]: _, ...rest } = all;
                        return rest;
                      })
                    }
                  >
                    Remove
                  </Button>
                </>
              ) : (
                <span className="muted">no file</span>
              )}{' '}
              <FilePicker label={`File ${f}`} buttonText={files[f] ? `Change ${f} file` : `Choose ${f} file`} disabled={sending} onFile={(file) => setFiles((all) => ({ ...all, [f]: file }))} />
            </li>
          ))}
        </ul>
        {beside('formats') && (
          <p role="alert" className="field-error">
            {beside('formats')}
          </p>
        )}
      </fieldset>
      {progress && <UploadProgress label="Uploading the new version" progress={progress} onCancel={() => abort.current?.abort()} />}
      {refusal && refusal.field === null && (
        <p role="alert" className="field-error form-error">
          {refusal.message}
        </p>
      )}
      <div className="form-actions">
        <Button type="submit" variant="primary" pending={sending} disabled={invalid}>
          Submit
        </Button>
      </div>
      {created === null && (sending || dirty) && <LeaveGuard what={sending ? 'the upload in progress' : 'the new version you have not submitted'} />}
    </form>
  );
}
