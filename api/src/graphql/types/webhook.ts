import { DELIVERY_STATUSES } from '../../schemas/webhooks.ts';
import type { DeliveryRow } from '../../services/webhooks.ts';
import { builder, type GraphQLContext } from '../builder.ts';
import { NESTED_PAGE, pageRequest, ROOT_PAGE, toConnection } from '../connections.ts';
import { Organization } from './organization.ts';
import { edgeType, nestedConnection, rootConnection } from './shared.ts';
import { Team } from './team.ts';

export const DeliveryStatus = builder.enumType('DeliveryStatus', {
  values: Object.fromEntries(DELIVERY_STATUSES.map((status) => [status.toUpperCase(), { value: status }])) as Record<Uppercase<(typeof DELIVERY_STATUSES)[number]>, { value: (typeof DELIVERY_STATUSES)[number] }>,
});

export const Webhook = builder.loadableObjectRef('Webhook', {
  load: (ids: string[], ctx: GraphQLContext) => ctx.services.webhooks.byIds(ctx.caller, ids),
  sort: (webhook) => webhook.id,
});

const WebhookEdge = edgeType(Webhook, 'Webhook');
export const WebhookConnections = { root: rootConnection(Webhook, 'Webhook', WebhookEdge), nested: nestedConnection(Webhook, 'Webhook', WebhookEdge) };

export const Delivery = builder.objectRef<DeliveryRow>('Delivery');
const DeliveryEdge = edgeType(Delivery, 'Delivery');
export const DeliveryConnections = { root: rootConnection(Delivery, 'Delivery', DeliveryEdge), nested: nestedConnection(Delivery, 'Delivery', DeliveryEdge) };

/** A stored payload is JSON text; shown parsed, or as the text if it somehow is not JSON. */
function parsedPayload(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

Delivery.implement({
  description: 'One event sent (or being sent) to one webhook, with its retry state.',
  fields: (t) => ({
    id: t.exposeID('id'),
    webhookId: t.exposeID('webhookConfigId'),
    webhook: t.field({ type: Webhook, resolve: (d) => d.webhookConfigId }),
    organizationId: t.exposeID('organizationId', { nullable: true }),
    event: t.exposeString('event'),
    payload: t.field({ type: 'JSON', resolve: (d) => parsedPayload(d.payload) }),
    status: t.field({ type: DeliveryStatus, resolve: (d) => d.status as (typeof DELIVERY_STATUSES)[number] }),
    attempts: t.exposeInt('attempts'),
    lastAttemptAt: t.expose('lastAttemptAt', { type: 'DateTime', nullable: true }),
    lastError: t.exposeString('lastError'),
    lastStatusCode: t.exposeInt('lastStatusCode', { nullable: true }),
    nextRetryAt: t.expose('nextRetryAt', { type: 'DateTime', nullable: true }),
    deliveredAt: t.expose('deliveredAt', { type: 'DateTime', nullable: true }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
  }),
});

Webhook.implement({
  description: 'An HTTPS endpoint that receives signed event notifications. Its secret is never shown again.',
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.exposeString('name'),
    url: t.exposeString('url'),
    events: t.exposeStringList('events'),
    isActive: t.exposeBoolean('isActive'),
    maxRetries: t.exposeInt('maxRetries'),
    retryBackoffBase: t.exposeInt('retryBackoffBase'),
    organizationId: t.exposeID('organizationId', { nullable: true, description: 'Null for a server-wide webhook, which hears every organization.' }),
    organization: t.field({ type: Organization, nullable: true, resolve: (w) => w.organizationId }),
    teamId: t.exposeID('teamId', { nullable: true }),
    team: t.field({ type: Team, nullable: true, resolve: (w) => w.teamId }),
    consecutiveFails: t.exposeInt('consecutiveFails'),
    lastTestedAt: t.expose('lastTestedAt', { type: 'DateTime', nullable: true }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
    deliveries: t.loadable({
      type: DeliveryConnections.nested,
      byPath: true,
      args: {
        ...t.arg.connectionArgs(),
        status: t.arg({ type: DeliveryStatus, required: false }),
        event: t.arg.string({ required: false }),
        since: t.arg({ type: 'DateTime', required: false }),
        until: t.arg({ type: 'DateTime', required: false }),
      },
      load: async (ids: string[], ctx, args) => {
        const filter = { status: args.status ?? undefined, event: args.event ?? undefined, since: args.since ?? undefined, until: args.until ?? undefined };
        const byWebhook = await ctx.services.webhooks.deliveriesByWebhooks(ctx.caller, ids, filter, pageRequest(args, NESTED_PAGE));
        return Promise.all(ids.map((id) => toConnection(args, NESTED_PAGE, byWebhook.get(id) ?? [])));
      },
      resolve: (w) => w.id,
    }),
  }),
});

const WebhookFilter = builder.inputType('WebhookFilter', {
  fields: (t) => ({
    organizationId: t.id({ required: false }),
    isActive: t.boolean({ required: false }),
  }),
});

const DeliveryFilter = builder.inputType('DeliveryFilter', {
  fields: (t) => ({
    organizationId: t.id({ required: false }),
    webhookId: t.id({ required: false }),
    status: t.field({ type: DeliveryStatus, required: false }),
    event: t.string({ required: false, description: 'An event name, such as `agent.created`.' }),
    since: t.field({ type: 'DateTime', required: false, description: 'Deliveries created at or after this time.' }),
    until: t.field({ type: 'DateTime', required: false, description: 'Deliveries created at or before this time.' }),
  }),
});

const optionalId = (value: string | number | null | undefined) => (value == null ? undefined : String(value));

builder.queryFields((t) => ({
  webhooks: t.connection(
    {
      type: Webhook,
      description: 'Webhooks, newest first.',
      args: { filter: t.arg({ type: WebhookFilter, required: false }) },
      resolve: async (_root, args, ctx) => {
        const filter = { organizationId: optionalId(args.filter?.organizationId), isActive: args.filter?.isActive ?? undefined };
        const rows = await ctx.services.webhooks.page(ctx.caller, filter, pageRequest(args, ROOT_PAGE));
        return toConnection(args, ROOT_PAGE, rows, () => ctx.services.webhooks.count(ctx.caller, filter));
      },
    },
    WebhookConnections.root,
  ),
  webhook: t.field({
    type: Webhook,
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, args, ctx) => ctx.services.webhooks.get(ctx.caller, String(args.id)),
  }),
  deliveries: t.connection(
    {
      type: Delivery,
      description: 'Webhook deliveries, newest first.',
      args: { filter: t.arg({ type: DeliveryFilter, required: false }) },
      resolve: async (_root, args, ctx) => {
        const f = args.filter;
        const filter = {
          organizationId: optionalId(f?.organizationId),
          webhookId: optionalId(f?.webhookId),
          status: f?.status ?? undefined,
          event: f?.event ?? undefined,
          since: f?.since ?? undefined,
          until: f?.until ?? undefined,
        };
        const rows = await ctx.services.webhooks.deliveriesPage(ctx.caller, filter, pageRequest(args, ROOT_PAGE));
        return toConnection(args, ROOT_PAGE, rows, () => ctx.services.webhooks.deliveriesCount(ctx.caller, filter));
      },
    },
    DeliveryConnections.root,
  ),
}));
