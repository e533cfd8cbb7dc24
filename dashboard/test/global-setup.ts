import { ensureDashboardBuilt } from './build-dashboard.ts';

/** Once per run, before any test file: the browser tests and the static-file tests need dashboard/dist. */
export default async function setup() {
  await ensureDashboardBuilt();
}
