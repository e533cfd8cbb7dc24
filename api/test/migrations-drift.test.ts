import { execFile } from 'node:child_process';
import { cpSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, expect, it } from 'vitest';
import { REPO_ROOT } from './helpers.ts';

const run = promisify(execFile);
// drizzle-kit wants an output folder relative to the working directory.
const scratch = `.drizzle-drift-${process.pid}`;
afterAll(() => rmSync(path.join(REPO_ROOT, scratch), { recursive: true, force: true }));

it('the committed migrations are what drizzle-kit generates from api/src/db/schema.ts', async () => {
  cpSync(path.join(REPO_ROOT, 'drizzle'), path.join(REPO_ROOT, scratch), { recursive: true });
  const before = readdirSync(path.join(REPO_ROOT, scratch)).sort();
  const { stdout } = await run(
    path.join(REPO_ROOT, 'node_modules/.bin/drizzle-kit'),
    ['generate', '--dialect', 'postgresql', '--schema', 'api/src/db/schema.ts', '--out', scratch],
    { cwd: REPO_ROOT, timeout: 120_000 },
  );
  // A schema change without `npm run db:generate` would make drizzle-kit write a new migration here.
  expect(readdirSync(path.join(REPO_ROOT, scratch)).sort()).toEqual(before);
  expect(stdout).toContain('No schema changes');
});
