// File transfers from the browser: multipart uploads with progress, and downloads that carry the token.
import { authHeaders, type Session } from './session.ts';

/**
 * A GraphQL multipart request from the browser (operations, map, then the files), through XMLHttpRequest
 * because fetch reports no upload progress. Resolves with the GraphQL response body.
 */
export function multipartRequest(
  session: Session,
  query: string,
  variables: Record<string, unknown>,
  files: { path: string; file: File }[],
  onProgress?: (fraction: number) => void,
): Promise<{ data?: any; errors?: { message: string }[] }> {
  const form = new FormData();
  form.append('operations', JSON.stringify({ query, variables }));
  form.append('map', JSON.stringify(Object.fromEntries(files.map((f, i) => [String(i), [f.path]]))));
  files.forEach((f, i) => form.append(String(i), f.file, f.file.name));
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', '/graphql');
    for (const [k, v] of Object.entries(authHeaders(session))) xhr.setRequestHeader(k, v);
    xhr.upload.onprogress = (e) => e.lengthComputable && onProgress?.(e.loaded / e.total);
    xhr.onload = () => {
      try {
        resolve(JSON.parse(xhr.responseText));
      } catch {
        reject(new Error(`Cairn answered ${xhr.status}`));
      }
    };
    xhr.onerror = () => reject(new Error('Lost the connection to Cairn'));
    xhr.send(form);
  });
}

/** Downloads a file with the token (a plain link cannot send it) and hands it to the browser to save. */
export async function downloadFile(session: Session, url: string, filename: string): Promise<void> {
  const response = await fetch(url, { headers: authHeaders(session) });
  if (!response.ok) throw new Error((await response.json().catch(() => ({}))).error ?? `Download failed (${response.status})`);
  const href = URL.createObjectURL(await response.blob());
  const a = document.createElement('a');
  a.href = href;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(href), 10_000);
}
