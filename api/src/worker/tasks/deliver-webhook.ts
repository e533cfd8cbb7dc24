import type { Task } from 'graphile-worker';
import type { Logger } from 'pino';
import type { Config } from '../../config.ts';
import type { Services } from '../../services/index.ts';

/** Delivers one webhook delivery row (implemented with the webhooks service). */
export function deliverWebhookTask(_services: Services, _config: Config, _log: Logger): Task {
  return async () => {
    throw new Error('webhook delivery is not implemented yet');
  };
}
