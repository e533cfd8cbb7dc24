import { Logger as WorkerLogger, run, runMigrations, type Runner, type TaskList } from 'graphile-worker';
import postgres from 'postgres';
import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import type { Services } from '../services/index.ts';
import { DELIVER_WEBHOOK_TASK } from '../services/webhooks.ts';
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
    [DELIVER_WEBHOOK_TASK]: deliverWebhookTask(services, log.child({ component: 'webhooks' })),
  };
  const runner = await run({
    connectionString,
    concurrency: config.webhooks.workerCount,
    noHandleSignals: true,
    // New jobs arrive by LISTEN/NOTIFY; polling only finds retries coming due, and finding them
    // more often than one backoff unit would add load without making retries more punctual.
    pollInterval: Math.min(1000, Math.max(50, config.webhooks.backoffUnitMs)),
    taskList,
    logger: workerLogger(log),
  });
  const stopSweeping = sweepStaleDeliveryLocks(connectionString, config, log);
  const stop = runner.stop.bind(runner);
  runner.stop = async () => {
    await stopSweeping();
    await stop();
  };
  return runner;
}

/**
 * A process killed in the middle of a delivery leaves its job locked, and graphile-worker frees
 * such locks only after four hours. No attempt can legitimately hold a lock for longer than the
 * delivery timeout plus a few queries, so locks older than that belong to a dead worker and are
 * released here (at start-up and then periodically, on every instance), and the job runs again.
 * The delivery row makes that safe: an attempt already recorded is not recorded twice.
 */
function sweepStaleDeliveryLocks(connectionString: string, config: Config, log: Logger): () => Promise<void> {
  const staleAfterMs = 2 * config.webhooks.timeoutMs + 10_000;
  const everyMs = Math.min(30_000, Math.ceil(staleAfterMs / 2));
  const sql = postgres(connectionString, { max: 1, onnotice: () => {}, connection: { application_name: 'machineauth-sweeper' } });
  let running: Promise<unknown> = Promise.resolve();
  const sweep = () => {
    running = sql`
      select graphile_worker.force_unlock_workers(array_agg(distinct locked_by)) as unlocked
      from graphile_worker.jobs
      where task_identifier = ${DELIVER_WEBHOOK_TASK}
        and locked_by is not null
        and locked_at < now() - make_interval(secs => ${staleAfterMs / 1000})
      having count(*) > 0`
      .then((rows) => {
        if (rows.length) log.warn({ component: 'webhooks' }, 'released webhook deliveries locked by a worker that stopped mid-delivery');
      })
      .catch((error: unknown) => log.error({ err: error, component: 'webhooks' }, 'stale delivery lock sweep failed'));
  };
  sweep();
  const timer = setInterval(sweep, everyMs);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await running;
    await sql.end({ timeout: 5 });
  };
}

function workerLogger(log: Logger) {
  const child = log.child({ component: 'worker' });
  return new WorkerLogger(() => (level, message, meta) => {
    const fn = level === 'error' ? child.error : level === 'warning' ? child.warn : child.debug;
    fn.call(child, meta ?? {}, message);
  });
}
