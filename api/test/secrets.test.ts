import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import type postgres from 'postgres';
import { ADMIN_EMAIL, ADMIN_PASSWORD, clientBasic, createAgent, dbClient, getToken, introspect, postForm, startTestApp, type TestApp } from './helpers.ts';

/**
 * Client secrets, refresh tokens and access tokens are never stored in clear, never logged and
 * never returned twice. The app runs with a trace-level logger whose every line is kept.
 */
let app: TestApp;
let sql: postgres.Sql;
const logLines: string[] = [];
const secrets = new Map<string, string>();

beforeAll(async () => {
  const log = pino(
    { level: 'trace', base: undefined, redact: ['req.headers.authorization', 'req.headers.cookie'] },
    { write: (line: string) => void logLines.push(line) },
  );
  app = await startTestApp({ LOG_LEVEL: 'trace' }, { log });
  sql = dbClient(app);

  // A full life: create, tokens by both client auth methods, refresh, rotations, introspection,
  // revocation, failures with wrong secrets, self-service, an admin session.
  const agent = await createAgent(app, { name: 'secretive', scopes: ['read'] });
  secrets.set('client secret', agent.clientSecret);
  const t1 = await getToken(app, agent);
  secrets.set('access token 1', t1.access_token);
  secrets.set('refresh token 1', t1.refresh_token);
  const viaBasic = await postForm(app, '/oauth/token', { grant_type: 'client_credentials' }, { authorization: clientBasic(agent.clientId, agent.clientSecret) });
  const t2 = (await viaBasic.json()) as { access_token: string; refresh_token: string };
  secrets.set('refresh token 2', t2.refresh_token);
  const refreshed = (await (await postForm(app, '/oauth/refresh', { refresh_token: t1.refresh_token })).json()) as { access_token: string; refresh_token: string };
  secrets.set('refreshed access token', refreshed.access_token);
  secrets.set('refreshed refresh token', refreshed.refresh_token);
  // A replay (logged as a security event) and wrong secrets (logged as failures).
  await postForm(app, '/oauth/refresh', { refresh_token: t1.refresh_token });
  const wrong = 'WRONG-secret-that-must-not-be-logged-0123456789';
  secrets.set('wrong secret', wrong);
  await postForm(app, '/oauth/token', { grant_type: 'client_credentials', client_id: agent.clientId, client_secret: wrong });
  await postForm(app, '/oauth/token', { grant_type: 'client_credentials' }, { authorization: clientBasic(agent.clientId, wrong) });
  const adminRotated = (await (await app.request(`/api/agents/${agent.id}/rotate`, { method: 'POST', admin: true })).json()) as { client_secret: string };
  secrets.set('admin-rotated secret', adminRotated.client_secret);
  const selfRotated = (await (await app.request('/api/agents/me/rotate', { method: 'POST', bearer: t2.access_token })).json()) as { client_secret: string };
  secrets.set('self-rotated secret', selfRotated.client_secret);
  await introspect(app, t2.access_token);
  await introspect(app, t2.refresh_token);
  await postForm(app, '/oauth/revoke', { token: t2.refresh_token });
  await app.request('/api/agents/me', { bearer: t2.access_token });
  await app.request('/api/verify', { bearer: 'Bearer-garbage-token-value-xyz' });
  const login = await app.request('/api/auth/login', { method: 'POST', json: { email: ADMIN_EMAIL, password: ADMIN_PASSWORD } });
  const cookie = /machineauth_session=([^;]+)/.exec(login.headers.get('set-cookie') ?? '')?.[1];
  if (cookie) secrets.set('session cookie', cookie);
  await app.request('/api/auth/login', { method: 'POST', json: { email: ADMIN_EMAIL, password: 'wrong-admin-password-zzz' } });
  secrets.set('admin password', ADMIN_PASSWORD);
  secrets.set('wrong admin password', 'wrong-admin-password-zzz');
  // Let group-committed rows land.
  await app.services.tokens.drain();
});
afterAll(async () => {
  await sql?.end();
  await app?.close();
});

describe('secrets at rest', () => {
  it('no table of the database holds a secret or token in clear (or hex)', async () => {
    const tables = await sql<{ schema: string; name: string }[]>`
      select table_schema as schema, table_name as name from information_schema.tables
      where table_schema in ('public', 'graphile_worker') and table_type = 'BASE TABLE'`;
    expect(tables.length).toBeGreaterThan(10);
    let dump = '';
    for (const t of tables) {
      const rows = await sql.unsafe(`select t::text as row from "${t.schema}"."${t.name}" t`);
      dump += rows.map((r) => r.row).join('\n');
    }
    expect(dump).toContain('secretive'); // the dump is real
    for (const [label, secret] of secrets) {
      expect(dump, label).not.toContain(secret);
      expect(dump, `${label} (hex)`).not.toContain(Buffer.from(secret).toString('hex'));
    }
  });

  it('client secrets and refresh tokens are 32-byte SHA-256 digests', async () => {
    const agents = await sql`select client_secret_hash from agents`;
    for (const a of agents) expect(a.client_secret_hash.length).toBe(32);
    const refresh = await sql`select token_hash from refresh_tokens`;
    expect(refresh.length).toBeGreaterThanOrEqual(3);
    for (const r of refresh) expect(r.token_hash.length).toBe(32);
    const columns = await sql`select table_name, column_name from information_schema.columns where table_schema = 'public' and column_name ~ '(secret|token|password)' and data_type <> 'bytea'`;
    // Only non-secret columns by those names: counters, encrypted material, ids.
    for (const c of columns) expect(`${c.table_name}.${c.column_name}`).toMatch(/token_count|_encrypted$|csrf_token|access_jti|refresh_count|last_token_issued_at/);
  });
});

describe('secrets in logs', () => {
  it('logs every request but no secret, token or password', () => {
    const all = logLines.join('');
    expect(logLines.length).toBeGreaterThan(20);
    expect(all).toContain('"msg":"request"');
    for (const [label, secret] of secrets) expect(all, label).not.toContain(secret);
  });

  it('logs structured request lines', () => {
    const requests = logLines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.msg === 'request');
    const token = requests.find((r) => r.path === '/oauth/token' && r.status === 401);
    expect(token).toMatchObject({ method: 'POST', ip: '127.0.0.1' });
    expect(typeof token!.requestId).toBe('string');
  });
});

describe('secrets in answers', () => {
  it('no read endpoint returns a secret or digest', async () => {
    const list = await (await app.request('/api/agents', { admin: true })).text();
    const { agents } = JSON.parse(list) as { agents: { id: string }[] };
    const one = await (await app.request(`/api/agents/${agents[0].id}`, { admin: true })).text();
    for (const body of [list, one]) {
      for (const [label, secret] of secrets) expect(body, label).not.toContain(secret);
      expect(body).not.toMatch(/client_secret|_hash/);
    }
  });
});
