import { z } from 'zod';
import { WEBHOOK_EVENTS } from '../services/events.ts';
import { DELIVERY_STATUSES } from './webhooks.ts';

/**
 * Response bodies of the REST contract (the JSON shapes of seed 003, as api/src/wire.ts builds
 * them). The OpenAPI document publishes them and the SDKs are generated from them; the contract
 * tests hold every live response to them, field for field.
 */

const timestamp = z.iso.datetime().describe('ISO 8601 timestamp (UTC)');
const nullableTimestamp = timestamp.nullable();
const id = z.uuid();
/** The seed's "no organization" is an empty string, not null. */
const organizationRef = z.string().describe('organization UUID, or "" when the resource belongs to no organization');

/** Every `error` code the server answers with (errors.ts). */
export const ERROR_CODES = [
  'invalid_request',
  'invalid_client',
  'invalid_grant',
  'invalid_scope',
  'unsupported_grant_type',
  'unsupported_token_type',
  'invalid_token',
  'unauthorized',
  'forbidden',
  'not_found',
  'method_not_allowed',
  'conflict',
  'server_error',
  'temporarily_unavailable',
] as const;

export const ErrorResponse = z.object({
  error: z.enum(ERROR_CODES).describe('RFC 6749-style error code'),
  error_description: z.string().describe('human-readable explanation'),
}).describe('Every 4xx/5xx JSON body (RFC 6749 §5.2 shape)');

// ---- service ---------------------------------------------------------------------------------

export const ServiceInfo = z.object({ service: z.string(), status: z.string(), version: z.string(), endpoints: z.string() });
export const Health = z.object({ status: z.literal('ok') });
export const Readiness = z.object({ status: z.literal('ok'), timestamp, agents_count: z.int() });
export const Metrics = z.object({
  requests: z.int().describe('requests served by the answering instance since it started'),
  tokens_issued: z.int(),
  tokens_refreshed: z.int(),
  tokens_revoked: z.int(),
  active_tokens: z.int(),
  total_agents: z.int(),
  active_agents: z.int(),
});

// ---- discovery -------------------------------------------------------------------------------

export const Jwk = z.object({
  kty: z.string(),
  kid: z.string(),
  use: z.string(),
  alg: z.string(),
  n: z.string().optional().describe('RSA modulus'),
  e: z.string().optional().describe('RSA exponent'),
  crv: z.string().optional().describe('curve (EC, OKP)'),
  x: z.string().optional(),
  y: z.string().optional(),
}).describe('A public signing key (RFC 7517)');
export const Jwks = z.object({ keys: z.array(Jwk) });

export const ServerMetadata = z.object({
  issuer: z.string(),
  token_endpoint: z.string(),
  jwks_uri: z.string(),
  introspection_endpoint: z.string(),
  revocation_endpoint: z.string(),
  grant_types_supported: z.array(z.string()),
  token_endpoint_auth_methods_supported: z.array(z.string()),
  introspection_endpoint_auth_methods_supported: z.array(z.string()),
  revocation_endpoint_auth_methods_supported: z.array(z.string()),
  response_types_supported: z.array(z.string()),
  token_endpoint_auth_signing_alg_values_supported: z.array(z.string()),
}).describe('RFC 8414 authorization server metadata');

// ---- OAuth -----------------------------------------------------------------------------------

export const TokenResponse = z.object({
  access_token: z.string().describe('signed JWT'),
  token_type: z.literal('Bearer'),
  expires_in: z.int().describe('lifetime of the access token, seconds'),
  scope: z.string().describe('granted scopes, space-separated'),
  issued_at: z.int().describe('Unix time of issue'),
  refresh_token: z.string().describe('single-use refresh token'),
}).describe('RFC 6749 §5.1 token response');

export const Introspection = z.object({
  active: z.boolean(),
  scope: z.string().optional(),
  client_id: z.string().optional(),
  username: z.string().optional().describe('the agent\'s name'),
  token_type: z.string().optional().describe('"Bearer" for access tokens, "refresh_token" for refresh tokens'),
  exp: z.int().optional(),
  iat: z.int().optional(),
  nbf: z.int().optional(),
  sub: z.string().optional(),
  aud: z.string().optional(),
  iss: z.string().optional(),
  jti: z.string().optional(),
  agent_id: z.string().optional(),
  org_id: z.string().optional(),
  team_id: z.string().optional(),
  revoked: z.boolean().optional(),
  reason: z.string().optional().describe('why an inactive token is inactive: revoked, expired, agent_inactive, agent_expired, or "" when unknown'),
}).describe('RFC 7662 introspection response; only `active` is present for every token');

export const Revocation = z.object({ status: z.literal('revoked') });

// ---- agents ----------------------------------------------------------------------------------

export const Agent = z.object({
  id,
  organization_id: organizationRef,
  team_id: id.nullable(),
  name: z.string(),
  client_id: z.string(),
  scopes: z.array(z.string()),
  public_key: z.string().nullable(),
  is_active: z.boolean(),
  created_at: timestamp,
  updated_at: timestamp,
  expires_at: nullableTimestamp,
  token_count: z.int(),
  refresh_count: z.int(),
  last_activity_at: nullableTimestamp,
  last_token_issued_at: nullableTimestamp,
});
export const AgentList = z.object({ agents: z.array(Agent), total: z.int().describe('matching agents before limit/offset') });
export const AgentEnvelope = z.object({ agent: Agent });
export const CreatedAgent = z.object({
  agent: Agent,
  client_id: z.string(),
  client_secret: z.string().describe('shown only once'),
});
export const AgentCredentials = z.object({ client_id: z.string(), client_secret: z.string().describe('the new secret, shown only once') });
export const AgentStatusChange = z.object({ message: z.string(), agent: Agent });
export const Message = z.object({ message: z.string() });

export const RotationRecord = z.object({ rotated_at: timestamp, rotated_by_ip: z.string() });
export const AgentUsage = z.object({
  agent: Agent,
  organization_id: organizationRef,
  team_id: id.nullable(),
  token_count: z.int(),
  refresh_count: z.int(),
  last_activity_at: nullableTimestamp,
  last_token_issued_at: nullableTimestamp,
  rotation_history: z.array(RotationRecord),
});

export const Verification = z.object({
  valid: z.literal(true),
  type: z.enum(['access_token', 'api_key']),
  organization_id: organizationRef,
  team_id: z.string().nullable(),
  agent_id: z.string().optional().describe('access tokens only'),
  client_id: z.string().optional().describe('access tokens only'),
  name: z.string().optional().describe('access tokens only'),
  scopes: z.array(z.string()).optional().describe('access tokens only'),
  is_active: z.boolean().optional().describe('access tokens only'),
  token_count: z.int().optional().describe('access tokens only'),
  expires_at: z.int().optional().describe('access tokens only: Unix time the token expires'),
  api_key_id: z.string().optional().describe('API keys only'),
}).describe('The caller behind a Bearer credential: an agent\'s access token or an organization API key');

// ---- organizations ---------------------------------------------------------------------------

export const Organization = z.object({
  id,
  name: z.string(),
  slug: z.string(),
  owner_email: z.string(),
  jwt_issuer: z.string().describe('"" uses the server\'s JWT_ISSUER'),
  jwt_expiry_secs: z.int().describe('0 uses the server\'s access-token lifetime'),
  allowed_origins: z.string().describe('CORS origins, comma-separated'),
  plan: z.string(),
  created_at: timestamp,
  updated_at: timestamp,
});
export const OrganizationList = z.object({ organizations: z.array(Organization) });

export const Team = z.object({
  id,
  organization_id: id,
  name: z.string(),
  description: z.string(),
  created_at: timestamp,
  updated_at: timestamp,
});
export const TeamList = z.object({ teams: z.array(Team) });

export const ApiKey = z.object({
  id,
  organization_id: id,
  team_id: id.nullable(),
  name: z.string(),
  prefix: z.string().describe('first characters of the key, to recognise it'),
  last_used_at: nullableTimestamp,
  expires_at: nullableTimestamp,
  is_active: z.boolean(),
  created_at: timestamp,
});
export const ApiKeyList = z.object({ api_keys: z.array(ApiKey) });
export const CreatedApiKey = z.object({ api_key: ApiKey, key: z.string().describe('the full key (mach_…), shown only once') });

// ---- signing keys ----------------------------------------------------------------------------

export const SigningKey = z.object({
  kid: z.string(),
  alg: z.string(),
  active: z.boolean().describe('whether this key signs new tokens'),
  retired_at: nullableTimestamp,
  published_until: nullableTimestamp.describe('until when a retired key stays in JWKS'),
});
export const SigningKeyList = z.object({ keys: z.array(SigningKey) });
export const RotatedSigningKey = z.object({ kid: z.string(), alg: z.string() });

// ---- webhooks -------------------------------------------------------------------------------

export const Webhook = z.object({
  id,
  organization_id: organizationRef,
  team_id: z.string().describe('team UUID, or "" for none'),
  name: z.string(),
  url: z.string(),
  events: z.array(z.enum(WEBHOOK_EVENTS)),
  is_active: z.boolean(),
  max_retries: z.int(),
  retry_backoff_base: z.int().describe('retry n waits retry_backoff_base ^ n seconds'),
  created_at: timestamp,
  updated_at: timestamp,
  last_tested_at: nullableTimestamp,
  consecutive_fails: z.int(),
});
export const WebhookList = z.object({ webhooks: z.array(Webhook) });
export const WebhookEnvelope = z.object({ webhook: Webhook });
export const CreatedWebhook = z.object({ webhook: Webhook, secret: z.string().describe('the signing secret, shown only once: verify deliveries with it') });
export const WebhookTestResult = z.object({
  success: z.boolean(),
  status_code: z.int().describe('the receiver\'s HTTP status; 0 when it could not be reached'),
  error: z.string().describe('why the test failed; "" on success'),
  delivery_id: id,
});
export const WebhookDelivery = z.object({
  id,
  webhook_config_id: id,
  event: z.string(),
  payload: z.string().describe('the exact JSON text signed and sent'),
  headers: z.string().describe('the headers of the last attempt, as a JSON object\'s text'),
  status: z.enum(DELIVERY_STATUSES),
  attempts: z.int(),
  last_attempt_at: nullableTimestamp,
  last_error: z.string(),
  last_status_code: z.int().nullable(),
  next_retry_at: nullableTimestamp,
  delivered_at: nullableTimestamp,
  created_at: timestamp,
});
export const WebhookDeliveryList = z.object({
  deliveries: z.array(WebhookDelivery),
  next_cursor: z.string().nullable().describe('pass as `cursor` for the next page; null on the last page'),
});
export const WebhookDeliveryEnvelope = z.object({ delivery: WebhookDelivery });
export const WebhookEvents = z.object({ events: z.array(z.enum(WEBHOOK_EVENTS)) });

// ---- dashboard session -----------------------------------------------------------------------

export const LoginResult = z.object({ email: z.string(), csrf_token: z.string(), expires_at: timestamp });
export const SessionState = z.object({
  authenticated: z.boolean(),
  email: z.string().optional(),
  csrf_token: z.string().optional(),
  expires_at: timestamp.optional(),
});

export const OpenApiDocument = z.record(z.string(), z.unknown()).describe('This OpenAPI 3.1 document');
