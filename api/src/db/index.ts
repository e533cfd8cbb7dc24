import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { drizzle } from 'drizzle-orm/postgres-js';
import { migrate } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import * as schema from './schema.ts';

export const MIGRATIONS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../drizzle');

export function connect(url: string, poolSize: number) {
  const client = postgres(url, {
    max: poolSize,
    onnotice: () => {},
    connection: { application_name: 'machineauth' },
  });
  const db = drizzle(client, { schema });
  return { client, db };
}

export type Database = ReturnType<typeof connect>['db'];
export type Sql = ReturnType<typeof connect>['client'];
/** A drizzle handle inside a transaction (same query API as Database). */
export type Tx = Parameters<Parameters<Database['transaction']>[0]>[0];
export type DbOrTx = Database | Tx;

export async function runMigrations(db: Database) {
  await migrate(db, { migrationsFolder: MIGRATIONS_DIR });
}
