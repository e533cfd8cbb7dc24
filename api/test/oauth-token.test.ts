import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import type postgres from 'postgres';
import {
  clientBasic, createAgent, dbClient, decodeJwt, expectOAuthError, getToken, postForm, startTestApp,
  type CreatedAgent, type TestApp,
} from './helpers.ts';

let app: TestApp;
let sql: postgres.Sql;
let agent: CreatedAgent;

beforeAll(async () => {
  app = await startTestApp();
  sql = dbClient(app);
  agent = await createAgent(app, { name: 'token-agent', scopes: ['read', 'write', 'admin'] });
});
afterAll(async () => {
  await sql?.end();
  await app?.close();
});

const tokenJson = (body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${app.url}/oauth/token`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

async function jwks() {
  const res = await app.request('/.well-known/jwks.json');
  return createLocalJWKSet((await res.json()) as never);
}

describe('client_credentials grant', () => {
  it('issues a token pair from a JSON body (client_secret_post)', async () => {
    const res = await tokenJson({ grant_type: 'client_credentials', client_id: agent.clientId, client_secret: agent.clientSecret });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('pragma')).toBe('no-cache');
    const body = (await res.json()) as Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual(['access_token', 'expires_in', 'issued_at', 'refresh_token', 'scope', 'token_type']);
    expect(body.token_type).toBe('Bearer');
    // Development default of the seed: a day.
    expect(body.expires_in).toBe(86_400);
    expect(body.scope).toBe('read write admin');
    expect(Math.abs((body.issued_at as number) - Date.now() / 1000)).toBeLessThan(5);
    expect(typeof body.refresh_token).toBe('string');
    expect((body.refresh_token as string).length).toBeGreaterThanOrEqual(43); // 256 bits, base64url
  });

  it('issues a token pair from a form body', async () => {
    const res = await postForm(app, '/oauth/token', { grant_type: 'client_credentials', client_id: agent.clientId, client_secret: agent.clientSecret });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const body = (await res.json()) as { access_token: string };
    expect(body.access_token.split('.')).toHaveLength(3);
  });

  it('accepts a form body with a charset parameter and a JSON body with +json', async () => {
    const form = await fetch(`${app.url}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded; charset=UTF-8' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: agent.clientId, client_secret: agent.clientSecret }).toString(),
    });
    expect(form.status).toBe(200);
    const json = await fetch(`${app.url}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/vnd.api+json' },
      body: JSON.stringify({ grant_type: 'client_credentials', client_id: agent.clientId, client_secret: agent.clientSecret }),
    });
    expect(json.status).toBe(200);
  });

  it('authenticates the client with HTTP Basic (client_secret_basic)', async () => {
    const res = await postForm(app, '/oauth/token', { grant_type: 'client_credentials' }, { authorization: clientBasic(agent.clientId, agent.clientSecret) });
    expect(res.status).toBe(200);
    const { access_token } = (await res.json()) as { access_token: string };
    expect(decodeJwt(access_token).sub).toBe(agent.clientId);
  });

  it('form-urldecodes both halves of the Basic credentials (RFC 6749 §2.3.1)', async () => {
    // Percent-encode every character, as a strict encoder may: the server must decode them.
    const pct = (s: string) => [...Buffer.from(s)].map((b) => `%${b.toString(16).padStart(2, '0').toUpperCase()}`).join('');
    const header = `Basic ${Buffer.from(`${pct(agent.clientId)}:${pct(agent.clientSecret)}`).toString('base64')}`;
    const res = await postForm(app, '/oauth/token', { grant_type: 'client_credentials' }, { authorization: header });
    expect(res.status).toBe(200);
  });

  it('accepts Basic plus a matching client_id in the body', async () => {
    const res = await postForm(app, '/oauth/token', { grant_type: 'client_credentials', client_id: agent.clientId }, { authorization: clientBasic(agent.clientId, agent.clientSecret) });
    expect(res.status).toBe(200);
  });

  it('refuses two client authentication methods at once', async () => {
    const res = await postForm(
      app,
      '/oauth/token',
      { grant_type: 'client_credentials', client_id: agent.clientId, client_secret: agent.clientSecret },
      { authorization: clientBasic(agent.clientId, agent.clientSecret) },
    );
    await expectOAuthError(res, 400, 'invalid_request');
  });

  it('refuses a body client_id that differs from the Basic one', async () => {
    const other = await createAgent(app, { name: 'other', scopes: [] });
    const res = await postForm(app, '/oauth/token', { grant_type: 'client_credentials', client_id: other.clientId }, { authorization: clientBasic(agent.clientId, agent.clientSecret) });
    await expectOAuthError(res, 400, 'invalid_request');
  });

  it('carries every claim of seed 003 and a kid header, verifiable offline', async () => {
    const tokens = await getToken(app, agent);
    const header = decodeProtectedHeader(tokens.access_token);
    expect(header.alg).toBe('RS256');
    expect(header.typ).toBe('JWT');
    expect(header.kid).toBe('key-1');
    const { payload } = await jwtVerify(tokens.access_token, await jwks(), { issuer: 'https://auth.example.com', audience: 'machineauth-api' });
    expect(payload.sub).toBe(agent.clientId);
    expect(payload.agent_id).toBe(agent.id);
    expect(payload.org_id).toBe('');
    expect(payload.team_id).toBe('');
    expect(payload.aud).toBe('machineauth-api');
    expect(payload.scope).toEqual(['read', 'write', 'admin']);
    expect(payload.jti).toMatch(/^[0-9a-f-]{36}$/);
    expect(payload.exp! - payload.iat!).toBe(86_400);
    expect(payload.iat).toBe(tokens.issued_at);
  });

  it('gives every token a distinct jti and refresh token', async () => {
    const pairs = await Promise.all(Array.from({ length: 20 }, () => getToken(app, agent)));
    expect(new Set(pairs.map((p) => decodeJwt(p.access_token).jti)).size).toBe(20);
    expect(new Set(pairs.map((p) => p.refresh_token)).size).toBe(20);
  });

  it('records the access token and its refresh token (as a digest) in the database', async () => {
    const tokens = await getToken(app, agent);
    const { jti } = decodeJwt(tokens.access_token) as { jti: string };
    const [row] = await sql`select agent_id, grant_type, revoked_at, expires_at from access_tokens where jti = ${jti}`;
    expect(row).toMatchObject({ agent_id: agent.id, grant_type: 'client_credentials', revoked_at: null });
    const [refresh] = await sql`select token_hash, access_jti from refresh_tokens where access_jti = ${jti}`;
    expect(refresh.token_hash).toBeInstanceOf(Buffer);
    expect(refresh.token_hash.length).toBe(32);
    expect(refresh.token_hash.toString('utf8')).not.toContain(tokens.refresh_token);
  });
});

describe('scope', () => {
  it('narrows a space-separated request to what was asked for', async () => {
    const tokens = await getToken(app, agent, 'read admin');
    expect(tokens.scope).toBe('read admin');
    expect(decodeJwt(tokens.access_token).scope).toEqual(['read', 'admin']);
  });

  it('accepts commas (the seed) and drops duplicates', async () => {
    const tokens = await getToken(app, agent, 'write,read, write');
    expect(decodeJwt(tokens.access_token).scope).toEqual(['write', 'read']);
  });

  it('drops scopes the agent may not have and keeps the allowed ones', async () => {
    const tokens = await getToken(app, agent, 'read superuser');
    expect(tokens.scope).toBe('read');
    expect(decodeJwt(tokens.access_token).scope).toEqual(['read']);
  });

  it('fails with invalid_scope when nothing requested is allowed', async () => {
    const res = await postForm(app, '/oauth/token', { grant_type: 'client_credentials', client_id: agent.clientId, client_secret: agent.clientSecret, scope: 'superuser root' });
    await expectOAuthError(res, 400, 'invalid_scope');
    expect(res.headers.get('cache-control')).toBe('no-store');
  });

  it('grants an empty scope to an agent without scopes', async () => {
    const bare = await createAgent(app, { name: 'bare' });
    const tokens = await getToken(app, bare);
    expect(tokens.scope).toBe('');
    expect(decodeJwt(tokens.access_token).scope).toEqual([]);
    const res = await postForm(app, '/oauth/token', { grant_type: 'client_credentials', client_id: bare.clientId, client_secret: bare.clientSecret, scope: 'read' });
    await expectOAuthError(res, 400, 'invalid_scope');
  });
});

describe('token endpoint errors', () => {
  it('wrong secret → 401 invalid_client with a Basic challenge', async () => {
    const res = await postForm(app, '/oauth/token', { grant_type: 'client_credentials', client_id: agent.clientId, client_secret: 'wrong' });
    const body = await expectOAuthError(res, 401, 'invalid_client');
    expect(body.error_description).toBe('invalid client credentials');
    expect(res.headers.get('www-authenticate')).toMatch(/^Basic realm=/);
    expect(res.headers.get('cache-control')).toBe('no-store');
  });

  it('wrong Basic secret → 401 invalid_client', async () => {
    const res = await postForm(app, '/oauth/token', { grant_type: 'client_credentials' }, { authorization: clientBasic(agent.clientId, 'nope') });
    await expectOAuthError(res, 401, 'invalid_client');
    expect(res.headers.get('www-authenticate')).toMatch(/^Basic /);
  });

  it('unknown and malformed client ids → the same 401 invalid_client', async () => {
    for (const clientId of ['00000000-0000-4000-8000-000000000000', 'not-a-uuid', 'x'.repeat(200), "' or 1=1 --"]) {
      const res = await postForm(app, '/oauth/token', { grant_type: 'client_credentials', client_id: clientId, client_secret: agent.clientSecret });
      const body = await expectOAuthError(res, 401, 'invalid_client');
      expect(body.error_description).toBe('invalid client credentials');
    }
  });

  it('missing client credentials → 401 invalid_client', async () => {
    for (const params of [{}, { client_id: agent.clientId }, { client_secret: agent.clientSecret }] as Record<string, string>[]) {
      const res = await postForm(app, '/oauth/token', { grant_type: 'client_credentials', ...params });
      await expectOAuthError(res, 401, 'invalid_client');
    }
  });

  it('malformed Basic header → 401 invalid_client', async () => {
    for (const authorization of ['Basic', 'Basic !!!', `Basic ${Buffer.from('no-colon').toString('base64')}`]) {
      const res = await postForm(app, '/oauth/token', { grant_type: 'client_credentials' }, { authorization });
      await expectOAuthError(res, 401, 'invalid_client');
    }
  });

  it('unknown grant types → 400 unsupported_grant_type', async () => {
    for (const grant_type of ['password', 'authorization_code', 'urn:ietf:params:oauth:grant-type:jwt-bearer', 'constructor', '__proto__', 'toString']) {
      const res = await postForm(app, '/oauth/token', { grant_type, client_id: agent.clientId, client_secret: agent.clientSecret });
      await expectOAuthError(res, 400, 'unsupported_grant_type');
    }
  });

  it('missing or mistyped grant_type → 400 invalid_request', async () => {
    const missing = await postForm(app, '/oauth/token', { client_id: agent.clientId, client_secret: agent.clientSecret });
    await expectOAuthError(missing, 400, 'invalid_request');
    const typed = await tokenJson({ grant_type: 42, client_id: agent.clientId, client_secret: agent.clientSecret });
    await expectOAuthError(typed, 400, 'invalid_request');
    const arrayed = await tokenJson({ grant_type: ['client_credentials'], client_id: agent.clientId, client_secret: agent.clientSecret });
    await expectOAuthError(arrayed, 400, 'invalid_request');
  });

  it('wrong types for client credentials → 400 invalid_request', async () => {
    const res = await tokenJson({ grant_type: 'client_credentials', client_id: 123, client_secret: { a: 1 } });
    await expectOAuthError(res, 400, 'invalid_request');
  });

  it('ignores unknown parameters (RFC 6749 §3.2)', async () => {
    const res = await postForm(app, '/oauth/token', { grant_type: 'client_credentials', client_id: agent.clientId, client_secret: agent.clientSecret, audience: 'x', resource: 'y' });
    expect(res.status).toBe(200);
  });

  it('never takes client credentials from the query string (RFC 6749 §2.3.1)', async () => {
    const query = new URLSearchParams({ client_id: agent.clientId, client_secret: agent.clientSecret }).toString();
    const res = await postForm(app, `/oauth/token?${query}`, { grant_type: 'client_credentials' });
    await expectOAuthError(res, 401, 'invalid_client');
    const get = await app.request(`/oauth/token?grant_type=client_credentials&${query}`);
    await expectOAuthError(get, 405, 'method_not_allowed');
  });

  it('answers GET with 405 and Allow: POST', async () => {
    const res = await app.request('/oauth/token');
    await expectOAuthError(res, 405, 'method_not_allowed');
    expect(res.headers.get('allow')).toBe('POST');
  });
});

describe('usage counters and audit', () => {
  it('counts tokens and records token.issued with IP and user agent', async () => {
    const fresh = await createAgent(app, { name: 'counted', scopes: ['read'] });
    const before = Date.now();
    for (let i = 0; i < 3; i++) {
      const res = await postForm(app, '/oauth/token', { grant_type: 'client_credentials', client_id: fresh.clientId, client_secret: fresh.clientSecret }, { 'user-agent': 'counter-test/1.0' });
      expect(res.status).toBe(200);
    }
    const res = await app.request(`/api/agents/${fresh.id}`, { admin: true });
    const { agent: row } = (await res.json()) as { agent: Record<string, unknown> };
    expect(row.token_count).toBe(3);
    expect(row.refresh_count).toBe(0);
    expect(Date.parse(row.last_token_issued_at as string)).toBeGreaterThanOrEqual(before - 1000);
    expect(Date.parse(row.last_activity_at as string)).toBeGreaterThanOrEqual(before - 1000);
    const audit = await sql`select action, ip_address, user_agent, actor, details from audit_logs where agent_id = ${fresh.id} and action = 'token.issued'`;
    expect(audit).toHaveLength(3);
    for (const a of audit) {
      expect(a.ip_address).toBe('127.0.0.1');
      expect(a.user_agent).toBe('counter-test/1.0');
      expect(a.details).toMatchObject({ grant_type: 'client_credentials', scope: ['read'] });
    }
  });

  it('does not count failed attempts as issued tokens', async () => {
    const fresh = await createAgent(app, { name: 'failing', scopes: [] });
    await postForm(app, '/oauth/token', { grant_type: 'client_credentials', client_id: fresh.clientId, client_secret: 'bad' });
    const [row] = await sql`select token_count from agents where id = ${fresh.id}`;
    expect(Number(row.token_count)).toBe(0);
    const [{ n }] = await sql`select count(*)::int as n from access_tokens where agent_id = ${fresh.id}`;
    expect(n).toBe(0);
  });
});

describe('configuration of tokens', () => {
  it('honours JWT_ISSUER, JWT_AUDIENCE, JWT_KEY_ID and JWT_ACCESS_TOKEN_EXPIRY', async () => {
    const custom = await startTestApp({ JWT_ISSUER: 'https://issuer.test', JWT_AUDIENCE: 'my-api', JWT_KEY_ID: 'custom-kid', JWT_ACCESS_TOKEN_EXPIRY: '1800' });
    try {
      const a = await createAgent(custom);
      const tokens = await getToken(custom, a);
      expect(tokens.expires_in).toBe(1800);
      expect(decodeProtectedHeader(tokens.access_token).kid).toBe('custom-kid');
      const set = createLocalJWKSet((await (await custom.request('/.well-known/jwks.json')).json()) as never);
      const { payload } = await jwtVerify(tokens.access_token, set, { issuer: 'https://issuer.test', audience: 'my-api' });
      expect(payload.exp! - payload.iat!).toBe(1800);
    } finally {
      await custom.close();
    }
  });

  it('defaults to one hour in production', async () => {
    const prod = await startTestApp({ ENV: 'production' });
    try {
      const tokens = await getToken(prod, await createAgent(prod));
      expect(tokens.expires_in).toBe(3600);
    } finally {
      await prod.close();
    }
  });
});

describe('limits that hold together', () => {
  it('an agent with the most scopes allowed still gets a token it can use and introspect', async () => {
    // Scopes as long as creation allows: the token must still fit a header and the introspection limit.
    const scopes: string[] = [];
    for (let i = 0; scopes.join(' ').length + 129 <= 4000; i++) scopes.push(`${String(i).padStart(3, '0')}${'s'.repeat(125)}`);
    const big = await createAgent(app, { name: 'many-scopes', scopes });
    const tokens = await getToken(app, big);
    expect(decodeJwt(tokens.access_token).scope).toEqual(scopes);
    expect((await app.request('/api/agents/me', { bearer: tokens.access_token })).status).toBe(200);
    const intro = await postForm(app, '/oauth/introspect', { token: tokens.access_token });
    expect(((await intro.json()) as { active: boolean }).active).toBe(true);
    // Asking for all of them by name fits the scope parameter too.
    expect((await getToken(app, big, scopes.join(' '))).scope).toBe(scopes.join(' '));
  });

  it('refuses a scope list too long to fit a token', async () => {
    const scopes = Array.from({ length: 100 }, (_, i) => `${String(i).padStart(3, '0')}${'s'.repeat(125)}`);
    const res = await app.request('/api/agents', { method: 'POST', admin: true, json: { name: 'too-many', scopes } });
    const body = await expectOAuthError(res, 400, 'invalid_request');
    expect(body.error_description).toMatch(/scopes/);
  });
});

describe('races', () => {
  it('deleting an agent while its tokens are being issued answers 200 or 401 invalid_client, nothing else', async () => {
    for (let round = 0; round < 5; round++) {
      const victim = await createAgent(app, { name: `race-${round}`, scopes: [] });
      const requests = Array.from({ length: 30 }, () =>
        postForm(app, '/oauth/token', { grant_type: 'client_credentials', client_id: victim.clientId, client_secret: victim.clientSecret }),
      );
      const deletion = app.request(`/api/agents/${victim.id}`, { method: 'DELETE', admin: true });
      const results = await Promise.all(requests);
      expect((await deletion).status).toBe(204);
      for (const res of results) {
        const text = await res.text();
        expect([200, 401], text).toContain(res.status);
        if (res.status === 401) expect(JSON.parse(text).error).toBe('invalid_client');
      }
      // Whatever was issued died with the agent.
      const [{ n }] = await sql`select count(*)::int as n from access_tokens where agent_id = ${victim.id}`;
      expect(n).toBe(0);
    }
  });
});

describe('token lifetime and agent expiry', () => {
  it('an access token never outlives its agent', async () => {
    const mortal = await createAgent(app, { name: 'mortal', scopes: [], expires_in: 120 });
    const tokens = await getToken(app, mortal);
    expect(tokens.expires_in).toBeLessThanOrEqual(120);
    expect(tokens.expires_in).toBeGreaterThan(100);
    const claims = decodeJwt(tokens.access_token) as { exp: number; iat: number };
    expect(claims.exp).toBeLessThanOrEqual(Math.ceil(Date.parse(mortal.agent.expires_at as string) / 1000));
    // An agent without expiry gets the full lifetime.
    expect((await getToken(app, agent)).expires_in).toBe(86_400);
  });
});
