import { adminProcedure, router } from '../trpc.ts';

/** The counters of GET /metrics (JSON form); charts over time read GraphQL's `metrics`. */
export const metricsRouter = router({
  snapshot: adminProcedure.query(({ ctx }) => ctx.services.metrics.snapshot()),
});
