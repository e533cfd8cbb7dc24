import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAgent, getToken, startTestApp, type CreatedAgent, type TestApp } from './helpers.ts';
import { createKey, createOrg, createOrgAgent, createTeam, sqlOf, type Org } from './org-fixtures.ts';

/**
 * The cross-tenant matrix: every organization-scoped route, tried with another organization's API
 * key. Each attempt must answer 403/404 (400 where the victim's id is only a body reference),
 * must not echo a single piece of the victim's data, and must change nothing. Each route is then
 * tried by the victim's own key, to prove the ids and paths were real and the refusal was isolation.
 */

let app: TestApp;
let sql: ReturnType<typeof sqlOf>;
let receiver: http.Server;
let receiverUrl: string;

// The attacker (organization A) and the victim (organization B), plus server-wide records.
let orgA: Org;
let orgB: Org;
let keyA: string;
let teamA: { id: string };
let agentA: CreatedAgent;
let webhookA: string;
let keyB: string;
let keyB2: { id: string; prefix: string };
let teamB: { id: string; name: string };
let agentB: CreatedAgent;
let webhookB: { id: string; name: string; url: string };
let deliveryB: string;
let agentGlobal: CreatedAgent;
let webhookGlobal: string;
let victimStrings: string[];

beforeAll(async () => {
  receiver = http.createServer((req, res) => { req.resume(); req.on('end', () => res.writeHead(200).end('ok')); });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  app = await startTestApp();
  sql = sqlOf(app);

  orgA = await createOrg(app, { name: 'Attacker Inc', slug: 'attacker-inc' });
  keyA = (await createKey(app, orgA.id, { name: 'attacker key' })).key;
  teamA = await createTeam(app, orgA.id, { name: 'attacker team' });
  agentA = await createOrgAgent(app, orgA.id, { name: 'attacker agent' });
  webhookA = await createWebhook({ name: 'attacker hook', url: `${receiverUrl}/attacker`, events: ['agent.created', 'webhook.test'] }, keyA);

  orgB = await createOrg(app, {
    name: 'Victim Holdings Confidential', slug: 'victim-holdings-confidential', owner_email: 'ceo@victim-holdings.example',
    jwt_issuer: 'https://victim-issuer.example.com', jwt_expiry_secs: 1234, allowed_origins: 'https://victim-app.example.com', plan: 'enterprise',
  });
  keyB = (await createKey(app, orgB.id, { name: 'victim own key' })).key;
  const second = await createKey(app, orgB.id, { name: 'victim second key' });
  keyB2 = { id: second.api_key.id, prefix: second.api_key.prefix };
  teamB = await createTeam(app, orgB.id, { name: 'Victim Secret Team', description: 'victim team description' });
  agentB = await createOrgAgent(app, orgB.id, { name: 'victim-agent-name', team_id: teamB.id, scopes: ['victim:scope'] });
  const hookUrl = `${receiverUrl}/victim-hook-path`;
  webhookB = { id: await createWebhook({ name: 'victim webhook name', url: hookUrl, events: ['webhook.test'], organization_id: orgB.id }), name: 'victim webhook name', url: hookUrl };
  const sent = await app.request(`/api/webhooks/${webhookB.id}/test`, { method: 'POST', admin: true, json: {} });
  if (sent.status !== 200) throw new Error(`test send: ${sent.status} ${await sent.text()}`);
  deliveryB = ((await sql`select id from webhook_deliveries where webhook_config_id = ${webhookB.id}`)[0]).id;

  agentGlobal = await createAgent(app, { name: 'global-agent-name', scopes: ['global:scope'] });
  webhookGlobal = await createWebhook({ name: 'global webhook name', url: `${receiverUrl}/global-hook-path`, events: ['webhook.test'] });

  victimStrings = [
    orgB.id, orgB.name, orgB.slug, 'ceo@victim-holdings.example', 'victim-issuer', 'victim-app.example.com',
    keyB, keyB.slice(0, 12), keyB2.id, keyB2.prefix, 'victim own key', 'victim second key',
    teamB.id, teamB.name, 'victim team description',
    agentB.id, agentB.clientId, agentB.clientSecret, 'victim-agent-name', 'victim:scope',
    webhookB.id, webhookB.name, 'victim-hook-path', deliveryB,
    agentGlobal.id, agentGlobal.clientId, 'global-agent-name', 'global:scope', webhookGlobal, 'global webhook name', 'global-hook-path',
  ];
});

afterAll(async () => {
  await sql?.end();
  await app?.close();
  await new Promise((resolve) => receiver?.close(resolve));
});

async function createWebhook(body: Record<string, unknown>, bearer?: string): Promise<string> {
  const res = await app.request('/api/webhooks', { method: 'POST', json: body, ...(bearer ? { bearer } : { admin: true }) });
  if (res.status !== 201) throw new Error(`create webhook: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { webhook: { id: string } }).webhook.id;
}

/** Everything of the victim's (and the server-wide records) that an attack could change. */
async function victimState() {
  const agentIds = [agentB.id, agentGlobal.id];
  const hookIds = [webhookB.id, webhookGlobal];
  return JSON.stringify({
    org: await sql`select * from organizations where id = ${orgB.id}`,
    teams: await sql`select * from teams where organization_id = ${orgB.id} order by id`,
    agents: await sql`select * from agents where organization_id = ${orgB.id} or organization_id is null order by id`,
    keys: await sql`select id, team_id, name, prefix, key_hash, expires_at, is_active, revoked_at, last_used_at from api_keys where organization_id = ${orgB.id} order by id`,
    hooks: await sql`select * from webhook_configs where organization_id = ${orgB.id} or organization_id is null order by id`,
    deliveries: await sql`select id, webhook_config_id, event, payload from webhook_deliveries where webhook_config_id in ${sql(hookIds)} order by id`,
    rotations: await sql`select * from agent_rotations where agent_id in ${sql(agentIds)} order by id`,
    tokens: await sql`select count(*)::int as n from access_tokens where agent_id in ${sql(agentIds)}`,
    audit: await sql`select count(*)::int as n from audit_logs where organization_id = ${orgB.id} or agent_id in ${sql(agentIds)} or organization_id is null`,
    signingKeys: await sql`select kid, retired_at from signing_keys order by kid`,
    organizations: await sql`select id from organizations order by id`,
  });
}

interface Row {
  method: string;
  path: () => string;
  body?: () => unknown;
  /** Statuses the attacker may get. */
  attack: number[];
  /** What the victim's own key gets on the same request (omitted: not a route its key may use either). */
  owner?: number;
}

const missing = { attack: [404] };
const newHook = () => ({ name: 'evil', url: `${receiverUrl}/evil`, events: ['agent.created'] });

const matrix: Record<string, Row> = {
  // Organizations
  'list organizations': { method: 'GET', path: () => '/api/organizations', attack: [200], owner: 200 },
  'create organization': { method: 'POST', path: () => '/api/organizations', body: () => ({ name: 'evil', slug: 'evil-org' }), attack: [403] },
  'get victim org': { method: 'GET', path: () => `/api/organizations/${orgB.id}`, ...missing, owner: 200 },
  'PUT victim org': { method: 'PUT', path: () => `/api/organizations/${orgB.id}`, body: () => ({ name: 'pwned' }), ...missing, owner: 200 },
  'PATCH victim org': { method: 'PATCH', path: () => `/api/organizations/${orgB.id}`, body: () => ({ allowed_origins: 'https://evil.example.com' }), ...missing, owner: 200 },
  'PATCH victim org (forbidden fields)': { method: 'PATCH', path: () => `/api/organizations/${orgB.id}`, body: () => ({ plan: 'free', slug: 'x', jwt_issuer: 'https://evil.example.com' }), attack: [403, 404] },
  'delete victim org': { method: 'DELETE', path: () => `/api/organizations/${orgB.id}`, attack: [403, 404] },
  // Teams
  'list victim teams': { method: 'GET', path: () => `/api/organizations/${orgB.id}/teams`, ...missing, owner: 200 },
  'create victim team': { method: 'POST', path: () => `/api/organizations/${orgB.id}/teams`, body: () => ({ name: 'evil team' }), ...missing, owner: 201 },
  'get victim team': { method: 'GET', path: () => `/api/organizations/${orgB.id}/teams/${teamB.id}`, ...missing, owner: 200 },
  'PUT victim team': { method: 'PUT', path: () => `/api/organizations/${orgB.id}/teams/${teamB.id}`, body: () => ({ name: 'pwned' }), ...missing, owner: 200 },
  'PATCH victim team': { method: 'PATCH', path: () => `/api/organizations/${orgB.id}/teams/${teamB.id}`, body: () => ({ description: 'pwned' }), ...missing, owner: 200 },
  'delete victim team': { method: 'DELETE', path: () => `/api/organizations/${orgB.id}/teams/${teamB.id}`, ...missing, owner: 204 },
  'get victim team via own org': { method: 'GET', path: () => `/api/organizations/${orgA.id}/teams/${teamB.id}`, ...missing },
  'PATCH victim team via own org': { method: 'PATCH', path: () => `/api/organizations/${orgA.id}/teams/${teamB.id}`, body: () => ({ name: 'pwned' }), ...missing },
  'delete victim team via own org': { method: 'DELETE', path: () => `/api/organizations/${orgA.id}/teams/${teamB.id}`, ...missing },
  // Organization agents
  'list victim org agents': { method: 'GET', path: () => `/api/organizations/${orgB.id}/agents`, ...missing, owner: 200 },
  'create agent in victim org': { method: 'POST', path: () => `/api/organizations/${orgB.id}/agents`, body: () => ({ name: 'implant' }), ...missing, owner: 201 },
  'create own org agent in victim team': { method: 'POST', path: () => `/api/organizations/${orgA.id}/agents`, body: () => ({ name: 'implant', team_id: teamB.id }), attack: [400] },
  // Agents
  'list agents filtered to victim org': { method: 'GET', path: () => `/api/agents?organization_id=${orgB.id}`, attack: [404], owner: 200 },
  'list agents': { method: 'GET', path: () => '/api/agents', attack: [200], owner: 200 },
  'create agent naming victim org': { method: 'POST', path: () => '/api/agents', body: () => ({ name: 'implant', organization_id: orgB.id }), attack: [403, 404] },
  'create agent in victim team': { method: 'POST', path: () => '/api/agents', body: () => ({ name: 'implant', team_id: teamB.id }), attack: [400] },
  'get victim agent': { method: 'GET', path: () => `/api/agents/${agentB.id}`, ...missing, owner: 200 },
  'PUT victim agent': { method: 'PUT', path: () => `/api/agents/${agentB.id}`, body: () => ({ scopes: ['admin'] }), ...missing, owner: 200 },
  'PATCH victim agent': { method: 'PATCH', path: () => `/api/agents/${agentB.id}`, body: () => ({ is_active: false }), ...missing, owner: 200 },
  'rotate victim agent (POST /api/agents/{id})': { method: 'POST', path: () => `/api/agents/${agentB.id}`, body: () => ({ action: 'rotate' }), ...missing, owner: 200 },
  'rotate victim agent': { method: 'POST', path: () => `/api/agents/${agentB.id}/rotate`, body: () => ({}), ...missing, owner: 200 },
  'deactivate victim agent': { method: 'POST', path: () => `/api/agents/${agentB.id}/deactivate`, ...missing, owner: 200 },
  'activate victim agent': { method: 'POST', path: () => `/api/agents/${agentB.id}/activate`, ...missing, owner: 200 },
  'delete victim agent': { method: 'DELETE', path: () => `/api/agents/${agentB.id}`, ...missing, owner: 204 },
  'move own agent into victim team': { method: 'PATCH', path: () => `/api/agents/${agentA.id}`, body: () => ({ team_id: teamB.id }), attack: [400] },
  // Global agents belong to no tenant: no key may touch them.
  'get global agent': { method: 'GET', path: () => `/api/agents/${agentGlobal.id}`, ...missing },
  'PATCH global agent': { method: 'PATCH', path: () => `/api/agents/${agentGlobal.id}`, body: () => ({ scopes: [] }), ...missing },
  'rotate global agent': { method: 'POST', path: () => `/api/agents/${agentGlobal.id}/rotate`, body: () => ({}), ...missing },
  'deactivate global agent': { method: 'POST', path: () => `/api/agents/${agentGlobal.id}/deactivate`, ...missing },
  'delete global agent': { method: 'DELETE', path: () => `/api/agents/${agentGlobal.id}`, ...missing },
  // API keys
  'list victim keys': { method: 'GET', path: () => `/api/organizations/${orgB.id}/api-keys`, ...missing, owner: 200 },
  'create victim key': { method: 'POST', path: () => `/api/organizations/${orgB.id}/api-keys`, body: () => ({ name: 'backdoor' }), ...missing, owner: 201 },
  'revoke victim key': { method: 'DELETE', path: () => `/api/organizations/${orgB.id}/api-keys/${keyB2.id}`, ...missing, owner: 204 },
  'revoke victim key via own org': { method: 'DELETE', path: () => `/api/organizations/${orgA.id}/api-keys/${keyB2.id}`, ...missing },
  'create own key in victim team': { method: 'POST', path: () => `/api/organizations/${orgA.id}/api-keys`, body: () => ({ name: 'x', team_id: teamB.id }), attack: [400] },
  // Signing keys are the server's
  'list signing keys': { method: 'GET', path: () => '/api/admin/keys', attack: [403] },
  'rotate signing keys': { method: 'POST', path: () => '/api/admin/keys/rotate', attack: [403] },
  // Webhooks
  'list webhooks': { method: 'GET', path: () => '/api/webhooks', attack: [200], owner: 200 },
  'list webhooks filtered to victim org': { method: 'GET', path: () => `/api/webhooks?organization_id=${orgB.id}`, attack: [200, 404], owner: 200 },
  'create webhook naming victim org': { method: 'POST', path: () => '/api/webhooks', body: () => ({ ...newHook(), organization_id: orgB.id }), attack: [403, 404] },
  'create webhook in victim team': { method: 'POST', path: () => '/api/webhooks', body: () => ({ ...newHook(), team_id: teamB.id }), attack: [400] },
  'get victim webhook': { method: 'GET', path: () => `/api/webhooks/${webhookB.id}`, ...missing, owner: 200 },
  'PUT victim webhook': { method: 'PUT', path: () => `/api/webhooks/${webhookB.id}`, body: () => ({ name: 'pwned' }), ...missing, owner: 200 },
  'PATCH victim webhook': { method: 'PATCH', path: () => `/api/webhooks/${webhookB.id}`, body: () => ({ url: `${receiverUrl}/evil` }), ...missing, owner: 200 },
  'test victim webhook': { method: 'POST', path: () => `/api/webhooks/${webhookB.id}/test`, body: () => ({}), ...missing, owner: 200 },
  'victim webhook deliveries': { method: 'GET', path: () => `/api/webhooks/${webhookB.id}/deliveries`, ...missing, owner: 200 },
  'victim webhook delivery': { method: 'GET', path: () => `/api/webhooks/${webhookB.id}/deliveries/${deliveryB}`, ...missing, owner: 200 },
  'victim delivery via own webhook': { method: 'GET', path: () => `/api/webhooks/${webhookA}/deliveries/${deliveryB}`, ...missing },
  'delete victim webhook': { method: 'DELETE', path: () => `/api/webhooks/${webhookB.id}`, ...missing, owner: 204 },
  'get global webhook': { method: 'GET', path: () => `/api/webhooks/${webhookGlobal}`, ...missing },
  'PATCH global webhook': { method: 'PATCH', path: () => `/api/webhooks/${webhookGlobal}`, body: () => ({ is_active: false }), ...missing },
  'test global webhook': { method: 'POST', path: () => `/api/webhooks/${webhookGlobal}/test`, body: () => ({}), ...missing },
  'global webhook deliveries': { method: 'GET', path: () => `/api/webhooks/${webhookGlobal}/deliveries`, ...missing },
  'delete global webhook': { method: 'DELETE', path: () => `/api/webhooks/${webhookGlobal}`, ...missing },
};

async function send(row: Row, bearer: string) {
  const body = row.body?.();
  const res = await app.request(row.path(), { method: row.method, bearer, ...(body !== undefined ? { json: body } : {}) });
  return { status: res.status, text: await res.text(), type: res.headers.get('content-type') ?? '' };
}

describe('tenant isolation: another organization\'s API key', () => {
  for (const [name, row] of Object.entries(matrix)) {
    it(`${row.method} ${name} → ${row.attack.join('/')}, no victim data, nothing changed`, async () => {
      const before = await victimState();
      const res = await send(row, keyA);
      expect(row.attack, `${res.status} ${res.text}`).toContain(res.status);
      if (res.status >= 400) {
        expect(res.type).toMatch(/^application\/json/);
        expect(JSON.parse(res.text)).toEqual({ error: expect.any(String), error_description: expect.any(String) });
      }
      for (const secret of victimStrings) expect(res.text, `leaked "${secret}"`).not.toContain(secret);
      expect(await victimState()).toBe(before);
    });
  }

  it('the attacker\'s own webhook never hears the victim organization\'s events', async () => {
    const victimAgent = await createOrgAgent(app, orgB.id, { name: 'victim event agent' });
    const ownAgent = await createOrgAgent(app, orgA.id, { name: 'attacker event agent' }, { bearer: keyA });
    const heard = (await sql`select payload from webhook_deliveries where webhook_config_id = ${webhookA}`).map((d) => d.payload as string);
    expect(heard.some((p) => p.includes(ownAgent.id))).toBe(true);
    expect(heard.some((p) => p.includes(victimAgent.id))).toBe(false);
    for (const secret of victimStrings) expect(heard.join('\n')).not.toContain(secret);
  });

  it('the victim\'s agent tokens are no administrator credential anywhere', async () => {
    const { access_token } = await getToken(app, agentB);
    for (const path of [`/api/organizations/${orgB.id}`, `/api/organizations/${orgB.id}/agents`, '/api/agents', '/api/webhooks']) {
      const res = await app.request(path, { bearer: access_token });
      expect(res.status).toBe(401);
    }
  });

  it('service layer: the audit trail of another organization is out of reach', async () => {
    const ctx = { principal: { kind: 'api_key' as const, apiKeyId: 'test', organizationId: orgA.id, teamId: null }, ip: '', userAgent: '' };
    expect(await app.services.audit.list(ctx, { organizationId: orgB.id })).toEqual([]);
    const own = await app.services.audit.list(ctx, {});
    expect(own.length).toBeGreaterThan(0);
    expect(own.every((entry) => entry.organizationId === orgA.id)).toBe(true);
    expect(await app.services.audit.list(ctx, { agentId: agentB.id })).toEqual([]);
  });
});

describe('tenant isolation: the same routes with the victim\'s own key succeed', () => {
  it('every route in the matrix is real: the owner gets through', async () => {
    const rows = Object.entries(matrix).filter(([, row]) => row.owner !== undefined);
    // Deletions last, so that everything else still has its target.
    rows.sort(([, a], [, b]) => Number(a.method === 'DELETE') - Number(b.method === 'DELETE'));
    const failures: string[] = [];
    for (const [name, row] of rows) {
      const res = await send(row, keyB);
      if (res.status !== row.owner) failures.push(`${name}: expected ${row.owner}, got ${res.status} ${res.text}`);
    }
    expect(failures).toEqual([]);
  });
});
