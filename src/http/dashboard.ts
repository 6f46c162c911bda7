import fs from 'node:fs';
import type { ServerResponse } from 'node:http';
import path from 'node:path';
import { decodePath } from './paths.ts';

/** Where `npm run web:build` puts the dashboard. */
export const DASHBOARD_DIR = path.resolve(import.meta.dirname, '../../web/dist');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
};

/**
 * Serves the built dashboard: its hashed assets, cached for good, and index.html for `/`. Returns false
 * when the path is not one of its files (or the dashboard is not built), so the caller can answer 404.
 */
export function serveDashboard(pathname: string, res: ServerResponse): boolean {
  const decoded = decodePath(pathname);
  if (decoded === null) return false;
  const relative = pathname === '/' ? 'index.html' : decoded.replace(/^\/+/, '');
  const file = path.resolve(DASHBOARD_DIR, relative);
  if (!file.startsWith(DASHBOARD_DIR + path.sep)) return false;
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch {
    return false;
  }
  if (!stat.isFile()) return false;
  const immutable = relative.startsWith('assets/');
  res.writeHead(200, {
    'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream',
    'content-length': stat.size,
    'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
    'x-content-type-options': 'nosniff',
    // The dashboard talks only to this server and runs only its own scripts.
    'content-security-policy': "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'",
  });
  fs.createReadStream(file).pipe(res);
  return true;
}
