import { Forbidden, NotFound } from '../errors.ts';
import { isUuid } from '../lib/secrets.ts';

/** Who is calling. Resolved at the transport edge, checked in the services. */
export type Principal =
  | { kind: 'admin'; email: string }
  /** An organization API key: an administrator of its own organization only. */
  | { kind: 'api_key'; apiKeyId: string; organizationId: string; teamId: string | null }
  | { kind: 'agent'; agentId: string; clientId: string; organizationId: string | null; jti: string }
  | { kind: 'anonymous' };

export interface RequestContext {
  principal: Principal;
  ip: string;
  userAgent: string;
}

export const systemContext: RequestContext = { principal: { kind: 'admin', email: 'system' }, ip: '', userAgent: '' };

export function actorLabel(principal: Principal): string {
  switch (principal.kind) {
    case 'admin': return `admin:${principal.email}`;
    case 'api_key': return `api_key:${principal.apiKeyId}`;
    case 'agent': return `agent:${principal.agentId}`;
    default: return 'anonymous';
  }
}

/**
 * The tenant boundary, in one place. Returns the organization the caller is confined to, or
 * null for a global administrator. Anything else may not use admin operations at all.
 */
export function tenantOf(ctx: RequestContext): string | null {
  const p = ctx.principal;
  if (p.kind === 'admin') return null;
  if (p.kind === 'api_key') return p.organizationId;
  throw new Forbidden('administrator credentials required');
}

/** Operations over the whole server (creating or deleting organizations, signing keys): no API key. */
export function requireGlobalAdmin(ctx: RequestContext, action: string): void {
  if (tenantOf(ctx) !== null) throw new Forbidden(`an organization API key cannot ${action}; use the server administrator's credentials`);
}

/**
 * Fails with 404 (never 403 with data) when a record belongs to another tenant, so a key cannot
 * even learn that another organization's resource exists.
 */
export function assertVisible(ctx: RequestContext, organizationId: string | null | undefined, what = 'resource'): void {
  const tenant = tenantOf(ctx);
  if (tenant !== null && organizationId !== tenant) throw new NotFound(`${what} not found`);
}

/** The organizations among `ids` the caller may see (for batched reads over many organizations). */
export function visibleOrganizations(ctx: RequestContext, ids: readonly string[]): string[] {
  const tenant = tenantOf(ctx);
  return ids.filter((id) => isUuid(id) && (tenant === null || id === tenant));
}
