import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type postgres from 'postgres';
import {
  createAgent, dbClient, decodeJwt, expectOAuthError, getToken, introspect, postForm, sleep, startTestApp,
  type CreatedAgent, type TestApp,
} from './helpers.ts';

let app: TestApp;
let sql: postgres.Sql;
let agent: CreatedAgent;

beforeAll(async () => {
  app = await startTestApp();
  sql = dbClient(app);
  agent = await createAgent(app, { name: 'introspected', scopes: ['read', 'write'] });
});
afterAll(async () => {
  await sql?.end();
  await app?.close();
});

const revoke = (token: string, hint?: string) => postForm(app, '/oauth/revoke', hint === undefined ? { token } : { token, token_type_hint: hint });

async function revokedOk(res: Response) {
  expect(res.status).toBe(200);
  expect(res.headers.get('cache-control')).toBe('no-store');
  expect(await res.json()).toEqual({ status: 'revoked' });
}

describe('introspection (RFC 7662)', () => {
  it('describes an active access token', async () => {
    const tokens = await getToken(app, agent, 'read');
    const res = await postForm(app, '/oauth/introspect', { token: tokens.access_token });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const body = (await res.json()) as Record<string, unknown>;
    const claims = decodeJwt(tokens.access_token);
    expect(body).toMatchObject({
      active: true,
      scope: 'read',
      client_id: agent.clientId,
      token_type: 'Bearer',
      exp: claims.exp,
      iat: claims.iat,
      sub: agent.clientId,
      aud: 'machineauth-api',
      iss: 'https://auth.example.com',
      jti: claims.jti,
      agent_id: agent.id,
    });
  });

  it('accepts a JSON body and an access_token hint', async () => {
    const tokens = await getToken(app, agent);
    const res = await app.request('/oauth/introspect', { method: 'POST', json: { token: tokens.access_token, token_type_hint: 'access_token' } });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { active: boolean }).active).toBe(true);
  });

  it('describes an active refresh token', async () => {
    const tokens = await getToken(app, agent);
    const body = await introspect(app, tokens.refresh_token, 'refresh_token');
    expect(body).toMatchObject({ active: true, token_type: 'refresh_token', client_id: agent.clientId, scope: 'read write' });
  });

  it('answers active:false with an empty reason for malformed or foreign tokens', async () => {
    const foreignHeader = Buffer.from(JSON.stringify({ alg: 'RS256', kid: 'key-1', typ: 'JWT' })).toString('base64url');
    const foreignPayload = Buffer.from(JSON.stringify({ sub: 'x', jti: '00000000-0000-4000-8000-000000000000' })).toString('base64url');
    for (const token of ['garbage', 'a.b.c', `${foreignHeader}.${foreignPayload}.c2lnbmF0dXJl`, 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.', '...', 'x'.repeat(8192)]) {
      const body = await introspect(app, token);
      expect(body).toEqual({ active: false, reason: '' });
    }
  });

  it('answers active:false for a token whose signature was tampered with', async () => {
    const tokens = await getToken(app, agent);
    const [h, p, s] = tokens.access_token.split('.');
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString());
    claims.scope = ['read', 'write', 'admin'];
    const forged = `${h}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${s}`;
    expect((await introspect(app, forged)).active).toBe(false);
    // A flipped signature byte, too.
    const sig = Buffer.from(s, 'base64url');
    sig[0] ^= 1;
    expect((await introspect(app, `${h}.${p}.${sig.toString('base64url')}`)).active).toBe(false);
  });

  it('reports reason expired for an expired access token', async () => {
    // An organization may shorten its agents' tokens; one second makes expiry testable.
    const orgRes = await app.request('/api/organizations', { method: 'POST', admin: true, json: { name: 'Short', slug: 'short-lived', jwt_expiry_secs: 1 } });
    expect(orgRes.status).toBe(201);
    const org = (await orgRes.json()) as { id?: string; organization?: { id: string } };
    const orgId = org.organization?.id ?? org.id!;
    const shortAgent = await createAgent(app, { name: 'short', scopes: [] }, `/api/organizations/${orgId}/agents`);
    const tokens = await getToken(app, shortAgent);
    expect(tokens.expires_in).toBe(1);
    await sleep(2100);
    expect(await introspect(app, tokens.access_token)).toEqual({ active: false, reason: 'expired' });
    const me = await app.request('/api/agents/me', { bearer: tokens.access_token });
    await expectOAuthError(me, 401, 'invalid_token');
    const verify = await app.request('/api/verify', { bearer: tokens.access_token });
    await expectOAuthError(verify, 401, 'invalid_token');
  });

  it('requires token; refuses an unknown hint with unsupported_token_type', async () => {
    await expectOAuthError(await postForm(app, '/oauth/introspect', {}), 400, 'invalid_request');
    await expectOAuthError(await app.request('/oauth/introspect', { method: 'POST', json: { token: 5 } }), 400, 'invalid_request');
    const tokens = await getToken(app, agent);
    await expectOAuthError(await postForm(app, '/oauth/introspect', { token: tokens.access_token, token_type_hint: 'id_token' }), 400, 'unsupported_token_type');
  });

  it('records token.validation_success and token.validation_failed', async () => {
    const fresh = await createAgent(app, { name: 'validated', scopes: [] });
    const tokens = await getToken(app, fresh);
    await introspect(app, tokens.access_token);
    await revoke(tokens.access_token);
    await introspect(app, tokens.access_token);
    const rows = await sql`select action from audit_logs where agent_id = ${fresh.id} and action like 'token.validation%' order by created_at`;
    expect(rows.map((r) => r.action)).toEqual(['token.validation_success', 'token.validation_failed']);
  });
});

describe('revocation (RFC 7009)', () => {
  it('revokes an access token, with and without a hint', async () => {
    for (const hint of [undefined, 'access_token', 'refresh_token']) {
      const tokens = await getToken(app, agent);
      await revokedOk(await revoke(tokens.access_token, hint));
      expect(await introspect(app, tokens.access_token)).toEqual({ active: false, revoked: true, reason: 'revoked' });
      await expectOAuthError(await app.request('/api/agents/me', { bearer: tokens.access_token }), 401, 'invalid_token');
      await expectOAuthError(await app.request('/api/verify', { bearer: tokens.access_token }), 401, 'invalid_token');
      const { jti } = decodeJwt(tokens.access_token) as { jti: string };
      const [row] = await sql`select revoked_at from access_tokens where jti = ${jti}`;
      expect(row.revoked_at).toBeInstanceOf(Date);
    }
  });

  it('revoking an access token leaves its refresh token usable', async () => {
    const tokens = await getToken(app, agent);
    await revokedOk(await revoke(tokens.access_token));
    expect((await introspect(app, tokens.refresh_token)).active).toBe(true);
  });

  it('revokes a refresh token with its family and their access tokens, with and without a hint', async () => {
    for (const hint of [undefined, 'refresh_token', 'access_token']) {
      const t0 = await getToken(app, agent);
      const res = await postForm(app, '/oauth/token', { grant_type: 'refresh_token', refresh_token: t0.refresh_token });
      const t1 = (await res.json()) as typeof t0;
      await revokedOk(await revoke(t1.refresh_token, hint));
      expect((await introspect(app, t1.refresh_token)).active).toBe(false);
      expect((await introspect(app, t1.access_token)).active).toBe(false);
      expect((await introspect(app, t0.access_token)).active).toBe(false);
      await expectOAuthError(await postForm(app, '/oauth/token', { grant_type: 'refresh_token', refresh_token: t1.refresh_token }), 401, 'invalid_grant');
    }
  });

  it('answers 200 for unknown, malformed and already revoked tokens', async () => {
    for (const token of ['unknown', 'a.b.c', 'x'.repeat(8192)]) await revokedOk(await revoke(token));
    const tokens = await getToken(app, agent);
    await revokedOk(await revoke(tokens.access_token));
    await revokedOk(await revoke(tokens.access_token));
  });

  it('counts a revocation once', async () => {
    const before = ((await (await app.request('/metrics')).json()) as { tokens_revoked: number }).tokens_revoked;
    const tokens = await getToken(app, agent);
    await revoke(tokens.access_token);
    await revoke(tokens.access_token);
    const after = ((await (await app.request('/metrics')).json()) as { tokens_revoked: number }).tokens_revoked;
    expect(after - before).toBe(1);
  });

  it('writes token.revoked to the audit log', async () => {
    const fresh = await createAgent(app, { name: 'revoked-audit', scopes: [] });
    const tokens = await getToken(app, fresh);
    await postForm(app, '/oauth/revoke', { token: tokens.access_token }, { 'user-agent': 'revoker/2' });
    const rows = await sql`select action, user_agent, ip_address, details from audit_logs where agent_id = ${fresh.id} and action = 'token.revoked'`;
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ user_agent: 'revoker/2', ip_address: '127.0.0.1' });
    expect(rows[0].details).toMatchObject({ token_type: 'access_token', jti: decodeJwt(tokens.access_token).jti });
    await revoke(tokens.refresh_token);
    const family = await sql`select action from audit_logs where agent_id = ${fresh.id} and action = 'refresh_token_revoked'`;
    expect(family).toHaveLength(1);
  });

  it('requires token; refuses an unknown hint', async () => {
    await expectOAuthError(await postForm(app, '/oauth/revoke', {}), 400, 'invalid_request');
    await expectOAuthError(await app.request('/oauth/revoke', { method: 'POST', json: { token: ['a'] } }), 400, 'invalid_request');
    const tokens = await getToken(app, agent);
    const res = await revoke(tokens.access_token, 'bogus');
    await expectOAuthError(res, 400, 'unsupported_token_type');
    expect(res.headers.get('cache-control')).toBe('no-store');
    // A refused request revokes nothing.
    expect((await introspect(app, tokens.access_token)).active).toBe(true);
  });

  it('accepts JSON bodies', async () => {
    const tokens = await getToken(app, agent);
    await revokedOk(await app.request('/oauth/revoke', { method: 'POST', json: { token: tokens.access_token, token_type_hint: 'access_token' } }));
    expect((await introspect(app, tokens.access_token)).active).toBe(false);
  });

  it('answers GET with 405', async () => {
    for (const path of ['/oauth/revoke', '/oauth/introspect', '/oauth/refresh']) {
      const res = await app.request(path);
      await expectOAuthError(res, 405, 'method_not_allowed');
      expect(res.headers.get('allow')).toBe('POST');
    }
  });
});

describe('two instances on one database', () => {
  it('revocation, deactivation and key rotation made through one hold on the other at once', async () => {
    // A second API process behind the same load balancer: same database, same master key.
    const other = await startTestApp({ DATA_DIR: app.config.dataDir }, { databaseUrl: app.databaseUrl });
    try {
      const fresh = await createAgent(app, { name: 'two-instances', scopes: [] });
      const a = await getToken(app, fresh);
      const b = await getToken(other, fresh);
      expect((await introspect(other, a.access_token)).active).toBe(true);
      expect((await introspect(app, b.access_token)).active).toBe(true);

      // Revoked on one, dead on the other.
      await revokedOk(await postForm(other, '/oauth/revoke', { token: a.access_token }));
      expect((await introspect(app, a.access_token)).active).toBe(false);
      await expectOAuthError(await app.request('/api/verify', { bearer: a.access_token }), 401, 'invalid_token');

      // A refresh token used on one is a replay on the other.
      const refreshed = await postForm(app, '/oauth/token', { grant_type: 'refresh_token', refresh_token: b.refresh_token });
      expect(refreshed.status).toBe(200);
      await expectOAuthError(await postForm(other, '/oauth/token', { grant_type: 'refresh_token', refresh_token: b.refresh_token }), 401, 'invalid_grant');

      // Deactivated through one, refused by the other.
      const c = await getToken(app, fresh);
      await other.request(`/api/agents/${fresh.id}/deactivate`, { method: 'POST', admin: true });
      await expectOAuthError(await app.request('/api/agents/me', { bearer: c.access_token }), 401, 'invalid_token');
      await expectOAuthError(await postForm(app, '/oauth/token', { grant_type: 'client_credentials', client_id: fresh.clientId, client_secret: fresh.clientSecret }), 401, 'invalid_client');
      await other.request(`/api/agents/${fresh.id}/activate`, { method: 'POST', admin: true });

      // Rotated on one: the other verifies the new key's tokens and switches its signer.
      const rotated = (await (await other.request('/api/admin/keys/rotate', { method: 'POST', admin: true })).json()) as { kid: string };
      const signedByOther = await getToken(other, fresh);
      expect((await introspect(app, signedByOther.access_token)).active).toBe(true);
      for (let i = 0; i < 100 && app.services.keys.activeKey.kid !== rotated.kid; i++) await sleep(20);
      const signedByApp = await getToken(app, fresh);
      expect(JSON.parse(Buffer.from(signedByApp.access_token.split('.')[0], 'base64url').toString()).kid).toBe(rotated.kid);
      const jwks = (await (await app.request('/.well-known/jwks.json')).json()) as { keys: { kid: string }[] };
      expect(jwks.keys.map((k) => k.kid)).toContain(rotated.kid);
    } finally {
      await other.close();
    }
  });
});
