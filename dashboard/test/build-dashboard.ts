import { existsSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const DASHBOARD_DIR = fileURLToPath(new URL('..', import.meta.url));
const DIST_INDEX = path.join(DASHBOARD_DIR, 'dist', 'index.html');
const SOURCES = ['src', 'public', 'index.html', 'vite.config.ts', 'package.json'];

function newestMtime(entry: string): number {
  if (!existsSync(entry)) return 0;
  const info = statSync(entry);
  if (!info.isDirectory()) return info.mtimeMs;
  return Math.max(0, ...readdirSync(entry).map((name) => newestMtime(path.join(entry, name))));
}

/** True when dashboard/dist is missing or older than any source it is built from. */
export function dashboardIsStale(): boolean {
  if (!existsSync(DIST_INDEX)) return true;
  const built = statSync(DIST_INDEX).mtimeMs;
  return SOURCES.some((s) => newestMtime(path.join(DASHBOARD_DIR, s)) > built);
}

/** Builds the dashboard with Vite when it is stale, so the browser tests always test the current code. */
export async function ensureDashboardBuilt(): Promise<void> {
  if (!dashboardIsStale()) return;
  const { build } = await import('vite');
  // Built aside and swapped in, so that another test run serving dist meanwhile never sees it half-written.
  const staging = path.join(DASHBOARD_DIR, `.dist-${process.pid}`);
  const retired = path.join(DASHBOARD_DIR, `.dist-old-${process.pid}`);
  try {
    await build({ configFile: path.join(DASHBOARD_DIR, 'vite.config.ts'), logLevel: 'warn', build: { outDir: staging, emptyOutDir: true } });
    const dist = path.join(DASHBOARD_DIR, 'dist');
    if (existsSync(dist)) renameSync(dist, retired);
    renameSync(staging, dist);
  } finally {
    rmSync(staging, { recursive: true, force: true });
    rmSync(retired, { recursive: true, force: true });
  }
}
