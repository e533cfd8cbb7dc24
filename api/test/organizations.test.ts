import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAgent, getToken, startTestApp, type TestApp } from './helpers.ts';
import { createKey, createOrg, createOrgAgent, createTeam, expectClientError, sqlOf, uniqueSlug, type Org } from './org-fixtures.ts';

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

const orgCount = async () => (await sql`select count(*)::int as n from organizations`)[0].n as number;
const orgRow = async (id: string) => (await sql`select * from organizations where id = ${id}`)[0];

describe('organizations: create, list, get', () => {
  it('creates with the seed shape and defaults, then lists and gets it', async () => {
    const slug = uniqueSlug('my-org');
    const res = await app.request('/api/organizations', { method: 'POST', admin: true, json: { name: 'My Organization', slug, owner_email: 'owner@example.com' } });
    expect(res.status).toBe(201);
    const org = (await res.json()) as Org;
    expect(org).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      name: 'My Organization',
      slug,
      owner_email: 'owner@example.com',
      jwt_issuer: '',
      jwt_expiry_secs: 0,
      allowed_origins: '',
      plan: 'free',
      created_at: expect.stringMatching(/Z$/),
      updated_at: expect.stringMatching(/Z$/),
    });

    const list = (await (await app.request('/api/organizations', { admin: true })).json()) as { organizations: Org[] };
    expect(list.organizations.map((o) => o.id)).toContain(org.id);
    expect(list.organizations.find((o) => o.id === org.id)).toEqual(org);

    const got = await app.request(`/api/organizations/${org.id}`, { admin: true });
    expect(got.status).toBe(200);
    expect(await got.json()).toEqual(org);

    const audit = await sql`select action, actor from audit_logs where organization_id = ${org.id}`;
    expect(audit).toContainEqual({ action: 'organization.created', actor: 'admin:admin@example.com' });
  });

  it('accepts every settable field at creation and normalises allowed_origins to what browsers send', async () => {
    const org = await createOrg(app, {
      jwt_issuer: 'https://issuer-create.example.com',
      jwt_expiry_secs: 7200,
      allowed_origins: ' https://App.Example.com:443 , http://localhost:3000,https://app.example.com/ ',
      plan: 'pro',
    });
    expect(org.jwt_issuer).toBe('https://issuer-create.example.com');
    expect(org.jwt_expiry_secs).toBe(7200);
    expect(org.allowed_origins).toBe('https://app.example.com,http://localhost:3000');
    expect(org.plan).toBe('pro');
  });

  it('refuses a duplicate slug with 409 and creates nothing', async () => {
    const org = await createOrg(app);
    const before = await orgCount();
    const text = await expectClientError(await app.request('/api/organizations', { method: 'POST', admin: true, json: { name: 'Other', slug: org.slug } }), 409, 'conflict');
    expect(text).toContain(org.slug);
    expect(await orgCount()).toBe(before);
  });

  it('404s an unknown or malformed id', async () => {
    await expectClientError(await app.request('/api/organizations/00000000-0000-4000-8000-000000000000', { admin: true }), 404, 'not_found');
    for (const bad of ['not-a-uuid', '1', "x'%20or%201=1", '%00', 'a'.repeat(150)]) {
      await expectClientError(await app.request(`/api/organizations/${bad}`, { admin: true }), [400, 404]);
    }
  });

  it('requires administrator credentials on every organization route', async () => {
    const org = await createOrg(app);
    const paths: [string, string][] = [
      ['GET', '/api/organizations'], ['POST', '/api/organizations'], ['GET', `/api/organizations/${org.id}`],
      ['PUT', `/api/organizations/${org.id}`], ['PATCH', `/api/organizations/${org.id}`], ['DELETE', `/api/organizations/${org.id}`],
      ['GET', `/api/organizations/${org.id}/teams`], ['POST', `/api/organizations/${org.id}/teams`],
      ['GET', `/api/organizations/${org.id}/agents`], ['POST', `/api/organizations/${org.id}/agents`],
      ['GET', `/api/organizations/${org.id}/api-keys`], ['POST', `/api/organizations/${org.id}/api-keys`],
    ];
    const wrongBasic = `Basic ${Buffer.from('admin@example.com:wrong').toString('base64')}`;
    for (const [method, path] of paths) {
      const json = method === 'GET' ? undefined : { name: 'x', slug: uniqueSlug() };
      await expectClientError(await app.request(path, { method, json }), 401);
      await expectClientError(await app.request(path, { method, headers: { authorization: wrongBasic }, json }), 401);
    }
    // An agent's access token is not an administrator.
    const agent = await createAgent(app);
    const { access_token } = await getToken(app, agent);
    await expectClientError(await app.request('/api/organizations', { bearer: access_token }), 401);
    expect((await orgRow(org.id)).name).toBe('Acme');
  });

  it('rejects bad input with a clear 400 and creates nothing', async () => {
    const before = await orgCount();
    const cases: [unknown, RegExp][] = [
      [{ slug: uniqueSlug() }, /name/],
      [{ name: 'x' }, /slug/],
      [{ name: '', slug: uniqueSlug() }, /name/],
      [{ name: '   ', slug: uniqueSlug() }, /name/],
      [{ name: 'x'.repeat(201), slug: uniqueSlug() }, /name/],
      [{ name: 'x', slug: 'Upper-Case' }, /slug/],
      [{ name: 'x', slug: '-leading' }, /slug/],
      [{ name: 'x', slug: 'trailing-' }, /slug/],
      [{ name: 'x', slug: 'has space' }, /slug/],
      [{ name: 'x', slug: 'a'.repeat(65) }, /slug/],
      [{ name: 'x', slug: '' }, /slug/],
      [{ name: 'x', slug: 42 }, /slug/],
      [{ name: 'x', slug: uniqueSlug(), owner_email: 'not-an-email' }, /owner_email/],
      [{ name: 'x', slug: uniqueSlug(), jwt_issuer: 'ftp://issuer.example.com' }, /jwt_issuer/],
      [{ name: 'x', slug: uniqueSlug(), jwt_issuer: 'not a url' }, /jwt_issuer/],
      [{ name: 'x', slug: uniqueSlug(), jwt_issuer: `https://${'a'.repeat(600)}.com` }, /jwt_issuer/],
      [{ name: 'x', slug: uniqueSlug(), jwt_expiry_secs: -1 }, /jwt_expiry_secs/],
      [{ name: 'x', slug: uniqueSlug(), jwt_expiry_secs: 1.5 }, /jwt_expiry_secs/],
      [{ name: 'x', slug: uniqueSlug(), jwt_expiry_secs: '3600' }, /jwt_expiry_secs/],
      [{ name: 'x', slug: uniqueSlug(), jwt_expiry_secs: 99_999_999_999 }, /jwt_expiry_secs/],
      [{ name: 'x', slug: uniqueSlug(), plan: 'platinum' }, /plan/],
      [{ name: 'x', slug: uniqueSlug(), allowed_origins: '*' }, /allowed_origins/],
      [{ name: 'x', slug: uniqueSlug(), allowed_origins: 'null' }, /allowed_origins/],
      [{ name: 'x', slug: uniqueSlug(), allowed_origins: 'https://app.example.com/path' }, /allowed_origins/],
      [{ name: 'x', slug: uniqueSlug(), allowed_origins: 'https://app.example.com?x=1' }, /allowed_origins/],
      [{ name: 'x', slug: uniqueSlug(), allowed_origins: 'ftp://files.example.com' }, /allowed_origins/],
      [{ name: 'x', slug: uniqueSlug(), allowed_origins: 'app.example.com' }, /allowed_origins/],
      [{ name: 'x', slug: uniqueSlug(), allowed_origins: 'https://a.example.com,,https://b.example.com' }, /allowed_origins/],
      [{ name: 'x', slug: uniqueSlug(), allowed_origins: 'https://user:pw@a.example.com' }, /allowed_origins/],
      [{ name: 'x', slug: uniqueSlug(), allowed_origins: `https://a.example.com,${'x'.repeat(5000)}` }, /allowed_origins/],
      [{ name: 'x', slug: uniqueSlug(), allowed_origins: ['https://a.example.com'] }, /allowed_origins/],
      [{ name: 'x', slug: uniqueSlug(), id: '00000000-0000-4000-8000-000000000000' }, /unknown field "id"/],
      [{ name: 'x', slug: uniqueSlug(), created_at: '2020-01-01T00:00:00Z' }, /unknown field/],
    ];
    for (const [body, message] of cases) {
      const text = await expectClientError(await app.request('/api/organizations', { method: 'POST', admin: true, json: body }), 400, 'invalid_request');
      expect(JSON.parse(text).error_description, JSON.stringify(body)).toMatch(message);
    }
    await expectClientError(await app.request('/api/organizations', { method: 'POST', admin: true, headers: { 'content-type': 'application/json' }, body: '{"name": "x", "slug":' }), 400);
    await expectClientError(await app.request('/api/organizations', { method: 'POST', admin: true, json: [{ name: 'x', slug: 'array' }] }), 400);
    await expectClientError(await app.request('/api/organizations', { method: 'POST', admin: true, headers: { 'content-type': 'text/xml' }, body: '<org/>' }), 415);
    expect(await orgCount()).toBe(before);
  });
});

describe('organizations: update (PUT and PATCH)', () => {
  for (const method of ['PUT', 'PATCH']) {
    it(`${method} changes every field the seed lists and nothing else`, async () => {
      const org = await createOrg(app, { owner_email: 'a@example.com' });
      await new Promise((r) => setTimeout(r, 5));
      const changes = {
        name: 'Updated Name',
        slug: uniqueSlug('renamed'),
        owner_email: 'new-owner@example.com',
        jwt_issuer: `https://${method.toLowerCase()}-issuer.example.com`,
        jwt_expiry_secs: 7200,
        allowed_origins: 'https://myapp.com,https://other.com',
        plan: 'enterprise',
      };
      const res = await app.request(`/api/organizations/${org.id}`, { method, admin: true, json: changes });
      expect(res.status).toBe(200);
      const updated = (await res.json()) as Org;
      expect(updated).toMatchObject({ ...changes, id: org.id, created_at: org.created_at });
      expect(Date.parse(updated.updated_at as string)).toBeGreaterThan(Date.parse(org.updated_at as string));
      expect(await (await app.request(`/api/organizations/${org.id}`, { admin: true })).json()).toEqual(updated);

      // A partial update leaves the other fields alone; "" clears the origins.
      const partial = (await (await app.request(`/api/organizations/${org.id}`, { method, admin: true, json: { allowed_origins: '' } })).json()) as Org;
      expect(partial).toMatchObject({ ...changes, allowed_origins: '' });
      const audit = await sql`select details from audit_logs where organization_id = ${org.id} and action = 'organization.updated' order by created_at`;
      expect(audit.map((a) => a.details.fields)).toEqual([Object.keys(changes), ['allowed_origins']]);
    });
  }

  it('refuses a slug another organization has (409) and changes nothing', async () => {
    const a = await createOrg(app);
    const b = await createOrg(app);
    const before = await orgRow(b.id);
    await expectClientError(await app.request(`/api/organizations/${b.id}`, { method: 'PATCH', admin: true, json: { slug: a.slug, name: 'changed' } }), 409, 'conflict');
    expect(await orgRow(b.id)).toEqual(before);
    // Keeping one's own slug is no conflict.
    expect((await app.request(`/api/organizations/${b.id}`, { method: 'PUT', admin: true, json: { slug: b.slug } })).status).toBe(200);
  });

  it('refuses a jwt_issuer another organization uses (two tenants must not share an issuer)', async () => {
    const a = await createOrg(app, { jwt_issuer: 'https://shared-issuer.example.com' });
    const b = await createOrg(app);
    const before = await orgRow(b.id);
    await expectClientError(await app.request(`/api/organizations/${b.id}`, { method: 'PATCH', admin: true, json: { jwt_issuer: a.jwt_issuer } }), 409, 'conflict');
    await expectClientError(await app.request('/api/organizations', { method: 'POST', admin: true, json: { name: 'c', slug: uniqueSlug(), jwt_issuer: a.jwt_issuer } }), 409);
    expect(await orgRow(b.id)).toEqual(before);
    expect((await app.request(`/api/organizations/${a.id}`, { method: 'PATCH', admin: true, json: { jwt_issuer: a.jwt_issuer } })).status).toBe(200);
  });

  it('rejects bad updates with 400 and changes nothing', async () => {
    const org = await createOrg(app);
    const before = await orgRow(org.id);
    const bad: unknown[] = [
      {},
      { name: '' },
      { slug: 'Bad Slug' },
      { owner_email: 'x' },
      { jwt_issuer: 'javascript:alert(1)' },
      { jwt_expiry_secs: -5 },
      { jwt_expiry_secs: null },
      { allowed_origins: 'https://ok.example.com,not an origin' },
      { plan: 'gold' },
      { name: 'ok', unknown_field: 1 },
      { id: '00000000-0000-4000-8000-000000000000' },
    ];
    for (const body of bad) {
      for (const method of ['PUT', 'PATCH']) {
        await expectClientError(await app.request(`/api/organizations/${org.id}`, { method, admin: true, json: body }), 400, 'invalid_request');
      }
    }
    expect(await orgRow(org.id)).toEqual(before);
    await expectClientError(await app.request('/api/organizations/00000000-0000-4000-8000-000000000000', { method: 'PATCH', admin: true, json: { name: 'x' } }), 404);
    await expectClientError(await app.request('/api/organizations/nope', { method: 'PUT', admin: true, json: { name: 'x' } }), 404);
  });

  it('answers 405 for methods the route does not have', async () => {
    const org = await createOrg(app);
    const res = await app.request(`/api/organizations/${org.id}`, { method: 'POST', admin: true, json: { name: 'x' } });
    await expectClientError(res, 405);
    expect(res.headers.get('allow')).toMatch(/PATCH/);
  });
});

describe('organizations: delete cascades', () => {
  it('takes teams, agents, keys, webhooks and tokens with it; the tokens stop working at once', async () => {
    const org = await createOrg(app);
    const keep = await createOrg(app);
    const team = await createTeam(app, org.id);
    const agent = await createOrgAgent(app, org.id, { team_id: team.id });
    const keptAgent = await createOrgAgent(app, keep.id);
    const key = await createKey(app, org.id);
    const keptKey = await createKey(app, keep.id);
    const tokens = await getToken(app, agent);
    const keptTokens = await getToken(app, keptAgent);
    await sql`insert into webhook_configs (organization_id, name, url, secret_encrypted, events) values (${org.id}, 'hook', 'https://hooks.example.com/x', 'sealed', ${['agent.created']})`;
    const [hook] = await sql`select id from webhook_configs where organization_id = ${org.id}`;
    await sql`insert into webhook_deliveries (webhook_config_id, organization_id, event, payload) values (${hook.id}, ${org.id}, 'agent.created', '{}')`;
    // A global webhook (no organization) survives and hears about the agents that went.
    await sql`insert into webhook_configs (organization_id, name, url, secret_encrypted, events) values (null, 'global', 'https://hooks.example.com/g', 'sealed', ${['agent.deleted']})`;

    expect((await app.request('/api/agents/me', { bearer: tokens.access_token })).status).toBe(200);
    expect((await app.request('/api/verify', { bearer: key.key })).status).toBe(200);

    const res = await app.request(`/api/organizations/${org.id}`, { method: 'DELETE', admin: true });
    expect(res.status).toBe(204);
    expect(await res.text()).toBe('');

    await expectClientError(await app.request(`/api/organizations/${org.id}`, { admin: true }), 404);
    await expectClientError(await app.request(`/api/organizations/${org.id}`, { method: 'DELETE', admin: true }), 404);
    for (const table of ['teams', 'agents', 'api_keys', 'webhook_configs']) {
      expect((await sql`select count(*)::int as n from ${sql(table)} where organization_id = ${org.id}`)[0].n, table).toBe(0);
    }
    expect((await sql`select count(*)::int as n from webhook_deliveries where webhook_config_id = ${hook.id}`)[0].n).toBe(0);
    expect((await sql`select count(*)::int as n from access_tokens where agent_id = ${agent.id}`)[0].n).toBe(0);
    expect((await sql`select count(*)::int as n from refresh_tokens where agent_id = ${agent.id}`)[0].n).toBe(0);

    // Tokens and the key are dead at once.
    const intro = (await (await app.request('/oauth/introspect', { method: 'POST', json: { token: tokens.access_token } })).json()) as { active: boolean };
    expect(intro.active).toBe(false);
    await expectClientError(await app.request('/api/agents/me', { bearer: tokens.access_token }), 401, 'invalid_token');
    await expectClientError(await app.request('/api/verify', { bearer: tokens.access_token }), 401);
    await expectClientError(await app.request('/oauth/token', { method: 'POST', json: { grant_type: 'refresh_token', refresh_token: tokens.refresh_token } }), [400, 401], 'invalid_grant');
    await expectClientError(await app.request('/oauth/token', { method: 'POST', json: { grant_type: 'client_credentials', client_id: agent.clientId, client_secret: agent.clientSecret } }), 401, 'invalid_client');
    await expectClientError(await app.request('/api/verify', { bearer: key.key }), 401);
    await expectClientError(await app.request(`/api/organizations/${keep.id}`, { bearer: key.key }), 401);

    // The other organization is untouched.
    expect((await app.request('/api/agents/me', { bearer: keptTokens.access_token })).status).toBe(200);
    expect((await app.request('/api/verify', { bearer: keptKey.key })).status).toBe(200);
    expect((await app.request(`/api/organizations/${keep.id}/agents`, { admin: true }).then((r) => r.json()) as { agents: unknown[] }).agents).toHaveLength(1);

    // The audit trail outlives the organization, and names the agents that went with it.
    const audit = await sql`select action, agent_id, details from audit_logs where organization_id = ${org.id} and action in ('organization.deleted', 'agent.deleted')`;
    expect(audit).toContainEqual({ action: 'organization.deleted', agent_id: null, details: { slug: org.slug, agents_deleted: 1 } });
    expect(audit).toContainEqual({ action: 'agent.deleted', agent_id: agent.id, details: { name: 'org-agent', reason: 'organization_deleted' } });
    const globalDeliveries = await sql`select payload from webhook_deliveries d join webhook_configs w on w.id = d.webhook_config_id where w.name = 'global'`;
    expect(globalDeliveries.map((d) => JSON.parse(d.payload).agent_id)).toContain(agent.id);
  });

  it('the slug is free again once the organization is gone', async () => {
    const org = await createOrg(app);
    expect((await app.request(`/api/organizations/${org.id}`, { method: 'DELETE', admin: true })).status).toBe(204);
    const again = await createOrg(app, { slug: org.slug });
    expect(again.id).not.toBe(org.id);
  });
});
