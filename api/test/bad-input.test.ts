import net from 'node:net';
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type postgres from 'postgres';
import { ADMIN_AUTH, createAgent, dbClient, getToken, introspect, startTestApp, type CreatedAgent, type TestApp } from './helpers.ts';

let app: TestApp;
let sql: postgres.Sql;
let agent: CreatedAgent;
let accessToken: string;
let snapshot: string;

/** Everything a bad request could have changed. */
async function state(): Promise<string> {
  const [agents] = await sql`
    select count(*)::int as n, coalesce(sum(token_count), 0)::int as tokens, max(updated_at) as updated,
           md5(string_agg(client_secret_hash::text || is_active::text, ',' order by id)) as secrets
    from agents`;
  const [audit] = await sql`select count(*)::int as n from audit_logs where action not like 'token.validation%'`;
  const [access] = await sql`select count(*)::int as n, count(revoked_at)::int as revoked from access_tokens`;
  const [refresh] = await sql`select count(*)::int as n, count(used_at)::int as used, count(revoked_at)::int as revoked from refresh_tokens`;
  const [keys] = await sql`select count(*)::int as n from signing_keys`;
  return JSON.stringify({ agents, audit, access, refresh, keys });
}

beforeAll(async () => {
  app = await startTestApp({ MAX_BODY_BYTES: '4096' });
  sql = dbClient(app);
  agent = await createAgent(app, { name: 'bystander', scopes: ['read'] });
  accessToken = (await getToken(app, agent)).access_token;
  snapshot = await state();
});
afterAll(async () => {
  // Whatever the bad requests were, the data is exactly as before and the server still serves.
  if (snapshot !== undefined) {
    expect(await state()).toBe(snapshot);
    expect((await introspect(app, accessToken)).active).toBe(true);
  }
  await sql?.end();
  await app?.close();
});

/** A 4xx with an RFC 6749 JSON body and no trace of internals. */
async function expect4xx(res: Response, status?: number): Promise<{ error: string; error_description: string }> {
  const text = await res.text();
  if (status !== undefined) expect(res.status, text).toBe(status);
  expect(res.status, text).toBeGreaterThanOrEqual(400);
  expect(res.status, text).toBeLessThan(500);
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  const body = JSON.parse(text) as { error: string; error_description: string };
  expect(typeof body.error).toBe('string');
  expect(typeof body.error_description).toBe('string');
  expect(text).not.toMatch(/\bat .+\(.+:\d+:\d+\)|node_modules|\.ts:\d+|Error:|postgres|drizzle|select |insert /i);
  return body;
}

/** Sends raw bytes and returns the raw response (for what fetch refuses to send). */
function raw(payload: string | Buffer): Promise<{ status: number; headers: string; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(app.port, '127.0.0.1');
    let data = '';
    socket.setTimeout(5000, () => socket.destroy(new Error('raw request timed out')));
    socket.on('data', (d) => (data += d.toString('utf8')));
    socket.on('error', reject);
    socket.on('close', () => {
      const [head, ...rest] = data.split('\r\n\r\n');
      const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(head)?.[1] ?? 0);
      resolve({ status, headers: head, body: rest.join('\r\n\r\n') });
    });
    socket.write(payload);
  });
}

function rawJson(r: { status: number; headers: string; body: string }) {
  expect(r.status, r.headers + r.body).toBeGreaterThanOrEqual(400);
  expect(r.status, r.headers + r.body).toBeLessThan(500);
  expect(r.headers.toLowerCase()).toContain('content-type: application/json');
  // Chunked or not, the JSON is in there.
  const json = /\{.*\}/s.exec(r.body)?.[0];
  expect(json, r.body).toBeDefined();
  return JSON.parse(json!) as { error: string };
}

const post = (path: string, body: string, contentType: string | undefined, extra: Record<string, string> = {}) =>
  fetch(`${app.url}${path}`, { method: 'POST', body, headers: { ...(contentType ? { 'content-type': contentType } : {}), ...extra } });

const JSON_ENDPOINTS: [string, Record<string, string>][] = [
  ['/oauth/token', {}],
  ['/oauth/refresh', {}],
  ['/oauth/introspect', {}],
  ['/oauth/revoke', {}],
  ['/api/agents', { authorization: ADMIN_AUTH }],
];

describe('malformed bodies', () => {
  it.each(JSON_ENDPOINTS)('%s: malformed JSON → 400 invalid_request', async (path, headers) => {
    for (const body of ['{', '{"a":', '{a:1}', "{'a':1}", '{"a":1,}', 'nul', '\u00ef\u00bb\u00bf{}', '{"a":"\\x"}']) {
      const error = await expect4xx(await post(path, body, 'application/json', headers), 400);
      expect(error.error).toBe('invalid_request');
    }
  });

  it.each(JSON_ENDPOINTS)('%s: JSON that is not an object → 400 invalid_request', async (path, headers) => {
    for (const body of ['[]', '[{"grant_type":"client_credentials"}]', '42', '"string"', 'null', 'true']) {
      const error = await expect4xx(await post(path, body, 'application/json', headers), 400);
      expect(error.error).toBe('invalid_request');
    }
  });

  it.each(JSON_ENDPOINTS)('%s: unsupported content types → 415', async (path, headers) => {
    for (const type of ['text/plain', 'application/xml', 'multipart/form-data; boundary=x', 'application/octet-stream', 'image/png']) {
      await expect4xx(await post(path, 'grant_type=client_credentials', type, headers), 415);
    }
  });

  it.each(JSON_ENDPOINTS)('%s: oversized bodies → 413 (declared or streamed)', async (path, headers) => {
    const big = JSON.stringify({ name: 'x'.repeat(5000), grant_type: 'client_credentials', token: 'x' });
    await expect4xx(await post(path, big, 'application/json', headers), 413);
    // Chunked, without a content-length: the limit still holds.
    const res = await new Promise<{ status: number; body: string; type: string }>((resolve, reject) => {
      const req = http.request(`${app.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked', ...headers } }, (r) => {
        let body = '';
        r.on('data', (d) => (body += d));
        r.on('end', () => resolve({ status: r.statusCode!, body, type: String(r.headers['content-type']) }));
      });
      req.on('error', reject);
      for (let i = 0; i < 10; i++) req.write('{"pad":"' + 'y'.repeat(1000) + '",');
      req.end('"end":1}');
    });
    expect(res.status).toBe(413);
    expect(res.type).toMatch(/^application\/json/);
    expect(JSON.parse(res.body).error).toBe('invalid_request');
  });

  it('deeply nested JSON → 400, not a crash', async () => {
    const deep = '['.repeat(2000) + ']'.repeat(2000);
    await expect4xx(await post('/oauth/token', deep, 'application/json'), 400);
    const deepObject = '{"a":'.repeat(500) + '1' + '}'.repeat(500);
    await expect4xx(await post('/api/agents', deepObject, 'application/json', { authorization: ADMIN_AUTH }), 400);
  });

  it('repeated form parameters → 400 invalid_request (RFC 6749 §3.1)', async () => {
    const body = `grant_type=client_credentials&client_id=${agent.clientId}&client_secret=${agent.clientSecret}&client_secret=${agent.clientSecret}`;
    const error = await expect4xx(await post('/oauth/token', body, 'application/x-www-form-urlencoded'), 400);
    expect(error.error).toBe('invalid_request');
    await expect4xx(await post('/oauth/token', 'grant_type=client_credentials&grant_type=refresh_token', 'application/x-www-form-urlencoded'), 400);
    await expect4xx(await post('/oauth/revoke', 'token=a&token=b', 'application/x-www-form-urlencoded'), 400);
  });

  it('odd but valid forms are handled as forms', async () => {
    // Broken percent-escapes decode leniently; unknown grant types are still just unsupported.
    const error = await expect4xx(await post('/oauth/token', 'grant_type=%ZZ&x=%', 'application/x-www-form-urlencoded'), 400);
    expect(error.error).toBe('unsupported_grant_type');
  });

  it('__proto__ and constructor keys neither pollute nor pass', async () => {
    await expect4xx(await post('/api/agents', '{"name":"p","__proto__":{"is_active":false}}', 'application/json', { authorization: ADMIN_AUTH }), 400);
    await expect4xx(await post('/api/agents', '{"name":"p","constructor":{"prototype":{"x":1}}}', 'application/json', { authorization: ADMIN_AUTH }), 400);
    await expect4xx(await post('/oauth/token', '__proto__=x&grant_type=constructor', 'application/x-www-form-urlencoded'), 400);
    expect(({} as Record<string, unknown>).is_active).toBeUndefined();
  });
});

describe('action routes take no body', () => {
  it.each([
    ['POST', '/api/agents/{id}/deactivate', 'admin'],
    ['POST', '/api/agents/{id}/activate', 'admin'],
    ['DELETE', '/api/agents/{id}', 'admin'],
    ['POST', '/api/admin/keys/rotate', 'admin'],
    ['POST', '/api/agents/me/rotate', 'agent'],
    ['POST', '/api/agents/me/deactivate', 'agent'],
    ['POST', '/api/agents/me/reactivate', 'agent'],
    ['POST', '/api/agents/me/delete', 'agent'],
    ['DELETE', '/api/agents/me/delete', 'agent'],
  ])('%s %s refuses a malformed or unexpected body and does nothing', async (method, template, auth) => {
    const path = template.replace('{id}', agent.id);
    const authorization = auth === 'admin' ? ADMIN_AUTH : `Bearer ${accessToken}`;
    for (const [body, type] of [['{"oops"', 'application/json'], ['{"reason":"x"}', 'application/json'], ['[]', 'application/json'], ['confirm=yes', 'application/x-www-form-urlencoded'], ['x', 'text/plain']]) {
      const res = await fetch(`${app.url}${path}`, { method, body, headers: { authorization, 'content-type': type } });
      await expect4xx(res);
    }
  });
});

describe('wrong types and absurd values', () => {
  const admin = (path: string, method: string, body: unknown) => app.request(path, { method, admin: true, json: body });

  it.each([
    ['name with a NUL byte', { name: 'a\u0000b' }],
    ['name with control characters', { name: 'line\nbreak\u0007' }],
    ['name of 64 KB', { name: 'n'.repeat(3000) }],
    ['scope of 64 KB', { name: 'ok', scopes: ['s'.repeat(3000)] }],
    ['scopes with a NUL byte', { name: 'ok', scopes: ['a\u0000'] }],
    ['expires_in as Infinity-ish', { name: 'ok', expires_in: 1e308 }],
    ['expires_in as an object', { name: 'ok', expires_in: { seconds: 1 } }],
    ['name as an array', { name: ['a'] }],
    ['scopes as an object', { name: 'ok', scopes: { 0: 'read' } }],
    ['team_id with SQL', { name: 'ok', team_id: "'; drop table agents; --" }],
  ])('create agent: %s → 400', async (_label, body) => {
    const error = await expect4xx(await admin('/api/agents', 'POST', body), 400);
    expect(error.error).toBe('invalid_request');
  });

  it('a lone surrogate in a name is refused or stored, never a 500', async () => {
    const res = await post('/api/agents', '{"name":"\\ud800"}', 'application/json', { authorization: ADMIN_AUTH });
    if (res.status === 201) {
      // Stored: then it must be deleted again to keep the state check exact.
      const { agent: created } = (await res.json()) as { agent: { id: string } };
      const del = await app.request(`/api/agents/${created.id}`, { method: 'DELETE', admin: true });
      expect(del.status).toBe(204);
      await sql`delete from audit_logs where agent_id = ${created.id}`;
    } else {
      await expect4xx(res, 400);
    }
  });

  it('list filters with NUL bytes and LIKE syntax → 4xx or an empty list', async () => {
    for (const search of ['%00', 'a%00b', '%5C', '_', '%5B']) {
      const res = await app.request(`/api/agents?search=${search}`, { admin: true });
      if (res.status === 200) expect(((await res.json()) as { agents: unknown[] }).agents).toEqual([]);
      else await expect4xx(res, 400);
    }
  });

  it('token endpoint: over-long parameters → 400', async () => {
    const long = 'x'.repeat(3000);
    for (const params of [
      { grant_type: 'client_credentials', client_id: long, client_secret: 's' },
      { grant_type: 'client_credentials', client_id: agent.clientId, client_secret: long },
      { grant_type: 'refresh_token', refresh_token: long },
      { grant_type: long },
    ] as Record<string, string>[]) {
      const res = await post('/oauth/token', new URLSearchParams(params).toString(), 'application/x-www-form-urlencoded');
      await expect4xx(res);
    }
  });

  it('introspect/revoke: tokens of NUL bytes and unicode → inactive / 200, never 500', async () => {
    for (const token of ['\u0000', 'a.\u0000.b', '😀.😀.😀', 'eyJhbGciOiJSUzI1NiIsImtpZCI6eyJ4IjoxfX0.e30.e30', 'eyJraWQiOiJfX3Byb3RvX18iLCJhbGciOiJSUzI1NiJ9.e30.AAAA']) {
      const i = await post('/oauth/introspect', JSON.stringify({ token }), 'application/json');
      expect(i.status).toBe(200);
      expect(((await i.json()) as { active: boolean }).active).toBe(false);
      const r = await post('/oauth/revoke', JSON.stringify({ token }), 'application/json');
      expect(r.status).toBe(200);
    }
  });

  it('absurd Authorization headers on every kind of route → 401, never 500', async () => {
    const values = [
      'Bearer ' + 'A'.repeat(8000),
      'Bearer eyJ.eyJ.sig',
      'Bearer ' + Buffer.from('{"alg":"none","kid":"key-1"}').toString('base64url') + '.' + Buffer.from('{}').toString('base64url') + '.',
      'Basic ' + 'A'.repeat(8000),
      'Basic ' + Buffer.from(':').toString('base64'),
      'Basic ' + Buffer.from('\u0000:\u0000').toString('base64'),
      'Basic ' + Buffer.from('%ZZ:%').toString('base64'),
      'Digest username="x"',
      'Bearer',
      'mach_' + 'x'.repeat(100),
      'Bearer mach_' + 'x'.repeat(100),
    ];
    for (const authorization of values) {
      for (const path of ['/api/agents', '/api/agents/me', '/api/verify']) {
        const res = await fetch(`${app.url}${path}`, { headers: { authorization } });
        await expect4xx(res, 401);
      }
      const token = await post('/oauth/token', 'grant_type=client_credentials', 'application/x-www-form-urlencoded', { authorization });
      await expect4xx(token);
    }
  });

  it('odd Accept, Content-Type and X-Forwarded-For values change nothing', async () => {
    for (const headers of [
      { accept: 'x'.repeat(4000) },
      { accept: 'text/plain; q=abc, */*' },
      { 'x-forwarded-for': '1.2.3.4, '.repeat(500) },
      { 'content-type': 'application/json; charset=utf-16' },
      { 'content-type': ';;;' },
    ] as Record<string, string>[]) {
      const res = await fetch(`${app.url}/metrics`, { headers });
      expect(res.status).toBe(200);
    }
    await expect4xx(await post('/oauth/token', '{}', ';;;'), 415);
  });
});

describe('routing', () => {
  it('unknown routes → 404 JSON', async () => {
    for (const path of ['/nope', '/api', '/api/agent', '/oauth', '/oauth/token/extra', '/.well-known/openid-configuration', '/api/agents/me/unknown', '/%2e%2e/etc/passwd', '/' + 'a'.repeat(5000)]) {
      const error = await expect4xx(await app.request(path, { admin: true }), 404);
      expect(error.error).toBe('not_found');
    }
  });

  it('over-long or badly encoded path parameters → 404, not 500', async () => {
    for (const id of ['a'.repeat(300), '%E0%A4%A', '%', '%00', '..', '%2F']) {
      const res = await app.request(`/api/agents/${id}`, { admin: true });
      await expect4xx(res, 404);
    }
  });

  it('wrong methods → 405 with Allow', async () => {
    const cases: [string, string, string][] = [
      ['PUT', '/oauth/token', 'POST'],
      ['DELETE', '/oauth/introspect', 'POST'],
      ['PATCH', '/oauth/revoke', 'POST'],
      ['POST', '/health', 'GET'],
      ['POST', '/', 'GET'],
      ['DELETE', '/metrics', 'GET'],
      ['POST', '/.well-known/jwks.json', 'GET'],
      ['DELETE', '/api/agents', 'GET, POST'],
      ['PUT', '/api/verify', 'GET'],
      ['GET', '/api/agents/me/rotate', 'POST'],
      ['GET', '/api/agents/me/delete', 'POST, DELETE'],
      ['GET', '/api/admin/keys/rotate', 'POST'],
    ];
    for (const [method, path, allow] of cases) {
      const res = await app.request(path, { method, admin: true });
      const error = await expect4xx(res, 405);
      expect(error.error).toBe('method_not_allowed');
      expect(res.headers.get('allow'), `${method} ${path}`).toBe(allow);
    }
  });

  it('OPTIONS lists the allowed methods', async () => {
    const res = await app.request('/oauth/token', { method: 'OPTIONS' });
    expect(res.status).toBe(204);
    expect(res.headers.get('allow')).toBe('POST, OPTIONS');
  });

  it('UUIDs that are not ours or not UUIDs → 404 on every agent route', async () => {
    for (const id of ['00000000-0000-0000-0000-000000000000', 'ZZZZZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZZZZZZZZZ', '1', 'null', 'undefined', "1' or '1'='1"]) {
      const enc = encodeURIComponent(id);
      for (const [method, suffix] of [['GET', ''], ['PATCH', ''], ['DELETE', ''], ['POST', '/rotate'], ['POST', '/deactivate'], ['POST', '/activate']]) {
        const res = await app.request(`/api/agents/${enc}${suffix}`, { method, admin: true, ...(method === 'PATCH' ? { json: { name: 'x' } } : {}) });
        await expect4xx(res, 404);
      }
    }
  });
});

describe('malformed HTTP', () => {
  it('a broken request line gets a JSON 400', async () => {
    const r = await raw('GARBAGE\r\n\r\n');
    expect(rawJson(r).error).toBe('invalid_request');
  });

  it('an absolute-form target that is not a valid URL gets a 4xx, not a 500', async () => {
    for (const target of ['http://[', 'http://a b/', '//', '///api/agents', 'http://127.0.0.1:1/health', '*']) {
      const r = await raw(`GET ${target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
      expect(r.status, `${target}: ${r.headers}`).not.toBe(500);
      expect(r.status, `${target}: ${r.headers}`).toBeGreaterThan(0);
    }
  });

  it('a bad Content-Length gets a JSON 400', async () => {
    const r = await raw('POST /oauth/token HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\nConnection: close\r\n\r\n');
    expect(rawJson(r).error).toBe('invalid_request');
  });

  it('a body shorter than its Content-Length does not hang the server', async () => {
    const socket = net.connect(app.port, '127.0.0.1');
    await new Promise((r) => socket.once('connect', r));
    socket.write('POST /oauth/token HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"grant_type"');
    socket.destroy();
    // The server keeps serving.
    expect((await app.request('/health')).status).toBe(200);
  });

  it('oversized headers get a 431 JSON answer', async () => {
    const r = await raw(`GET /health HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\nConnection: close\r\n\r\n`);
    expect(r.status).toBe(431);
    rawJson(r);
  });

  it('NUL and control characters in a header are refused by the parser with JSON', async () => {
    const r = await raw('GET /health HTTP/1.1\r\nHost: x\r\nX-A: a\u0000b\r\nConnection: close\r\n\r\n');
    rawJson(r);
  });
});
