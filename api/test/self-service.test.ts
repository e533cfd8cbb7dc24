import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type postgres from 'postgres';
import {
  createAgent, dbClient, expectOAuthError, getToken, introspect, postForm, sleep, startTestApp,
  type CreatedAgent, type TestApp,
} from './helpers.ts';

let app: TestApp;
let sql: postgres.Sql;

beforeAll(async () => {
  app = await startTestApp();
  sql = dbClient(app);
});
afterAll(async () => {
  await sql?.end();
  await app?.close();
});

async function agentWithToken(body: Record<string, unknown> = { name: 'self', scopes: ['read', 'write'] }) {
  const agent = await createAgent(app, body);
  const tokens = await getToken(app, agent);
  return { agent, token: tokens.access_token, tokens };
}

const call = (path: string, token: string, method = 'GET') => app.request(path, { method, bearer: token });

const tokenStatus = async (a: Pick<CreatedAgent, 'clientId' | 'clientSecret'>) =>
  (await postForm(app, '/oauth/token', { grant_type: 'client_credentials', client_id: a.clientId, client_secret: a.clientSecret })).status;

async function invalidToken(res: Response) {
  const body = await expectOAuthError(res, 401, 'invalid_token');
  expect(res.headers.get('www-authenticate')).toMatch(/^Bearer realm="machineauth"/);
  return body;
}

const SELF_ROUTES: [string, string][] = [
  ['GET', '/api/agents/me'],
  ['GET', '/api/agents/me/usage'],
  ['POST', '/api/agents/me/rotate'],
  ['POST', '/api/agents/me/deactivate'],
  ['POST', '/api/agents/me/reactivate'],
  ['POST', '/api/agents/me/delete'],
  ['DELETE', '/api/agents/me/delete'],
  ['GET', '/api/verify'],
];

describe('authentication of self-service routes', () => {
  it.each(SELF_ROUTES)('%s %s needs a valid Bearer access token', async (method, path) => {
    const { agent, tokens } = await agentWithToken();
    const attempts: Record<string, string | undefined> = {
      none: undefined,
      empty: 'Bearer ',
      garbage: 'Bearer garbage',
      jwtShaped: 'Bearer a.b.c',
      refreshToken: `Bearer ${tokens.refresh_token}`,
      basic: `Basic ${Buffer.from(`${agent.clientId}:${agent.clientSecret}`).toString('base64')}`,
      twoTokens: `Bearer ${tokens.access_token} ${tokens.access_token}`,
    };
    for (const [label, authorization] of Object.entries(attempts)) {
      const res = await fetch(`${app.url}${path}`, { method, headers: authorization ? { authorization } : {} });
      expect(res.status, label).toBe(401);
      await invalidToken(res);
    }
    // None of that touched the agent.
    expect(await tokenStatus(agent)).toBe(200);
  });

  it('answers a missing token without an error code in the challenge (RFC 6750 §3.1)', async () => {
    const res = await fetch(`${app.url}/api/agents/me`);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer realm="machineauth"');
  });

  it('accepts a lower-case bearer scheme', async () => {
    const { token } = await agentWithToken();
    const res = await fetch(`${app.url}/api/agents/me`, { headers: { authorization: `bearer ${token}` } });
    expect(res.status).toBe(200);
  });
});

describe('GET /api/agents/me and /api/verify', () => {
  it('returns the agent itself', async () => {
    const { agent, token } = await agentWithToken();
    const res = await call('/api/agents/me', token);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { agent: Record<string, unknown> };
    expect(body.agent).toMatchObject({ id: agent.id, client_id: agent.clientId, name: 'self', scopes: ['read', 'write'], is_active: true, token_count: 1, refresh_count: 0 });
    expect(JSON.stringify(body)).not.toContain(agent.clientSecret);
  });

  it('verify returns the identity behind the token', async () => {
    const { agent } = await agentWithToken();
    const tokens = await getToken(app, agent, 'read');
    const res = await call('/api/verify', tokens.access_token);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      valid: true,
      agent_id: agent.id,
      client_id: agent.clientId,
      name: 'self',
      scopes: ['read'],
      is_active: true,
      token_count: 2,
    });
  });
});

describe('GET /api/agents/me/usage', () => {
  it('reports counters and the rotation history', async () => {
    const { agent, tokens } = await agentWithToken();
    await postForm(app, '/oauth/token', { grant_type: 'refresh_token', refresh_token: tokens.refresh_token });
    const fresh = await getToken(app, agent);
    const empty = (await (await call('/api/agents/me/usage', fresh.access_token)).json()) as Record<string, unknown>;
    expect(empty).toMatchObject({ organization_id: '', team_id: null, token_count: 3, refresh_count: 1, rotation_history: [] });
    expect(empty.last_token_issued_at).toEqual(expect.any(String));
    expect(empty.last_activity_at).toEqual(expect.any(String));
    expect((empty.agent as { id: string }).id).toBe(agent.id);

    expect((await call('/api/agents/me/rotate', fresh.access_token, 'POST')).status).toBe(200);
    expect((await app.request(`/api/agents/${agent.id}/rotate`, { method: 'POST', admin: true })).status).toBe(200);
    const res = await call('/api/agents/me/usage', fresh.access_token);
    expect(res.status).toBe(200);
    const usage = (await res.json()) as { rotation_history: { rotated_at: string; rotated_by_ip: string }[] };
    expect(usage.rotation_history).toHaveLength(2);
    for (const r of usage.rotation_history) {
      expect(r.rotated_by_ip).toBe('127.0.0.1');
      expect(Math.abs(Date.parse(r.rotated_at) - Date.now())).toBeLessThan(60_000);
    }
    // Newest first.
    expect(Date.parse(usage.rotation_history[0].rotated_at)).toBeGreaterThanOrEqual(Date.parse(usage.rotation_history[1].rotated_at));
  });
});

describe('POST /api/agents/me/rotate', () => {
  it('replaces the secret once; the old one fails at once; the token in hand keeps working', async () => {
    const { agent, token } = await agentWithToken();
    const res = await call('/api/agents/me/rotate', token, 'POST');
    expect(res.status).toBe(200);
    const { client_secret } = (await res.json()) as { client_secret: string };
    expect(client_secret).not.toBe(agent.clientSecret);
    expect(await tokenStatus(agent)).toBe(401);
    expect(await tokenStatus({ clientId: agent.clientId, clientSecret: client_secret })).toBe(200);
    expect((await call('/api/agents/me', token)).status).toBe(200);
    const [audit] = await sql`select actor, ip_address from audit_logs where agent_id = ${agent.id} and action = 'agent.credentials_rotated'`;
    expect(audit).toMatchObject({ actor: `agent:${agent.id}`, ip_address: '127.0.0.1' });
  });
});

describe('deactivate and reactivate', () => {
  it('deactivation locks the agent out of everything but /me/reactivate', async () => {
    const { agent, token, tokens } = await agentWithToken();
    const res = await call('/api/agents/me/deactivate', token, 'POST');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ message: 'agent deactivated successfully' });

    // No new tokens, by either grant.
    await expectOAuthError(await postForm(app, '/oauth/token', { grant_type: 'client_credentials', client_id: agent.clientId, client_secret: agent.clientSecret }), 401, 'invalid_client');
    await expectOAuthError(await postForm(app, '/oauth/token', { grant_type: 'refresh_token', refresh_token: tokens.refresh_token }), 401, 'invalid_grant');
    // Existing tokens stop working everywhere else.
    for (const [method, path] of SELF_ROUTES.filter(([, p]) => p !== '/api/agents/me/reactivate')) {
      const r = await call(path, token, method);
      expect(r.status, `${method} ${path}`).toBe(401);
      await invalidToken(r);
    }
    expect(await introspect(app, token)).toMatchObject({ active: false, reason: 'agent_inactive' });
    // Nothing of the above deleted or rotated anything.
    const [row] = await sql`select is_active from agents where id = ${agent.id}`;
    expect(row.is_active).toBe(false);

    // The one thing the deactivated agent's token may still do.
    const back = await call('/api/agents/me/reactivate', token, 'POST');
    expect(back.status).toBe(200);
    expect(await back.json()).toEqual({ message: 'agent reactivated successfully' });
    expect((await call('/api/agents/me', token)).status).toBe(200);
    expect(await tokenStatus(agent)).toBe(200);
    expect((await introspect(app, token)).active).toBe(true);

    const actions = (await sql`select action, actor from audit_logs where agent_id = ${agent.id} and action in ('agent.deactivated', 'agent.activated')`).map((r) => `${r.action} ${r.actor}`);
    expect(actions.sort()).toEqual([`agent.activated agent:${agent.id}`, `agent.deactivated agent:${agent.id}`]);
  });

  it('an agent deactivated by the admin cannot lift the suspension itself; the admin can', async () => {
    const { agent, token } = await agentWithToken();
    await app.request(`/api/agents/${agent.id}/deactivate`, { method: 'POST', admin: true });
    const refused = await call('/api/agents/me/reactivate', token, 'POST');
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { error: string }).error).toBe('forbidden');
    expect(await tokenStatus(agent)).toBe(401);
    // Deactivation through PATCH counts as the admin's too, and is audited like the dedicated route.
    await app.request(`/api/agents/${agent.id}/activate`, { method: 'POST', admin: true });
    expect((await app.request(`/api/agents/${agent.id}`, { method: 'PATCH', admin: true, json: { is_active: false } })).status).toBe(200);
    expect((await call('/api/agents/me/reactivate', token, 'POST')).status).toBe(403);
    const actions = await sql<{ action: string }[]>`select action from audit_logs where agent_id = ${agent.id} and action in ('agent.deactivated', 'agent.activated') order by created_at`;
    expect(actions.map((a) => a.action)).toEqual(['agent.deactivated', 'agent.activated', 'agent.deactivated']);
    await app.request(`/api/agents/${agent.id}/activate`, { method: 'POST', admin: true });
    expect(await tokenStatus(agent)).toBe(200);
    expect((await call('/api/agents/me', token)).status).toBe(200);
  });

  it('reactivation of an active agent is harmless', async () => {
    const { token } = await agentWithToken();
    expect((await call('/api/agents/me/reactivate', token, 'POST')).status).toBe(200);
    expect((await call('/api/agents/me', token)).status).toBe(200);
  });

  it('a revoked token cannot reactivate', async () => {
    const { agent, token } = await agentWithToken();
    await call('/api/agents/me/deactivate', token, 'POST');
    await postForm(app, '/oauth/revoke', { token });
    await invalidToken(await call('/api/agents/me/reactivate', token, 'POST'));
    expect(await tokenStatus(agent)).toBe(401);
  });
});

describe('delete', () => {
  it.each(['POST', 'DELETE'])('%s /api/agents/me/delete removes the agent; its tokens die with it', async (method) => {
    const { agent, token, tokens } = await agentWithToken();
    const other = await getToken(app, agent);
    const res = await call('/api/agents/me/delete', token, method);
    expect(res.status).toBe(204);
    expect(await res.text()).toBe('');
    await expectOAuthError(await app.request(`/api/agents/${agent.id}`, { admin: true }), 404, 'not_found');
    for (const t of [token, other.access_token]) {
      await invalidToken(await call('/api/agents/me', t));
      await invalidToken(await call('/api/verify', t));
      expect((await introspect(app, t)).active).toBe(false);
    }
    await expectOAuthError(await postForm(app, '/oauth/token', { grant_type: 'refresh_token', refresh_token: tokens.refresh_token }), 401, 'invalid_grant');
    expect(await tokenStatus(agent)).toBe(401);
    const [audit] = await sql`select actor from audit_logs where agent_id = ${agent.id} and action = 'agent.deleted'`;
    expect(audit.actor).toBe(`agent:${agent.id}`);
    const [{ n }] = await sql`select count(*)::int as n from access_tokens where agent_id = ${agent.id}`;
    expect(n).toBe(0);
  });
});

describe('an expired agent', () => {
  it('loses its tokens and gets no new ones', async () => {
    const { agent, token } = await agentWithToken({ name: 'ephemeral', scopes: [], expires_in: 1 });
    expect((await call('/api/agents/me', token)).status).toBe(200);
    await sleep(1100);
    await invalidToken(await call('/api/agents/me', token));
    await invalidToken(await call('/api/verify', token));
    await invalidToken(await call('/api/agents/me/reactivate', token, 'POST'));
    expect(await introspect(app, token)).toMatchObject({ active: false });
    await expectOAuthError(await postForm(app, '/oauth/token', { grant_type: 'client_credentials', client_id: agent.clientId, client_secret: agent.clientSecret }), 401, 'invalid_client');
    // The administrator can extend it; then it gets tokens again. The old one expired with it for good
    // (its exp was capped at the agent's expiry), so offline verifiers agree.
    await app.request(`/api/agents/${agent.id}`, { method: 'PATCH', admin: true, json: { expires_in: 3600 } });
    const fresh = await getToken(app, agent);
    expect((await call('/api/agents/me', fresh.access_token)).status).toBe(200);
    await invalidToken(await call('/api/agents/me', token));
    expect(await introspect(app, token)).toMatchObject({ active: false, reason: 'expired' });
  });
});

describe('self-service never reaches admin routes', () => {
  it('an agent token cannot list, read, change or delete agents', async () => {
    const { agent, token } = await agentWithToken();
    const victim = await createAgent(app, { name: 'victim' });
    for (const [method, path] of [
      ['GET', '/api/agents'],
      ['GET', `/api/agents/${victim.id}`],
      ['GET', `/api/agents/${agent.id}`],
      ['DELETE', `/api/agents/${victim.id}`],
      ['POST', `/api/agents/${victim.id}/rotate`],
    ]) {
      expect((await call(path, token, method)).status, `${method} ${path}`).toBe(401);
    }
    expect(await tokenStatus(victim)).toBe(200);
  });
});

describe('activity tracking', () => {
  it('an agent using its token moves last_activity_at past its last issuance', async () => {
    const { agent, token } = await agentWithToken();
    await sleep(1100);
    expect((await call('/api/verify', token)).status).toBe(200);
    // The timestamp is written off the request path; give it a moment.
    let row: { issued: Date; active: Date } | undefined;
    for (let i = 0; i < 40; i++) {
      [row] = await sql<{ issued: Date; active: Date }[]>`select last_token_issued_at as issued, last_activity_at as active from agents where id = ${agent.id}`;
      if (row.active.getTime() > row.issued.getTime()) break;
      await sleep(50);
    }
    expect(row!.active.getTime() - row!.issued.getTime()).toBeGreaterThanOrEqual(1000);
  });
});
