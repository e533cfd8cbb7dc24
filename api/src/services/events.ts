import { postgresOf, type DbOrTx, type Sql } from '../db/index.ts';
import { uuidv7 } from '../lib/ids.ts';
import { actorLabel, type RequestContext } from './context.ts';

/** Event types a webhook can subscribe to (seed 003), in the order the API lists them. */
export const WEBHOOK_EVENTS = [
  'agent.created',
  'agent.deleted',
  'agent.updated',
  'agent.credentials_rotated',
  'token.issued',
  'token.validation_success',
  'token.validation_failed',
  'webhook.created',
  'webhook.updated',
  'webhook.deleted',
  'webhook.test',
] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];
const webhookEventSet = new Set<string>(WEBHOOK_EVENTS);

export interface DomainEvent {
  /** A webhook event name, or an audit-only action such as `agent.deactivated`. */
  action: string;
  agentId?: string | null;
  organizationId?: string | null;
  /** Extra webhook payload fields (003 lists them per event); `event` and `timestamp` are added. */
  payload?: Record<string, unknown>;
  /** Extra audit details, never secrets. */
  details?: Record<string, unknown>;
  ctx: RequestContext;
  /** false: audit only, no fan-out (a test delivery goes to its one webhook, sent directly). */
  deliver?: boolean;
}

/**
 * Records events inside the caller's transaction: one audit row each, and for webhook events a
 * delivery row plus a graphile-worker job per subscribed webhook. The change, its audit trail and
 * its deliveries commit together or not at all, so a crash cannot lose an event.
 */
export async function recordEvents(tx: DbOrTx | Sql, events: DomainEvent[]): Promise<void> {
  if (events.length === 0) return;
  const now = new Date().toISOString();
  const rows = events.map((e) => ({
    id: uuidv7(),
    agent_id: e.agentId ?? null,
    organization_id: e.organizationId ?? null,
    action: e.action,
    actor: actorLabel(e.ctx.principal),
    ip_address: e.ctx.ip,
    user_agent: e.ctx.userAgent,
    details: e.details ?? null,
    // Only events a webhook may hear carry a payload; the others are audit rows alone.
    payload: e.deliver !== false && webhookEventSet.has(e.action)
      ? JSON.stringify({ event: e.action, ...(e.agentId ? { agent_id: e.agentId } : {}), ...e.payload, timestamp: now })
      : null,
  }));
  // One prepared statement with the events as one JSON parameter (it runs on the token endpoint's
  // hot path, once per group commit). An organization's webhooks hear only that organization's
  // events; global ones hear all.
  await postgresOf(tx)`
    with e as (
      select * from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as e(
        id uuid, agent_id uuid, organization_id uuid, action text, actor text, ip_address text, user_agent text, details jsonb, payload text)
    ), audit as (
      insert into audit_logs (id, agent_id, organization_id, action, actor, ip_address, user_agent, details, created_at)
      select id, agent_id, organization_id, action, actor, ip_address, user_agent, nullif(details, 'null'::jsonb), ${now}::timestamptz from e
    ), deliveries as (
      insert into webhook_deliveries (webhook_config_id, organization_id, event, payload, status)
      select w.id, w.organization_id, e.action, e.payload, 'pending'
      from e
      join webhook_configs w
        on e.payload is not null and w.is_active and e.action = any(w.events)
       and (w.organization_id is null or w.organization_id = e.organization_id)
      returning id
    )
    select graphile_worker.add_job('deliver_webhook', json_build_object('delivery_id', d.id), job_key => d.id::text)
    from deliveries d`;
}

