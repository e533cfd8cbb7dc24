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
  const db = drizzle(client, { schema, logger: { logQuery: (query) => { for (const observer of queryObservers) observer(query); } } });
  return { client, db };
}

const queryObservers = new Set<(sql: string) => void>();

/** Calls `observer` with every SQL statement run through drizzle (tests count statements with it); returns the unsubscribe. */
export function observeQueries(observer: (sql: string) => void): () => void {
  queryObservers.add(observer);
  return () => queryObservers.delete(observer);
}

export type Database = ReturnType<typeof connect>['db'];
export type Sql = ReturnType<typeof connect>['client'];
/** A drizzle handle inside a transaction (same query API as Database). */
export type Tx = Parameters<Parameters<Database['transaction']>[0]>[0];
export type DbOrTx = Database | Tx;

/**
 * The postgres.js handle under a drizzle database or transaction, for the hot path: its tagged
 * templates run as named prepared statements and pipeline, whereas drizzle sends every query
 * unprepared (a Describe round trip first, which also stalls the pipeline) and builds multi-row
 * inserts value by value.
 */
export function postgresOf(db: DbOrTx | Sql): Sql {
  return '_' in db ? (db._.session as unknown as { client: Sql }).client : db;
}

export async function runMigrations(db: Database) {
  await migrate(db, { migrationsFolder: MIGRATIONS_DIR });
}
