import postgres from 'postgres';

/**
 * Runs `work` holding a database-wide advisory lock, so instances starting together on one
 * database (a first deploy with several replicas, the rotate-keys CLI next to a server) apply
 * migrations and create the first signing key one after another; at once they collide.
 */
export async function withStartupLock<T>(databaseUrl: string, work: () => Promise<T>): Promise<T> {
  // Its own connection: the pool may have a single one, which the work itself needs.
  const lock = postgres(databaseUrl, { max: 1, onnotice: () => {}, connection: { application_name: 'machineauth' } });
  try {
    await lock`select pg_advisory_lock(hashtext('machineauth_startup'))`;
    return await work();
  } finally {
    // Ending the session releases the lock.
    await lock.end({ timeout: 5 });
  }
}
