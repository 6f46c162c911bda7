// GraphQL multipart requests from the browser (createVersion with files, uploadFormat) with progress and a
// Cancel: XMLHttpRequest, because fetch reports no upload progress and cannot be aborted mid-body portably.
import { authHeaders, type Session } from '../session.ts';

export interface SentSoFar {
  loaded: number;
  total: number;
  elapsedMs: number;
}

export interface MultipartRequest {
  session: Session;
  /** The context from the URL (sent as x-cairn-context). */
  context: string;
  query: string;
  variables: Record<string, unknown>;
  /** Each file and the variable path it fills (`variables.input.formats.0.file`). */
  files: { path: string; file: File }[];
  /** Sent as Idempotency-Key: one per user action, the same on a repeat after an unknown outcome. */
  idempotencyKey: string;
  onProgress?: (progress: SentSoFar) => void;
  signal?: AbortSignal;
}

export interface GraphQLAnswer {
  data?: Record<string, any> | null;
  errors?: { message: string; extensions?: { code?: string } }[];
}

/** Why a multipart request got no GraphQL answer: cancelled, the connection lost, or a reply that was not JSON. */
export class UploadFailure extends Error {
  constructor(
    readonly reason: 'cancelled' | 'network' | 'answer',
    message: string,
  ) {
    super(message);
  }
}

export function sendMultipart(request: MultipartRequest): Promise<GraphQLAnswer> {
  const form = new FormData();
  form.append('operations', JSON.stringify({ query: request.query, variables: request.variables }));
  form.append('map', JSON.stringify(Object.fromEntries(request.files.map((f, i) => [String(i), [f.path]]))));
  request.files.forEach((f, i) => form.append(String(i), f.file, f.file.name));
  return new Promise((resolve, reject) => {
    if (request.signal?.aborted) return reject(new UploadFailure('cancelled', 'Upload cancelled'));
    const xhr = new XMLHttpRequest();
    const started = performance.now();
    xhr.open('POST', '/graphql');
    const headers = { ...authHeaders({ ...request.session, context: request.context }), 'idempotency-key': request.idempotencyKey };
    for (const [k, v] of Object.entries(headers)) xhr.setRequestHeader(k, v);
    xhr.upload.onprogress = (e) => e.lengthComputable && request.onProgress?.({ loaded: e.loaded, total: e.total, elapsedMs: performance.now() - started });
    xhr.onload = () => {
      try {
        resolve(JSON.parse(xhr.responseText) as GraphQLAnswer);
      } catch {
        reject(new UploadFailure('answer', `Cairn answered ${xhr.status} without a result`));
      }
    };
    xhr.onerror = () => reject(new UploadFailure('network', 'Lost the connection to Cairn'));
    xhr.onabort = () => reject(new UploadFailure('cancelled', 'Upload cancelled'));
    request.signal?.addEventListener('abort', () => xhr.abort(), { once: true });
    xhr.send(form);
  });
}
