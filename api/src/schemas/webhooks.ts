import { z } from 'zod';
import { WEBHOOK_EVENTS } from '../services/events.ts';
import { name, uuid } from './common.ts';

export const DELIVERY_STATUSES = ['pending', 'delivered', 'failed', 'retrying', 'dead'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/** Retries and backoff are bounded so that a schedule always fits in a timestamp. */
export const MAX_RETRIES_LIMIT = 100;
export const MAX_BACKOFF_BASE = 60;

export const webhookEvent = z.enum(WEBHOOK_EVENTS, { error: `must be one of ${WEBHOOK_EVENTS.join(', ')}` });

/** http(s) with a host and no credentials; production's stricter rules are checked by the service. */
export const webhookUrl = z
  .url({ protocol: /^https?$/, error: 'url must be an http or https URL' })
  .max(2048)
  .refine((value) => {
    // Runs even after the URL check failed, so it must not assume a parseable URL.
    const url = URL.parse(value);
    return !url || (!url.username && !url.password);
  }, 'url must not contain credentials');

const eventList = z
  .array(webhookEvent)
  .min(1, 'subscribe to at least one event')
  .max(WEBHOOK_EVENTS.length * 4)
  .transform((events) => [...new Set(events)]);

export const CreateWebhookInput = z.strictObject({
  name,
  url: webhookUrl,
  events: eventList,
  /** Retries after the first attempt before a delivery is dead (default WEBHOOK_MAX_RETRIES). */
  max_retries: z.number().int().min(0).max(MAX_RETRIES_LIMIT).optional(),
  /** Retry n waits retry_backoff_base ^ n seconds. */
  retry_backoff_base: z.number().int().min(1).max(MAX_BACKOFF_BASE).optional(),
  is_active: z.boolean().optional(),
  /** Administrators may create an organization's webhook; an API key always creates its own org's. */
  organization_id: uuid.nullish(),
  team_id: uuid.nullish(),
});
export type CreateWebhookInput = z.infer<typeof CreateWebhookInput>;

export const UpdateWebhookInput = z.strictObject({
  name: name.optional(),
  url: webhookUrl.optional(),
  events: eventList.optional(),
  is_active: z.boolean().optional(),
  max_retries: z.number().int().min(0).max(MAX_RETRIES_LIMIT).optional(),
  retry_backoff_base: z.number().int().min(1).max(MAX_BACKOFF_BASE).optional(),
  team_id: uuid.nullable().optional(),
});
export type UpdateWebhookInput = z.infer<typeof UpdateWebhookInput>;

/** Seed 003: `{event, payload}` where payload is a JSON object (or its text) merged into the test body. */
export const TestWebhookInput = z.strictObject({
  event: webhookEvent.optional(),
  payload: z
    .union([z.string().max(16_384), z.record(z.string(), z.unknown())])
    .optional()
    .transform((value, ctx) => {
      if (value === undefined || typeof value === 'object') return value;
      if (value.trim() === '') return undefined;
      try {
        const parsed: unknown = JSON.parse(value);
        if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
      } catch {
        // reported below
      }
      ctx.addIssue({ code: 'custom', message: 'payload must be a JSON object' });
      return z.NEVER;
    }),
});
export type TestWebhookInput = z.infer<typeof TestWebhookInput>;

const timestamp = z.iso.datetime({ offset: true, error: 'must be an ISO 8601 date-time' }).transform((v) => new Date(v));

export const WebhookListQuery = z.object({
  organization_id: uuid.optional(),
  is_active: z.enum(['true', 'false']).transform((v) => v === 'true').optional(),
});

export const DeliveryListQuery = z.object({
  status: z.enum(DELIVERY_STATUSES, { error: `must be one of ${DELIVERY_STATUSES.join(', ')}` }).optional(),
  event: webhookEvent.optional(),
  since: timestamp.optional(),
  until: timestamp.optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  /** The `next_cursor` of the previous page. */
  cursor: z.string().max(200).optional(),
});
export type DeliveryListQuery = z.infer<typeof DeliveryListQuery>;
