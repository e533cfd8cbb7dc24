export interface TokenRequest {
    grant_type: string;
    client_id?: string;
    client_secret?: string;
    scope?: string;
    refresh_token?: string;
}
export interface RefreshRequest {
    grant_type?: string;
    client_id?: string;
    client_secret?: string;
    scope?: string;
    refresh_token?: string;
}
export interface TokenHintRequest {
    token: string;
    token_type_hint?: string;
}
export interface CreateAgentInput {
    name: string;
    organization_id?: string | null;
    team_id?: string | null;
    scopes?: string[];
    expires_in?: number | null;
}
export interface UpdateAgentInput {
    name?: string;
    scopes?: string[];
    expires_in?: number | null;
    team_id?: string | null;
    is_active?: boolean;
}
export interface RotateAgentInput {
    action?: "rotate";
}
export interface CreateOrganizationAgentInput {
    name: string;
    team_id?: string | null;
    scopes?: string[];
    expires_in?: number | null;
}
export interface CreateOrganizationInput {
    name: string;
    slug: string;
    owner_email?: string;
    jwt_issuer?: string;
    jwt_expiry_secs?: number;
    allowed_origins?: string;
    plan?: "free" | "pro" | "enterprise";
}
export interface UpdateOrganizationInput {
    name?: string;
    slug?: string;
    owner_email?: string;
    jwt_issuer?: string;
    jwt_expiry_secs?: number;
    allowed_origins?: string;
    plan?: "free" | "pro" | "enterprise";
}
export interface CreateTeamInput {
    name: string;
    description?: string;
}
export interface UpdateTeamInput {
    name?: string;
    description?: string;
}
export interface CreateApiKeyInput {
    name: string;
    team_id?: string | null;
    expires_in?: number | null;
}
export interface CreateWebhookInput {
    name: string;
    url: string;
    events: Array<"agent.created" | "agent.deleted" | "agent.updated" | "agent.credentials_rotated" | "token.issued" | "token.validation_success" | "token.validation_failed" | "webhook.created" | "webhook.updated" | "webhook.deleted" | "webhook.test">;
    max_retries?: number;
    retry_backoff_base?: number;
    is_active?: boolean;
    organization_id?: string | null;
    team_id?: string | null;
}
export interface UpdateWebhookInput {
    name?: string;
    url?: string;
    events?: Array<"agent.created" | "agent.deleted" | "agent.updated" | "agent.credentials_rotated" | "token.issued" | "token.validation_success" | "token.validation_failed" | "webhook.created" | "webhook.updated" | "webhook.deleted" | "webhook.test">;
    is_active?: boolean;
    max_retries?: number;
    retry_backoff_base?: number;
    team_id?: string | null;
}
export interface TestWebhookInput {
    event?: "agent.created" | "agent.deleted" | "agent.updated" | "agent.credentials_rotated" | "token.issued" | "token.validation_success" | "token.validation_failed" | "webhook.created" | "webhook.updated" | "webhook.deleted" | "webhook.test";
    payload?: string | Record<string, unknown>;
}
export interface LoginInput {
    email: string;
    password: string;
}
/** Every 4xx/5xx JSON body (RFC 6749 §5.2 shape) */
export interface Error {
    /** RFC 6749-style error code */
    error: "invalid_request" | "invalid_client" | "invalid_grant" | "invalid_scope" | "unsupported_grant_type" | "unsupported_token_type" | "invalid_token" | "unauthorized" | "forbidden" | "not_found" | "method_not_allowed" | "conflict" | "server_error" | "temporarily_unavailable";
    /** human-readable explanation */
    error_description: string;
}
export interface ServiceInfo {
    service: string;
    status: string;
    version: string;
    endpoints: string;
}
export interface Health {
    status: "ok";
}
export interface Readiness {
    status: "ok";
    /** ISO 8601 timestamp (UTC) */
    timestamp: string;
    agents_count: number;
}
export interface Metrics {
    /** requests served by the answering instance since it started */
    requests: number;
    tokens_issued: number;
    tokens_refreshed: number;
    tokens_revoked: number;
    active_tokens: number;
    total_agents: number;
    active_agents: number;
}
/** A public signing key (RFC 7517) */
export interface Jwk {
    kty: string;
    kid: string;
    use: string;
    alg: string;
    /** RSA modulus */
    n?: string;
    /** RSA exponent */
    e?: string;
    /** curve (EC, OKP) */
    crv?: string;
    x?: string;
    y?: string;
}
export interface Jwks {
    keys: Jwk[];
}
/** RFC 8414 authorization server metadata */
export interface ServerMetadata {
    issuer: string;
    token_endpoint: string;
    jwks_uri: string;
    introspection_endpoint: string;
    revocation_endpoint: string;
    grant_types_supported: string[];
    token_endpoint_auth_methods_supported: string[];
    introspection_endpoint_auth_methods_supported: string[];
    revocation_endpoint_auth_methods_supported: string[];
    response_types_supported: string[];
    token_endpoint_auth_signing_alg_values_supported: string[];
}
/** RFC 6749 §5.1 token response */
export interface TokenResponse {
    /** signed JWT */
    access_token: string;
    token_type: "Bearer";
    /** lifetime of the access token, seconds */
    expires_in: number;
    /** granted scopes, space-separated */
    scope: string;
    /** Unix time of issue */
    issued_at: number;
    /** single-use refresh token */
    refresh_token: string;
}
/** RFC 7662 introspection response; only `active` is present for every token */
export interface Introspection {
    active: boolean;
    scope?: string;
    client_id?: string;
    /** the agent's name */
    username?: string;
    /** "Bearer" for access tokens, "refresh_token" for refresh tokens */
    token_type?: string;
    exp?: number;
    iat?: number;
    nbf?: number;
    sub?: string;
    aud?: string;
    iss?: string;
    jti?: string;
    agent_id?: string;
    org_id?: string;
    team_id?: string;
    revoked?: boolean;
    /** why an inactive token is inactive: revoked, expired, agent_inactive, agent_expired, or "" when unknown */
    reason?: string;
}
export interface Revocation {
    status: "revoked";
}
export interface Agent {
    id: string;
    /** organization UUID, or "" when the resource belongs to no organization */
    organization_id: string;
    team_id: string | null;
    name: string;
    client_id: string;
    scopes: string[];
    public_key: string | null;
    is_active: boolean;
    /** ISO 8601 timestamp (UTC) */
    created_at: string;
    /** ISO 8601 timestamp (UTC) */
    updated_at: string;
    expires_at: string | null;
    token_count: number;
    refresh_count: number;
    last_activity_at: string | null;
    last_token_issued_at: string | null;
}
export interface AgentList {
    agents: Agent[];
    /** matching agents before limit/offset */
    total: number;
}
export interface AgentEnvelope {
    agent: Agent;
}
export interface CreatedAgent {
    agent: Agent;
    client_id: string;
    /** shown only once */
    client_secret: string;
}
export interface AgentCredentials {
    client_id: string;
    /** the new secret, shown only once */
    client_secret: string;
}
export interface AgentStatusChange {
    message: string;
    agent: Agent;
}
export interface Message {
    message: string;
}
export interface RotationRecord {
    /** ISO 8601 timestamp (UTC) */
    rotated_at: string;
    rotated_by_ip: string;
}
export interface AgentUsage {
    agent: Agent;
    /** organization UUID, or "" when the resource belongs to no organization */
    organization_id: string;
    team_id: string | null;
    token_count: number;
    refresh_count: number;
    last_activity_at: string | null;
    last_token_issued_at: string | null;
    rotation_history: RotationRecord[];
}
/** The caller behind a Bearer credential: an agent's access token or an organization API key */
export interface Verification {
    valid: true;
    type: "access_token" | "api_key";
    /** organization UUID, or "" when the resource belongs to no organization */
    organization_id: string;
    team_id: string | null;
    /** access tokens only */
    agent_id?: string;
    /** access tokens only */
    client_id?: string;
    /** access tokens only */
    name?: string;
    /** access tokens only */
    scopes?: string[];
    /** access tokens only */
    is_active?: boolean;
    /** access tokens only */
    token_count?: number;
    /** access tokens only: Unix time the token expires */
    expires_at?: number;
    /** API keys only */
    api_key_id?: string;
}
export interface Organization {
    id: string;
    name: string;
    slug: string;
    owner_email: string;
    /** "" uses the server's JWT_ISSUER */
    jwt_issuer: string;
    /** 0 uses the server's access-token lifetime */
    jwt_expiry_secs: number;
    /** CORS origins, comma-separated */
    allowed_origins: string;
    plan: string;
    /** ISO 8601 timestamp (UTC) */
    created_at: string;
    /** ISO 8601 timestamp (UTC) */
    updated_at: string;
}
export interface OrganizationList {
    organizations: Organization[];
}
export interface Team {
    id: string;
    organization_id: string;
    name: string;
    description: string;
    /** ISO 8601 timestamp (UTC) */
    created_at: string;
    /** ISO 8601 timestamp (UTC) */
    updated_at: string;
}
export interface TeamList {
    teams: Team[];
}
export interface ApiKey {
    id: string;
    organization_id: string;
    team_id: string | null;
    name: string;
    /** first characters of the key, to recognise it */
    prefix: string;
    last_used_at: string | null;
    expires_at: string | null;
    is_active: boolean;
    /** ISO 8601 timestamp (UTC) */
    created_at: string;
}
export interface ApiKeyList {
    api_keys: ApiKey[];
}
export interface CreatedApiKey {
    api_key: ApiKey;
    /** the full key (mach_…), shown only once */
    key: string;
}
export interface SigningKey {
    kid: string;
    alg: string;
    /** whether this key signs new tokens */
    active: boolean;
    retired_at: string | null;
    /** until when a retired key stays in JWKS */
    published_until: string | null;
}
export interface SigningKeyList {
    keys: SigningKey[];
}
export interface RotatedSigningKey {
    kid: string;
    alg: string;
}
export interface Webhook {
    id: string;
    /** organization UUID, or "" when the resource belongs to no organization */
    organization_id: string;
    /** team UUID, or "" for none */
    team_id: string;
    name: string;
    url: string;
    events: Array<"agent.created" | "agent.deleted" | "agent.updated" | "agent.credentials_rotated" | "token.issued" | "token.validation_success" | "token.validation_failed" | "webhook.created" | "webhook.updated" | "webhook.deleted" | "webhook.test">;
    is_active: boolean;
    max_retries: number;
    /** retry n waits retry_backoff_base ^ n seconds */
    retry_backoff_base: number;
    /** ISO 8601 timestamp (UTC) */
    created_at: string;
    /** ISO 8601 timestamp (UTC) */
    updated_at: string;
    last_tested_at: string | null;
    consecutive_fails: number;
}
export interface WebhookList {
    webhooks: Webhook[];
}
export interface WebhookEnvelope {
    webhook: Webhook;
}
export interface CreatedWebhook {
    webhook: Webhook;
    /** the signing secret, shown only once: verify deliveries with it */
    secret: string;
}
export interface WebhookTestResult {
    success: boolean;
    /** the receiver's HTTP status; 0 when it could not be reached */
    status_code: number;
    /** why the test failed; "" on success */
    error: string;
    delivery_id: string;
}
export interface WebhookDelivery {
    id: string;
    webhook_config_id: string;
    event: string;
    /** the exact JSON text signed and sent */
    payload: string;
    /** the headers of the last attempt, as a JSON object's text */
    headers: string;
    status: "pending" | "delivered" | "failed" | "retrying" | "dead";
    attempts: number;
    last_attempt_at: string | null;
    last_error: string;
    last_status_code: number | null;
    next_retry_at: string | null;
    delivered_at: string | null;
    /** ISO 8601 timestamp (UTC) */
    created_at: string;
}
export interface WebhookDeliveryList {
    deliveries: WebhookDelivery[];
    /** pass as `cursor` for the next page; null on the last page */
    next_cursor: string | null;
}
export interface WebhookDeliveryEnvelope {
    delivery: WebhookDelivery;
}
export interface WebhookEvents {
    events: Array<"agent.created" | "agent.deleted" | "agent.updated" | "agent.credentials_rotated" | "token.issued" | "token.validation_success" | "token.validation_failed" | "webhook.created" | "webhook.updated" | "webhook.deleted" | "webhook.test">;
}
export interface LoginResult {
    email: string;
    csrf_token: string;
    /** ISO 8601 timestamp (UTC) */
    expires_at: string;
}
export interface SessionState {
    authenticated: boolean;
    email?: string;
    csrf_token?: string;
    /** ISO 8601 timestamp (UTC) */
    expires_at?: string;
}
/** This OpenAPI 3.1 document */
export type OpenApiDocument = Record<string, unknown>;
/** Query parameters of `listAgents`. */
export interface ListAgentsQuery {
    organization_id?: string;
    is_active?: boolean;
    search?: string;
    limit?: number;
    offset?: number;
}
/** Query parameters of `listWebhooks`. */
export interface ListWebhooksQuery {
    organization_id?: string;
    is_active?: boolean;
}
/** Query parameters of `listWebhookDeliveries`. */
export interface ListWebhookDeliveriesQuery {
    status?: "pending" | "delivered" | "failed" | "retrying" | "dead";
    event?: "agent.created" | "agent.deleted" | "agent.updated" | "agent.credentials_rotated" | "token.issued" | "token.validation_success" | "token.validation_failed" | "webhook.created" | "webhook.updated" | "webhook.deleted" | "webhook.test";
    since?: string;
    until?: string;
    limit?: number;
    cursor?: string;
}
