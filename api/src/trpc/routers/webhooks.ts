import { z } from 'zod';
import { CreateWebhookInput, DeliveryListQuery, TestWebhookInput, UpdateWebhookInput, WebhookListQuery } from '../../schemas/webhooks.ts';
import { deliveryJson, webhookJson } from '../../wire.ts';
import { adminProcedure, router } from '../trpc.ts';
import { ById, resourceId } from './ids.ts';

/** The twins of /api/webhooks (http/rest/webhooks.ts). */
export const webhooksRouter = router({
  list: adminProcedure.input(WebhookListQuery.optional()).query(async ({ ctx, input = {} }) => ({
    webhooks: (await ctx.services.webhooks.list(ctx.request, { organizationId: input.organization_id, isActive: input.is_active })).map(webhookJson),
  })),

  get: adminProcedure.input(ById).query(async ({ ctx, input }) => ({ webhook: webhookJson(await ctx.services.webhooks.get(ctx.request, input.id)) })),

  /** The signing secret is in this answer only. */
  create: adminProcedure.input(CreateWebhookInput).mutation(async ({ ctx, input }) => {
    const { webhook, secret } = await ctx.services.webhooks.create(ctx.request, input);
    return { webhook: webhookJson(webhook), secret };
  }),

  update: adminProcedure.input(UpdateWebhookInput.extend({ id: resourceId })).mutation(async ({ ctx, input: { id, ...changes } }) => ({
    webhook: webhookJson(await ctx.services.webhooks.update(ctx.request, id, changes)),
  })),

  delete: adminProcedure.input(ById).mutation(async ({ ctx, input }) => {
    await ctx.services.webhooks.remove(ctx.request, input.id);
    return { deleted: true as const };
  }),

  /** Sends one signed test event now and reports what the endpoint answered. */
  test: adminProcedure.input(TestWebhookInput.extend({ id: resourceId })).mutation(async ({ ctx, input: { id, ...test } }) => {
    await ctx.services.webhooks.get(ctx.request, id);
    const result = await ctx.services.webhooks.test(ctx.request, id, test);
    return { success: result.success, status_code: result.status_code, error: result.error, delivery_id: result.delivery.id };
  }),

  deliveries: adminProcedure.input(DeliveryListQuery.extend({ id: resourceId })).query(async ({ ctx, input: { id, ...query } }) => {
    const webhook = await ctx.services.webhooks.get(ctx.request, id);
    const { deliveries, nextCursor } = await ctx.services.webhooks.listDeliveries(ctx.request, { ...query, webhookId: webhook.id });
    return { deliveries: deliveries.map(deliveryJson), next_cursor: nextCursor };
  }),

  delivery: adminProcedure.input(z.strictObject({ id: resourceId, delivery_id: resourceId })).query(async ({ ctx, input }) => {
    const webhook = await ctx.services.webhooks.get(ctx.request, input.id);
    return { delivery: deliveryJson(await ctx.services.webhooks.getDelivery(ctx.request, input.delivery_id, webhook.id)) };
  }),

  events: adminProcedure.query(({ ctx }) => ({ events: ctx.services.webhooks.events() })),
});
