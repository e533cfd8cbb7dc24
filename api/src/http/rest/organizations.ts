import { CreateAgentInput } from '../../schemas/agents.ts';
import { CreateApiKeyInput, CreateOrganizationInput, CreateTeamInput, UpdateOrganizationInput, UpdateTeamInput } from '../../schemas/organizations.ts';
import { agentJson, apiKeyJson, organizationJson, teamJson } from '../../wire.ts';
import { json, noContent, type Route } from '../route.ts';

/** Organizations, their teams, agents and API keys (seed 003 "Organizations"). */
export const organizationRoutes: Route[] = [
  {
    method: 'GET',
    path: '/api/organizations',
    auth: 'admin',
    async handler(call) {
      return json(200, { organizations: (await call.services.organizations.list(call.ctx)).map(organizationJson) });
    },
  },
  {
    method: 'POST',
    path: '/api/organizations',
    auth: 'admin',
    async handler(call) {
      const input = await call.input(CreateOrganizationInput);
      return json(201, organizationJson(await call.services.organizations.create(call.ctx, input)));
    },
  },
  {
    method: 'GET',
    path: '/api/organizations/:id',
    auth: 'admin',
    async handler(call) {
      return json(200, organizationJson(await call.services.organizations.get(call.ctx, call.params.id)));
    },
  },
  {
    method: ['PUT', 'PATCH'],
    path: '/api/organizations/:id',
    auth: 'admin',
    async handler(call) {
      const input = await call.input(UpdateOrganizationInput);
      return json(200, organizationJson(await call.services.organizations.update(call.ctx, call.params.id, input)));
    },
  },
  {
    method: 'DELETE',
    path: '/api/organizations/:id',
    auth: 'admin',
    async handler(call) {
      await call.services.organizations.remove(call.ctx, call.params.id);
      return noContent();
    },
  },
  {
    method: 'GET',
    path: '/api/organizations/:id/teams',
    auth: 'admin',
    async handler(call) {
      return json(200, { teams: (await call.services.organizations.listTeams(call.ctx, call.params.id)).map(teamJson) });
    },
  },
  {
    method: 'POST',
    path: '/api/organizations/:id/teams',
    auth: 'admin',
    async handler(call) {
      const input = await call.input(CreateTeamInput);
      return json(201, teamJson(await call.services.organizations.createTeam(call.ctx, call.params.id, input)));
    },
  },
  {
    method: 'GET',
    path: '/api/organizations/:id/teams/:teamId',
    auth: 'admin',
    async handler(call) {
      return json(200, teamJson(await call.services.organizations.getTeam(call.ctx, call.params.id, call.params.teamId)));
    },
  },
  {
    method: ['PUT', 'PATCH'],
    path: '/api/organizations/:id/teams/:teamId',
    auth: 'admin',
    async handler(call) {
      const input = await call.input(UpdateTeamInput);
      return json(200, teamJson(await call.services.organizations.updateTeam(call.ctx, call.params.id, call.params.teamId, input)));
    },
  },
  {
    method: 'DELETE',
    path: '/api/organizations/:id/teams/:teamId',
    auth: 'admin',
    async handler(call) {
      await call.services.organizations.removeTeam(call.ctx, call.params.id, call.params.teamId);
      return noContent();
    },
  },
  {
    method: 'GET',
    path: '/api/organizations/:id/agents',
    auth: 'admin',
    async handler(call) {
      await call.services.organizations.get(call.ctx, call.params.id);
      const { agents, total } = await call.services.agents.list(call.ctx, { organizationId: call.params.id });
      return json(200, { agents: agents.map(agentJson), total });
    },
  },
  {
    method: 'POST',
    path: '/api/organizations/:id/agents',
    auth: 'admin',
    async handler(call) {
      const org = await call.services.organizations.get(call.ctx, call.params.id);
      const input = await call.input(CreateAgentInput.omit({ organization_id: true }));
      const { agent, clientSecret } = await call.services.agents.create(call.ctx, { ...input, organization_id: org.id });
      return json(201, { agent: agentJson(agent), client_id: agent.clientId, client_secret: clientSecret });
    },
  },
  {
    method: 'GET',
    path: '/api/organizations/:id/api-keys',
    auth: 'admin',
    async handler(call) {
      return json(200, { api_keys: (await call.services.apiKeys.list(call.ctx, call.params.id)).map(apiKeyJson) });
    },
  },
  {
    method: 'POST',
    path: '/api/organizations/:id/api-keys',
    auth: 'admin',
    async handler(call) {
      const input = await call.input(CreateApiKeyInput);
      const { apiKey, key } = await call.services.apiKeys.create(call.ctx, call.params.id, input);
      return json(201, { api_key: apiKeyJson(apiKey), key });
    },
  },
  {
    method: 'DELETE',
    path: '/api/organizations/:id/api-keys/:keyId',
    auth: 'admin',
    async handler(call) {
      await call.services.apiKeys.revoke(call.ctx, call.params.id, call.params.keyId);
      return noContent();
    },
  },
];
