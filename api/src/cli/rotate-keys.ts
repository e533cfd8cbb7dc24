import pino from 'pino';
import { ConfigError, loadConfig } from '../config.ts';
import { connect, runMigrations } from '../db/index.ts';
import { startEmbeddedPostgres } from '../db/embedded.ts';
import { loadMasterKey } from '../lib/master-key.ts';
import { SecretBox } from '../lib/secrets.ts';
import { withStartupLock } from '../lib/startup-lock.ts';
import { createServices } from '../services/index.ts';

/**
 * `npm run rotate-keys`: makes a new signing key active. With a running server on PORT it asks
 * the server (the embedded database belongs to it); otherwise it opens the database itself.
 * Running instances switch signers at once through LISTEN/NOTIFY.
 */
async function main() {
  const config = loadConfig();
  const auth = `Basic ${Buffer.from(`${config.admin.email}:${config.admin.password}`).toString('base64')}`;
  const running = await fetch(`http://127.0.0.1:${config.port}/api/admin/keys/rotate`, { method: 'POST', headers: { authorization: auth } }).catch(() => undefined);
  if (running) {
    const body = await running.text();
    if (!running.ok) throw new Error(`the server refused the rotation: ${running.status} ${body}`);
    console.log(`rotated through the running server: ${body}`);
    return;
  }
  const log = pino({ level: 'warn' });
  const embedded = config.databaseUrl ? undefined : await startEmbeddedPostgres(config.dataDir, log);
  const { db, client } = connect(config.databaseUrl ?? embedded!.url, 2);
  try {
    const services = await withStartupLock(config.databaseUrl ?? embedded!.url, async () => {
      await runMigrations(db);
      return createServices(db, config, new SecretBox(loadMasterKey(config.masterKey, config.dataDir)));
    });
    const key = await services.keys.rotate();
    console.log(`rotated: new signing key ${key.kid} (${key.alg})`);
  } finally {
    await client.end();
    await embedded?.stop();
  }
}

main().catch((error) => {
  console.error(error instanceof ConfigError ? error.message : `rotate-keys failed: ${error instanceof Error ? error.message : error}`);
  process.exit(1);
});
