import { builder, type GraphQLContext } from '../builder.ts';
import { NESTED_PAGE, pageRequest, ROOT_PAGE, searchText, toConnection } from '../connections.ts';
import { AgentConnections } from './agent.ts';
import { ApiKeyConnections } from './api-key.ts';
import { edgeType, nestedConnection, rootConnection } from './shared.ts';
import { TeamConnections } from './team.ts';
import { WebhookConnections } from './webhook.ts';

export const Organization = builder.loadableObjectRef('Organization', {
  load: (ids: string[], ctx: GraphQLContext) => ctx.services.organizations.byIds(ctx.caller, ids),
  sort: (org) => org.id,
});

const OrganizationEdge = edgeType(Organization, 'Organization');
export const OrganizationConnections = { root: rootConnection(Organization, 'Organization', OrganizationEdge) };

Organization.implement({
  description: 'A tenant: its teams, agents, API keys and webhooks. An API key sees only its own organization.',
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.exposeString('name'),
    slug: t.exposeString('slug'),
    ownerEmail: t.exposeString('ownerEmail'),
    jwtIssuer: t.exposeString('jwtIssuer', { description: 'The `iss` of its agents\' tokens; empty for the server default.' }),
    jwtExpirySecs: t.exposeInt('jwtExpirySecs', { description: 'Access-token lifetime for its agents; 0 for the server default.' }),
    allowedOrigins: t.stringList({ resolve: (org) => org.allowedOrigins.split(',').filter(Boolean) }),
    plan: t.exposeString('plan'),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
    agentCount: t.loadable({
      type: 'Int',
      description: 'How many agents the organization has.',
      load: async (ids: string[], ctx) => {
        const counts = await ctx.services.agents.countByOrganizations(ctx.caller, ids);
        return ids.map((id) => counts.get(id) ?? 0);
      },
      resolve: (org) => org.id,
    }),
    teams: t.loadable({
      type: TeamConnections.nested,
      byPath: true,
      args: { ...t.arg.connectionArgs() },
      load: async (ids: string[], ctx, args) => {
        const byOrg = await ctx.services.organizations.teamsByOrganizations(ctx.caller, ids, pageRequest(args, NESTED_PAGE));
        return Promise.all(ids.map((id) => toConnection(args, NESTED_PAGE, byOrg.get(id) ?? [])));
      },
      resolve: (org) => org.id,
    }),
    agents: t.loadable({
      type: AgentConnections.nested,
      byPath: true,
      args: {
        ...t.arg.connectionArgs(),
        isActive: t.arg.boolean({ required: false }),
        search: t.arg.string({ required: false, description: 'Part of the name or client_id.' }),
      },
      load: async (ids: string[], ctx, args) => {
        const filter = { isActive: args.isActive ?? undefined, search: searchText(args.search) };
        const byOrg = await ctx.services.agents.pageByOrganizations(ctx.caller, ids, filter, pageRequest(args, NESTED_PAGE));
        return Promise.all(ids.map((id) => toConnection(args, NESTED_PAGE, byOrg.get(id) ?? [])));
      },
      resolve: (org) => org.id,
    }),
    apiKeys: t.loadable({
      type: ApiKeyConnections.nested,
      byPath: true,
      args: { ...t.arg.connectionArgs() },
      load: async (ids: string[], ctx, args) => {
        const byOrg = await ctx.services.apiKeys.pageByOrganizations(ctx.caller, ids, pageRequest(args, NESTED_PAGE));
        return Promise.all(ids.map((id) => toConnection(args, NESTED_PAGE, byOrg.get(id) ?? [])));
      },
      resolve: (org) => org.id,
    }),
    webhooks: t.loadable({
      type: WebhookConnections.nested,
      byPath: true,
      args: { ...t.arg.connectionArgs(), isActive: t.arg.boolean({ required: false }) },
      load: async (ids: string[], ctx, args) => {
        const byOrg = await ctx.services.webhooks.pageByOrganizations(ctx.caller, ids, { isActive: args.isActive ?? undefined }, pageRequest(args, NESTED_PAGE));
        return Promise.all(ids.map((id) => toConnection(args, NESTED_PAGE, byOrg.get(id) ?? [])));
      },
      resolve: (org) => org.id,
    }),
  }),
});

const OrganizationFilter = builder.inputType('OrganizationFilter', {
  fields: (t) => ({
    search: t.string({ required: false, description: 'Part of the name or slug.' }),
  }),
});

builder.queryFields((t) => ({
  organizations: t.connection(
    {
      type: Organization,
      description: 'Organizations, newest first.',
      args: { filter: t.arg({ type: OrganizationFilter, required: false }) },
      resolve: async (_root, args, ctx) => {
        const filter = { search: searchText(args.filter?.search) };
        const rows = await ctx.services.organizations.page(ctx.caller, filter, pageRequest(args, ROOT_PAGE));
        return toConnection(args, ROOT_PAGE, rows, () => ctx.services.organizations.count(ctx.caller, filter));
      },
    },
    OrganizationConnections.root,
  ),
  organization: t.field({
    type: Organization,
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, args, ctx) => ctx.services.organizations.get(ctx.caller, String(args.id)),
  }),
}));
