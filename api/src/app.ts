import type { AddressInfo } from 'node:net';
import pino, { type Logger } from 'pino';
import type { Config } from './config.ts';
import { connect, runMigrations } from './db/index.ts';
import { startEmbeddedPostgres, type EmbeddedDatabase } from './db/embedded.ts';
import { loadMasterKey } from './lib/master-key.ts';
import { SecretBox } from './lib/secrets.ts';
import { withStartupLock } from './lib/startup-lock.ts';
import { createServices, type Services } from './services/index.ts';
import { createHttpServer } from './http/server.ts';
import { allRoutes, allMounts } from './http/routes.ts';
import { installWorkerSchema, startWorker } from './worker/index.ts';

export interface App {
  url: string;
  port: number;
  services: Services;
  config: Config;
  log: Logger;
  /** Stops accepting requests, finishes the ones in flight and queued writes, then closes everything. */
  close(): Promise<void>;
}

/**
 * The composition root: config → database (embedded or external) → migrations → signing keys →
 * services → worker → HTTP server. Used by main.ts and by the tests, so both run the same code.
 */
export async function startApp(config: Config, options: { log?: Logger } = {}): Promise<App> {
  const log = options.log ?? pino({ level: config.logLevel, base: undefined, redact: ['req.headers.authorization', 'req.headers.cookie'] });
  let embedded: EmbeddedDatabase | undefined;
  const url = config.databaseUrl ?? (embedded = await startEmbeddedPostgres(config.dataDir, log)).url;
  const { db, client } = connect(url, config.dbPoolSize);
  try {
    const box = new SecretBox(loadMasterKey(config.masterKey, config.dataDir));
    const services = await withStartupLock(url, async () => {
      await runMigrations(db);
      await installWorkerSchema(url, log);
      return createServices(db, config, box);
    });
    // A rotation made by another instance (or the CLI) switches this one's signer at once.
    await client.listen('machineauth_keys', () => {
      services.keys.reload().catch((error) => log.error({ err: error }, 'signing key reload failed'));
    });
    const worker = await startWorker(url, config, services, log);
    const { routes, mounts, stop: stopExtras } = await assemble(config, services, log, url);
    const server = createHttpServer({ config, services, log, routes, mounts });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.port, config.host, () => resolve());
    });
    const port = (server.address() as AddressInfo).port;
    log.info({ port, env: config.env, algorithm: services.keys.activeKey.alg, kid: services.keys.activeKey.kid }, 'MachineAuth listening');
    let closing: Promise<void> | undefined;
    return {
      url: `http://127.0.0.1:${port}`,
      port,
      services,
      config,
      log,
      close: () =>
        (closing ??= (async () => {
          await new Promise<void>((resolve) => {
            // A keep-alive connection busy now turns idle after its answer; close those as they do,
            // and after 10 s whatever is left, so no client can hold the shutdown up.
            const sweep = setInterval(() => server.closeIdleConnections(), 50);
            const deadline = setTimeout(() => server.closeAllConnections(), 10_000);
            server.close(() => {
              clearInterval(sweep);
              clearTimeout(deadline);
              resolve();
            });
            server.closeIdleConnections();
          });
          await services.tokens.drain();
          await stopExtras();
          await worker.stop();
          if (embedded) await untilOnlyOurConnectionsRemain(client).catch(() => {});
          await client.end({ timeout: 5 });
          await embedded?.stop();
        })()),
    };
  } catch (error) {
    await client.end({ timeout: 1 }).catch(() => {});
    await embedded?.stop().catch(() => {});
    throw error;
  }
}

async function assemble(config: Config, services: Services, log: Logger, databaseUrl: string) {
  const routes = allRoutes(services);
  const mounts = await allMounts({ config, services, log, databaseUrl });
  return { routes, mounts: mounts.mounts, stop: mounts.stop };
}

/**
 * graphile-worker ends its pg pool without waiting for it. Stopping the embedded server while one
 * of those connections is still closing makes pg emit an 'error' nobody listens to any more, which
 * crashes the process mid-shutdown; so wait (briefly) until only our own connections are left.
 */
async function untilOnlyOurConnectionsRemain(client: ReturnType<typeof connect>['client']) {
  for (let attempt = 0; attempt < 100; attempt++) {
    const [{ others }] = await client<{ others: number }[]>`
      select count(*)::int as others from pg_stat_activity
      where datname = current_database() and backend_type = 'client backend' and application_name <> 'machineauth'`;
    if (others === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
