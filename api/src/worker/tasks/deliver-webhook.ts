import type { Task } from 'graphile-worker';
import type { Logger } from 'pino';
import { isUuid } from '../../lib/secrets.ts';
import type { Services } from '../../services/index.ts';

/**
 * Runs one attempt of a webhook delivery. Receiver failures are recorded and rescheduled by the
 * service, so the job itself succeeds; only infrastructure errors (the database) throw and fall
 * back on graphile-worker's own retries.
 */
export function deliverWebhookTask(services: Services, log: Logger): Task {
  return async (payload) => {
    const deliveryId = (payload as { delivery_id?: unknown } | null)?.delivery_id;
    if (!isUuid(deliveryId)) {
      log.warn({ payload }, 'deliver_webhook job without a delivery id; dropped');
      return;
    }
    await services.webhooks.deliver(deliveryId);
  };
}
