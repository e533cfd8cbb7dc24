import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAgent, decodeJwt, getToken, startTestApp, type TestApp, type Tokens } from './helpers.ts';
import { createOrg, createOrgAgent, createTeam, expectClientError } from './org-fixtures.ts';

let app: TestApp;
beforeAll(async () => { app = await startTestApp(); });
afterAll(async () => { await app?.close(); });

async function verify(token: string, issuer: string) {
  const jwks = (await (await app.request('/.well-known/jwks.json')).json()) as JSONWebKeySet;
  const { payload } = await jwtVerify(token, createLocalJWKSet(jwks), { issuer, audience: app.config.jwt.audience });
  return payload;
}

async function refresh(refreshToken: string, extra: Record<string, string> = {}): Promise<Tokens> {
  const res = await app.request('/oauth/token', { method: 'POST', json: { grant_type: 'refresh_token', refresh_token: refreshToken, ...extra } });
  if (res.status !== 200) throw new Error(`refresh: ${res.status} ${await res.text()}`);
  return (await res.json()) as Tokens;
}

async function introspect(token: string) {
  return (await (await app.request('/oauth/introspect', { method: 'POST', json: { token } })).json()) as Record<string, unknown>;
}

describe('tokens of organization agents', () => {
  it('carry org_id and team_id, and the organization\'s issuer and lifetime', async () => {
    const org = await createOrg(app, { jwt_issuer: 'https://tenant-a.example.com', jwt_expiry_secs: 900 });
    const team = await createTeam(app, org.id);
    const agent = await createOrgAgent(app, org.id, { team_id: team.id, scopes: ['read', 'write'] });
    expect(agent.agent).toMatchObject({ organization_id: org.id, team_id: team.id });

    const tokens = await getToken(app, agent);
    expect(tokens.expires_in).toBe(900);
    const claims = await verify(tokens.access_token, 'https://tenant-a.example.com');
    expect(claims).toMatchObject({
      iss: 'https://tenant-a.example.com',
      sub: agent.clientId,
      agent_id: agent.id,
      org_id: org.id,
      team_id: team.id,
      aud: app.config.jwt.audience,
      scope: ['read', 'write'],
    });
    expect(claims.exp! - claims.iat!).toBe(900);
    expect(tokens.issued_at).toBe(claims.iat);
    expect(Math.abs(claims.iat! - Date.now() / 1000)).toBeLessThan(30);

    expect(await introspect(tokens.access_token)).toMatchObject({
      active: true, iss: 'https://tenant-a.example.com', org_id: org.id, team_id: team.id, exp: claims.exp, iat: claims.iat, client_id: agent.clientId,
    });
    const verified = await app.request('/api/verify', { bearer: tokens.access_token });
    expect(await verified.json()).toMatchObject({ valid: true, agent_id: agent.id, organization_id: org.id, team_id: team.id, expires_at: claims.exp });
    const me = (await (await app.request('/api/agents/me/usage', { bearer: tokens.access_token })).json()) as Record<string, unknown>;
    expect(me).toMatchObject({ organization_id: org.id, team_id: team.id });
  });

  it('refreshed tokens keep every claim and the organization\'s settings', async () => {
    const org = await createOrg(app, { jwt_issuer: 'https://tenant-refresh.example.com', jwt_expiry_secs: 1200 });
    const team = await createTeam(app, org.id);
    const agent = await createOrgAgent(app, org.id, { team_id: team.id, scopes: ['read', 'write', 'admin'] });
    const first = await getToken(app, agent, 'read write');
    const second = await refresh(first.refresh_token);
    expect(second.expires_in).toBe(1200);
    const a = decodeJwt(first.access_token);
    const b = await verify(second.access_token, 'https://tenant-refresh.example.com');
    for (const claim of ['iss', 'sub', 'agent_id', 'org_id', 'team_id', 'aud', 'scope', 'client_id']) expect(b[claim], claim).toEqual(a[claim]);
    expect(b.jti).not.toBe(a.jti);
    expect(b.exp! - b.iat!).toBe(1200);
    expect(b.scope).toEqual(['read', 'write']);

    // Narrowing the scope on refresh narrows only the scope.
    const third = await refresh(second.refresh_token, { scope: 'read' });
    const c = decodeJwt(third.access_token);
    expect(c).toMatchObject({ iss: a.iss, org_id: org.id, team_id: team.id, scope: ['read'] });
    expect((c.exp as number) - (c.iat as number)).toBe(1200);

    // Refresh with client authentication too.
    const fourth = await refresh(third.refresh_token, { client_id: agent.clientId, client_secret: agent.clientSecret });
    expect(decodeJwt(fourth.access_token)).toMatchObject({ iss: a.iss, org_id: org.id, team_id: team.id, scope: ['read'] });
  });

  it('an organization without its own settings uses the server\'s issuer and lifetime', async () => {
    const org = await createOrg(app);
    const agent = await createOrgAgent(app, org.id);
    const tokens = await getToken(app, agent);
    expect(tokens.expires_in).toBe(app.config.jwt.accessTokenTtl);
    const claims = await verify(tokens.access_token, app.config.jwt.issuer);
    expect(claims).toMatchObject({ org_id: org.id, team_id: '' });
    expect(claims.exp! - claims.iat!).toBe(app.config.jwt.accessTokenTtl);
  });

  it('agents outside any organization get empty org_id and team_id', async () => {
    const agent = await createAgent(app);
    const tokens = await getToken(app, agent);
    const claims = await verify(tokens.access_token, app.config.jwt.issuer);
    expect(claims).toMatchObject({ org_id: '', team_id: '' });
  });

  it('changing the organization\'s settings changes new tokens (and refreshes); issued ones keep theirs', async () => {
    const org = await createOrg(app, { jwt_issuer: 'https://before.example.com', jwt_expiry_secs: 600 });
    const agent = await createOrgAgent(app, org.id);
    const old = await getToken(app, agent);

    const patched = await app.request(`/api/organizations/${org.id}`, { method: 'PATCH', admin: true, json: { jwt_issuer: 'https://after.example.com', jwt_expiry_secs: 300 } });
    expect(patched.status).toBe(200);

    const fresh = await getToken(app, agent);
    expect(fresh.expires_in).toBe(300);
    const claims = await verify(fresh.access_token, 'https://after.example.com');
    expect(claims.exp! - claims.iat!).toBe(300);

    const refreshed = await refresh(old.refresh_token);
    expect(refreshed.expires_in).toBe(300);
    expect(decodeJwt(refreshed.access_token).iss).toBe('https://after.example.com');

    // The earlier token still verifies under the issuer it was minted with, until it expires.
    expect(await introspect(old.access_token)).toMatchObject({ active: true, iss: 'https://before.example.com' });
    await verify(old.access_token, 'https://before.example.com');

    // Back to the server's defaults.
    await app.request(`/api/organizations/${org.id}`, { method: 'PUT', admin: true, json: { jwt_issuer: '', jwt_expiry_secs: 0 } });
    const reset = await getToken(app, agent);
    expect(reset.expires_in).toBe(app.config.jwt.accessTokenTtl);
    expect(decodeJwt(reset.access_token).iss).toBe(app.config.jwt.issuer);
  });

  it('follows the agent when it moves to another team', async () => {
    const org = await createOrg(app);
    const t1 = await createTeam(app, org.id, { name: 't1' });
    const t2 = await createTeam(app, org.id, { name: 't2' });
    const agent = await createOrgAgent(app, org.id, { team_id: t1.id });
    expect(decodeJwt((await getToken(app, agent)).access_token).team_id).toBe(t1.id);
    expect((await app.request(`/api/agents/${agent.id}`, { method: 'PATCH', admin: true, json: { team_id: t2.id } })).status).toBe(200);
    expect(decodeJwt((await getToken(app, agent)).access_token).team_id).toBe(t2.id);
    expect((await app.request(`/api/agents/${agent.id}`, { method: 'PATCH', admin: true, json: { team_id: null } })).status).toBe(200);
    expect(decodeJwt((await getToken(app, agent)).access_token).team_id).toBe('');
  });

  it('an organization agent must name a team of that organization (400 otherwise)', async () => {
    const org = await createOrg(app);
    const other = await createOrg(app);
    const foreign = await createTeam(app, other.id);
    await expectClientError(await app.request(`/api/organizations/${org.id}/agents`, { method: 'POST', admin: true, json: { name: 'x', team_id: foreign.id } }), 400, 'invalid_request');
    await expectClientError(await app.request('/api/agents', { method: 'POST', admin: true, json: { name: 'x', organization_id: org.id, team_id: foreign.id } }), 400, 'invalid_request');
    await expectClientError(await app.request('/api/agents', { method: 'POST', admin: true, json: { name: 'x', team_id: foreign.id } }), 400, 'invalid_request');
    await expectClientError(await app.request('/api/agents', { method: 'POST', admin: true, json: { name: 'x', organization_id: '00000000-0000-4000-8000-000000000000' } }), 400, 'invalid_request');
    // organization_id comes from the URL, not the body.
    await expectClientError(await app.request(`/api/organizations/${org.id}/agents`, { method: 'POST', admin: true, json: { name: 'x', organization_id: other.id } }), 400, 'invalid_request');
    await expectClientError(await app.request('/api/organizations/00000000-0000-4000-8000-000000000000/agents', { method: 'POST', admin: true, json: { name: 'x' } }), 404);
    await expectClientError(await app.request('/api/organizations/00000000-0000-4000-8000-000000000000/agents', { admin: true }), 404);
    const list = (await (await app.request(`/api/organizations/${org.id}/agents`, { admin: true })).json()) as { agents: unknown[] };
    expect(list.agents).toEqual([]);
  });

  it('lists an organization\'s agents only, in the seed shape', async () => {
    const org = await createOrg(app);
    const a1 = await createOrgAgent(app, org.id, { name: 'one' });
    const a2 = await createOrgAgent(app, org.id, { name: 'two', expires_in: 3600 });
    await createAgent(app, { name: 'global' });
    const res = await app.request(`/api/organizations/${org.id}/agents`, { admin: true });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { agents: Record<string, unknown>[] };
    expect(body.agents.map((a) => a.id).sort()).toEqual([a1.id, a2.id].sort());
    for (const a of body.agents) {
      expect(a).toMatchObject({ organization_id: org.id, team_id: null, is_active: true, token_count: 0 });
      expect(a).not.toHaveProperty('client_secret');
      expect(a).not.toHaveProperty('client_secret_hash');
    }
    const created = await app.request(`/api/organizations/${org.id}/agents`, { method: 'POST', admin: true, json: { name: 'three', scopes: ['read'] } });
    expect(created.status).toBe(201);
    const json = (await created.json()) as Record<string, unknown>;
    expect(Object.keys(json).sort()).toEqual(['agent', 'client_id', 'client_secret']);
  });
});
