import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dashboardMount } from '../../api/src/http/dashboard.ts';
import { startTestApp, type TestApp } from '../../api/test/helpers.ts';

/** The mount on a bare node:http server, over a dist directory the test controls. */
async function serveMount(distDir: string) {
  const mount = dashboardMount(distDir);
  const server = http.createServer((req, res) => {
    if (req.url === mount.prefix || req.url?.startsWith(`${mount.prefix}/`)) return void mount.handle(req, res, { ip: '127.0.0.1', userAgent: '' });
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** A raw request, so that paths reach the server exactly as written (fetch would normalise `..`). */
function rawGet(base: string, rawPath: string, method = 'GET'): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const req = http.request({ hostname, port, path: rawPath, method }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('dashboard static files', () => {
  let dist: string;
  let served: Awaited<ReturnType<typeof serveMount>>;

  beforeAll(async () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'dashboard-dist-'));
    dist = path.join(root, 'dist');
    mkdirSync(path.join(dist, 'assets'), { recursive: true });
    writeFileSync(path.join(dist, 'index.html'), '<!doctype html><title>app</title>');
    writeFileSync(path.join(dist, 'assets', 'index-abc123.js'), 'console.log(1)');
    writeFileSync(path.join(dist, 'assets', 'index-abc123.css'), 'body{}');
    writeFileSync(path.join(dist, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
    writeFileSync(path.join(root, 'secret.txt'), 'outside the dist directory');
    served = await serveMount(dist);
  });
  afterAll(() => served.close());

  it('serves index.html with security headers and revalidation', async () => {
    for (const p of ['/dashboard', '/dashboard/']) {
      const res = await rawGet(served.url, p);
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(res.headers['cache-control']).toBe('no-cache');
      expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
      expect(res.headers['x-frame-options']).toBe('DENY');
      expect(res.body).toContain('<title>app</title>');
    }
  });

  it('serves hashed assets as immutable, with the right content types', async () => {
    const js = await rawGet(served.url, '/dashboard/assets/index-abc123.js');
    expect(js.status).toBe(200);
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(js.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(js.headers['x-content-type-options']).toBe('nosniff');
    expect(js.body).toBe('console.log(1)');
    const css = await rawGet(served.url, '/dashboard/assets/index-abc123.css');
    expect(css.headers['content-type']).toBe('text/css; charset=utf-8');
    const svg = await rawGet(served.url, '/dashboard/favicon.svg?v=1');
    expect(svg.status).toBe(200);
    expect(svg.headers['content-type']).toBe('image/svg+xml');
    expect(svg.headers['cache-control']).toBe('no-cache');
  });

  it('answers a conditional request with 304 and HEAD without a body', async () => {
    const first = await fetch(`${served.url}/dashboard/assets/index-abc123.js`);
    const etag = first.headers.get('etag')!;
    expect(etag).toMatch(/^W\/"/);
    const again = await fetch(`${served.url}/dashboard/assets/index-abc123.js`, { headers: { 'if-none-match': etag } });
    expect(again.status).toBe(304);
    const head = await rawGet(served.url, '/dashboard/', 'HEAD');
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
  });

  it('falls back to index.html for client-side routes', async () => {
    for (const p of ['/dashboard/agents', '/dashboard/agents/7f1c2a9e-1111-4aaa-8bbb-123456789abc', '/dashboard/organizations?x=1']) {
      const res = await rawGet(served.url, p);
      expect(res.status, p).toBe(200);
      expect(res.body).toContain('<title>app</title>');
    }
  });

  it('404s a missing asset instead of answering HTML the browser would try to run', async () => {
    for (const p of ['/dashboard/assets/missing.js', '/dashboard/nope.css', '/dashboard/assets/x']) {
      const res = await rawGet(served.url, p);
      expect(res.status, p).toBe(404);
      expect(res.headers['content-type']).toContain('application/json');
      expect(JSON.parse(res.body).error).toBe('not_found');
    }
  });

  it('never serves a file outside dist, however the path is spelled', async () => {
    const attempts = [
      '/dashboard/../secret.txt',
      '/dashboard/%2e%2e/secret.txt',
      '/dashboard/assets/%2e%2e/%2e%2e/secret.txt',
      '/dashboard/..%2fsecret.txt',
      '/dashboard/%2e%2e%2fsecret.txt',
      '/dashboard/..%5csecret.txt',
      '/dashboard/%00index.html',
      '/dashboard/%E0%A4%A',
      '/dashboard/.env',
    ];
    for (const p of attempts) {
      const res = await rawGet(served.url, p);
      expect(res.body, p).not.toContain('outside the dist directory');
      expect([200, 404], p).toContain(res.status);
      if (res.status === 200) expect(res.body, p).toContain('<title>app</title>');
    }
  });

  it('refuses methods other than GET and HEAD', async () => {
    const res = await rawGet(served.url, '/dashboard/', 'POST');
    expect(res.status).toBe(405);
    expect(res.headers.allow).toBe('GET, HEAD');
    expect(JSON.parse(res.body).error).toBe('method_not_allowed');
  });

  it('says how to build the dashboard when it is not built', async () => {
    const empty = mkdtempSync(path.join(os.tmpdir(), 'dashboard-none-'));
    const bare = await serveMount(path.join(empty, 'dist'));
    try {
      const res = await rawGet(bare.url, '/dashboard/');
      expect(res.status).toBe(503);
      const body = JSON.parse(res.body);
      expect(body.error).toBe('temporarily_unavailable');
      expect(body.error_description).toContain('npm run build --workspace dashboard');
    } finally {
      await bare.close();
    }
  });
});

describe('the API serves the built dashboard', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(() => app?.close());

  it('at /dashboard, with its assets, next to the API', async () => {
    const html = await (await app.request('/dashboard/')).text();
    expect(html).toContain('<div id="app"></div>');
    const script = /src="(\/dashboard\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(script).toBeTruthy();
    const js = await app.request(script!);
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    const deep = await app.request('/dashboard/agents/whatever');
    expect(deep.status).toBe(200);
    expect(await deep.text()).toContain('<div id="app"></div>');
    // The API's own routes are untouched by the mount.
    expect((await app.request('/health')).status).toBe(200);
    expect((await app.request('/dashboardx')).status).toBe(404);
  });
});
