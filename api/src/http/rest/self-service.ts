import { InvalidToken } from '../../errors.ts';
import { EmptyBody } from '../../schemas/common.ts';
import { agentJson, iso } from '../../wire.ts';
import { json, noContent, type Call, type Route } from '../route.ts';

const me = (call: Call) => call.agent!.agent.id;

const deleteSelf = async (call: Call) => {
  await call.input(EmptyBody);
  await call.services.agents.remove(call.ctx, me(call));
  return noContent();
};

/** An agent managing itself with its own access token (seed 003 "Agent self-service"). */
export const selfServiceRoutes: Route[] = [
  {
    method: 'GET',
    path: '/api/agents/me',
    auth: 'agent',
    async handler(call) {
      return json(200, { agent: agentJson(await call.services.agents.getForCaller(call.ctx, me(call))) });
    },
  },
  {
    method: 'GET',
    path: '/api/agents/me/usage',
    auth: 'agent',
    async handler(call) {
      const agent = await call.services.agents.getForCaller(call.ctx, me(call));
      const rotations = await call.services.agents.rotationHistory(call.ctx, agent.id);
      return json(200, {
        agent: agentJson(agent),
        organization_id: agent.organizationId ?? '',
        team_id: agent.teamId,
        token_count: agent.tokenCount,
        refresh_count: agent.refreshCount,
        last_activity_at: iso(agent.lastActivityAt),
        last_token_issued_at: iso(agent.lastTokenIssuedAt),
        rotation_history: rotations.map((r) => ({ rotated_at: r.rotatedAt.toISOString(), rotated_by_ip: r.rotatedByIp })),
      });
    },
  },
  {
    method: 'POST',
    path: '/api/agents/me/rotate',
    auth: 'agent',
    async handler(call) {
      await call.input(EmptyBody);
      const { clientSecret, agent } = await call.services.agents.rotate(call.ctx, me(call));
      return json(200, { client_id: agent.clientId, client_secret: clientSecret });
    },
  },
  {
    method: 'POST',
    path: '/api/agents/me/deactivate',
    auth: 'agent',
    async handler(call) {
      await call.input(EmptyBody);
      await call.services.agents.setActive(call.ctx, me(call), false);
      return json(200, { message: 'agent deactivated successfully' });
    },
  },
  {
    // The one self-service call a deactivated agent's (still unrevoked, unexpired) token may make.
    method: 'POST',
    path: '/api/agents/me/reactivate',
    auth: 'agent-any',
    async handler(call) {
      await call.input(EmptyBody);
      await call.services.agents.setActive(call.ctx, me(call), true);
      return json(200, { message: 'agent reactivated successfully' });
    },
  },
  { method: ['POST', 'DELETE'], path: '/api/agents/me/delete', auth: 'agent', handler: deleteSelf },
  {
    method: 'GET',
    path: '/api/verify',
    auth: 'bearer',
    async handler(call) {
      const p = call.ctx.principal;
      if (p.kind === 'api_key') {
        return json(200, { valid: true, type: 'api_key', api_key_id: p.apiKeyId, organization_id: p.organizationId, team_id: p.teamId });
      }
      const authenticated = call.agent;
      if (!authenticated) throw new InvalidToken();
      const { agent, claims } = authenticated;
      return json(200, {
        valid: true,
        type: 'access_token',
        agent_id: agent.id,
        client_id: agent.clientId,
        name: agent.name,
        scopes: claims.scope,
        is_active: agent.isActive,
        token_count: agent.tokenCount,
        organization_id: agent.organizationId ?? '',
        team_id: agent.teamId,
        expires_at: claims.exp,
      });
    },
  },
];
