import { adminHeaders } from './api.ts';

export interface FilePart {
  /** Where the file goes in the variables, e.g. `variables.input.file`. */
  path: string;
  data: Uint8Array<ArrayBuffer>;
  name: string;
  type?: string;
}

/** A GraphQL multipart request (operations, map, then the files), as curl -F or a browser would send it. */
export function multipartBody(query: string, variables: Record<string, unknown>, files: FilePart[]): FormData {
  const form = new FormData();
  form.append('operations', JSON.stringify({ query, variables }));
  form.append('map', JSON.stringify(Object.fromEntries(files.map((f, i) => [String(i), [f.path]]))));
  files.forEach((f, i) => form.append(String(i), new Blob([f.data], { type: f.type ?? 'application/octet-stream' }), f.name));
  return form;
}

export async function postMultipart(url: string, query: string, variables: Record<string, unknown>, files: FilePart[], headers: Record<string, string> = { ...adminHeaders }) {
  const response = await fetch(url, { method: 'POST', body: multipartBody(query, variables, files), headers });
  return { status: response.status, body: (await response.json()) as any };
}
