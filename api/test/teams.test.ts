import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getToken, startTestApp, type TestApp } from './helpers.ts';
import { createKey, createOrg, createOrgAgent, createTeam, expectClientError, sqlOf } from './org-fixtures.ts';

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
const teamRows = async (orgId: string) => sql`select * from teams where organization_id = ${orgId} order by created_at, id`;

describe('teams', () => {
  it('lists, creates, gets, updates (PUT and PATCH) and deletes a team within an organization', async () => {
    const org = await createOrg(app);
    const empty = await app.request(`/api/organizations/${org.id}/teams`, { admin: true });
    expect(empty.status).toBe(200);
    expect(await empty.json()).toEqual({ teams: [] });

    const res = await app.request(`/api/organizations/${org.id}/teams`, { method: 'POST', admin: true, json: { name: 'Backend Team', description: 'Handles backend services' } });
    expect(res.status).toBe(201);
    const team = (await res.json()) as Record<string, string>;
    expect(team).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      organization_id: org.id,
      name: 'Backend Team',
      description: 'Handles backend services',
      created_at: expect.stringMatching(/Z$/),
      updated_at: expect.stringMatching(/Z$/),
    });
    const second = await createTeam(app, org.id, { name: 'Frontend' });
    expect(second.description).toBe('');

    const list = (await (await app.request(`/api/organizations/${org.id}/teams`, { admin: true })).json()) as { teams: { id: string }[] };
    expect(list.teams.map((t) => t.id)).toEqual([team.id, second.id]);

    expect(await (await app.request(`/api/organizations/${org.id}/teams/${team.id}`, { admin: true })).json()).toEqual(team);

    const put = await app.request(`/api/organizations/${org.id}/teams/${team.id}`, { method: 'PUT', admin: true, json: { name: 'Platform' } });
    expect(put.status).toBe(200);
    expect(await put.json()).toMatchObject({ id: team.id, name: 'Platform', description: 'Handles backend services' });
    const patch = await app.request(`/api/organizations/${org.id}/teams/${team.id}`, { method: 'PATCH', admin: true, json: { description: '' } });
    expect(await patch.json()).toMatchObject({ name: 'Platform', description: '' });

    const del = await app.request(`/api/organizations/${org.id}/teams/${team.id}`, { method: 'DELETE', admin: true });
    expect(del.status).toBe(204);
    await expectClientError(await app.request(`/api/organizations/${org.id}/teams/${team.id}`, { admin: true }), 404, 'not_found');
    await expectClientError(await app.request(`/api/organizations/${org.id}/teams/${team.id}`, { method: 'DELETE', admin: true }), 404);
    expect((await teamRows(org.id)).map((t) => t.id)).toEqual([second.id]);

    const audit = await sql`select action from audit_logs where organization_id = ${org.id} and action like 'team.%' order by created_at`;
    expect(audit.map((a) => a.action)).toEqual(['team.created', 'team.created', 'team.updated', 'team.updated', 'team.deleted']);
  });

  it('404s teams of unknown organizations, unknown teams and another organization\'s team', async () => {
    const a = await createOrg(app);
    const b = await createOrg(app);
    const teamOfB = await createTeam(app, b.id, { name: 'B team' });
    const before = await teamRows(b.id);
    for (const orgId of [MISSING, 'not-a-uuid']) {
      await expectClientError(await app.request(`/api/organizations/${orgId}/teams`, { admin: true }), 404);
      await expectClientError(await app.request(`/api/organizations/${orgId}/teams`, { method: 'POST', admin: true, json: { name: 'x' } }), 404);
    }
    for (const teamId of [MISSING, 'nope', teamOfB.id]) {
      const path = `/api/organizations/${a.id}/teams/${teamId}`;
      await expectClientError(await app.request(path, { admin: true }), 404);
      await expectClientError(await app.request(path, { method: 'PATCH', admin: true, json: { name: 'stolen' } }), 404);
      await expectClientError(await app.request(path, { method: 'PUT', admin: true, json: { name: 'stolen' } }), 404);
      await expectClientError(await app.request(path, { method: 'DELETE', admin: true }), 404);
    }
    expect(await teamRows(b.id)).toEqual(before);
    expect(await teamRows(a.id)).toEqual([]);
  });

  it('rejects bad input with a clear 400 and changes nothing', async () => {
    const org = await createOrg(app);
    const team = await createTeam(app, org.id, { name: 'Keep', description: 'as is' });
    const before = await teamRows(org.id);
    const badCreates: unknown[] = [
      {}, { name: '' }, { name: '  ' }, { name: 'x'.repeat(201) }, { name: 42 }, { name: 'x', description: 'd'.repeat(2001) },
      { name: 'x', description: 7 }, { name: 'x', organization_id: org.id }, { name: 'x', id: MISSING },
    ];
    for (const body of badCreates) {
      await expectClientError(await app.request(`/api/organizations/${org.id}/teams`, { method: 'POST', admin: true, json: body }), 400, 'invalid_request');
    }
    const badUpdates: unknown[] = [{}, { name: '' }, { description: 'd'.repeat(2001) }, { organization_id: MISSING }, { name: 'ok', extra: true }];
    for (const body of badUpdates) {
      for (const method of ['PUT', 'PATCH']) {
        await expectClientError(await app.request(`/api/organizations/${org.id}/teams/${team.id}`, { method, admin: true, json: body }), 400, 'invalid_request');
      }
    }
    await expectClientError(await app.request(`/api/organizations/${org.id}/teams`, { method: 'POST', admin: true, headers: { 'content-type': 'application/json' }, body: '{"name":' }), 400);
    expect(await teamRows(org.id)).toEqual(before);
  });

  it('deleting a team keeps its agents and keys in the organization, without a team', async () => {
    const org = await createOrg(app);
    const team = await createTeam(app, org.id);
    const agent = await createOrgAgent(app, org.id, { team_id: team.id });
    const key = await createKey(app, org.id, { name: 'team key', team_id: team.id });
    expect(agent.agent.team_id).toBe(team.id);
    expect(key.api_key.team_id).toBe(team.id);
    const tokens = await getToken(app, agent);

    expect((await app.request(`/api/organizations/${org.id}/teams/${team.id}`, { method: 'DELETE', admin: true })).status).toBe(204);

    const got = (await (await app.request(`/api/agents/${agent.id}`, { admin: true })).json()) as { agent: Record<string, unknown> };
    expect(got.agent).toMatchObject({ organization_id: org.id, team_id: null });
    const keys = (await (await app.request(`/api/organizations/${org.id}/api-keys`, { admin: true })).json()) as { api_keys: Record<string, unknown>[] };
    expect(keys.api_keys[0]).toMatchObject({ id: key.api_key.id, team_id: null, is_active: true });
    // The agent and the key carry on.
    expect((await app.request('/api/agents/me', { bearer: tokens.access_token })).status).toBe(200);
    expect((await app.request('/api/verify', { bearer: key.key })).status).toBe(200);
    const fresh = await getToken(app, agent);
    expect(JSON.parse(Buffer.from(fresh.access_token.split('.')[1], 'base64url').toString()).team_id).toBe('');
  });

  it('an agent of the organization cannot be moved into a deleted or foreign team', async () => {
    const org = await createOrg(app);
    const other = await createOrg(app);
    const foreign = await createTeam(app, other.id);
    const gone = await createTeam(app, org.id);
    await app.request(`/api/organizations/${org.id}/teams/${gone.id}`, { method: 'DELETE', admin: true });
    const agent = await createOrgAgent(app, org.id);
    for (const teamId of [foreign.id, gone.id]) {
      await expectClientError(await app.request(`/api/agents/${agent.id}`, { method: 'PATCH', admin: true, json: { team_id: teamId } }), 400, 'invalid_request');
      await expectClientError(await app.request(`/api/organizations/${org.id}/agents`, { method: 'POST', admin: true, json: { name: 'x', team_id: teamId } }), 400, 'invalid_request');
    }
    expect((await sql`select team_id from agents where id = ${agent.id}`)[0].team_id).toBeNull();
    expect((await sql`select count(*)::int as n from agents where organization_id = ${org.id}`)[0].n).toBe(1);
  });
});
