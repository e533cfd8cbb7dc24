/**
 * Every GraphQL document the dashboard sends, with the shape of its answer. A test validates each
 * document against the committed schema.graphql, so a renamed field fails there, not in a browser.
 */

export interface PageInfo {
  hasNextPage: boolean;
  hasPreviousPage: boolean;
  startCursor: string | null;
  endCursor: string | null;
}
export interface Connection<T> {
  edges: { node: T }[];
  pageInfo: PageInfo;
  totalCount?: number;
}
export const nodes = <T,>(connection: { edges: { node: T }[] } | null | undefined): T[] => connection?.edges.map((e) => e.node) ?? [];

const PAGE_INFO = 'pageInfo { hasNextPage hasPreviousPage startCursor endCursor }';

// ---- agents ------------------------------------------------------------------------------

export interface AgentSummary {
  id: string;
  name: string;
  clientId: string;
  scopes: string[];
  isActive: boolean;
  createdAt: string;
  expiresAt: string | null;
  organization: { id: string; name: string } | null;
  team: { id: string; name: string } | null;
  usage: { tokenCount: number; lastActivityAt: string | null };
}

const AGENT_SUMMARY = `id name clientId scopes isActive createdAt expiresAt
  organization { id name } team { id name }
  usage { tokenCount lastActivityAt }`;

export const AGENTS_QUERY = `query Agents($first: Int, $after: String, $last: Int, $before: String, $filter: AgentFilter) {
  agents(first: $first, after: $after, last: $last, before: $before, filter: $filter) {
    totalCount
    ${PAGE_INFO}
    edges { node { ${AGENT_SUMMARY} } }
  }
}`;
export interface AgentsResult {
  agents: Connection<AgentSummary>;
}

export interface AuditEntry {
  id: string;
  action: string;
  actor: string;
  agentId: string | null;
  organizationId: string | null;
  ipAddress: string;
  userAgent: string;
  details: Record<string, unknown>;
  createdAt: string;
}
const AUDIT_ENTRY = 'id action actor agentId organizationId ipAddress userAgent details createdAt';

export interface AgentDetail extends AgentSummary {
  publicKey: string | null;
  updatedAt: string;
  usage: { tokenCount: number; refreshCount: number; lastActivityAt: string | null; lastTokenIssuedAt: string | null };
  rotationHistory: Connection<{ id: string; rotatedAt: string; rotatedByIp: string }>;
  auditLog: Connection<AuditEntry>;
  tokens: Connection<{ id: string; grantType: string; issuedAt: string; expiresAt: string; revokedAt: string | null; status: 'ACTIVE' | 'EXPIRED' | 'REVOKED' }>;
}

export const AGENT_QUERY = `query Agent($id: ID!) {
  agent(id: $id) {
    id name clientId scopes isActive createdAt updatedAt expiresAt publicKey
    organization { id name } team { id name }
    usage { tokenCount refreshCount lastActivityAt lastTokenIssuedAt }
    rotationHistory(first: 10) { ${PAGE_INFO} edges { node { id rotatedAt rotatedByIp } } }
    auditLog(first: 15) { ${PAGE_INFO} edges { node { ${AUDIT_ENTRY} } } }
    tokens(first: 10) { ${PAGE_INFO} edges { node { id grantType issuedAt expiresAt revokedAt status } } }
  }
}`;
export interface AgentResult {
  agent: AgentDetail;
}

// ---- organizations -------------------------------------------------------------------------

export interface OrganizationOption {
  id: string;
  name: string;
}
/** For pickers: the organizations the caller sees (teams are fetched for the chosen one). */
export const ORGANIZATION_OPTIONS_QUERY = `query OrganizationOptions {
  organizations(first: 100) { edges { node { id name } } }
}`;
export interface OrganizationOptionsResult {
  organizations: Connection<OrganizationOption>;
}

export const TEAM_OPTIONS_QUERY = `query TeamOptions($id: ID!) {
  organization(id: $id) { id teams(first: 50) { edges { node { id name } } } }
}`;
export interface TeamOptionsResult {
  organization: { id: string; teams: Connection<{ id: string; name: string }> };
}

export interface OrganizationSummary {
  id: string;
  name: string;
  slug: string;
  ownerEmail: string;
  plan: string;
  createdAt: string;
  agentCount: number;
  teams: Connection<{ id: string }>;
}
export const ORGANIZATIONS_QUERY = `query Organizations($first: Int, $after: String, $last: Int, $before: String, $filter: OrganizationFilter) {
  organizations(first: $first, after: $after, last: $last, before: $before, filter: $filter) {
    totalCount
    ${PAGE_INFO}
    edges { node { id name slug ownerEmail plan createdAt agentCount teams(first: 50) { ${PAGE_INFO} edges { node { id } } } } }
  }
}`;
export interface OrganizationsResult {
  organizations: Connection<OrganizationSummary>;
}

export interface TeamRow {
  id: string;
  name: string;
  description: string;
  createdAt: string;
}
export interface ApiKeyRow {
  id: string;
  name: string;
  prefix: string;
  isActive: boolean;
  lastUsedAt: string | null;
  expiresAt: string | null;
  revokedAt: string | null;
  createdAt: string;
  team: { id: string; name: string } | null;
}
export interface OrganizationDetail {
  id: string;
  name: string;
  slug: string;
  ownerEmail: string;
  jwtIssuer: string;
  jwtExpirySecs: number;
  allowedOrigins: string[];
  plan: string;
  createdAt: string;
  updatedAt: string;
  agentCount: number;
  teams: Connection<TeamRow>;
  agents: Connection<AgentSummary>;
  apiKeys: Connection<ApiKeyRow>;
}
export const ORGANIZATION_QUERY = `query Organization($id: ID!) {
  organization(id: $id) {
    id name slug ownerEmail jwtIssuer jwtExpirySecs allowedOrigins plan createdAt updatedAt agentCount
    teams(first: 50) { ${PAGE_INFO} edges { node { id name description createdAt } } }
    agents(first: 50) { ${PAGE_INFO} edges { node { ${AGENT_SUMMARY} } } }
    apiKeys(first: 50) { ${PAGE_INFO} edges { node { id name prefix isActive lastUsedAt expiresAt revokedAt createdAt team { id name } } } }
  }
}`;
export interface OrganizationResult {
  organization: OrganizationDetail;
}

// ---- audit -----------------------------------------------------------------------------------

export const RECENT_ACTIVITY_QUERY = `query RecentActivity($first: Int) {
  auditLog(first: $first) { edges { node { ${AUDIT_ENTRY} } } }
}`;
export interface RecentActivityResult {
  auditLog: Connection<AuditEntry>;
}

// ---- metrics ---------------------------------------------------------------------------------

export interface MetricsCounters {
  requests: number;
  tokensIssued: number;
  tokensRefreshed: number;
  tokensRevoked: number;
  activeTokens: number;
  totalAgents: number;
  activeAgents: number;
}
export interface MetricsPoint {
  bucket: string;
  tokensIssued: number;
  tokensRefreshed: number;
  tokensRevoked: number;
  agentsCreated: number;
  agentsTotal: number;
  deliveriesDelivered: number;
  deliveriesFailed: number;
  deliveriesPending: number;
}
const COUNTERS = 'requests tokensIssued tokensRefreshed tokensRevoked activeTokens totalAgents activeAgents';

export const METRICS_QUERY = `query Metrics($interval: MetricsInterval, $from: DateTime, $to: DateTime) {
  metrics {
    ${COUNTERS}
    series(interval: $interval, from: $from, to: $to) {
      bucket tokensIssued tokensRefreshed tokensRevoked agentsCreated agentsTotal deliveriesDelivered deliveriesFailed deliveriesPending
    }
  }
}`;
export interface MetricsResult {
  metrics: MetricsCounters & { series: MetricsPoint[] };
}

/** The dashboard's home: counters, the last day's token activity, recent events and failing deliveries. */
export const OVERVIEW_QUERY = `query Overview {
  metrics {
    ${COUNTERS}
    series(interval: HOUR) { bucket tokensIssued tokensRefreshed tokensRevoked agentsCreated agentsTotal deliveriesDelivered deliveriesFailed deliveriesPending }
  }
  auditLog(first: 12) { edges { node { ${AUDIT_ENTRY} } } }
  organizations(first: 1) { totalCount }
  webhooks(first: 1) { totalCount }
}`;
export interface OverviewResult {
  metrics: MetricsCounters & { series: MetricsPoint[] };
  auditLog: Connection<AuditEntry>;
  organizations: { totalCount: number };
  webhooks: { totalCount: number };
}

// ---- webhooks ---------------------------------------------------------------------------------

export type DeliveryStatus = 'PENDING' | 'DELIVERED' | 'FAILED' | 'RETRYING' | 'DEAD';

export interface WebhookSummary {
  id: string;
  name: string;
  url: string;
  events: string[];
  isActive: boolean;
  maxRetries: number;
  retryBackoffBase: number;
  consecutiveFails: number;
  lastTestedAt: string | null;
  createdAt: string;
  organization: { id: string; name: string } | null;
  team: { id: string; name: string } | null;
}
const WEBHOOK_SUMMARY = 'id name url events isActive maxRetries retryBackoffBase consecutiveFails lastTestedAt createdAt organization { id name } team { id name }';

export interface Delivery {
  id: string;
  event: string;
  status: DeliveryStatus;
  attempts: number;
  lastAttemptAt: string | null;
  lastError: string;
  lastStatusCode: number | null;
  nextRetryAt: string | null;
  deliveredAt: string | null;
  createdAt: string;
  payload: unknown;
  webhook: { id: string; name: string; maxRetries: number };
}
const DELIVERY = 'id event status attempts lastAttemptAt lastError lastStatusCode nextRetryAt deliveredAt createdAt payload webhook { id name maxRetries }';

export const WEBHOOKS_QUERY = `query Webhooks($first: Int, $after: String, $last: Int, $before: String, $filter: WebhookFilter) {
  webhooks(first: $first, after: $after, last: $last, before: $before, filter: $filter) {
    totalCount
    ${PAGE_INFO}
    edges { node { ${WEBHOOK_SUMMARY} } }
  }
}`;
export interface WebhooksResult {
  webhooks: Connection<WebhookSummary>;
}

export const DELIVERIES_QUERY = `query Deliveries($first: Int, $after: String, $last: Int, $before: String, $filter: DeliveryFilter) {
  deliveries(first: $first, after: $after, last: $last, before: $before, filter: $filter) {
    totalCount
    ${PAGE_INFO}
    edges { node { ${DELIVERY} } }
  }
}`;
export interface DeliveriesResult {
  deliveries: Connection<Delivery>;
}

export const WEBHOOK_QUERY = `query Webhook($id: ID!) {
  webhook(id: $id) { ${WEBHOOK_SUMMARY} updatedAt organizationId teamId }
}`;
export interface WebhookResult {
  webhook: WebhookSummary & { updatedAt: string; organizationId: string | null; teamId: string | null };
}
