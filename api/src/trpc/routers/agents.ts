import { AgentListQuery, CreateAgentInput, UpdateAgentInput } from '../../schemas/agents.ts';
import { agentJson } from '../../wire.ts';
import { adminProcedure, router } from '../trpc.ts';
import { ById, resourceId } from './ids.ts';

/** The twins of /api/agents (http/rest/agents.ts). */
export const agentsRouter = router({
  list: adminProcedure.input(AgentListQuery.optional()).query(async ({ ctx, input = {} }) => {
    const { agents, total } = await ctx.services.agents.list(ctx.request, {
      organizationId: input.organization_id, isActive: input.is_active, search: input.search, limit: input.limit, offset: input.offset,
    });
    return { agents: agents.map(agentJson), total };
  }),

  get: adminProcedure.input(ById).query(async ({ ctx, input }) => ({ agent: agentJson(await ctx.services.agents.getForCaller(ctx.request, input.id)) })),

  /** The client secret is in this answer only. */
  create: adminProcedure.input(CreateAgentInput).mutation(async ({ ctx, input }) => {
    const { agent, clientSecret } = await ctx.services.agents.create(ctx.request, input);
    return { agent: agentJson(agent), client_id: agent.clientId, client_secret: clientSecret };
  }),

  update: adminProcedure.input(UpdateAgentInput.extend({ id: resourceId })).mutation(async ({ ctx, input: { id, ...changes } }) => ({
    agent: agentJson(await ctx.services.agents.update(ctx.request, id, changes)),
  })),

  delete: adminProcedure.input(ById).mutation(async ({ ctx, input }) => {
    await ctx.services.agents.remove(ctx.request, input.id);
    return { deleted: true as const };
  }),

  /** The new client secret is in this answer only; the old one stops working at once. */
  rotate: adminProcedure.input(ById).mutation(async ({ ctx, input }) => {
    const { clientSecret, agent } = await ctx.services.agents.rotate(ctx.request, input.id);
    return { client_id: agent.clientId, client_secret: clientSecret };
  }),

  deactivate: adminProcedure.input(ById).mutation(async ({ ctx, input }) => ({
    agent: agentJson(await ctx.services.agents.setActive(ctx.request, input.id, false)),
  })),

  activate: adminProcedure.input(ById).mutation(async ({ ctx, input }) => ({
    agent: agentJson(await ctx.services.agents.setActive(ctx.request, input.id, true)),
  })),
});
