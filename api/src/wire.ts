import type { agents } from './db/schema.ts';

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
