import { agentsRouter } from './routers/agents.ts';
import { apiKeysRouter } from './routers/api-keys.ts';
import { auditRouter } from './routers/audit.ts';
import { metricsRouter } from './routers/metrics.ts';
import { organizationsRouter } from './routers/organizations.ts';
import { sessionRouter } from './routers/session.ts';
import { tokensRouter } from './routers/tokens.ts';
import { webhooksRouter } from './routers/webhooks.ts';
import { router } from './trpc.ts';

/** Every admin operation the dashboard performs; its type is the dashboard's and the SDK's contract. */
export const appRouter = router({
  agents: agentsRouter,
  organizations: organizationsRouter,
  apiKeys: apiKeysRouter,
  tokens: tokensRouter,
  webhooks: webhooksRouter,
  audit: auditRouter,
  metrics: metricsRouter,
  session: sessionRouter,
});

export type AppRouter = typeof appRouter;
