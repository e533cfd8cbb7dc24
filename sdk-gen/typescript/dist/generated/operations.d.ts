import { type OperationRequest } from '../http.ts';
import type * as T from './types.ts';
/** Every operation of the MachineAuth REST contract 1.0.0, one method each. */
export declare abstract class MachineAuthOperations {
    /** Sends one operation with the credentials its `auth` asks for. */
    protected abstract send<R>(request: OperationRequest): Promise<R>;
    /**
     * Service name, status, version and main endpoints
     *
     * `GET /` · auth: none
     */
    getServiceInfo(): Promise<T.ServiceInfo>;
    /**
     * Liveness check
     *
     * `GET /health` · auth: none
     */
    getHealth(): Promise<T.Health>;
    /**
     * Readiness check (database reachable) with the agent count
     *
     * `GET /health/ready` · auth: none
     */
    getReadiness(): Promise<T.Readiness>;
    /**
     * Token and agent counters
     *
     * JSON by default; Prometheus text exposition for `Accept: text/plain`.
     *
     * `GET /metrics` · auth: none
     */
    getMetrics(): Promise<T.Metrics>;
    /**
     * This OpenAPI 3.1 document
     *
     * `GET /openapi.json` · auth: none
     */
    getOpenApiDocument(): Promise<T.OpenApiDocument>;
    /**
     * Public keys that verify access tokens (RFC 7517)
     *
     * Holds the active signing key and every retired key whose tokens may still be alive.
     *
     * `GET /.well-known/jwks.json` · auth: none
     */
    getJwks(): Promise<T.Jwks>;
    /**
     * Authorization server metadata (RFC 8414)
     *
     * `GET /.well-known/oauth-authorization-server` · auth: none
     */
    getServerMetadata(): Promise<T.ServerMetadata>;
    /**
     * Issue an access token (client_credentials or refresh_token grant)
     *
     * Client credentials go in the body (client_secret_post) or in HTTP Basic (client_secret_basic), not both. `scope` narrows the agent's scopes (space- or comma-separated).
     *
     * `POST /oauth/token` · auth: client
     */
    requestToken(body: T.TokenRequest): Promise<T.TokenResponse>;
    /**
     * Trade a refresh token for a new token pair
     *
     * The refresh_token grant without `grant_type`. A used refresh token replayed revokes its whole family. Client credentials are optional; when given they must match.
     *
     * `POST /oauth/refresh` · auth: client
     */
    refresh(body: T.RefreshRequest): Promise<T.TokenResponse>;
    /**
     * Token metadata and whether it is active (RFC 7662)
     *
     * `POST /oauth/introspect` · auth: none
     */
    introspect(body: T.TokenHintRequest): Promise<T.Introspection>;
    /**
     * Revoke an access or refresh token (RFC 7009)
     *
     * Answers 200 whether or not the token was known. Revoking a refresh token also revokes its family and their access tokens.
     *
     * `POST /oauth/revoke` · auth: none
     */
    revoke(body: T.TokenHintRequest): Promise<T.Revocation>;
    /**
     * The calling agent
     *
     * `GET /api/agents/me` · auth: agent
     */
    getMe(): Promise<T.AgentEnvelope>;
    /**
     * The calling agent's usage counters and rotation history
     *
     * `GET /api/agents/me/usage` · auth: agent
     */
    getUsage(): Promise<T.AgentUsage>;
    /**
     * Rotate the calling agent's client secret
     *
     * The old secret stops working at once; issued tokens stay valid until they expire.
     *
     * `POST /api/agents/me/rotate` · auth: agent
     */
    rotate(): Promise<T.AgentCredentials>;
    /**
     * Deactivate the calling agent (no new tokens; its tokens stop working)
     *
     * `POST /api/agents/me/deactivate` · auth: agent
     */
    deactivate(): Promise<T.Message>;
    /**
     * Reactivate the calling agent
     *
     * The one self-service call a deactivated agent's unexpired, unrevoked token may still make.
     *
     * `POST /api/agents/me/reactivate` · auth: agent
     */
    reactivate(): Promise<T.Message>;
    /**
     * Delete the calling agent permanently
     *
     * `POST /api/agents/me/delete` · auth: agent
     */
    deleteSelf(): Promise<void>;
    /**
     * Check a Bearer credential and say who it belongs to
     *
     * Accepts an agent's access token or an organization API key.
     *
     * `GET /api/verify` · auth: bearer
     */
    verify(): Promise<T.Verification>;
    /**
     * List agents (newest first)
     *
     * An organization API key sees its own organization's agents only.
     *
     * `GET /api/agents` · auth: admin
     */
    listAgents(query?: T.ListAgentsQuery): Promise<T.AgentList>;
    /**
     * Create an agent
     *
     * The client secret is returned once, here.
     *
     * `POST /api/agents` · auth: admin
     */
    createAgent(body: T.CreateAgentInput): Promise<T.CreatedAgent>;
    /**
     * One agent
     *
     * `GET /api/agents/{agent_id}` · auth: admin
     *
     * @param agentId the agent's UUID
     */
    getAgent(agentId: string): Promise<T.AgentEnvelope>;
    /**
     * Update an agent (only the fields given change)
     *
     * `PUT /api/agents/{agent_id}` · auth: admin
     *
     * @param agentId the agent's UUID
     */
    updateAgent(agentId: string, body?: T.UpdateAgentInput): Promise<T.AgentEnvelope>;
    /**
     * Delete an agent and everything it issued
     *
     * `DELETE /api/agents/{agent_id}` · auth: admin
     *
     * @param agentId the agent's UUID
     */
    deleteAgent(agentId: string): Promise<void>;
    /**
     * Rotate an agent's client secret
     *
     * The new secret is returned once; the old one stops working at once.
     *
     * `POST /api/agents/{agent_id}/rotate` · auth: admin
     *
     * @param agentId the agent's UUID
     */
    rotateAgent(agentId: string, body?: T.RotateAgentInput): Promise<T.AgentCredentials>;
    /**
     * Deactivate an agent
     *
     * `POST /api/agents/{agent_id}/deactivate` · auth: admin
     *
     * @param agentId the agent's UUID
     */
    deactivateAgent(agentId: string): Promise<T.AgentStatusChange>;
    /**
     * Activate an agent
     *
     * `POST /api/agents/{agent_id}/activate` · auth: admin
     *
     * @param agentId the agent's UUID
     */
    activateAgent(agentId: string): Promise<T.AgentStatusChange>;
    /**
     * List organizations
     *
     * An organization API key sees its own organization only.
     *
     * `GET /api/organizations` · auth: admin
     */
    listOrganizations(): Promise<T.OrganizationList>;
    /**
     * Create an organization
     *
     * `POST /api/organizations` · auth: admin
     */
    createOrganization(body: T.CreateOrganizationInput): Promise<T.Organization>;
    /**
     * One organization
     *
     * `GET /api/organizations/{org_id}` · auth: admin
     *
     * @param orgId the organization's UUID
     */
    getOrganization(orgId: string): Promise<T.Organization>;
    /**
     * Update an organization (only the fields given change)
     *
     * `PUT /api/organizations/{org_id}` · auth: admin
     *
     * @param orgId the organization's UUID
     */
    updateOrganization(orgId: string, body?: T.UpdateOrganizationInput): Promise<T.Organization>;
    /**
     * Delete an organization with its teams, agents and API keys
     *
     * `DELETE /api/organizations/{org_id}` · auth: admin
     *
     * @param orgId the organization's UUID
     */
    deleteOrganization(orgId: string): Promise<void>;
    /**
     * List an organization's agents
     *
     * `GET /api/organizations/{org_id}/agents` · auth: admin
     *
     * @param orgId the organization's UUID
     */
    listOrganizationAgents(orgId: string): Promise<T.AgentList>;
    /**
     * Create an agent in an organization
     *
     * As `createAgent`, with the organization taken from the path.
     *
     * `POST /api/organizations/{org_id}/agents` · auth: admin
     *
     * @param orgId the organization's UUID
     */
    createOrganizationAgent(orgId: string, body: T.CreateOrganizationAgentInput): Promise<T.CreatedAgent>;
    /**
     * List an organization's teams
     *
     * `GET /api/organizations/{org_id}/teams` · auth: admin
     *
     * @param orgId the organization's UUID
     */
    listTeams(orgId: string): Promise<T.TeamList>;
    /**
     * Create a team
     *
     * `POST /api/organizations/{org_id}/teams` · auth: admin
     *
     * @param orgId the organization's UUID
     */
    createTeam(orgId: string, body: T.CreateTeamInput): Promise<T.Team>;
    /**
     * One team
     *
     * `GET /api/organizations/{org_id}/teams/{team_id}` · auth: admin
     *
     * @param orgId the organization's UUID
     *
     * @param teamId the team's UUID
     */
    getTeam(orgId: string, teamId: string): Promise<T.Team>;
    /**
     * Update a team
     *
     * `PUT /api/organizations/{org_id}/teams/{team_id}` · auth: admin
     *
     * @param orgId the organization's UUID
     *
     * @param teamId the team's UUID
     */
    updateTeam(orgId: string, teamId: string, body?: T.UpdateTeamInput): Promise<T.Team>;
    /**
     * Delete a team (its agents and keys stay, without a team)
     *
     * `DELETE /api/organizations/{org_id}/teams/{team_id}` · auth: admin
     *
     * @param orgId the organization's UUID
     *
     * @param teamId the team's UUID
     */
    deleteTeam(orgId: string, teamId: string): Promise<void>;
    /**
     * List an organization's API keys
     *
     * `GET /api/organizations/{org_id}/api-keys` · auth: admin
     *
     * @param orgId the organization's UUID
     */
    listApiKeys(orgId: string): Promise<T.ApiKeyList>;
    /**
     * Create an API key
     *
     * The key is returned once, here. It administers its own organization only.
     *
     * `POST /api/organizations/{org_id}/api-keys` · auth: admin
     *
     * @param orgId the organization's UUID
     */
    createApiKey(orgId: string, body: T.CreateApiKeyInput): Promise<T.CreatedApiKey>;
    /**
     * Revoke an API key
     *
     * `DELETE /api/organizations/{org_id}/api-keys/{key_id}` · auth: admin
     *
     * @param orgId the organization's UUID
     *
     * @param keyId the API key's UUID
     */
    revokeApiKey(orgId: string, keyId: string): Promise<void>;
    /**
     * List signing keys
     *
     * Server administrator only (not an API key).
     *
     * `GET /api/admin/keys` · auth: admin
     */
    listSigningKeys(): Promise<T.SigningKeyList>;
    /**
     * Make a new signing key the signer
     *
     * Server administrator only. The old key stays in JWKS until every token it signed has expired.
     *
     * `POST /api/admin/keys/rotate` · auth: admin
     */
    rotateSigningKey(): Promise<T.RotatedSigningKey>;
    /**
     * List webhooks
     *
     * An organization API key sees its own organization's webhooks only.
     *
     * `GET /api/webhooks` · auth: admin
     */
    listWebhooks(query?: T.ListWebhooksQuery): Promise<T.WebhookList>;
    /**
     * Create a webhook
     *
     * The signing secret is returned once, here. In production the URL must be https to a public address.
     *
     * `POST /api/webhooks` · auth: admin
     */
    createWebhook(body: T.CreateWebhookInput): Promise<T.CreatedWebhook>;
    /**
     * One webhook
     *
     * `GET /api/webhooks/{webhook_id}` · auth: admin
     *
     * @param webhookId the webhook's UUID
     */
    getWebhook(webhookId: string): Promise<T.WebhookEnvelope>;
    /**
     * Update a webhook (only the fields given change)
     *
     * `PUT /api/webhooks/{webhook_id}` · auth: admin
     *
     * @param webhookId the webhook's UUID
     */
    updateWebhook(webhookId: string, body?: T.UpdateWebhookInput): Promise<T.WebhookEnvelope>;
    /**
     * Delete a webhook and its delivery history
     *
     * `DELETE /api/webhooks/{webhook_id}` · auth: admin
     *
     * @param webhookId the webhook's UUID
     */
    deleteWebhook(webhookId: string): Promise<void>;
    /**
     * Send a signed test event now and report how the receiver answered
     *
     * `POST /api/webhooks/{webhook_id}/test` · auth: admin
     *
     * @param webhookId the webhook's UUID
     */
    testWebhook(webhookId: string, body?: T.TestWebhookInput): Promise<T.WebhookTestResult>;
    /**
     * A webhook's deliveries, newest first, a page at a time
     *
     * `GET /api/webhooks/{webhook_id}/deliveries` · auth: admin
     *
     * @param webhookId the webhook's UUID
     */
    listWebhookDeliveries(webhookId: string, query?: T.ListWebhookDeliveriesQuery): Promise<T.WebhookDeliveryList>;
    /**
     * One delivery
     *
     * `GET /api/webhooks/{webhook_id}/deliveries/{delivery_id}` · auth: admin
     *
     * @param webhookId the webhook's UUID
     *
     * @param deliveryId the delivery's UUID
     */
    getWebhookDelivery(webhookId: string, deliveryId: string): Promise<T.WebhookDeliveryEnvelope>;
    /**
     * The event types a webhook can subscribe to
     *
     * `GET /api/webhook-events` · auth: admin
     */
    listWebhookEvents(): Promise<T.WebhookEvents>;
}
/** How each operation authenticates, by operationId. */
export declare const OPERATION_AUTH: {
    readonly getServiceInfo: 'none';
    readonly getHealth: 'none';
    readonly getReadiness: 'none';
    readonly getMetrics: 'none';
    readonly getOpenApiDocument: 'none';
    readonly getJwks: 'none';
    readonly getServerMetadata: 'none';
    readonly requestToken: 'client';
    readonly refresh: 'client';
    readonly introspect: 'none';
    readonly revoke: 'none';
    readonly getMe: 'agent';
    readonly getUsage: 'agent';
    readonly rotate: 'agent';
    readonly deactivate: 'agent';
    readonly reactivate: 'agent';
    readonly deleteSelf: 'agent';
    readonly verify: 'bearer';
    readonly listAgents: 'admin';
    readonly createAgent: 'admin';
    readonly getAgent: 'admin';
    readonly updateAgent: 'admin';
    readonly deleteAgent: 'admin';
    readonly rotateAgent: 'admin';
    readonly deactivateAgent: 'admin';
    readonly activateAgent: 'admin';
    readonly listOrganizations: 'admin';
    readonly createOrganization: 'admin';
    readonly getOrganization: 'admin';
    readonly updateOrganization: 'admin';
    readonly deleteOrganization: 'admin';
    readonly listOrganizationAgents: 'admin';
    readonly createOrganizationAgent: 'admin';
    readonly listTeams: 'admin';
    readonly createTeam: 'admin';
    readonly getTeam: 'admin';
    readonly updateTeam: 'admin';
    readonly deleteTeam: 'admin';
    readonly listApiKeys: 'admin';
    readonly createApiKey: 'admin';
    readonly revokeApiKey: 'admin';
    readonly listSigningKeys: 'admin';
    readonly rotateSigningKey: 'admin';
    readonly listWebhooks: 'admin';
    readonly createWebhook: 'admin';
    readonly getWebhook: 'admin';
    readonly updateWebhook: 'admin';
    readonly deleteWebhook: 'admin';
    readonly testWebhook: 'admin';
    readonly listWebhookDeliveries: 'admin';
    readonly getWebhookDelivery: 'admin';
    readonly listWebhookEvents: 'admin';
};
