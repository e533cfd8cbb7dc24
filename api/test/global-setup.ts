import { rmSync } from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres } from '../src/db/embedded.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    postgresUrl: string;
  }
}

/** One real embedded PostgreSQL for the whole run; every test file gets its own database on it. */
export default async function setup(project: TestProject) {
  // Per run, so that several runs on one machine never share a data directory.
  const dataDir = path.resolve(`.data-test-${process.pid}`);
  rmSync(dataDir, { recursive: true, force: true });
  const pg = await startEmbeddedPostgres(dataDir, pino({ level: 'warn' }));
  project.provide('postgresUrl', pg.url);
  return async () => {
    await pg.stop();
    rmSync(dataDir, { recursive: true, force: true });
  };
}
