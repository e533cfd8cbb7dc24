import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type postgres from 'postgres';
import {
  ADMIN_AUTH, ADMIN_EMAIL, clientBasic, createAgent, dbClient, expectOAuthError, getToken, introspect, postForm, startTestApp,
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

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const AGENT_KEYS = [
  'client_id', 'created_at', 'expires_at', 'id', 'is_active', 'last_activity_at', 'last_token_issued_at', 'name', 'organization_id',
  'public_key', 'refresh_count', 'scopes', 'team_id', 'token_count', 'updated_at',
];

async function getAgent(id: string): Promise<Record<string, unknown>> {
  const res = await app.request(`/api/agents/${id}`, { admin: true });
  expect(res.status).toBe(200);
  return ((await res.json()) as { agent: Record<string, unknown> }).agent;
}

async function auditActions(agentId: string): Promise<string[]> {
  const rows = await sql`select action from audit_logs where agent_id = ${agentId} order by created_at, action`;
  return rows.map((r) => r.action as string);
}

const tokenStatus = async (a: Pick<CreatedAgent, 'clientId' | 'clientSecret'>) =>
  (await postForm(app, '/oauth/token', { grant_type: 'client_credentials', client_id: a.clientId, client_secret: a.clientSecret })).status;

describe('create', () => {
  it('returns the agent and its credentials once (201)', async () => {
    const res = await app.request('/api/agents', { method: 'POST', admin: true, json: { name: 'OpenClaw Agent', scopes: ['read', 'write'], expires_in: 7_776_000 } });
    expect(res.status).toBe(201);
    const body = (await res.json()) as { agent: Record<string, unknown>; client_id: string; client_secret: string };
    expect(Object.keys(body).sort()).toEqual(['agent', 'client_id', 'client_secret']);
    expect(Object.keys(body.agent).sort()).toEqual(AGENT_KEYS);
    expect(body.agent).toMatchObject({ name: 'OpenClaw Agent', scopes: ['read', 'write'], is_active: true, token_count: 0, refresh_count: 0, organization_id: '', team_id: null, last_activity_at: null });
    expect(body.client_id).toMatch(UUID);
    expect(body.agent.client_id).toBe(body.client_id);
    expect(body.agent.id).toMatch(UUID);
    expect(body.client_secret.length).toBeGreaterThanOrEqual(43);
    const expiresIn = Date.parse(body.agent.expires_at as string) - Date.now();
    expect(Math.abs(expiresIn - 7_776_000_000)).toBeLessThan(10_000);

    // Never shown again.
    const again = JSON.stringify(await getAgent(body.agent.id as string));
    expect(again).not.toContain(body.client_secret);
    const list = await (await app.request('/api/agents', { admin: true })).text();
    expect(list).not.toContain(body.client_secret);
    expect(list).not.toMatch(/client_secret/);
  });

  it('defaults scopes to [] and expiry to none, and dedupes scopes', async () => {
    const a = await createAgent(app, { name: 'minimal' });
    expect(a.agent).toMatchObject({ scopes: [], expires_at: null });
    const b = await createAgent(app, { name: 'dupes', scopes: ['a', 'b', 'a'] });
    expect(b.agent.scopes).toEqual(['a', 'b']);
  });

  it('stores only a digest of the secret', async () => {
    const a = await createAgent(app, { name: 'digested' });
    const [row] = await sql`select client_secret_hash from agents where id = ${a.id}`;
    expect(row.client_secret_hash).toBeInstanceOf(Buffer);
    expect(row.client_secret_hash.length).toBe(32);
    const texts = await sql`select t::text as t from agents t where id = ${a.id}`;
    expect(texts[0].t).not.toContain(a.clientSecret);
  });

  it('writes agent.created to the audit log with actor, IP and user agent', async () => {
    const res = await app.request('/api/agents', { method: 'POST', admin: true, json: { name: 'audited' }, headers: { 'user-agent': 'admin-cli/3' } });
    const { agent } = (await res.json()) as { agent: { id: string } };
    const [row] = await sql`select action, actor, ip_address, user_agent, details from audit_logs where agent_id = ${agent.id}`;
    expect(row).toMatchObject({ action: 'agent.created', actor: `admin:${ADMIN_EMAIL}`, ip_address: '127.0.0.1', user_agent: 'admin-cli/3' });
  });

  it.each([
    [{}, 'name'],
    [{ name: '' }, 'name'],
    [{ name: '   ' }, 'name'],
    [{ name: 'x'.repeat(201) }, 'name'],
    [{ name: 42 }, 'name'],
    [{ name: null }, 'name'],
    [{ name: 'ok', scopes: 'read' }, 'scopes'],
    [{ name: 'ok', scopes: [1] }, 'scopes'],
    [{ name: 'ok', scopes: ['has space'] }, 'scopes'],
    [{ name: 'ok', scopes: ['quo"te'] }, 'scopes'],
    [{ name: 'ok', scopes: [''] }, 'scopes'],
    [{ name: 'ok', scopes: Array.from({ length: 101 }, (_, i) => `s${i}`) }, 'scopes'],
    [{ name: 'ok', expires_in: 0 }, 'expires_in'],
    [{ name: 'ok', expires_in: -5 }, 'expires_in'],
    [{ name: 'ok', expires_in: 1.5 }, 'expires_in'],
    [{ name: 'ok', expires_in: '3600' }, 'expires_in'],
    [{ name: 'ok', expires_in: 1e12 }, 'expires_in'],
    [{ name: 'ok', team_id: 'not-a-uuid' }, 'team_id'],
    [{ name: 'ok', organization_id: 'org-123' }, 'organization_id'],
    [{ name: 'ok', organization_id: '00000000-0000-4000-8000-000000000000' }, 'organization_id'],
    [{ name: 'ok', team_id: '00000000-0000-4000-8000-000000000000' }, 'team_id'],
    [{ name: 'ok', client_secret: 'chosen' }, 'client_secret'],
    [{ name: 'ok', is_active: false }, 'is_active'],
    [{ name: 'ok', token_count: 99 }, 'token_count'],
  ])('refuses %j with 400 invalid_request naming %s, and creates nothing', async (body, field) => {
    const before = await sql`select count(*)::int as n from agents`;
    const res = await app.request('/api/agents', { method: 'POST', admin: true, json: body });
    const error = await expectOAuthError(res, 400, 'invalid_request');
    expect(error.error_description).toContain(field);
    const after = await sql`select count(*)::int as n from agents`;
    expect(after[0].n).toBe(before[0].n);
  });
});

describe('read', () => {
  it('gets one agent by id; 404 for unknown or malformed ids', async () => {
    const a = await createAgent(app, { name: 'readable', scopes: ['x'] });
    expect(await getAgent(a.id)).toMatchObject({ id: a.id, name: 'readable', scopes: ['x'] });
    for (const id of ['00000000-0000-4000-8000-000000000000', 'not-a-uuid', '1', '%27%20or%201%3D1']) {
      await expectOAuthError(await app.request(`/api/agents/${id}`, { admin: true }), 404, 'not_found');
    }
  });

  it('does not mistake a client_id for an agent id', async () => {
    const a = await createAgent(app, { name: 'by-client-id' });
    await expectOAuthError(await app.request(`/api/agents/${a.clientId}`, { admin: true }), 404, 'not_found');
  });

  it('lists agents newest first with filters', async () => {
    const unique = `filter-${Date.now()}`;
    const a = await createAgent(app, { name: `${unique}-alpha` });
    const b = await createAgent(app, { name: `${unique}-beta` });
    expect((await app.request(`/api/agents/${b.id}/deactivate`, { method: 'POST', admin: true })).status).toBe(200);

    const all = (await (await app.request('/api/agents', { admin: true })).json()) as { agents: { id: string; created_at: string }[]; total: number };
    expect(all.total).toBe(all.agents.length);
    const times = all.agents.map((x) => Date.parse(x.created_at));
    expect([...times].sort((x, y) => y - x)).toEqual(times);

    const search = (await (await app.request(`/api/agents?search=${unique}`, { admin: true })).json()) as { agents: { id: string }[]; total: number };
    expect(search.agents.map((x) => x.id).sort()).toEqual([a.id, b.id].sort());
    expect(search.total).toBe(2);

    const bySecretlessClientId = (await (await app.request(`/api/agents?search=${a.clientId}`, { admin: true })).json()) as { agents: { id: string }[] };
    expect(bySecretlessClientId.agents.map((x) => x.id)).toEqual([a.id]);

    const inactive = (await (await app.request(`/api/agents?search=${unique}&is_active=false`, { admin: true })).json()) as { agents: { id: string }[] };
    expect(inactive.agents.map((x) => x.id)).toEqual([b.id]);
    const active = (await (await app.request(`/api/agents?search=${unique}&is_active=true`, { admin: true })).json()) as { agents: { id: string }[] };
    expect(active.agents.map((x) => x.id)).toEqual([a.id]);

    const page = (await (await app.request(`/api/agents?search=${unique}&limit=1&offset=1`, { admin: true })).json()) as { agents: { id: string }[]; total: number };
    expect(page.agents).toHaveLength(1);
    expect(page.total).toBe(2);
    expect(page.agents[0].id).toBe(a.id);

    // LIKE wildcards in the search are literal.
    const wild = (await (await app.request('/api/agents?search=%25', { admin: true })).json()) as { agents: unknown[] };
    expect(wild.agents).toHaveLength(0);
  });

  it('filters by organization', async () => {
    const orgRes = await app.request('/api/organizations', { method: 'POST', admin: true, json: { name: 'Filter Org', slug: `filter-org-${Date.now()}` } });
    const org = (await orgRes.json()) as { id: string };
    const inOrg = await createAgent(app, { name: 'in-org', organization_id: org.id });
    expect(inOrg.agent.organization_id).toBe(org.id);
    const list = (await (await app.request(`/api/agents?organization_id=${org.id}`, { admin: true })).json()) as { agents: { id: string }[] };
    expect(list.agents.map((x) => x.id)).toEqual([inOrg.id]);
  });

  it.each(['is_active=maybe', 'limit=0', 'limit=abc', 'limit=100000', 'offset=-1', 'organization_id=nope', `search=${'x'.repeat(201)}`])(
    'refuses the list filter %s with 400',
    async (query) => {
      await expectOAuthError(await app.request(`/api/agents?${query}`, { admin: true }), 400, 'invalid_request');
    },
  );
});

describe('update', () => {
  it('changes name, scopes and expiry with PATCH and PUT', async () => {
    const a = await createAgent(app, { name: 'before', scopes: ['a'] });
    const res = await app.request(`/api/agents/${a.id}`, { method: 'PATCH', admin: true, json: { name: 'after', scopes: ['b', 'c'], expires_in: 3600 } });
    expect(res.status).toBe(200);
    const { agent } = (await res.json()) as { agent: Record<string, unknown> };
    expect(agent).toMatchObject({ name: 'after', scopes: ['b', 'c'] });
    expect(Math.abs(Date.parse(agent.expires_at as string) - Date.now() - 3_600_000)).toBeLessThan(10_000);
    expect(Date.parse(agent.updated_at as string)).toBeGreaterThanOrEqual(Date.parse(agent.created_at as string));

    const put = await app.request(`/api/agents/${a.id}`, { method: 'PUT', admin: true, json: { expires_in: null } });
    expect(put.status).toBe(200);
    expect(((await put.json()) as { agent: { expires_at: unknown; name: string } }).agent).toMatchObject({ expires_at: null, name: 'after' });
    expect(await auditActions(a.id)).toEqual(['agent.created', 'agent.updated', 'agent.updated']);
  });

  it('narrows the scopes new tokens may carry', async () => {
    const a = await createAgent(app, { name: 'scoped', scopes: ['read', 'write'] });
    await app.request(`/api/agents/${a.id}`, { method: 'PATCH', admin: true, json: { scopes: ['read'] } });
    expect((await getToken(app, a)).scope).toBe('read');
  });

  it.each([
    { name: '' },
    { scopes: 'x' },
    { expires_in: -1 },
    { is_active: 'no' },
    { team_id: 'nope' },
    { client_id: '00000000-0000-4000-8000-000000000000' },
    { unknown_field: true },
  ])('refuses %j and changes nothing', async (body) => {
    const a = await createAgent(app, { name: 'stable', scopes: ['s'] });
    await expectOAuthError(await app.request(`/api/agents/${a.id}`, { method: 'PATCH', admin: true, json: body }), 400, 'invalid_request');
    const after = await getAgent(a.id);
    expect(after).toEqual(a.agent);
  });

  it('404s for unknown agents', async () => {
    await expectOAuthError(await app.request('/api/agents/00000000-0000-4000-8000-000000000000', { method: 'PATCH', admin: true, json: { name: 'x' } }), 404, 'not_found');
  });
});

describe('delete', () => {
  it('deletes an agent (204); its tokens and credentials stop working at once', async () => {
    const a = await createAgent(app, { name: 'doomed' });
    const tokens = await getToken(app, a);
    const res = await app.request(`/api/agents/${a.id}`, { method: 'DELETE', admin: true });
    expect(res.status).toBe(204);
    expect(await res.text()).toBe('');
    await expectOAuthError(await app.request(`/api/agents/${a.id}`, { admin: true }), 404, 'not_found');
    await expectOAuthError(await app.request(`/api/agents/${a.id}`, { method: 'DELETE', admin: true }), 404, 'not_found');
    expect(await tokenStatus(a)).toBe(401);
    expect((await introspect(app, tokens.access_token)).active).toBe(false);
    await expectOAuthError(await app.request('/api/verify', { bearer: tokens.access_token }), 401, 'invalid_token');
    // The audit trail outlives the agent.
    expect(new Set(await auditActions(a.id))).toEqual(new Set(['agent.created', 'token.issued', 'agent.deleted']));
  });
});

describe('rotate', () => {
  it.each([
    ['/rotate', undefined],
    ['', { action: 'rotate' }],
    ['', undefined],
  ])('POST /api/agents/{id}%s with %j replaces the secret: the old one fails at once, tokens live on', async (suffix, body) => {
    const a = await createAgent(app, { name: 'rotating' });
    const tokens = await getToken(app, a);
    const res = await app.request(`/api/agents/${a.id}${suffix}`, { method: 'POST', admin: true, ...(body ? { json: body } : {}) });
    expect(res.status).toBe(200);
    const rotated = (await res.json()) as { client_secret: string; client_id: string };
    expect(rotated.client_id).toBe(a.clientId);
    expect(rotated.client_secret).not.toBe(a.clientSecret);
    expect(await tokenStatus(a)).toBe(401);
    expect(await tokenStatus({ clientId: a.clientId, clientSecret: rotated.client_secret })).toBe(200);
    expect((await app.request('/api/agents/me', { bearer: tokens.access_token })).status).toBe(200);
    expect((await introspect(app, tokens.access_token)).active).toBe(true);
    const rotations = await sql`select rotated_by_ip from agent_rotations where agent_id = ${a.id}`;
    expect(rotations).toEqual([{ rotated_by_ip: '127.0.0.1' }]);
    expect(await auditActions(a.id)).toContain('agent.credentials_rotated');
    expect(JSON.stringify(await getAgent(a.id))).not.toContain(rotated.client_secret);
  });

  it('refuses a body that is not a rotation and rotates nothing', async () => {
    const a = await createAgent(app, { name: 'not-rotating' });
    for (const body of [{ action: 'delete' }, { action: 'rotate', extra: 1 }, { name: 'rename' }]) {
      await expectOAuthError(await app.request(`/api/agents/${a.id}`, { method: 'POST', admin: true, json: body }), 400, 'invalid_request');
    }
    expect(await tokenStatus(a)).toBe(200);
  });

  it('404s for unknown agents', async () => {
    await expectOAuthError(await app.request('/api/agents/00000000-0000-4000-8000-000000000000/rotate', { method: 'POST', admin: true }), 404, 'not_found');
    await expectOAuthError(await app.request('/api/agents/bogus', { method: 'POST', admin: true }), 404, 'not_found');
  });
});

describe('deactivate and activate', () => {
  it('a deactivated agent gets no new tokens and its tokens stop working; activation restores both', async () => {
    const a = await createAgent(app, { name: 'switch' });
    const tokens = await getToken(app, a);
    const off = await app.request(`/api/agents/${a.id}/deactivate`, { method: 'POST', admin: true });
    expect(off.status).toBe(200);
    expect(await off.json()).toMatchObject({ message: 'agent deactivated successfully', agent: { is_active: false } });

    const refused = await postForm(app, '/oauth/token', { grant_type: 'client_credentials', client_id: a.clientId, client_secret: a.clientSecret });
    await expectOAuthError(refused, 401, 'invalid_client');
    await expectOAuthError(await app.request('/api/agents/me', { bearer: tokens.access_token }), 401, 'invalid_token');
    await expectOAuthError(await app.request('/api/verify', { bearer: tokens.access_token }), 401, 'invalid_token');
    expect(await introspect(app, tokens.access_token)).toMatchObject({ active: false });

    const on = await app.request(`/api/agents/${a.id}/activate`, { method: 'POST', admin: true });
    expect(on.status).toBe(200);
    expect(await on.json()).toMatchObject({ message: 'agent activated successfully', agent: { is_active: true } });
    expect(await tokenStatus(a)).toBe(200);
    expect((await introspect(app, tokens.access_token)).active).toBe(true);
    const actions = await auditActions(a.id);
    expect(actions).toContain('agent.deactivated');
    expect(actions).toContain('agent.activated');
  });

  it('PATCH is_active:false works the same way', async () => {
    const a = await createAgent(app, { name: 'patched-off' });
    await app.request(`/api/agents/${a.id}`, { method: 'PATCH', admin: true, json: { is_active: false } });
    expect(await tokenStatus(a)).toBe(401);
  });

  it('404s for unknown agents', async () => {
    for (const action of ['deactivate', 'activate']) {
      await expectOAuthError(await app.request(`/api/agents/00000000-0000-4000-8000-000000000000/${action}`, { method: 'POST', admin: true }), 404, 'not_found');
    }
  });
});

describe('admin authentication', () => {
  const routes: [string, string][] = [
    ['GET', '/api/agents'],
    ['POST', '/api/agents'],
    ['GET', '/api/agents/00000000-0000-4000-8000-000000000000'],
    ['PATCH', '/api/agents/00000000-0000-4000-8000-000000000000'],
    ['PUT', '/api/agents/00000000-0000-4000-8000-000000000000'],
    ['DELETE', '/api/agents/00000000-0000-4000-8000-000000000000'],
    ['POST', '/api/agents/00000000-0000-4000-8000-000000000000'],
    ['POST', '/api/agents/00000000-0000-4000-8000-000000000000/rotate'],
    ['POST', '/api/agents/00000000-0000-4000-8000-000000000000/deactivate'],
    ['POST', '/api/agents/00000000-0000-4000-8000-000000000000/activate'],
    ['GET', '/api/admin/keys'],
    ['POST', '/api/admin/keys/rotate'],
  ];
  let victim: CreatedAgent;
  let agentToken: string;
  beforeAll(async () => {
    victim = await createAgent(app, { name: 'victim', scopes: ['admin'] });
    agentToken = (await getToken(app, victim)).access_token;
  });

  it.each(routes)('%s %s refuses missing, wrong and non-admin credentials with 401', async (method, path) => {
    const target = path.replace('00000000-0000-4000-8000-000000000000', victim.id);
    const json = method === 'POST' || method === 'PATCH' || method === 'PUT' ? { name: 'hijack' } : undefined;
    const attempts: Record<string, string | undefined> = {
      none: undefined,
      wrongPassword: `Basic ${Buffer.from(`${ADMIN_EMAIL}:nope`).toString('base64')}`,
      wrongEmail: `Basic ${Buffer.from(`root@example.com:test-admin-password`).toString('base64')}`,
      emptyBasic: 'Basic ',
      agentBearer: `Bearer ${agentToken}`,
      agentClientCredentials: clientBasic(victim.clientId, victim.clientSecret),
      garbage: 'Token abc',
    };
    for (const [label, authorization] of Object.entries(attempts)) {
      const res = await fetch(`${app.url}${target}`, {
        method,
        headers: { ...(authorization ? { authorization } : {}), ...(json ? { 'content-type': 'application/json' } : {}) },
        body: json ? JSON.stringify(json) : undefined,
      });
      expect(res.status, `${label}: ${method} ${path}`).toBe(401);
      const body = (await res.json()) as { error: string };
      expect(body.error, label).toBe('unauthorized');
      if (label === 'none') expect(res.headers.get('www-authenticate')).toMatch(/^Basic /);
    }
    // Nothing changed.
    expect(await getAgent(victim.id)).toMatchObject({ name: 'victim', is_active: true });
    expect(await tokenStatus(victim)).toBe(200);
  });

  it('accepts the admin with the right credentials', async () => {
    const res = await fetch(`${app.url}/api/agents`, { headers: { authorization: ADMIN_AUTH } });
    expect(res.status).toBe(200);
  });
});

describe('admin passwords with special characters', () => {
  it('works with a password containing +, %, : and non-ASCII (Basic is not form-encoded for the admin)', async () => {
    const password = 'p+ss%41:wörd ok';
    const special = await startTestApp({ ADMIN_PASSWORD: password });
    try {
      const raw = `Basic ${Buffer.from(`${ADMIN_EMAIL}:${password}`, 'utf8').toString('base64')}`;
      const res = await fetch(`${special.url}/api/agents`, { headers: { authorization: raw } });
      expect(res.status).toBe(200);
      // The decoded variant is a different password and must not pass.
      const decoded = `Basic ${Buffer.from(`${ADMIN_EMAIL}:p ssA:wörd ok`, 'utf8').toString('base64')}`;
      expect((await fetch(`${special.url}/api/agents`, { headers: { authorization: decoded } })).status).toBe(401);
    } finally {
      await special.close();
    }
  });
});
