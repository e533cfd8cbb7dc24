import { Logger as WorkerLogger, run, runMigrations, type Runner, type TaskList } from 'graphile-worker';
import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import type { Services } from '../services/index.ts';
import { deliverWebhookTask } from './tasks/deliver-webhook.ts';

/** graphile-worker's tables live in the same database; installed before anything enqueues jobs. */
export async function installWorkerSchema(connectionString: string, log: Logger) {
  await runMigrations({ connectionString, logger: workerLogger(log) });
}

/**
 * Runs the job queue in this process. Every instance runs one; graphile-worker hands each job to
 * exactly one of them (SKIP LOCKED), so deliveries spread over the fleet.
 */
export async function startWorker(connectionString: string, config: Config, services: Services, log: Logger): Promise<Runner> {
  const taskList: TaskList = {
    deliver_webhook: deliverWebhookTask(services, config, log),
  };
  return run({
    connectionString,
    concurrency: config.webhooks.workerCount,
    noHandleSignals: true,
    pollInterval: 1000,
    taskList,
    logger: workerLogger(log),
  });
}

function workerLogger(log: Logger) {
  const child = log.child({ component: 'worker' });
  return new WorkerLogger(() => (level, message, meta) => {
    const fn = level === 'error' ? child.error : level === 'warning' ? child.warn : child.debug;
    fn.call(child, meta ?? {}, message);
  });
}
