import type { IncomingMessage, ServerResponse } from 'node:http';
import fsp, { type FileHandle } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { isUuid } from '../domain/ids.ts';
import { isAliasName, NAME_MAX } from '../domain/rules.ts';
import { BlobMissingError, type BlobStore, type ByteRange } from '../files/blobStore.ts';
import { decodePath } from './paths.ts';

export interface FormatFile {
  /** The version the file is of, sent as `Cairn-Version` (a download by alias says which version it got). */
  number?: number;
  sha256: string;
  size: number;
  filename: string;
  contentType: string;
}

/** What a download path names: a model by id or name, a version by number or alias, and a format. */
export interface DownloadPath {
  /** A UUID: the model with this id, or else the one with this name (a name may look like an id). */
  modelId?: string;
  /** The model's name as the path gives it, URL-decoded; matched case-insensitively. */
  name: string;
  number?: number;
  alias?: string;
  format: string;
}

/**
 * `/files/<model id or URL-encoded name>/<version number or alias>/<format id>`, or null for any other path.
 * An alias is never a number (aliases start with a letter), so the second segment reads one way only.
 */
export function parseDownloadPath(pathname: string): DownloadPath | null {
  const m = /^\/files\/([^/]+)\/([^/]+)\/([^/]+)$/.exec(pathname);
  if (!m) return null;
  const [name, version, format] = [decodePath(m[1]!), decodePath(m[2]!), decodePath(m[3]!)];
  if (name === null || version === null || format === null || name.trim().length === 0 || name.length > NAME_MAX) return null;
  const model = isUuid(name) ? { modelId: name.toLowerCase(), name } : { name };
  if (/^\d{1,9}$/.test(version)) return { ...model, number: Number(version), format };
  if (isAliasName(version)) return { ...model, alias: version, format };
  return null;
}

/** RFC 6266: an ASCII fallback for old clients, and the exact name in UTF-8 for the rest. */
export function contentDisposition(filename: string): string {
  const fallback = filename.replace(/[^\x20-\x7e]|["\\%]/g, '_');
  const encoded = encodeURIComponent(filename).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}

/**
 * A single `bytes=` range within a file of `size` bytes: the range, 'unsatisfiable' (-> 416), or null
 * when the header asks for several ranges (served whole, as RFC 9110 allows).
 */
export function parseRange(header: string, size: number): ByteRange | 'unsatisfiable' | null {
  const m = /^bytes=\s*(\d*)\s*-\s*(\d*)\s*$/.exec(header.trim());
  if (!m) return header.includes(',') && header.startsWith('bytes=') ? null : 'unsatisfiable';
  const [, first, last] = m;
  if (first === '' && last === '') return 'unsatisfiable';
  if (first === '') {
    const suffix = Number(last);
    if (suffix === 0) return 'unsatisfiable';
    return { start: Math.max(size - suffix, 0), end: size - 1 };
  }
  const start = Number(first);
  const end = last === '' ? size - 1 : Math.min(Number(last), size - 1);
  if (start >= size || start > end) return 'unsatisfiable';
  return { start, end };
}

const etagOf = (sha256: string) => `"${sha256}"`;

function matches(ifNoneMatch: string, etag: string): boolean {
  return ifNoneMatch
    .split(',')
    .map((t) => t.trim().replace(/^W\//, ''))
    .some((t) => t === '*' || t === etag);
}

/**
 * Streams a format's file with its checksum as ETag, conditional GET and single byte ranges. Rejects with
 * BlobMissingError, nothing written, when the store has lost the file.
 */
export async function sendFile(req: IncomingMessage, res: ServerResponse, file: FormatFile, blobs: BlobStore): Promise<void> {
  const etag = etagOf(file.sha256);
  const headers: Record<string, string | number> = {
    etag,
    'accept-ranges': 'bytes',
    'cache-control': 'private, max-age=0, must-revalidate',
    'content-type': file.contentType,
    'content-disposition': contentDisposition(file.filename),
    'x-content-type-options': 'nosniff',
    // The same header, easy for scripts to check against what they received.
    'x-checksum-sha256': file.sha256,
    ...(file.number !== undefined && { 'cairn-version': String(file.number) }),
  };
  const ifNoneMatch = req.headers['if-none-match'];
  if (ifNoneMatch && matches(ifNoneMatch, etag)) {
    res.writeHead(304, { etag, 'cache-control': headers['cache-control'] as string, ...(file.number !== undefined && { 'cairn-version': String(file.number) }) });
    res.end();
    return;
  }
  let range: ByteRange | undefined;
  const rangeHeader = req.headers.range;
  const ifRange = req.headers['if-range'];
  if (rangeHeader && (!ifRange || ifRange === etag)) {
    const parsed = parseRange(rangeHeader, file.size);
    if (parsed === 'unsatisfiable') {
      res.writeHead(416, { 'content-range': `bytes */${file.size}`, 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: `The range ${rangeHeader.slice(0, 100)} is not within the file's ${file.size} bytes` }));
      return;
    }
    range = parsed ?? undefined;
  }
  // The blob is opened before any header is written, so that a missing one can still be answered as such.
  const path = blobs.localPath?.(file.sha256);
  const stream = path ? undefined : await blobs.read(file.sha256, range);
  const handle = path ? await openBlobFile(path, file.sha256) : undefined;
  if (range) {
    res.writeHead(206, { ...headers, 'content-range': `bytes ${range.start}-${range.end}/${file.size}`, 'content-length': range.end - range.start + 1 });
  } else {
    res.writeHead(200, { ...headers, 'content-length': file.size });
  }
  try {
    if (req.method === 'HEAD') res.end();
    else if (handle) await copyFileRange(handle, range ?? { start: 0, end: file.size - 1 }, res);
    else await pipeline(stream!, res);
  } catch {
    // The client went away mid-download; nothing to clean up.
  } finally {
    stream?.destroy();
    await handle?.close();
  }
}

async function openBlobFile(path: string, sha256: string): Promise<FileHandle> {
  try {
    return await fsp.open(path, 'r');
  } catch (error) {
    throw (error as NodeJS.ErrnoException).code === 'ENOENT' ? new BlobMissingError(sha256) : error;
  }
}

// 256 KiB, not 1 MiB: 500 downloads whose clients stopped reading held 2.5 GB with 1 MiB buffers, 1 GB with these.
const COPY_BUFFER = 256 * 1024;
const COPY_BUFFERS = 4;

/**
 * Copies bytes start..end of a file to the response through up to four reused buffers: a buffer is
 * filled again only once the socket has taken it, so a client that stops reading holds at most these
 * buffers (and the kernel's socket buffers), however large the file. A stream would allocate a fresh
 * buffer per read, and in a process with a large heap (PGlite's) the garbage collection that this churn
 * triggers halves the download rate. The buffers are allocated as they are needed (none for a small file's
 * second read).
 */
async function copyFileRange(handle: FileHandle, range: ByteRange, res: ServerResponse): Promise<void> {
  const size = Math.min(COPY_BUFFER, range.end - range.start + 1);
  const free: Buffer[] = [];
  let allocated = 0;
  let waiting: (() => void) | null = null;
  let failed: Error | null = null;
  const release = (buffer: Buffer) => (error?: Error | null) => {
    if (error) failed = error;
    free.push(buffer);
    waiting?.();
  };
  const closed = () => {
    failed ??= new Error('client closed');
    waiting?.();
  };
  res.once('close', closed);
  try {
    let position = range.start;
    while (position <= range.end) {
      if (free.length === 0 && allocated < COPY_BUFFERS) {
        free.push(Buffer.allocUnsafe(size));
        allocated++;
      }
      while (free.length === 0 && !failed) await new Promise<void>((resolve) => (waiting = resolve));
      if (failed) throw failed;
      const buffer = free.pop()!;
      const { bytesRead } = await handle.read(buffer, 0, Math.min(size, range.end - position + 1), position);
      if (bytesRead === 0) throw new Error('file shorter than recorded');
      position += bytesRead;
      res.write(bytesRead === size ? buffer : buffer.subarray(0, bytesRead), release(buffer));
    }
    await new Promise<void>((resolve) => res.end(resolve));
  } finally {
    res.off('close', closed);
  }
}
