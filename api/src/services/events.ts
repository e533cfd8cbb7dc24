import { sql } from 'drizzle-orm';
import type { DbOrTx } from '../db/index.ts';
import { auditLogs } from '../db/schema.ts';
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
export async function recordEvents(tx: DbOrTx, events: DomainEvent[]): Promise<void> {
  if (events.length === 0) return;
  const now = new Date();
  await tx.insert(auditLogs).values(
    events.map((e) => ({
      agentId: e.agentId ?? null,
      organizationId: e.organizationId ?? null,
      action: e.action,
      actor: actorLabel(e.ctx.principal),
      ipAddress: e.ctx.ip,
      userAgent: e.ctx.userAgent,
      details: e.details ?? null,
      createdAt: now,
    })),
  );
  const hooked = events.filter((e) => e.deliver !== false && webhookEventSet.has(e.action));
  if (hooked.length === 0) return;
  const incoming = hooked.map((e) => ({
    event: e.action,
    organization_id: e.organizationId ?? '',
    payload: JSON.stringify({ event: e.action, ...(e.agentId ? { agent_id: e.agentId } : {}), ...e.payload, timestamp: now.toISOString() }),
  }));
  // An organization's webhooks hear only that organization's events; global ones hear all.
  await tx.execute(sql`
    with incoming as (
      select * from jsonb_to_recordset(${JSON.stringify(incoming)}::jsonb) as i(event text, organization_id text, payload text)
    ), deliveries as (
      insert into webhook_deliveries (webhook_config_id, organization_id, event, payload, status)
      select w.id, w.organization_id, i.event, i.payload, 'pending'
      from incoming i
      join webhook_configs w
        on w.is_active and i.event = any(w.events)
       and (w.organization_id is null or w.organization_id::text = i.organization_id)
      returning id
    )
    select graphile_worker.add_job('deliver_webhook', json_build_object('delivery_id', d.id), job_key => d.id::text)
    from deliveries d`);
}

