import { AgentListQuery, CreateAgentInput, RotateAgentInput, UpdateAgentInput } from '../../schemas/agents.ts';
import { EmptyBody } from '../../schemas/common.ts';
import { agentJson } from '../../wire.ts';
import { parseWith } from '../body.ts';
import { json, noContent, type Call, type Route } from '../route.ts';

const rotate = async (call: Call) => {
  await call.input(RotateAgentInput);
  const { clientSecret, agent } = await call.services.agents.rotate(call.ctx, call.params.id);
  return json(200, { client_id: agent.clientId, client_secret: clientSecret });
};

/** Agent administration (seed 003 "Agents"). */
export const agentRoutes: Route[] = [
  {
    method: 'GET',
    path: '/api/agents',
    auth: 'admin',
    async handler(call) {
      const q = parseWith(AgentListQuery, Object.fromEntries(call.query));
      const { agents, total } = await call.services.agents.list(call.ctx, {
        organizationId: q.organization_id, isActive: q.is_active, search: q.search, limit: q.limit, offset: q.offset,
      });
      return json(200, { agents: agents.map(agentJson), total });
    },
  },
  {
    method: 'POST',
    path: '/api/agents',
    auth: 'admin',
    async handler(call) {
      const input = await call.input(CreateAgentInput);
      const { agent, clientSecret } = await call.services.agents.create(call.ctx, input);
      return json(201, { agent: agentJson(agent), client_id: agent.clientId, client_secret: clientSecret });
    },
  },
  {
    method: 'GET',
    path: '/api/agents/:id',
    auth: 'admin',
    async handler(call) {
      return json(200, { agent: agentJson(await call.services.agents.getForCaller(call.ctx, call.params.id)) });
    },
  },
  {
    method: ['PUT', 'PATCH'],
    path: '/api/agents/:id',
    auth: 'admin',
    async handler(call) {
      const input = await call.input(UpdateAgentInput);
      return json(200, { agent: agentJson(await call.services.agents.update(call.ctx, call.params.id, input)) });
    },
  },
  {
    method: 'DELETE',
    path: '/api/agents/:id',
    auth: 'admin',
    async handler(call) {
      await call.input(EmptyBody);
      await call.services.agents.remove(call.ctx, call.params.id);
      return noContent();
    },
  },
  // The seed serves rotation at both paths.
  { method: 'POST', path: '/api/agents/:id', auth: 'admin', handler: rotate },
  { method: 'POST', path: '/api/agents/:id/rotate', auth: 'admin', handler: rotate },
  {
    method: 'POST',
    path: '/api/agents/:id/deactivate',
    auth: 'admin',
    async handler(call) {
      await call.input(EmptyBody);
      const agent = await call.services.agents.setActive(call.ctx, call.params.id, false);
      return json(200, { message: 'agent deactivated successfully', agent: agentJson(agent) });
    },
  },
  {
    method: 'POST',
    path: '/api/agents/:id/activate',
    auth: 'admin',
    async handler(call) {
      await call.input(EmptyBody);
      const agent = await call.services.agents.setActive(call.ctx, call.params.id, true);
      return json(200, { message: 'agent activated successfully', agent: agentJson(agent) });
    },
  },
];
