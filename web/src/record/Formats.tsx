import { useRef, useState } from 'react';
import { useCairn } from '../cairn.tsx';
import { bytes } from '../bytes.ts';
import { graphql } from '../generated/index.ts';
import { Button, CopyButton, RelativeTime, useConfirm, useMutationWithKey } from '../ui/index.ts';
import { newIdempotencyKey } from '../ui/index.ts';
import { DownloadLink } from './download.tsx';
import { FilePicker } from './FilePicker.tsx';
import { LeaveGuard } from './leaveGuard.tsx';
import { refusalOf } from './refusal.ts';
import { sendMultipart, type SentSoFar, UploadFailure } from './upload.ts';
import { UploadProgress } from './UploadProgress.tsx';
import type { LoadedVersion } from './VersionDetails.tsx';

const DeleteFormatDocument = graphql(`
  mutation RecordDeleteFormat($id: ID!, $number: Int!, $format: String!) {
    deleteFormat(modelId: $id, number: $number, format: $format) {
      __typename
      ... on Error {
        code
        message
      }
    }
  }
`);

// Sent by hand (multipart, with progress): kept as a string, its answer read as plain JSON.
const UPLOAD_FORMAT = `mutation RecordUploadFormat($input: UploadFormatInput!) {
  uploadFormat(input: $input) { __typename ... on Error { code message } }
}`;

interface Running {
  format: string;
  progress: SentSoFar;
  abort: AbortController;
}

/** The version's files, one row per configured format: download, upload or replace (drafts), delete (confirmed). */
export function Formats({ modelId, modelName, version, formats, onChanged }: { modelId: string; modelName: string; version: LoadedVersion; formats: readonly string[]; onChanged: () => void }) {
  const { may, session, context } = useCairn();
  const [running, setRunning] = useState<Running | null>(null);
  const [messages, setMessages] = useState<Record<string, string>>({});
  const [dialog, confirm] = useConfirm();
  const remove = useMutationWithKey(DeleteFormatDocument);
  const started = useRef(false);
  const draft = version.status === 'DRAFT';
  const say = (format: string, message: string | null) => setMessages((m) => ({ ...m, [format]: message ?? '' }));

  const upload = async (format: string, file: File) => {
    if (started.current) return;
    started.current = true;
    say(format, null);
    const abort = new AbortController();
    setRunning({ format, progress: { loaded: 0, total: file.size, elapsedMs: 0 }, abort });
    try {
      const answer = await sendMultipart({
        session,
        context,
        query: UPLOAD_FORMAT,
        variables: { input: { modelId, number: version.number, format, file: null } },
        files: [{ path: 'variables.input.file', file }],
        idempotencyKey: newIdempotencyKey(),
        signal: abort.signal,
        onProgress: (progress) => setRunning((r) => r && { ...r, progress }),
      });
      const result = answer.data?.uploadFormat as { __typename: string; message?: string } | undefined;
      if (result?.__typename !== 'UploadFormatSuccess') say(format, result?.message ?? answer.errors?.[0]?.message ?? 'The upload was refused.');
      else say(format, `Uploaded ${file.name} (${bytes(file.size)}).`);
    } catch (error) {
      say(format, error instanceof UploadFailure && error.reason === 'cancelled' ? 'Upload cancelled: nothing was stored.' : (error as Error).message);
    } finally {
      started.current = false;
      setRunning(null);
      onChanged();
    }
  };

  return (
    <section aria-labelledby="formats-heading" className="formats">
      <h3 id="formats-heading">Files</h3>
      <div className="table-scroll">
        <table className="data-table" aria-label="Formats">
          <thead>
            <tr>
              <th scope="col">Format</th>
              <th scope="col">File</th>
              <th scope="col">Size</th>
              <th scope="col">sha256</th>
              <th scope="col">Uploaded</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {formats.map((id) => {
              const f = version.formats.find((x) => x.id === id);
              return (
                <tr key={id} data-format={id}>
                  <th scope="row">{id}</th>
                  <td>{f ? f.filename : <span className="muted">none</span>}</td>
                  <td>{f && bytes(f.size)}</td>
                  <td>
                    {f && (
                      <span className="sha">
                        <code className="sha256">{f.sha256}</code>
                        <CopyButton value={f.sha256} label={`Copy the sha256 of ${id}`} />
                      </span>
                    )}
                  </td>
                  <td>{f && <RelativeTime value={f.uploadedAt} by={f.uploadedBy} />}</td>
                  <td className="actions">
                    {f && may('FORMAT_DOWNLOAD') && <DownloadLink modelId={modelId} number={version.number} format={f} label={`Download ${id}`} />}
                    {draft && may('FORMAT_UPLOAD') && (
                      <FilePicker
                        label={`${f ? 'Replace' : 'Upload'} ${id} file`}
                        buttonText={f ? `Replace ${id}` : `Add ${id}`}
                        disabled={running !== null}
                        onFile={(file) => void upload(id, file)}
                      />
                    )}
                    {f && draft && may('FORMAT_DELETE') && (
                      <Button
                        size="sm"
                        variant="danger"
                        aria-label={`Delete ${id}`}
                        disabled={running !== null}
                        onClick={() =>
                          confirm({
                            title: `Delete the ${id} file of version ${version.number}?`,
                            body: `${f.filename} (${bytes(f.size)}) is deleted from ${modelName} version ${version.number}. This cannot be undone.`,
                            confirmLabel: `Delete ${id}`,
                            danger: true,
                            onConfirm: async () => {
                              const r = await remove.mutate({ id: modelId, number: version.number, format: id });
                              const refusal = refusalOf(r.data?.deleteFormat, r.error, 'DeleteFormatSuccess');
                              onChanged();
                              return refusal?.message;
                            },
                          })
                        }
                      >
                        Delete
                      </Button>
                    )}
                    {running?.format === id && <UploadProgress label={`Uploading ${id}`} progress={running.progress} onCancel={() => running.abort.abort()} />}
                    {messages[id] && (
                      <span role="status" className="muted">
                        {messages[id]}
                      </span>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      {dialog}
      {running && <LeaveGuard what={`the ${running.format} upload in progress`} />}
    </section>
  );
}
