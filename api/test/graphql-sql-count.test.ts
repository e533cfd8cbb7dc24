import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { observeQueries } from '../src/db/index.ts';
import { agents, apiKeys, organizations, teams, webhookConfigs, webhookDeliveries } from '../src/db/schema.ts';
import { ADMIN_AUTH, startTestApp, type TestApp } from './helpers.ts';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
  // 60 organizations, each with a team, 3 agents, an API key, 2 webhooks with 3 deliveries each.
  const db = app.services.db;
  const orgs = await db.insert(organizations).values(Array.from({ length: 60 }, (_, i) => ({ name: `Org ${i}`, slug: `org-${i}` }))).returning({ id: organizations.id });
  const orgTeams = await db.insert(teams).values(orgs.map((o) => ({ organizationId: o.id, name: 'team' }))).returning({ id: teams.id, organizationId: teams.organizationId });
  await db.insert(agents).values(orgTeams.flatMap((t) => [0, 1, 2].map((i) => ({
    organizationId: t.organizationId, teamId: t.id, name: `agent-${i}`, clientId: crypto.randomUUID(), clientSecretHash: Buffer.alloc(32), scopes: ['read'],
  }))));
  await db.insert(apiKeys).values(orgs.map((o) => ({ organizationId: o.id, name: 'key', prefix: 'mach_xxxxxxx', keyHash: Buffer.from(crypto.randomUUID()) })));
  const hooks = await db.insert(webhookConfigs).values(orgs.flatMap((o) => [0, 1].map((i) => ({
    organizationId: o.id, name: `hook-${i}`, url: 'https://example.com/hook', secretEncrypted: 'x', events: ['agent.created'],
  })))).returning({ id: webhookConfigs.id, organizationId: webhookConfigs.organizationId });
  await db.insert(webhookDeliveries).values(hooks.flatMap((h) => [0, 1, 2].map((i) => ({
    webhookConfigId: h.id, organizationId: h.organizationId, event: 'agent.created', payload: `{"n":${i}}`, status: i === 0 ? 'delivered' : 'pending',
  }))));
});
afterAll(async () => { await app?.close(); });

const VIEW = `query ($orgs: Int!) {
  organizations(first: $orgs) {
    totalCount
    edges { node {
      id name agentCount
      teams { edges { node { name } } }
      apiKeys { edges { node { prefix } } }
      agents(first: 10) { edges { node { id name team { name } organization { slug } } } }
      webhooks(first: 10) { edges { node { id name deliveries(first: 10) { edges { node { id status webhook { name } } } } } } }
    } }
  }
}`;

/** Runs the view for `orgs` organizations and returns its answer and the SQL statements it ran. */
async function measure(orgs: number) {
  const statements: string[] = [];
  const stop = observeQueries((sql) => statements.push(sql));
  try {
    const res = await fetch(`${app.url}/graphql`, { method: 'POST', headers: { authorization: ADMIN_AUTH, 'content-type': 'application/json' }, body: JSON.stringify({ query: VIEW, variables: { orgs } }) });
    const body = (await res.json()) as { data: any; errors?: unknown };
    expect(body.errors).toBeUndefined();
    return { data: body.data, statements };
  } finally {
    stop();
  }
}

describe('no N+1', () => {
  it('runs a small constant number of statements however many organizations it shows', async () => {
    const few = await measure(5);
    const many = await measure(50);

    const orgs = many.data.organizations.edges.map((e: any) => e.node);
    expect(orgs).toHaveLength(50);
    expect(many.data.organizations.totalCount).toBe(60);
    for (const org of orgs) {
      expect(org.agentCount).toBe(3);
      expect(org.teams.edges).toHaveLength(1);
      expect(org.apiKeys.edges).toHaveLength(1);
      expect(org.agents.edges).toHaveLength(3);
      expect(org.agents.edges.every((e: any) => e.node.team.name === 'team' && e.node.organization.slug === `org-${org.name.slice(4)}`)).toBe(true);
      expect(org.webhooks.edges).toHaveLength(2);
      for (const hook of org.webhooks.edges) {
        expect(hook.node.deliveries.edges).toHaveLength(3);
        expect(hook.node.deliveries.edges.every((e: any) => e.node.webhook.name === hook.node.name)).toBe(true);
      }
    }

    // One statement per list or relation: organizations, their count, agent counts, teams, keys,
    // agents, agents' teams, agents' organizations, webhooks, deliveries, deliveries' webhooks.
    expect(many.statements.length).toBeLessThanOrEqual(11);
    expect(many.statements.length).toBe(few.statements.length);
  });
});
