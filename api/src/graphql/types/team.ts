import { builder, type GraphQLContext } from '../builder.ts';
import { NESTED_PAGE, pageRequest, searchText, toConnection } from '../connections.ts';
import { AgentConnections } from './agent.ts';
import { Organization } from './organization.ts';
import { edgeType, nestedConnection, rootConnection } from './shared.ts';

export const Team = builder.loadableObjectRef('Team', {
  load: (ids: string[], ctx: GraphQLContext) => ctx.services.organizations.teamsByIds(ctx.caller, ids),
  sort: (team) => team.id,
});

const TeamEdge = edgeType(Team, 'Team');
export const TeamConnections = { nested: nestedConnection(Team, 'Team', TeamEdge) };

Team.implement({
  description: 'A group of agents and API keys inside an organization.',
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.exposeString('name'),
    description: t.exposeString('description'),
    organizationId: t.exposeID('organizationId'),
    organization: t.field({ type: Organization, resolve: (team) => team.organizationId }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
    agents: t.loadable({
      type: AgentConnections.nested,
      byPath: true,
      args: { ...t.arg.connectionArgs(), isActive: t.arg.boolean({ required: false }), search: t.arg.string({ required: false }) },
      load: async (ids: string[], ctx, args) => {
        const filter = { isActive: args.isActive ?? undefined, search: searchText(args.search) };
        const byTeam = await ctx.services.agents.pageByTeams(ctx.caller, ids, filter, pageRequest(args, NESTED_PAGE));
        return Promise.all(ids.map((id) => toConnection(args, NESTED_PAGE, byTeam.get(id) ?? [])));
      },
      resolve: (team) => team.id,
    }),
  }),
});
