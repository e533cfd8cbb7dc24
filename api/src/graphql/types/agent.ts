import type { agentRotations } from '../../db/schema.ts';
import type { AgentRow } from '../../wire.ts';
import { builder, type GraphQLContext } from '../builder.ts';
import { NESTED_PAGE, pageRequest, ROOT_PAGE, searchText, toConnection } from '../connections.ts';
import { AccessTokenConnections, TokenStatus } from './access-token.ts';
import { AuditEntryConnections } from './audit.ts';
import { Organization } from './organization.ts';
import { edgeType, nestedConnection, rootConnection } from './shared.ts';
import { Team } from './team.ts';

export const Agent = builder.loadableObjectRef('Agent', {
  load: (ids: string[], ctx: GraphQLContext) => ctx.services.agents.byIds(ctx.caller, ids),
  sort: (agent) => agent.id,
});

const AgentEdge = edgeType(Agent, 'Agent');
export const AgentConnections = { root: rootConnection(Agent, 'Agent', AgentEdge), nested: nestedConnection(Agent, 'Agent', AgentEdge) };

const AgentUsage = builder.objectRef<AgentRow>('AgentUsage').implement({
  description: 'What an agent has done with its credentials.',
  fields: (t) => ({
    tokenCount: t.float({ description: 'Access tokens issued (a whole number).', resolve: (a) => a.tokenCount }),
    refreshCount: t.float({ description: 'Of those, issued by the refresh_token grant (a whole number).', resolve: (a) => a.refreshCount }),
    lastActivityAt: t.expose('lastActivityAt', { type: 'DateTime', nullable: true }),
    lastTokenIssuedAt: t.expose('lastTokenIssuedAt', { type: 'DateTime', nullable: true }),
  }),
});

const Rotation = builder.objectRef<typeof agentRotations.$inferSelect>('Rotation').implement({
  description: 'One replacement of an agent\'s client secret.',
  fields: (t) => ({
    id: t.exposeID('id'),
    rotatedAt: t.expose('rotatedAt', { type: 'DateTime' }),
    rotatedByIp: t.exposeString('rotatedByIp'),
  }),
});
const RotationConnections = { nested: nestedConnection(Rotation, 'Rotation', edgeType(Rotation, 'Rotation')) };

Agent.implement({
  description: 'An OAuth client (client_credentials) that receives signed access tokens.',
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.exposeString('name'),
    clientId: t.exposeString('clientId'),
    scopes: t.exposeStringList('scopes'),
    isActive: t.exposeBoolean('isActive'),
    publicKey: t.exposeString('publicKey', { nullable: true }),
    organizationId: t.exposeID('organizationId', { nullable: true }),
    organization: t.field({ type: Organization, nullable: true, resolve: (a) => a.organizationId }),
    teamId: t.exposeID('teamId', { nullable: true }),
    team: t.field({ type: Team, nullable: true, resolve: (a) => a.teamId }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
    expiresAt: t.expose('expiresAt', { type: 'DateTime', nullable: true, description: 'When the credentials stop working; null for never.' }),
    usage: t.field({ type: AgentUsage, resolve: (a) => a }),
    rotationHistory: t.loadable({
      type: RotationConnections.nested,
      byPath: true,
      args: { ...t.arg.connectionArgs() },
      load: async (ids: string[], ctx, args) => {
        const byAgent = await ctx.services.agents.rotationsByAgents(ctx.caller, ids, pageRequest(args, NESTED_PAGE));
        return Promise.all(ids.map((id) => toConnection(args, NESTED_PAGE, byAgent.get(id) ?? [])));
      },
      resolve: (a) => a.id,
    }),
    auditLog: t.loadable({
      type: AuditEntryConnections.nested,
      byPath: true,
      args: { ...t.arg.connectionArgs(), action: t.arg.string({ required: false }) },
      load: async (ids: string[], ctx, args) => {
        const byAgent = await ctx.services.audit.pageByAgents(ctx.caller, ids, { action: args.action ?? undefined }, pageRequest(args, NESTED_PAGE));
        return Promise.all(ids.map((id) => toConnection(args, NESTED_PAGE, byAgent.get(id) ?? [])));
      },
      resolve: (a) => a.id,
    }),
    tokens: t.loadable({
      type: AccessTokenConnections.nested,
      description: 'Access tokens issued to the agent, newest first.',
      byPath: true,
      args: { ...t.arg.connectionArgs(), status: t.arg({ type: TokenStatus, required: false }) },
      load: async (ids: string[], ctx, args) => {
        const byAgent = await ctx.services.tokens.issuedByAgents(ctx.caller, ids, { status: args.status ?? undefined }, pageRequest(args, NESTED_PAGE));
        return Promise.all(ids.map((id) => toConnection(args, NESTED_PAGE, byAgent.get(id) ?? [])));
      },
      resolve: (a) => a.id,
    }),
  }),
});

const AgentFilter = builder.inputType('AgentFilter', {
  fields: (t) => ({
    organizationId: t.id({ required: false }),
    teamId: t.id({ required: false }),
    isActive: t.boolean({ required: false }),
    search: t.string({ required: false, description: 'Part of the name or client_id.' }),
  }),
});

builder.queryFields((t) => ({
  agents: t.connection(
    {
      type: Agent,
      description: 'Agents, newest first.',
      args: { filter: t.arg({ type: AgentFilter, required: false }) },
      resolve: async (_root, args, ctx) => {
        const f = args.filter;
        const filter = {
          organizationId: f?.organizationId == null ? undefined : String(f.organizationId),
          teamId: f?.teamId == null ? undefined : String(f.teamId),
          isActive: f?.isActive ?? undefined,
          search: searchText(f?.search),
        };
        const rows = await ctx.services.agents.page(ctx.caller, filter, pageRequest(args, ROOT_PAGE));
        return toConnection(args, ROOT_PAGE, rows, () => ctx.services.agents.count(ctx.caller, filter));
      },
    },
    AgentConnections.root,
  ),
  agent: t.field({
    type: Agent,
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, args, ctx) => ctx.services.agents.getForCaller(ctx.caller, String(args.id)),
  }),
}));
