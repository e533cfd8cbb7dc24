import { CreateWebhookInput, DeliveryListQuery, TestWebhookInput, UpdateWebhookInput, WebhookListQuery } from '../../schemas/webhooks.ts';
import { deliveryJson, webhookJson } from '../../wire.ts';
import { parseWith } from '../body.ts';
import { json, noContent, type Call, type Route } from '../route.ts';

const update = async (call: Call) => {
  const input = await call.input(UpdateWebhookInput);
  return json(200, { webhook: webhookJson(await call.services.webhooks.update(call.ctx, call.params.id, input)) });
};

/** Webhook configurations, test sends and delivery history (seed 003 "Webhooks"). */
export const webhookRoutes: Route[] = [
  {
    method: 'GET',
    path: '/api/webhooks',
    auth: 'admin',
    async handler(call) {
      const q = parseWith(WebhookListQuery, Object.fromEntries(call.query));
      const webhooks = await call.services.webhooks.list(call.ctx, { organizationId: q.organization_id, isActive: q.is_active });
      return json(200, { webhooks: webhooks.map(webhookJson) });
    },
  },
  {
    method: 'POST',
    path: '/api/webhooks',
    auth: 'admin',
    async handler(call) {
      const input = await call.input(CreateWebhookInput);
      const { webhook, secret } = await call.services.webhooks.create(call.ctx, input);
      return json(201, { webhook: webhookJson(webhook), secret });
    },
  },
  {
    method: 'GET',
    path: '/api/webhooks/:id',
    auth: 'admin',
    async handler(call) {
      return json(200, { webhook: webhookJson(await call.services.webhooks.get(call.ctx, call.params.id)) });
    },
  },
  { method: ['PUT', 'PATCH'], path: '/api/webhooks/:id', auth: 'admin', handler: update },
  {
    method: 'DELETE',
    path: '/api/webhooks/:id',
    auth: 'admin',
    async handler(call) {
      await call.services.webhooks.remove(call.ctx, call.params.id);
      return noContent();
    },
  },
  {
    method: 'POST',
    path: '/api/webhooks/:id/test',
    auth: 'admin',
    async handler(call) {
      await call.services.webhooks.get(call.ctx, call.params.id);
      const input = await call.input(TestWebhookInput);
      const result = await call.services.webhooks.test(call.ctx, call.params.id, input);
      return json(200, { success: result.success, status_code: result.status_code, error: result.error, delivery_id: result.delivery.id });
    },
  },
  {
    method: 'GET',
    path: '/api/webhooks/:id/deliveries',
    auth: 'admin',
    async handler(call) {
      const webhook = await call.services.webhooks.get(call.ctx, call.params.id);
      const q = parseWith(DeliveryListQuery, Object.fromEntries(call.query));
      const { deliveries, nextCursor } = await call.services.webhooks.listDeliveries(call.ctx, { ...q, webhookId: webhook.id });
      return json(200, { deliveries: deliveries.map(deliveryJson), next_cursor: nextCursor });
    },
  },
  {
    method: 'GET',
    path: '/api/webhooks/:id/deliveries/:deliveryId',
    auth: 'admin',
    async handler(call) {
      const webhook = await call.services.webhooks.get(call.ctx, call.params.id);
      return json(200, { delivery: deliveryJson(await call.services.webhooks.getDelivery(call.ctx, call.params.deliveryId, webhook.id)) });
    },
  },
  {
    method: 'GET',
    path: '/api/webhook-events',
    auth: 'admin',
    async handler(call) {
      return json(200, { events: call.services.webhooks.events() });
    },
  },
];
