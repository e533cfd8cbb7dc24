import type { z } from 'zod';
import { AgentListQuery, CreateAgentInput, RotateAgentInput, UpdateAgentInput } from '../schemas/agents.ts';
import { IntrospectRequest, RefreshRequest, RevokeRequest, TokenRequest } from '../schemas/oauth.ts';
import { CreateApiKeyInput, CreateOrganizationInput, CreateTeamInput, UpdateOrganizationInput, UpdateTeamInput } from '../schemas/organizations.ts';
import * as R from '../schemas/responses.ts';
import { CreateWebhookInput, DeliveryListQuery, TestWebhookInput, UpdateWebhookInput, WebhookListQuery } from '../schemas/webhooks.ts';
import { LoginInput } from '../http/rest/system.ts';
import type { OperationSpec } from './operation.ts';

/** The body of `POST /api/organizations/{org_id}/agents`: an agent whose organization is the path's. */
export const CreateOrganizationAgentInput = CreateAgentInput.omit({ organization_id: true });

/**
 * Component names of the request schemas. Every request body of the contract is one of these
 * objects, the very ones the routes validate with.
 */
export const requestSchemas = {
  TokenRequest,
  RefreshRequest,
  /** Introspection and revocation take the same parameters (RFC 7662 §2.1, RFC 7009 §2.1). */
  TokenHintRequest: IntrospectRequest,
  CreateAgentInput,
  UpdateAgentInput,
  RotateAgentInput,
  CreateOrganizationAgentInput,
  CreateOrganizationInput,
  UpdateOrganizationInput,
  CreateTeamInput,
  UpdateTeamInput,
  CreateApiKeyInput,
  CreateWebhookInput,
  UpdateWebhookInput,
  TestWebhookInput,
  LoginInput,
};

/** Component names of the response schemas. */
export const responseSchemas = {
  Error: R.ErrorResponse,
  ServiceInfo: R.ServiceInfo,
  Health: R.Health,
  Readiness: R.Readiness,
  Metrics: R.Metrics,
  Jwk: R.Jwk,
  Jwks: R.Jwks,
  ServerMetadata: R.ServerMetadata,
  TokenResponse: R.TokenResponse,
  Introspection: R.Introspection,
  Revocation: R.Revocation,
  Agent: R.Agent,
  AgentList: R.AgentList,
  AgentEnvelope: R.AgentEnvelope,
  CreatedAgent: R.CreatedAgent,
  AgentCredentials: R.AgentCredentials,
  AgentStatusChange: R.AgentStatusChange,
  Message: R.Message,
  RotationRecord: R.RotationRecord,
  AgentUsage: R.AgentUsage,
  Verification: R.Verification,
  Organization: R.Organization,
  OrganizationList: R.OrganizationList,
  Team: R.Team,
  TeamList: R.TeamList,
  ApiKey: R.ApiKey,
  ApiKeyList: R.ApiKeyList,
  CreatedApiKey: R.CreatedApiKey,
  SigningKey: R.SigningKey,
  SigningKeyList: R.SigningKeyList,
  RotatedSigningKey: R.RotatedSigningKey,
  Webhook: R.Webhook,
  WebhookList: R.WebhookList,
  WebhookEnvelope: R.WebhookEnvelope,
  CreatedWebhook: R.CreatedWebhook,
  WebhookTestResult: R.WebhookTestResult,
  WebhookDelivery: R.WebhookDelivery,
  WebhookDeliveryList: R.WebhookDeliveryList,
  WebhookDeliveryEnvelope: R.WebhookDeliveryEnvelope,
  WebhookEvents: R.WebhookEvents,
  LoginResult: R.LoginResult,
  SessionState: R.SessionState,
  OpenApiDocument: R.OpenApiDocument,
};

const ok = (schema: z.ZodType, description = 'OK') => ({ 200: { description, schema } });
const created = (schema: z.ZodType, description = 'Created') => ({ 201: { description, schema } });
const noContent = (description = 'Done; no body') => ({ 204: { description } });

const agentId = { agent_id: 'the agent\'s UUID' };
const orgId = { org_id: 'the organization\'s UUID' };
const webhookPath = { webhook_id: 'the webhook\'s UUID' };
const teamPath = { org_id: 'the organization\'s UUID', team_id: 'the team\'s UUID' };

/** Every REST and OAuth operation of the server (http/routes.ts), in the seed's order. */
export const restOperations: OperationSpec[] = [
  // ---- service
  { method: 'GET', path: '/', operationId: 'getServiceInfo', tag: 'Service', summary: 'Service name, status, version and main endpoints', auth: 'none', responses: ok(R.ServiceInfo) },
  { method: 'GET', path: '/health', operationId: 'getHealth', tag: 'Service', summary: 'Liveness check', auth: 'none', responses: ok(R.Health) },
  { method: 'GET', path: '/health/ready', operationId: 'getReadiness', tag: 'Service', summary: 'Readiness check (database reachable) with the agent count', auth: 'none', responses: ok(R.Readiness), errors: [503] },
  {
    method: 'GET', path: '/metrics', operationId: 'getMetrics', tag: 'Service', auth: 'none',
    summary: 'Token and agent counters',
    description: 'JSON by default; Prometheus text exposition for `Accept: text/plain`.',
    responses: { 200: { description: 'OK', schema: R.Metrics, prometheusText: true } },
  },
  { method: 'GET', path: '/openapi.json', operationId: 'getOpenApiDocument', tag: 'Service', summary: 'This OpenAPI 3.1 document', auth: 'none', responses: ok(R.OpenApiDocument) },

  // ---- discovery
  {
    method: 'GET', path: '/.well-known/jwks.json', operationId: 'getJwks', tag: 'Discovery', auth: 'none',
    summary: 'Public keys that verify access tokens (RFC 7517)',
    description: 'Holds the active signing key and every retired key whose tokens may still be alive.',
    responses: ok(R.Jwks),
  },
  { method: 'GET', path: '/.well-known/oauth-authorization-server', operationId: 'getServerMetadata', tag: 'Discovery', summary: 'Authorization server metadata (RFC 8414)', auth: 'none', responses: ok(R.ServerMetadata) },

  // ---- OAuth
  {
    method: 'POST', path: '/oauth/token', operationId: 'requestToken', tag: 'OAuth', auth: 'client',
    summary: 'Issue an access token (client_credentials or refresh_token grant)',
    description: 'Client credentials go in the body (client_secret_post) or in HTTP Basic (client_secret_basic), not both. `scope` narrows the agent\'s scopes (space- or comma-separated).',
    body: { schema: TokenRequest, form: true },
    responses: ok(R.TokenResponse, 'A new access token and single-use refresh token'),
  },
  {
    method: 'POST', path: '/oauth/refresh', operationId: 'refresh', tag: 'OAuth', auth: 'client',
    summary: 'Trade a refresh token for a new token pair',
    description: 'The refresh_token grant without `grant_type`. A used refresh token replayed revokes its whole family. Client credentials are optional; when given they must match.',
    body: { schema: RefreshRequest, form: true },
    responses: ok(R.TokenResponse, 'A new access token and refresh token'),
  },
  {
    method: 'POST', path: '/oauth/introspect', operationId: 'introspect', tag: 'OAuth', auth: 'none',
    summary: 'Token metadata and whether it is active (RFC 7662)',
    body: { schema: IntrospectRequest, form: true },
    responses: ok(R.Introspection),
  },
  {
    method: 'POST', path: '/oauth/revoke', operationId: 'revoke', tag: 'OAuth', auth: 'none',
    summary: 'Revoke an access or refresh token (RFC 7009)',
    description: 'Answers 200 whether or not the token was known. Revoking a refresh token also revokes its family and their access tokens.',
    body: { schema: RevokeRequest, form: true },
    responses: ok(R.Revocation),
  },

  // ---- self-service
  { method: 'GET', path: '/api/agents/me', operationId: 'getMe', tag: 'Self-service', summary: 'The calling agent', auth: 'agent', responses: ok(R.AgentEnvelope) },
  { method: 'GET', path: '/api/agents/me/usage', operationId: 'getUsage', tag: 'Self-service', summary: 'The calling agent\'s usage counters and rotation history', auth: 'agent', responses: ok(R.AgentUsage) },
  {
    method: 'POST', path: '/api/agents/me/rotate', operationId: 'rotate', tag: 'Self-service', auth: 'agent',
    summary: 'Rotate the calling agent\'s client secret',
    description: 'The old secret stops working at once; issued tokens stay valid until they expire.',
    responses: ok(R.AgentCredentials),
  },
  { method: 'POST', path: '/api/agents/me/deactivate', operationId: 'deactivate', tag: 'Self-service', summary: 'Deactivate the calling agent (no new tokens; its tokens stop working)', auth: 'agent', responses: ok(R.Message) },
  {
    method: 'POST', path: '/api/agents/me/reactivate', operationId: 'reactivate', tag: 'Self-service', auth: 'agent',
    summary: 'Reactivate the calling agent',
    description: 'The one self-service call a deactivated agent\'s unexpired, unrevoked token may still make.',
    responses: ok(R.Message),
  },
  { method: 'POST', path: '/api/agents/me/delete', operationId: 'deleteSelf', tag: 'Self-service', summary: 'Delete the calling agent permanently', auth: 'agent', responses: noContent() },
  { method: 'DELETE', path: '/api/agents/me/delete', operationId: 'deleteSelfViaDelete', aliasOf: 'deleteSelf', tag: 'Self-service', summary: 'Delete the calling agent permanently (DELETE form)', auth: 'agent', responses: noContent() },
  {
    method: 'GET', path: '/api/verify', operationId: 'verify', tag: 'Self-service', auth: 'bearer',
    summary: 'Check a Bearer credential and say who it belongs to',
    description: 'Accepts an agent\'s access token or an organization API key.',
    responses: ok(R.Verification),
  },

  // ---- agents
  {
    method: 'GET', path: '/api/agents', operationId: 'listAgents', tag: 'Agents', auth: 'admin',
    summary: 'List agents (newest first)', description: 'An organization API key sees its own organization\'s agents only.',
    query: AgentListQuery,
    responses: ok(R.AgentList),
  },
  {
    method: 'POST', path: '/api/agents', operationId: 'createAgent', tag: 'Agents', auth: 'admin',
    summary: 'Create an agent', description: 'The client secret is returned once, here.',
    body: { schema: CreateAgentInput },
    responses: created(R.CreatedAgent), errors: [404],
  },
  { method: 'GET', path: '/api/agents/{agent_id}', operationId: 'getAgent', tag: 'Agents', summary: 'One agent', auth: 'admin', pathParams: agentId, responses: ok(R.AgentEnvelope) },
  {
    method: 'PUT', path: '/api/agents/{agent_id}', operationId: 'updateAgent', tag: 'Agents', auth: 'admin',
    summary: 'Update an agent (only the fields given change)', pathParams: agentId,
    body: { schema: UpdateAgentInput, optional: true },
    responses: ok(R.AgentEnvelope),
  },
  {
    method: 'PATCH', path: '/api/agents/{agent_id}', operationId: 'patchAgent', aliasOf: 'updateAgent', tag: 'Agents', auth: 'admin',
    summary: 'Update an agent (PATCH form)', pathParams: agentId,
    body: { schema: UpdateAgentInput, optional: true },
    responses: ok(R.AgentEnvelope),
  },
  { method: 'DELETE', path: '/api/agents/{agent_id}', operationId: 'deleteAgent', tag: 'Agents', summary: 'Delete an agent and everything it issued', auth: 'admin', pathParams: agentId, responses: noContent() },
  {
    method: 'POST', path: '/api/agents/{agent_id}/rotate', operationId: 'rotateAgent', tag: 'Agents', auth: 'admin',
    summary: 'Rotate an agent\'s client secret', description: 'The new secret is returned once; the old one stops working at once.',
    pathParams: agentId, body: { schema: RotateAgentInput, optional: true },
    responses: ok(R.AgentCredentials),
  },
  {
    method: 'POST', path: '/api/agents/{agent_id}', operationId: 'rotateAgentLegacy', aliasOf: 'rotateAgent', tag: 'Agents', auth: 'admin',
    summary: 'Rotate an agent\'s client secret (the seed\'s form, body `{"action": "rotate"}`)',
    pathParams: agentId, body: { schema: RotateAgentInput, optional: true },
    responses: ok(R.AgentCredentials),
  },
  { method: 'POST', path: '/api/agents/{agent_id}/deactivate', operationId: 'deactivateAgent', tag: 'Agents', summary: 'Deactivate an agent', auth: 'admin', pathParams: agentId, responses: ok(R.AgentStatusChange) },
  { method: 'POST', path: '/api/agents/{agent_id}/activate', operationId: 'activateAgent', tag: 'Agents', summary: 'Activate an agent', auth: 'admin', pathParams: agentId, responses: ok(R.AgentStatusChange) },

  // ---- organizations
  { method: 'GET', path: '/api/organizations', operationId: 'listOrganizations', tag: 'Organizations', summary: 'List organizations', description: 'An organization API key sees its own organization only.', auth: 'admin', responses: ok(R.OrganizationList) },
  { method: 'POST', path: '/api/organizations', operationId: 'createOrganization', tag: 'Organizations', summary: 'Create an organization', auth: 'admin', body: { schema: CreateOrganizationInput }, responses: created(R.Organization), errors: [409] },
  { method: 'GET', path: '/api/organizations/{org_id}', operationId: 'getOrganization', tag: 'Organizations', summary: 'One organization', auth: 'admin', pathParams: orgId, responses: ok(R.Organization) },
  { method: 'PUT', path: '/api/organizations/{org_id}', operationId: 'updateOrganization', tag: 'Organizations', summary: 'Update an organization (only the fields given change)', auth: 'admin', pathParams: orgId, body: { schema: UpdateOrganizationInput, optional: true }, responses: ok(R.Organization), errors: [409] },
  { method: 'PATCH', path: '/api/organizations/{org_id}', operationId: 'patchOrganization', aliasOf: 'updateOrganization', tag: 'Organizations', summary: 'Update an organization (PATCH form)', auth: 'admin', pathParams: orgId, body: { schema: UpdateOrganizationInput, optional: true }, responses: ok(R.Organization), errors: [409] },
  { method: 'DELETE', path: '/api/organizations/{org_id}', operationId: 'deleteOrganization', tag: 'Organizations', summary: 'Delete an organization with its teams, agents and API keys', auth: 'admin', pathParams: orgId, responses: noContent() },
  { method: 'GET', path: '/api/organizations/{org_id}/agents', operationId: 'listOrganizationAgents', tag: 'Organizations', summary: 'List an organization\'s agents', auth: 'admin', pathParams: orgId, responses: ok(R.AgentList) },
  {
    method: 'POST', path: '/api/organizations/{org_id}/agents', operationId: 'createOrganizationAgent', tag: 'Organizations', auth: 'admin',
    summary: 'Create an agent in an organization', description: 'As `createAgent`, with the organization taken from the path.',
    pathParams: orgId, body: { schema: CreateOrganizationAgentInput }, responses: created(R.CreatedAgent),
  },

  // ---- teams
  { method: 'GET', path: '/api/organizations/{org_id}/teams', operationId: 'listTeams', tag: 'Teams', summary: 'List an organization\'s teams', auth: 'admin', pathParams: orgId, responses: ok(R.TeamList) },
  { method: 'POST', path: '/api/organizations/{org_id}/teams', operationId: 'createTeam', tag: 'Teams', summary: 'Create a team', auth: 'admin', pathParams: orgId, body: { schema: CreateTeamInput }, responses: created(R.Team), errors: [409] },
  { method: 'GET', path: '/api/organizations/{org_id}/teams/{team_id}', operationId: 'getTeam', tag: 'Teams', summary: 'One team', auth: 'admin', pathParams: teamPath, responses: ok(R.Team) },
  { method: 'PUT', path: '/api/organizations/{org_id}/teams/{team_id}', operationId: 'updateTeam', tag: 'Teams', summary: 'Update a team', auth: 'admin', pathParams: teamPath, body: { schema: UpdateTeamInput, optional: true }, responses: ok(R.Team), errors: [409] },
  { method: 'PATCH', path: '/api/organizations/{org_id}/teams/{team_id}', operationId: 'patchTeam', aliasOf: 'updateTeam', tag: 'Teams', summary: 'Update a team (PATCH form)', auth: 'admin', pathParams: teamPath, body: { schema: UpdateTeamInput, optional: true }, responses: ok(R.Team), errors: [409] },
  { method: 'DELETE', path: '/api/organizations/{org_id}/teams/{team_id}', operationId: 'deleteTeam', tag: 'Teams', summary: 'Delete a team (its agents and keys stay, without a team)', auth: 'admin', pathParams: teamPath, responses: noContent() },

  // ---- API keys
  { method: 'GET', path: '/api/organizations/{org_id}/api-keys', operationId: 'listApiKeys', tag: 'API keys', summary: 'List an organization\'s API keys', auth: 'admin', pathParams: orgId, responses: ok(R.ApiKeyList) },
  {
    method: 'POST', path: '/api/organizations/{org_id}/api-keys', operationId: 'createApiKey', tag: 'API keys', auth: 'admin',
    summary: 'Create an API key', description: 'The key is returned once, here. It administers its own organization only.',
    pathParams: orgId, body: { schema: CreateApiKeyInput }, responses: created(R.CreatedApiKey),
  },
  {
    method: 'DELETE', path: '/api/organizations/{org_id}/api-keys/{key_id}', operationId: 'revokeApiKey', tag: 'API keys', auth: 'admin',
    summary: 'Revoke an API key', pathParams: { org_id: 'the organization\'s UUID', key_id: 'the API key\'s UUID' }, responses: noContent(),
  },

  // ---- signing keys
  { method: 'GET', path: '/api/admin/keys', operationId: 'listSigningKeys', tag: 'Signing keys', summary: 'List signing keys', description: 'Server administrator only (not an API key).', auth: 'admin', responses: ok(R.SigningKeyList) },
  {
    method: 'POST', path: '/api/admin/keys/rotate', operationId: 'rotateSigningKey', tag: 'Signing keys', auth: 'admin',
    summary: 'Make a new signing key the signer',
    description: 'Server administrator only. The old key stays in JWKS until every token it signed has expired.',
    responses: ok(R.RotatedSigningKey),
  },

  // ---- webhooks
  {
    method: 'GET', path: '/api/webhooks', operationId: 'listWebhooks', tag: 'Webhooks', auth: 'admin',
    summary: 'List webhooks', description: 'An organization API key sees its own organization\'s webhooks only.',
    query: WebhookListQuery, responses: ok(R.WebhookList),
  },
  {
    method: 'POST', path: '/api/webhooks', operationId: 'createWebhook', tag: 'Webhooks', auth: 'admin',
    summary: 'Create a webhook', description: 'The signing secret is returned once, here. In production the URL must be https to a public address.',
    body: { schema: CreateWebhookInput }, responses: created(R.CreatedWebhook), errors: [404],
  },
  { method: 'GET', path: '/api/webhooks/{webhook_id}', operationId: 'getWebhook', tag: 'Webhooks', summary: 'One webhook', auth: 'admin', pathParams: webhookPath, responses: ok(R.WebhookEnvelope) },
  { method: 'PUT', path: '/api/webhooks/{webhook_id}', operationId: 'updateWebhook', tag: 'Webhooks', summary: 'Update a webhook (only the fields given change)', auth: 'admin', pathParams: webhookPath, body: { schema: UpdateWebhookInput, optional: true }, responses: ok(R.WebhookEnvelope) },
  { method: 'PATCH', path: '/api/webhooks/{webhook_id}', operationId: 'patchWebhook', aliasOf: 'updateWebhook', tag: 'Webhooks', summary: 'Update a webhook (PATCH form)', auth: 'admin', pathParams: webhookPath, body: { schema: UpdateWebhookInput, optional: true }, responses: ok(R.WebhookEnvelope) },
  { method: 'DELETE', path: '/api/webhooks/{webhook_id}', operationId: 'deleteWebhook', tag: 'Webhooks', summary: 'Delete a webhook and its delivery history', auth: 'admin', pathParams: webhookPath, responses: noContent() },
  {
    method: 'POST', path: '/api/webhooks/{webhook_id}/test', operationId: 'testWebhook', tag: 'Webhooks', auth: 'admin',
    summary: 'Send a signed test event now and report how the receiver answered',
    pathParams: webhookPath, body: { schema: TestWebhookInput, optional: true }, responses: ok(R.WebhookTestResult),
  },
  {
    method: 'GET', path: '/api/webhooks/{webhook_id}/deliveries', operationId: 'listWebhookDeliveries', tag: 'Webhooks', auth: 'admin',
    summary: 'A webhook\'s deliveries, newest first, a page at a time', pathParams: webhookPath,
    query: DeliveryListQuery, responses: ok(R.WebhookDeliveryList),
  },
  {
    method: 'GET', path: '/api/webhooks/{webhook_id}/deliveries/{delivery_id}', operationId: 'getWebhookDelivery', tag: 'Webhooks', auth: 'admin',
    summary: 'One delivery', pathParams: { ...webhookPath, delivery_id: 'the delivery\'s UUID' }, responses: ok(R.WebhookDeliveryEnvelope),
  },
  { method: 'GET', path: '/api/webhook-events', operationId: 'listWebhookEvents', tag: 'Webhooks', summary: 'The event types a webhook can subscribe to', auth: 'admin', responses: ok(R.WebhookEvents) },

  // ---- dashboard session (cookie + CSRF header; for the dashboard, not the SDKs)
  {
    method: 'POST', path: '/api/auth/login', operationId: 'login', tag: 'Dashboard session', auth: 'none', internal: true,
    summary: 'Log the dashboard in', description: 'Sets the `machineauth_session` cookie; unsafe requests with it must send the returned CSRF token in `X-CSRF-Token`.',
    body: { schema: LoginInput }, responses: ok(R.LoginResult), errors: [401],
  },
  { method: 'GET', path: '/api/auth/session', operationId: 'getSession', tag: 'Dashboard session', summary: 'The dashboard session behind the cookie, if any', auth: 'none', internal: true, responses: ok(R.SessionState) },
  { method: 'POST', path: '/api/auth/logout', operationId: 'logout', tag: 'Dashboard session', summary: 'End the dashboard session', auth: 'none', internal: true, responses: ok(R.SessionState) },
];
