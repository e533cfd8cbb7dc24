import type { agents } from './db/schema.ts';
import type { ApiKeyRow } from './services/api-keys.ts';
import type { AuditRow } from './services/audit.ts';
import type { OrganizationRow, TeamRow } from './services/organizations.ts';
import type { DeliveryRow, WebhookRow } from './services/webhooks.ts';

/** The JSON shapes of seed 003, built from rows in one place for every transport. */

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);

export type AgentRow = Omit<typeof agents.$inferSelect, 'clientSecretHash'>;

export function agentJson(a: AgentRow) {
  return {
    id: a.id,
    organization_id: a.organizationId ?? '',
    team_id: a.teamId,
    name: a.name,
    client_id: a.clientId,
    scopes: a.scopes,
    public_key: a.publicKey,
    is_active: a.isActive,
    created_at: a.createdAt.toISOString(),
    updated_at: a.updatedAt.toISOString(),
    expires_at: iso(a.expiresAt),
    token_count: a.tokenCount,
    refresh_count: a.refreshCount,
    last_activity_at: iso(a.lastActivityAt),
    last_token_issued_at: iso(a.lastTokenIssuedAt),
  };
}
export type AgentJson = ReturnType<typeof agentJson>;

export { iso };

export function organizationJson(o: OrganizationRow) {
  return {
    id: o.id,
    name: o.name,
    slug: o.slug,
    owner_email: o.ownerEmail,
    jwt_issuer: o.jwtIssuer,
    jwt_expiry_secs: o.jwtExpirySecs,
    allowed_origins: o.allowedOrigins,
    plan: o.plan,
    created_at: o.createdAt.toISOString(),
    updated_at: o.updatedAt.toISOString(),
  };
}

export function teamJson(t: TeamRow) {
  return {
    id: t.id,
    organization_id: t.organizationId,
    name: t.name,
    description: t.description,
    created_at: t.createdAt.toISOString(),
    updated_at: t.updatedAt.toISOString(),
  };
}

export function apiKeyJson(k: ApiKeyRow) {
  return {
    id: k.id,
    organization_id: k.organizationId,
    team_id: k.teamId,
    name: k.name,
    prefix: k.prefix,
    last_used_at: iso(k.lastUsedAt),
    expires_at: iso(k.expiresAt),
    // Whether the key works now: not revoked and not expired.
    is_active: k.isActive && !k.revokedAt && !(k.expiresAt && k.expiresAt.getTime() <= Date.now()),
    created_at: k.createdAt.toISOString(),
  };
}

export function auditJson(a: AuditRow) {
  return {
    id: a.id,
    agent_id: a.agentId,
    organization_id: a.organizationId,
    action: a.action,
    actor: a.actor,
    ip_address: a.ipAddress,
    user_agent: a.userAgent,
    details: a.details ?? {},
    created_at: a.createdAt.toISOString(),
  };
}

export function webhookJson(w: WebhookRow) {
  return {
    id: w.id,
    organization_id: w.organizationId ?? '',
    team_id: w.teamId ?? '',
    name: w.name,
    url: w.url,
    events: w.events,
    is_active: w.isActive,
    max_retries: w.maxRetries,
    retry_backoff_base: w.retryBackoffBase,
    created_at: w.createdAt.toISOString(),
    updated_at: w.updatedAt.toISOString(),
    last_tested_at: iso(w.lastTestedAt),
    consecutive_fails: w.consecutiveFails,
  };
}

/** `payload` is the exact JSON text that was (or will be) signed and sent; `headers` a JSON object's text. */
export function deliveryJson(d: DeliveryRow) {
  return {
    id: d.id,
    webhook_config_id: d.webhookConfigId,
    event: d.event,
    payload: d.payload,
    headers: d.headers,
    status: d.status,
    attempts: d.attempts,
    last_attempt_at: iso(d.lastAttemptAt),
    last_error: d.lastError,
    last_status_code: d.lastStatusCode,
    next_retry_at: iso(d.nextRetryAt),
    delivered_at: iso(d.deliveredAt),
    created_at: d.createdAt.toISOString(),
  };
}

export function signingKeyJson(k: { kid: string; alg: string; active: boolean; retiredAt: Date | null; publishedUntil: Date | null }) {
  return { kid: k.kid, alg: k.alg, active: k.active, retired_at: iso(k.retiredAt), published_until: iso(k.publishedUntil) };
}
