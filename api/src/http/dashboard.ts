import { readFile, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { MethodNotAllowed, NotFound, ServiceUnavailable, type AppError } from '../errors.ts';
import type { Mount } from './route.ts';
import { sendJson } from './server.ts';

export const DASHBOARD_PREFIX = '/dashboard';
export const DEFAULT_DASHBOARD_DIST = fileURLToPath(new URL('../../../dashboard/dist/', import.meta.url));

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.webp': 'image/webp',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.txt': 'text/plain; charset=utf-8',
};

/**
 * The page may load only what the server itself serves and talk only to it; styles may be inline
 * because Solid templates carry style attributes. The dashboard holds an admin session, so it must
 * never be framed (clickjacking).
 */
const HTML_HEADERS = {
  'content-security-policy': "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
};

/**
 * Serves the built dashboard (dashboard/dist) under /dashboard. Files Vite names by content hash
 * (assets/) are cached for a year; everything else is revalidated, so a rebuild shows at once.
 * Any path that is not a file falls back to index.html: the client-side router owns those URLs.
 */
export function dashboardMount(distDir: string = DEFAULT_DASHBOARD_DIST): Mount {
  const root = path.resolve(distDir);
  return {
    prefix: DASHBOARD_PREFIX,
    async handle(req, res) {
      try {
        await serve(root, req, res);
      } catch (error) {
        const appError = error as AppError;
        if (typeof appError?.status !== 'number') throw error;
        if (!req.readableEnded) req.resume();
        sendJson(res, appError.status, appError.toJSON(), { ...appError.headers, 'cache-control': 'no-store' });
      }
    },
  };
}

async function serve(root: string, req: IncomingMessage, res: ServerResponse) {
  if (req.method !== 'GET' && req.method !== 'HEAD') throw new MethodNotAllowed(['GET', 'HEAD']);
  const index = path.join(root, 'index.html');
  if (!(await isFile(index))) {
    throw new ServiceUnavailable('the dashboard is not built; run `npm run build --workspace dashboard` (npm start does it for you)');
  }

  const relative = requestedFile(req.url ?? '/');
  const candidate = relative ? path.resolve(root, relative) : index;
  if (candidate !== root && !candidate.startsWith(root + path.sep)) throw new NotFound('no such file');

  if (relative && (await isFile(candidate))) {
    const immutable = relative.startsWith('assets/');
    return sendFile(req, res, candidate, immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
  }
  // A missing script or stylesheet must fail loudly, not turn into HTML the browser cannot run.
  if (relative && (relative.startsWith('assets/') || path.extname(relative) !== '')) throw new NotFound('no such file');
  return sendFile(req, res, index, 'no-cache');
}

/** The path below /dashboard/, decoded; '' for the app itself. Traversal and odd bytes are refused. */
function requestedFile(url: string): string {
  const pathname = url.split('?')[0].split('#')[0];
  let rest = pathname.slice(DASHBOARD_PREFIX.length).replace(/^\/+/, '');
  try {
    rest = decodeURIComponent(rest);
  } catch {
    throw new NotFound('no such file');
  }
  if (rest.includes('\0') || rest.includes('\\')) throw new NotFound('no such file');
  const segments = rest.split('/').filter(Boolean);
  if (segments.some((s) => s === '..' || s === '.' || s.startsWith('.'))) throw new NotFound('no such file');
  return segments.join('/');
}

async function isFile(file: string): Promise<boolean> {
  try {
    return (await stat(file)).isFile();
  } catch {
    return false;
  }
}

async function sendFile(req: IncomingMessage, res: ServerResponse, file: string, cacheControl: string) {
  const info = await stat(file);
  const etag = `W/"${info.size.toString(16)}-${Math.floor(info.mtimeMs).toString(16)}"`;
  const ext = path.extname(file).toLowerCase();
  const headers: Record<string, string> = {
    'content-type': CONTENT_TYPES[ext] ?? 'application/octet-stream',
    'cache-control': cacheControl,
    etag,
    'x-content-type-options': 'nosniff',
    ...(ext === '.html' ? HTML_HEADERS : {}),
  };
  if (!req.readableEnded) req.resume();
  if (req.headers['if-none-match'] === etag) return void res.writeHead(304, headers).end();
  const body = await readFile(file);
  res.writeHead(200, { ...headers, 'content-length': String(body.length) });
  res.end(req.method === 'HEAD' ? undefined : body);
}
