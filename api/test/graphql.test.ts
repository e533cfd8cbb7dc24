import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_AUTH, ADMIN_EMAIL, ADMIN_PASSWORD, createAgent, dbClient, getToken, sleep, startTestApp, type TestApp } from './helpers.ts';

let app: TestApp;
let receiver: http.Server;
let receiverUrl: string;

beforeAll(async () => {
  app = await startTestApp({ WEBHOOK_BACKOFF_UNIT_MS: '10' });
  receiver = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(204).end());
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
});
afterAll(async () => {
  await app?.close();
  await new Promise<void>((resolve) => receiver?.close(() => resolve()));
});

interface GqlResult<T = any> {
  status: number;
  data: T;
  errors?: { message: string; extensions?: { code?: string }; path?: string[] }[];
  text: string;
}

async function gql<T = any>(query: string, variables: Record<string, unknown> = {}, headers: Record<string, string> = { authorization: ADMIN_AUTH }): Promise<GqlResult<T>> {
  const res = await fetch(`${app.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query, variables }) });
  const text = await res.text();
  const body = JSON.parse(text);
  return { status: res.status, data: body.data, errors: body.errors, text };
}

/** A successful query's data (fails the test with the errors otherwise). */
async function data<T = any>(query: string, variables: Record<string, unknown> = {}, headers?: Record<string, string>): Promise<T> {
  const result = await gql<T>(query, variables, headers);
  expect(result.errors, result.text).toBeUndefined();
  expect(result.status).toBe(200);
  return result.data;
}

async function admin<T = any>(path: string, json?: unknown, method = json === undefined ? 'GET' : 'POST'): Promise<T> {
  const res = await app.request(path, { method, admin: true, json });
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return (res.status === 204 ? undefined : await res.json()) as T;
}

const nodes = <T>(connection: { edges: { node: T }[] }) => connection.edges.map((e) => e.node);

describe('authentication', () => {
  it('refuses anonymous and wrong credentials with 401 and no data', async () => {
    const anonymous = await gql('{ organizations { totalCount } }', {}, {});
    expect(anonymous.status).toBe(401);
    expect(anonymous.errors?.[0].extensions?.code).toBe('unauthorized');
    expect(anonymous.data).toBeUndefined();
    const get = await fetch(`${app.url}/graphql?query=${encodeURIComponent('{ viewer { kind } }')}`);
    expect(get.status).toBe(401);
    expect(get.headers.get('www-authenticate')).toMatch(/^Basic/);
    const wrong = await gql('{ viewer { kind } }', {}, { authorization: `Basic ${Buffer.from(`${ADMIN_EMAIL}:nope`).toString('base64')}` });
    expect(wrong.status).toBe(401);
    const badKey = await gql('{ viewer { kind } }', {}, { authorization: 'Bearer mach_nope' });
    expect(badKey.status).toBe(401);
  });

  it('accepts the dashboard session: GET without CSRF, POST only with the CSRF header', async () => {
    const login = await app.request('/api/auth/login', { method: 'POST', json: { email: ADMIN_EMAIL, password: ADMIN_PASSWORD } });
    const cookie = login.headers.get('set-cookie')!.split(';')[0];
    const { csrf_token } = (await login.json()) as { csrf_token: string };
    const get = await fetch(`${app.url}/graphql?query=${encodeURIComponent('{ viewer { kind email } }')}`, { headers: { cookie } });
    expect(get.status).toBe(200);
    expect(await get.json()).toEqual({ data: { viewer: { kind: 'ADMIN', email: ADMIN_EMAIL } } });
    expect((await gql('{ viewer { kind } }', {}, { cookie })).status).toBe(401);
    expect(await data('{ viewer { kind } }', {}, { cookie, 'x-csrf-token': csrf_token })).toEqual({ viewer: { kind: 'ADMIN' } });
  });
});

describe('the views an administrator browses', () => {
  it('shows an organization with its teams, agents, API keys and webhooks with their deliveries', async () => {
    const org = await admin<{ id: string }>('/api/organizations', { name: 'Acme', slug: 'acme-gql' });
    const team = await admin<{ id: string }>(`/api/organizations/${org.id}/teams`, { name: 'Platform' });
    const { webhook } = await admin<{ webhook: { id: string } }>('/api/webhooks', { name: 'ops', url: receiverUrl, events: ['agent.created', 'agent.credentials_rotated'], organization_id: org.id });
    const bot = await createAgent(app, { name: 'acme-bot', organization_id: org.id, team_id: team.id, scopes: ['read'] });
    await createAgent(app, { name: 'acme-helper', organization_id: org.id });
    const { key } = await admin<{ key: string }>(`/api/organizations/${org.id}/api-keys`, { name: 'ci' });
    expect(key).toMatch(/^mach_/);
    await admin(`/api/agents/${bot.id}/rotate`, {});
    const first = await getToken(app, { clientId: bot.clientId, clientSecret: (await admin<{ client_secret: string }>(`/api/agents/${bot.id}/rotate`, {})).client_secret });
    await fetch(`${app.url}/oauth/revoke`, { method: 'POST', body: new URLSearchParams({ token: first.access_token }) });

    // The worker delivers the agent.created and rotation events in the background.
    let view: any;
    for (let i = 0; i < 100; i++) {
      view = await data(`query ($id: ID!) {
        organization(id: $id) {
          name slug agentCount
          teams { edges { node { name agents { edges { node { name } } } } } }
          agents { edges { node { name team { name } organization { slug } } } }
          apiKeys { edges { node { name prefix isActive organization { slug } } } }
          webhooks { edges { node { name events deliveries { edges { node { event status attempts webhook { name } payload } } } } } }
        }
      }`, { id: org.id });
      const deliveries = nodes(nodes<any>(view.organization.webhooks)[0].deliveries);
      if (deliveries.length === 4 && deliveries.every((d: any) => d.status === 'DELIVERED')) break;
      await sleep(50);
    }
    const o = view.organization;
    expect(o).toMatchObject({ name: 'Acme', slug: 'acme-gql', agentCount: 2 });
    expect(nodes<any>(o.teams)).toEqual([{ name: 'Platform', agents: { edges: [{ node: { name: 'acme-bot' } }] } }]);
    expect(nodes<any>(o.agents)).toEqual([
      { name: 'acme-helper', team: null, organization: { slug: 'acme-gql' } },
      { name: 'acme-bot', team: { name: 'Platform' }, organization: { slug: 'acme-gql' } },
    ]);
    expect(nodes<any>(o.apiKeys)).toEqual([{ name: 'ci', prefix: key.slice(0, 12), isActive: true, organization: { slug: 'acme-gql' } }]);
    const hook = nodes<any>(o.webhooks)[0];
    expect(hook.name).toBe('ops');
    const deliveries = nodes<any>(hook.deliveries);
    expect(deliveries.map((d) => d.event).sort()).toEqual(['agent.created', 'agent.created', 'agent.credentials_rotated', 'agent.credentials_rotated']);
    expect(deliveries.every((d) => d.status === 'DELIVERED' && d.attempts === 1 && d.webhook.name === 'ops')).toBe(true);
    expect(deliveries.find((d) => d.event === 'agent.created').payload).toMatchObject({ event: 'agent.created' });

    const agent = await data(`query ($id: ID!) {
      agent(id: $id) {
        name clientId scopes isActive
        usage { tokenCount refreshCount lastTokenIssuedAt }
        rotationHistory { edges { node { rotatedAt rotatedByIp } } }
        auditLog(first: 50) { edges { node { action actor } } }
        active: tokens(status: ACTIVE) { edges { node { status } } }
        revoked: tokens(status: REVOKED) { edges { node { id status revokedAt } } }
      }
    }`, { id: bot.id });
    const a = agent.agent;
    expect(a).toMatchObject({ name: 'acme-bot', clientId: bot.clientId, scopes: ['read'], isActive: true, usage: { tokenCount: 1, refreshCount: 0 } });
    expect(a.usage.lastTokenIssuedAt).toBeTruthy();
    expect(nodes(a.rotationHistory)).toHaveLength(2);
    expect(nodes<any>(a.auditLog).map((e) => e.action)).toEqual(expect.arrayContaining(['agent.created', 'agent.credentials_rotated', 'token.issued', 'token.revoked']));
    expect(nodes(a.active)).toEqual([]);
    expect(nodes<any>(a.revoked)).toHaveLength(1);
    expect(nodes<any>(a.revoked)[0]).toMatchObject({ id: String((JSON.parse(Buffer.from(first.access_token.split('.')[1], 'base64url').toString()) as { jti: string }).jti), status: 'REVOKED' });
  });

  it('filters agents, deliveries and the audit log', async () => {
    const org = await admin<{ id: string }>('/api/organizations', { name: 'Filters', slug: 'filters-gql' });
    const { webhook } = await admin<{ webhook: { id: string } }>('/api/webhooks', { name: 'f', url: receiverUrl, events: ['agent.created', 'agent.deleted'], organization_id: org.id });
    const keep = await createAgent(app, { name: 'findable-one', organization_id: org.id });
    const gone = await createAgent(app, { name: 'findable-two', organization_id: org.id });
    await admin(`/api/agents/${keep.id}/deactivate`, {});
    const before = new Date();
    await admin(`/api/agents/${gone.id}`, undefined, 'DELETE');

    const inactive = await data('query ($f: AgentFilter) { agents(filter: $f) { totalCount edges { node { name isActive } } } }', { f: { organizationId: org.id, isActive: false } });
    expect(inactive.agents).toEqual({ totalCount: 1, edges: [{ node: { name: 'findable-one', isActive: false } }] });
    const searched = await data('query ($f: AgentFilter) { agents(filter: $f) { totalCount } }', { f: { search: 'FINDABLE' } });
    expect(searched.agents.totalCount).toBe(1);
    const wildcard = await data('query ($f: AgentFilter) { agents(filter: $f) { totalCount } }', { f: { search: '%' } });
    expect(wildcard.agents.totalCount).toBe(0);

    const byEvent = await data('query ($f: DeliveryFilter) { deliveries(filter: $f) { totalCount edges { node { event webhookId } } } }', { f: { webhookId: webhook.id, event: 'agent.deleted' } });
    expect(byEvent.deliveries.totalCount).toBe(1);
    expect(nodes<any>(byEvent.deliveries)[0]).toEqual({ event: 'agent.deleted', webhookId: webhook.id });
    const since = await data('query ($f: DeliveryFilter) { deliveries(filter: $f) { totalCount } }', { f: { webhookId: webhook.id, since: before.toISOString() } });
    expect(since.deliveries.totalCount).toBe(1);
    const until = await data('query ($f: DeliveryFilter) { deliveries(filter: $f) { totalCount } }', { f: { webhookId: webhook.id, until: before.toISOString() } });
    expect(until.deliveries.totalCount).toBe(2);
    const failed = await data('query ($f: DeliveryFilter) { deliveries(filter: $f) { totalCount } }', { f: { webhookId: webhook.id, status: 'DEAD' } });
    expect(failed.deliveries.totalCount).toBe(0);

    const audit = await data('query ($f: AuditFilter) { auditLog(filter: $f) { totalCount edges { node { action agentId organizationId } } } }', { f: { agentId: gone.id, action: 'agent.deleted' } });
    expect(audit.auditLog.totalCount).toBe(1);
    expect(nodes<any>(audit.auditLog)[0]).toEqual({ action: 'agent.deleted', agentId: gone.id, organizationId: org.id });
  });
});

describe('pagination', () => {
  it('pages forwards and backwards through a stable order, even when timestamps tie', async () => {
    const org = await admin<{ id: string }>('/api/organizations', { name: 'Pages', slug: 'pages-gql' });
    const ids: string[] = [];
    for (let i = 0; i < 25; i++) ids.push((await createAgent(app, { name: `page-${i}`, organization_id: org.id })).id);
    // Ten of them share one timestamp: the id breaks the tie, so no row is skipped or repeated.
    const sql = dbClient(app);
    await sql`update agents set created_at = (select created_at from agents where id = ${ids[10]}) where id in ${sql(ids.slice(5, 15))}`;
    const expected = (await sql<{ id: string }[]>`select id from agents where organization_id = ${org.id} order by created_at desc, id desc`).map((r) => r.id);
    await sql.end();

    const query = `query ($f: AgentFilter, $first: Int, $after: String, $last: Int, $before: String) {
      agents(filter: $f, first: $first, after: $after, last: $last, before: $before) {
        totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { cursor node { id } }
      }
    }`;
    const f = { organizationId: org.id };
    const seen: string[] = [];
    let after: string | undefined;
    let pages = 0;
    for (;;) {
      const { agents } = await data(query, { f, first: 7, after });
      expect(agents.totalCount).toBe(25);
      seen.push(...nodes<any>(agents).map((n) => n.id));
      pages++;
      if (!agents.pageInfo.hasNextPage) break;
      after = agents.pageInfo.endCursor;
    }
    expect(pages).toBe(4);
    expect(seen).toEqual(expected);

    const seenBackwards: string[] = [];
    let before: string | undefined;
    for (;;) {
      const { agents } = await data(query, { f, last: 6, before });
      seenBackwards.unshift(...nodes<any>(agents).map((n) => n.id));
      if (!agents.pageInfo.hasPreviousPage) break;
      before = agents.pageInfo.startCursor;
    }
    expect(seenBackwards).toEqual(expected);

    // Nested lists page the same way.
    const nested = `query ($id: ID!, $after: String) { organization(id: $id) { agents(first: 10, after: $after) { pageInfo { hasNextPage endCursor } edges { node { id } } } } }`;
    const firstPage = (await data(nested, { id: org.id })).organization.agents;
    const secondPage = (await data(nested, { id: org.id, after: firstPage.pageInfo.endCursor })).organization.agents;
    expect([...nodes<any>(firstPage), ...nodes<any>(secondPage)].map((n) => n.id)).toEqual(expected.slice(0, 20));
  });

  it('refuses cursors it did not issue and negative page sizes, and caps page sizes', async () => {
    for (const after of ['garbage', Buffer.from('2020-01-01|x').toString('base64url'), Buffer.from("2020-01-01T00:00:00.000000Z|'; drop table agents; --").toString('base64url')]) {
      const result = await gql('query ($after: String) { agents(after: $after) { totalCount } }', { after });
      expect(result.status).toBe(200);
      expect(result.errors?.[0]).toMatchObject({ message: 'cursor: not a cursor this API returned', extensions: { code: 'invalid_request' } });
    }
    const negative = await gql('{ agents(first: -1) { totalCount } }');
    expect(negative.errors?.[0].extensions?.code).toBe('invalid_request');
    // A literal page size counts towards the query's cost; one in a variable is capped at 100.
    const costly = await gql('{ agents(first: 100000) { edges { cursor } } }');
    expect(costly.errors?.[0].message).toMatch(/cost/i);
    const capped = await data('query ($n: Int) { agents(first: $n) { edges { cursor } } }', { n: 100000 });
    expect(capped.agents.edges.length).toBeLessThanOrEqual(100);
  });
});

describe('tenant isolation', () => {
  it('shows an organization API key only its own organization, everywhere', async () => {
    const mine = await admin<{ id: string }>('/api/organizations', { name: 'Mine', slug: 'mine-gql' });
    const theirs = await admin<{ id: string }>('/api/organizations', { name: 'Theirs', slug: 'theirs-gql' });
    const { key } = await admin<{ key: string }>(`/api/organizations/${mine.id}/api-keys`, { name: 'mine' });
    await admin('/api/webhooks', { name: 'mine-hook', url: receiverUrl, events: ['agent.created'], organization_id: mine.id });
    const theirHook = (await admin<{ webhook: { id: string } }>('/api/webhooks', { name: 'their-hook', url: receiverUrl, events: ['agent.created'], organization_id: theirs.id })).webhook;
    const globalHook = (await admin<{ webhook: { id: string } }>('/api/webhooks', { name: 'global-hook', url: receiverUrl, events: ['agent.created'] })).webhook;
    const myAgent = await createAgent(app, { name: 'mine-agent', organization_id: mine.id });
    const theirAgent = await createAgent(app, { name: 'their-agent', organization_id: theirs.id });
    await getToken(app, theirAgent);
    await getToken(app, theirAgent);
    await getToken(app, myAgent);
    const asKey = { authorization: `Bearer ${key}` };

    const seen = await data(`{
      viewer { kind organizationId organization { slug } }
      organizations { totalCount edges { node { slug agents { edges { node { name } } } webhooks { edges { node { name } } } } } }
      agents { totalCount edges { node { name organizationId } } }
      webhooks { totalCount edges { node { name } } }
      deliveries(first: 100) { edges { node { organizationId webhook { name } } } }
      auditLog(first: 100) { edges { node { organizationId } } }
      metrics { series { tokensIssued agentsCreated deliveriesDelivered deliveriesFailed deliveriesPending } }
    }`, {}, asKey);
    expect(seen.viewer).toEqual({ kind: 'API_KEY', organizationId: mine.id, organization: { slug: 'mine-gql' } });
    expect(seen.organizations.totalCount).toBe(1);
    expect(nodes<any>(seen.organizations)).toEqual([{ slug: 'mine-gql', agents: { edges: [{ node: { name: 'mine-agent' } }] }, webhooks: { edges: [{ node: { name: 'mine-hook' } }] } }]);
    expect(seen.agents).toEqual({ totalCount: 1, edges: [{ node: { name: 'mine-agent', organizationId: mine.id } }] });
    expect(seen.webhooks).toEqual({ totalCount: 1, edges: [{ node: { name: 'mine-hook' } }] });
    expect(nodes<any>(seen.deliveries).every((d) => d.organizationId === mine.id && d.webhook.name === 'mine-hook')).toBe(true);
    expect(nodes<any>(seen.auditLog).length).toBeGreaterThan(0);
    expect(nodes<any>(seen.auditLog).every((e) => e.organizationId === mine.id)).toBe(true);
    const totals = seen.metrics.series.reduce((sum: any, p: any) => ({ tokensIssued: sum.tokensIssued + p.tokensIssued, agentsCreated: sum.agentsCreated + p.agentsCreated }), { tokensIssued: 0, agentsCreated: 0 });
    expect(totals).toEqual({ tokensIssued: 1, agentsCreated: 1 });

    // Asking by id for another tenant's records answers not_found, and names nothing of theirs.
    for (const [query, id] of [
      ['query ($id: ID!) { organization(id: $id) { name } }', theirs.id],
      ['query ($id: ID!) { agent(id: $id) { name } }', theirAgent.id],
      ['query ($id: ID!) { webhook(id: $id) { name } }', theirHook.id],
      ['query ($id: ID!) { webhook(id: $id) { name } }', globalHook.id],
    ] as const) {
      const result = await gql(query, { id }, asKey);
      expect(result.errors?.[0].extensions?.code).toBe('not_found');
      expect(result.text).not.toMatch(/their|global-hook/);
    }
    const filtered = await gql('query ($o: ID) { agents(filter: { organizationId: $o }) { totalCount edges { node { name } } } }', { o: theirs.id }, asKey);
    expect(filtered.text).not.toContain('their-agent');
    const theirDeliveries = await data('query ($w: ID) { deliveries(filter: { webhookId: $w }) { totalCount } }', { w: theirHook.id }, asKey);
    expect(theirDeliveries.deliveries.totalCount).toBe(0);
    const theirAudit = await data('query ($a: ID) { auditLog(filter: { agentId: $a }) { totalCount } }', { a: theirAgent.id }, asKey);
    expect(theirAudit.auditLog.totalCount).toBe(0);

    // The administrator sees both.
    const all = await data('query ($f: AgentFilter) { agents(filter: $f) { totalCount } }', { f: { search: '-agent' } });
    expect(all.agents.totalCount).toBeGreaterThanOrEqual(2);
  });
});

describe('metrics', () => {
  it('counts activity per hour and per day and checks the range', async () => {
    const before = (await data('{ metrics { tokensIssued } }')).metrics.tokensIssued;
    const agent = await createAgent(app, { name: 'metered' });
    await getToken(app, agent);
    await getToken(app, agent);
    const now = await data('{ metrics { tokensIssued totalAgents series { bucket tokensIssued agentsTotal } } }');
    expect(now.metrics.tokensIssued).toBe(before + 2);
    const points = now.metrics.series;
    expect(points).toHaveLength(25);
    const last = points[points.length - 1];
    expect(new Date(last.bucket).getTime()).toBe(Math.floor(Date.now() / 3_600_000) * 3_600_000);
    expect(last.tokensIssued).toBeGreaterThanOrEqual(2);
    expect(last.agentsTotal).toBe(now.metrics.totalAgents);

    const days = await data('{ metrics { series(interval: DAY) { bucket } } }');
    expect(days.metrics.series).toHaveLength(31);
    const tooLong = await gql('{ metrics { series(interval: HOUR, from: "2000-01-01T00:00:00Z") { bucket } } }');
    expect(tooLong.errors?.[0].extensions?.code).toBe('invalid_request');
    const backwards = await gql('{ metrics { series(from: "2030-01-01T00:00:00Z", to: "2029-01-01T00:00:00Z") { bucket } } }');
    expect(backwards.errors?.[0]).toMatchObject({ message: 'from must be before to', extensions: { code: 'invalid_request' } });
  });
});

describe('abuse and errors', () => {
  it('refuses queries that are too deep or too wide before running them', async () => {
    const deep = await gql('{ agents { edges { node { organization { agents { edges { node { organization { agents { edges { node { organization { name } } } } } } } } } } } } }');
    expect(deep.errors?.[0].message).toMatch(/depth/i);
    expect(deep.data).toBeUndefined();
    const aliases = Array.from({ length: 30 }, (_, i) => `a${i}: viewer { kind }`).join(' ');
    const wide = await gql(`{ ${aliases} }`);
    expect(wide.errors?.[0].message).toMatch(/alias/i);
    const nestedLists = await gql('{ organizations(first: 50) { edges { node { webhooks(first: 50) { edges { node { deliveries(first: 50) { edges { node { id status } } } } } } } } } }');
    expect(nestedLists.errors?.[0].message).toMatch(/cost/i);
    // The dashboard's heaviest view stays within the limits.
    const orgView = await gql(`{ organizations(first: 1) { edges { node {
      teams(first: 50) { pageInfo { hasNextPage endCursor } edges { node { id name description createdAt } } }
      agents(first: 50) { pageInfo { hasNextPage endCursor } edges { node { id name clientId isActive scopes createdAt usage { tokenCount } team { id name } organization { id name } } } }
      apiKeys(first: 50) { pageInfo { hasNextPage endCursor } edges { node { id name prefix isActive lastUsedAt expiresAt revokedAt createdAt team { id name } } } }
    } } } }`);
    expect(orgView.errors).toBeUndefined();
    const huge = await gql(`{ ${Array.from({ length: 3000 }, () => 'viewer { kind }').join(' ')} }`);
    expect(huge.errors?.[0].message).toMatch(/token/i);
  });

  it('explains bad requests without leaking internals', async () => {
    const unknownField = await gql('{ agents { edges { node { clientSecret } } } }');
    expect(unknownField.errors?.[0].message).toMatch(/clientSecret/);
    const badDate = await gql('query ($f: AuditFilter) { auditLog(filter: $f) { totalCount } }', { f: { since: 'yesterday' } });
    expect(badDate.errors?.[0].message).toMatch(/DateTime/);
    const notFound = await gql('{ agent(id: "00000000-0000-4000-8000-000000000000") { name } }');
    expect(notFound.errors?.[0]).toMatchObject({ message: 'agent not found', extensions: { code: 'not_found' }, path: ['agent'] });
    const malformedId = await gql('{ organization(id: "1 or 1=1") { name } }');
    expect(malformedId.errors?.[0].extensions?.code).toBe('not_found');
    const syntax = await gql('{ agents { ');
    expect(syntax.errors?.[0].message).toMatch(/Syntax Error/);
    const notJson = await fetch(`${app.url}/graphql`, { method: 'POST', headers: { authorization: ADMIN_AUTH, 'content-type': 'application/json' }, body: '{"query":' });
    expect(notJson.status).toBeGreaterThanOrEqual(400);
    expect(notJson.status).toBeLessThan(500);
    const tooBig = await fetch(`${app.url}/graphql`, { method: 'POST', headers: { authorization: ADMIN_AUTH, 'content-type': 'application/json' }, body: JSON.stringify({ query: `{ viewer { kind } } #${'x'.repeat(200_000)}` }) });
    expect(tooBig.status).toBe(413);
    const mutation = await gql('mutation { deleteEverything }');
    expect(mutation.errors?.length).toBeGreaterThan(0);
    for (const r of [unknownField, badDate, notFound, malformedId, syntax, mutation]) expect(r.text).not.toMatch(/stack|\.ts:\d|node_modules/);
  });

  it('serves GraphiQL outside production only', async () => {
    const page = await fetch(`${app.url}/graphql`, { headers: { authorization: ADMIN_AUTH, accept: 'text/html' } });
    expect(page.status).toBe(200);
    expect(await page.text()).toMatch(/graphiql/i);
    const production = await startTestApp({ ENV: 'production' });
    try {
      const res = await fetch(`${production.url}/graphql`, { headers: { authorization: ADMIN_AUTH, accept: 'text/html' } });
      expect(await res.text()).not.toMatch(/graphiql/i);
      const query = await fetch(`${production.url}/graphql`, { method: 'POST', headers: { authorization: ADMIN_AUTH, 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ viewer { kind } }' }) });
      expect(await query.json()).toEqual({ data: { viewer: { kind: 'ADMIN' } } });
    } finally {
      await production.close();
    }
  });
});
