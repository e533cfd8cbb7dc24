import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAgent, startTestApp, type TestApp } from './helpers.ts';
import { createKey, createOrg, createOrgAgent, createTeam, expectClientError, sqlOf, type Org } from './org-fixtures.ts';

let app: TestApp;
let sql: ReturnType<typeof sqlOf>;
beforeAll(async () => {
  app = await startTestApp();
  sql = sqlOf(app);
});
afterAll(async () => {
  await sql?.end();
  await app?.close();
});

const MISSING = '00000000-0000-4000-8000-000000000000';
const sha256 = (s: string) => createHash('sha256').update(s).digest();
const keyRow = async (id: string) => (await sql`select * from api_keys where id = ${id}`)[0];
const auditOf = async (keyId: string) =>
  (await sql`select action, actor from audit_logs where details->>'api_key_id' = ${keyId} order by created_at, action`).map((r) => `${r.action} by ${r.actor}`);

describe('API keys: create, list, revoke', () => {
  it('shows the full key once, stores only its digest and lists the prefix only', async () => {
    const org = await createOrg(app);
    const team = await createTeam(app, org.id);
    const res = await app.request(`/api/organizations/${org.id}/api-keys`, { method: 'POST', admin: true, json: { name: 'Production Key', team_id: team.id, expires_in: 7_776_000 } });
    expect(res.status).toBe(201);
    const created = (await res.json()) as { api_key: Record<string, unknown>; key: string };
    expect(Object.keys(created).sort()).toEqual(['api_key', 'key']);
    expect(created.key).toMatch(/^mach_[A-Za-z0-9_-]{43}$/);
    expect(created.api_key).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      organization_id: org.id,
      team_id: team.id,
      name: 'Production Key',
      prefix: created.key.slice(0, 12),
      last_used_at: null,
      expires_at: expect.stringMatching(/Z$/),
      is_active: true,
      created_at: expect.stringMatching(/Z$/),
    });
    const expiresAt = Date.parse(created.api_key.expires_at as string);
    expect(Math.abs(expiresAt - (Date.now() + 7_776_000_000))).toBeLessThan(60_000);

    // Stored: the SHA-256 digest, and nothing from which the key could be read back.
    const row = await keyRow(created.api_key.id as string);
    expect(Buffer.compare(row.key_hash, sha256(created.key))).toBe(0);
    const stored = JSON.stringify(await sql`select * from api_keys`);
    expect(stored).not.toContain(created.key);
    expect(stored).not.toContain(created.key.slice(12));

    const list = await app.request(`/api/organizations/${org.id}/api-keys`, { admin: true });
    expect(list.status).toBe(200);
    const text = await list.text();
    expect(text).not.toContain(created.key);
    expect(text).not.toContain(created.key.slice(12, 24));
    expect(text).not.toContain(row.key_hash.toString('hex'));
    expect(text).not.toContain(row.key_hash.toString('base64'));
    const body = JSON.parse(text) as { api_keys: Record<string, unknown>[] };
    expect(body.api_keys).toEqual([created.api_key]);
    expect(JSON.stringify(await sql`select details from audit_logs`)).not.toContain(created.key);
  });

  it('lists newest first, each organization its own keys', async () => {
    const a = await createOrg(app);
    const b = await createOrg(app);
    const k1 = await createKey(app, a.id, { name: 'one' });
    const k2 = await createKey(app, a.id, { name: 'two' });
    await createKey(app, b.id, { name: 'other' });
    const list = (await (await app.request(`/api/organizations/${a.id}/api-keys`, { admin: true })).json()) as { api_keys: { id: string }[] };
    expect(list.api_keys.map((k) => k.id)).toEqual([k2.api_key.id, k1.api_key.id]);
  });

  it('revokes with 204; the key stops working at once; revoking again changes nothing', async () => {
    const org = await createOrg(app);
    const { key, api_key } = await createKey(app, org.id);
    expect((await app.request('/api/verify', { bearer: key })).status).toBe(200);
    expect((await app.request(`/api/organizations/${org.id}/teams`, { bearer: key })).status).toBe(200);

    const res = await app.request(`/api/organizations/${org.id}/api-keys/${api_key.id}`, { method: 'DELETE', admin: true });
    expect(res.status).toBe(204);
    await expectClientError(await app.request('/api/verify', { bearer: key }), 401);
    await expectClientError(await app.request(`/api/organizations/${org.id}/teams`, { bearer: key }), 401, 'unauthorized');
    await expectClientError(await app.request(`/api/organizations/${org.id}/api-keys`, { bearer: key, method: 'POST', json: { name: 'escape' } }), 401);

    const listed = (await (await app.request(`/api/organizations/${org.id}/api-keys`, { admin: true })).json()) as { api_keys: Record<string, unknown>[] };
    expect(listed.api_keys[0]).toMatchObject({ id: api_key.id, is_active: false });
    const revokedAt = (await keyRow(api_key.id)).revoked_at;
    expect(revokedAt).toBeInstanceOf(Date);

    expect((await app.request(`/api/organizations/${org.id}/api-keys/${api_key.id}`, { method: 'DELETE', admin: true })).status).toBe(204);
    expect((await keyRow(api_key.id)).revoked_at).toEqual(revokedAt);
    expect(await auditOf(api_key.id)).toEqual([
      'api_key.created by admin:admin@example.com',
      `api_key.first_used by api_key:${api_key.id}`,
      'api_key.revoked by admin:admin@example.com',
    ]);
    expect((await app.request(`/api/organizations/${org.id}/api-keys`, { admin: true, method: 'POST', json: { name: 'replacement' } })).status).toBe(201);
  });

  it('404s revoking an unknown, malformed or other organization\'s key, and changes nothing', async () => {
    const a = await createOrg(app);
    const b = await createOrg(app);
    const ofB = await createKey(app, b.id);
    for (const [orgId, keyId] of [[a.id, MISSING], [a.id, 'nope'], [a.id, ofB.api_key.id], [MISSING, ofB.api_key.id], ['x', ofB.api_key.id]]) {
      await expectClientError(await app.request(`/api/organizations/${orgId}/api-keys/${keyId}`, { method: 'DELETE', admin: true }), 404, 'not_found');
    }
    expect((await keyRow(ofB.api_key.id)).revoked_at).toBeNull();
    expect((await app.request('/api/verify', { bearer: ofB.key })).status).toBe(200);
  });

  it('rejects bad input with 400 and creates nothing', async () => {
    const org = await createOrg(app);
    const other = await createOrg(app);
    const foreignTeam = await createTeam(app, other.id);
    const count = async () => (await sql`select count(*)::int as n from api_keys where organization_id = ${org.id}`)[0].n;
    const bad: [unknown, RegExp][] = [
      [{}, /name/],
      [{ name: '' }, /name/],
      [{ name: 'x'.repeat(201) }, /name/],
      [{ name: 'k', expires_in: 0 }, /expires_in/],
      [{ name: 'k', expires_in: -60 }, /expires_in/],
      [{ name: 'k', expires_in: 1.5 }, /expires_in/],
      [{ name: 'k', expires_in: '3600' }, /expires_in/],
      [{ name: 'k', expires_in: 1e12 }, /expires_in/],
      [{ name: 'k', team_id: 'not-a-uuid' }, /team_id/],
      [{ name: 'k', team_id: MISSING }, /team_id/],
      [{ name: 'k', team_id: foreignTeam.id }, /team_id/],
      [{ name: 'k', key: 'mach_chosen-by-the-caller' }, /unknown field/],
      [{ name: 'k', organization_id: other.id }, /unknown field/],
    ];
    for (const [body, message] of bad) {
      const text = await expectClientError(await app.request(`/api/organizations/${org.id}/api-keys`, { method: 'POST', admin: true, json: body }), 400, 'invalid_request');
      expect(JSON.parse(text).error_description, JSON.stringify(body)).toMatch(message);
    }
    await expectClientError(await app.request(`/api/organizations/${MISSING}/api-keys`, { method: 'POST', admin: true, json: { name: 'k' } }), 404);
    await expectClientError(await app.request(`/api/organizations/${MISSING}/api-keys`, { admin: true }), 404);
    await expectClientError(await app.request('/api/organizations/bad-id/api-keys', { admin: true }), 404);
    expect(await count()).toBe(0);
  });
});

describe('API keys: authentication', () => {
  it('is accepted on /api/verify and tracks last_used_at; the first use is audited once', async () => {
    const org = await createOrg(app);
    const team = await createTeam(app, org.id);
    const { key, api_key } = await createKey(app, org.id, { name: 'k', team_id: team.id });
    expect((await keyRow(api_key.id)).last_used_at).toBeNull();
    const res = await app.request('/api/verify', { bearer: key });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ valid: true, type: 'api_key', api_key_id: api_key.id, organization_id: org.id, team_id: team.id });
    const firstUse = (await keyRow(api_key.id)).last_used_at as Date;
    expect(Math.abs(firstUse.getTime() - Date.now())).toBeLessThan(10_000);
    for (let i = 0; i < 3; i++) expect((await app.request('/api/verify', { headers: { authorization: `bearer ${key}` } })).status).toBe(200);
    const listed = (await (await app.request(`/api/organizations/${org.id}/api-keys`, { admin: true })).json()) as { api_keys: Record<string, unknown>[] };
    expect(listed.api_keys[0].last_used_at).toBe(firstUse.toISOString());
    expect(await auditOf(api_key.id)).toEqual(['api_key.created by admin:admin@example.com', `api_key.first_used by api_key:${api_key.id}`]);
  });

  it('refuses malformed, unknown, tampered and oversized keys with 401 JSON', async () => {
    const org = await createOrg(app);
    const { key } = await createKey(app, org.id);
    const headers = [
      'Bearer mach_', 'Bearer mach_unknownkeyunknownkeyunknownkeyunknownkey123', `Bearer ${key}x`, `Bearer ${key.slice(0, -1)}`,
      `Bearer ${key.toUpperCase()}`, `Bearer ${key} extra`, `Bearer mach_${'a'.repeat(400)}`, `Basic ${Buffer.from(`${key}:`).toString('base64')}`,
      `Bearer ${key.slice(0, 12)}`, 'Bearer', 'Bearer ', `Token ${key}`, `Bearer\t${key}`,
    ];
    for (const authorization of headers) {
      await expectClientError(await app.request(`/api/organizations/${org.id}`, { headers: { authorization } }), 401);
      await expectClientError(await app.request('/api/verify', { headers: { authorization } }), 401);
    }
    expect((await sql`select last_used_at from api_keys where organization_id = ${org.id}`)[0].last_used_at).toBeNull();
  });

  it('expires: a key past its expires_at stops working and lists as inactive', async () => {
    const org = await createOrg(app);
    const short = await createKey(app, org.id, { name: 'short', expires_in: 1 });
    const aged = await createKey(app, org.id, { name: 'aged', expires_in: 3600 });
    expect((await app.request('/api/verify', { bearer: aged.key })).status).toBe(200);
    await sql`update api_keys set expires_at = now() - interval '1 second' where id = ${aged.api_key.id}`;
    await expectClientError(await app.request('/api/verify', { bearer: aged.key }), 401);
    await expectClientError(await app.request(`/api/organizations/${org.id}/agents`, { bearer: aged.key }), 401);

    await new Promise((r) => setTimeout(r, 1_200));
    await expectClientError(await app.request('/api/verify', { bearer: short.key }), 401);
    await expectClientError(await app.request(`/api/organizations/${org.id}`, { bearer: short.key }), 401);
    const listed = (await (await app.request(`/api/organizations/${org.id}/api-keys`, { admin: true })).json()) as { api_keys: Record<string, unknown>[] };
    expect(listed.api_keys.map((k) => k.is_active)).toEqual([false, false]);
    expect((await keyRow(short.api_key.id)).last_used_at).toBeNull();
  });
});

describe('API keys: an administrator of its own organization only', () => {
  let org: Org;
  let other: Org;
  let key: string;
  let keyId: string;
  beforeAll(async () => {
    org = await createOrg(app, { allowed_origins: 'https://own.example.com', jwt_issuer: 'https://own-issuer.example.com' });
    other = await createOrg(app);
    ({ key, api_key: { id: keyId } } = await createKey(app, org.id));
  });

  it('sees only its own organization and cannot create or delete organizations', async () => {
    const list = (await (await app.request('/api/organizations', { bearer: key })).json()) as { organizations: Org[] };
    expect(list.organizations.map((o) => o.id)).toEqual([org.id]);
    expect((await app.request(`/api/organizations/${org.id}`, { bearer: key })).status).toBe(200);
    const count = (await sql`select count(*)::int as n from organizations`)[0].n;
    await expectClientError(await app.request('/api/organizations', { method: 'POST', bearer: key, json: { name: 'mine', slug: 'made-by-a-key' } }), 403, 'forbidden');
    await expectClientError(await app.request(`/api/organizations/${org.id}`, { method: 'DELETE', bearer: key }), 403, 'forbidden');
    expect((await sql`select count(*)::int as n from organizations`)[0].n).toBe(count);
  });

  it('may rename its organization and set origins and token lifetime, but not plan, slug or issuer', async () => {
    const res = await app.request(`/api/organizations/${org.id}`, { method: 'PATCH', bearer: key, json: { name: 'Renamed by key', jwt_expiry_secs: 600, allowed_origins: 'https://own.example.com,https://two.example.com' } });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ name: 'Renamed by key', jwt_expiry_secs: 600, allowed_origins: 'https://own.example.com,https://two.example.com' });
    const before = (await sql`select * from organizations where id = ${org.id}`)[0];
    for (const body of [{ plan: 'enterprise' }, { slug: 'taken-by-key' }, { jwt_issuer: 'https://evil.example.com' }, { name: 'x', plan: 'pro' }]) {
      await expectClientError(await app.request(`/api/organizations/${org.id}`, { method: 'PUT', bearer: key, json: body }), 403, 'forbidden');
    }
    expect((await sql`select * from organizations where id = ${org.id}`)[0]).toEqual(before);
  });

  it('manages its organization\'s teams', async () => {
    const team = await createTeam(app, org.id, { name: 'by key' }, { bearer: key });
    expect(team.organization_id).toBe(org.id);
    expect((await app.request(`/api/organizations/${org.id}/teams/${team.id}`, { method: 'PATCH', bearer: key, json: { name: 'renamed' } })).status).toBe(200);
    const list = (await (await app.request(`/api/organizations/${org.id}/teams`, { bearer: key })).json()) as { teams: { name: string }[] };
    expect(list.teams.map((t) => t.name)).toContain('renamed');
    expect((await app.request(`/api/organizations/${org.id}/teams/${team.id}`, { method: 'DELETE', bearer: key })).status).toBe(204);
    const audit = await sql`select actor from audit_logs where action = 'team.created' and details->>'team_id' = ${team.id}`;
    expect(audit).toEqual([{ actor: `api_key:${keyId}` }]);
  });

  it('manages its organization\'s agents through /api/agents and /api/organizations/{own}/agents', async () => {
    const global = await createAgent(app, { name: 'global agent' });
    const foreign = await createOrgAgent(app, other.id, { name: 'foreign agent' });

    // Created without organization_id, the agent lands in the key's organization.
    const viaAgents = await createAgent(app, { name: 'via /api/agents', scopes: ['read'] }, '/api/agents', { bearer: key });
    expect(viaAgents.agent.organization_id).toBe(org.id);
    const viaOrg = await createOrgAgent(app, org.id, { name: 'via org route' }, { bearer: key });
    expect(viaOrg.agent.organization_id).toBe(org.id);

    const listed = (await (await app.request('/api/agents', { bearer: key })).json()) as { agents: { id: string }[]; total: number };
    expect(listed.agents.map((a) => a.id).sort()).toEqual([viaAgents.id, viaOrg.id].sort());
    expect(listed.total).toBe(2);
    const orgListed = (await (await app.request(`/api/organizations/${org.id}/agents`, { bearer: key })).json()) as { agents: { id: string }[] };
    expect(orgListed.agents.map((a) => a.id).sort()).toEqual([viaAgents.id, viaOrg.id].sort());
    expect((await app.request(`/api/agents?organization_id=${org.id}`, { bearer: key })).status).toBe(200);

    const path = `/api/agents/${viaAgents.id}`;
    expect((await app.request(path, { bearer: key })).status).toBe(200);
    expect((await app.request(path, { method: 'PATCH', bearer: key, json: { name: 'renamed' } })).status).toBe(200);
    const rotated = await app.request(`${path}/rotate`, { method: 'POST', bearer: key, json: {} });
    expect(rotated.status).toBe(200);
    expect(((await rotated.json()) as { client_secret: string }).client_secret).toBeTruthy();
    expect((await app.request(`${path}/deactivate`, { method: 'POST', bearer: key })).status).toBe(200);
    expect((await app.request(`${path}/activate`, { method: 'POST', bearer: key })).status).toBe(200);
    expect((await app.request(path, { method: 'DELETE', bearer: key })).status).toBe(204);

    // Global agents (no organization) and other tenants' agents are invisible.
    for (const id of [global.id, foreign.id]) {
      await expectClientError(await app.request(`/api/agents/${id}`, { bearer: key }), 404);
      await expectClientError(await app.request(`/api/agents/${id}`, { method: 'DELETE', bearer: key }), 404);
      await expectClientError(await app.request(`/api/agents/${id}/rotate`, { method: 'POST', bearer: key, json: {} }), 404);
    }
    await expectClientError(await app.request('/api/agents', { method: 'POST', bearer: key, json: { name: 'x', organization_id: other.id } }), 403);
    expect((await sql`select count(*)::int as n from agents where id in (${global.id}, ${foreign.id})`)[0].n).toBe(2);
    const audit = await sql`select actor from audit_logs where action = 'agent.created' and agent_id = ${viaAgents.id}`;
    expect(audit).toEqual([{ actor: `api_key:${keyId}` }]);
  });

  it('a team-scoped key places the agents it creates in its team unless told otherwise', async () => {
    const team = await createTeam(app, org.id, { name: 'scoped' });
    const other = await createTeam(app, org.id, { name: 'other' });
    const scoped = await createKey(app, org.id, { name: 'team key', team_id: team.id });
    expect((await createAgent(app, { name: 'a' }, '/api/agents', { bearer: scoped.key })).agent.team_id).toBe(team.id);
    expect((await createOrgAgent(app, org.id, { name: 'b' }, { bearer: scoped.key })).agent.team_id).toBe(team.id);
    expect((await createOrgAgent(app, org.id, { name: 'c', team_id: other.id }, { bearer: scoped.key })).agent.team_id).toBe(other.id);
  });

  it('manages its organization\'s keys, including revoking itself', async () => {
    const made = await createKey(app, org.id, { name: 'made by key' }, { bearer: key });
    expect(made.api_key.organization_id).toBe(org.id);
    const list = (await (await app.request(`/api/organizations/${org.id}/api-keys`, { bearer: key })).json()) as { api_keys: { id: string }[] };
    expect(list.api_keys.map((k) => k.id)).toEqual(expect.arrayContaining([keyId, made.api_key.id]));
    expect((await app.request(`/api/organizations/${org.id}/api-keys/${made.api_key.id}`, { method: 'DELETE', bearer: key })).status).toBe(204);
    await expectClientError(await app.request('/api/verify', { bearer: made.key }), 401);

    const selfDestruct = await createKey(app, org.id, { name: 'self' });
    expect((await app.request(`/api/organizations/${org.id}/api-keys/${selfDestruct.api_key.id}`, { method: 'DELETE', bearer: selfDestruct.key })).status).toBe(204);
    await expectClientError(await app.request('/api/verify', { bearer: selfDestruct.key }), 401);
  });

  it('cannot read or rotate the server\'s signing keys', async () => {
    const kids = (await sql`select kid from signing_keys`).map((r) => r.kid);
    await expectClientError(await app.request('/api/admin/keys', { bearer: key }), 403, 'forbidden');
    await expectClientError(await app.request('/api/admin/keys/rotate', { method: 'POST', bearer: key }), 403, 'forbidden');
    expect((await sql`select kid from signing_keys`).map((r) => r.kid)).toEqual(kids);
  });

  it('is not an agent token: agent self-service refuses it', async () => {
    await expectClientError(await app.request('/api/agents/me', { bearer: key }), 401, 'invalid_token');
    await expectClientError(await app.request('/api/agents/me/rotate', { method: 'POST', bearer: key }), 401);
    const intro = (await (await app.request('/oauth/introspect', { method: 'POST', json: { token: key } })).json()) as { active: boolean };
    expect(intro.active).toBe(false);
  });
});
