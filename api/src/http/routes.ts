import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import type { Services } from '../services/index.ts';
import { introspectRoutes } from './oauth/introspect.ts';
import { discoveryRoutes } from './oauth/jwks.ts';
import { revokeRoutes } from './oauth/revoke.ts';
import { tokenRoutes } from './oauth/token.ts';
import { dashboardMount } from './dashboard.ts';
import { agentRoutes } from './rest/agents.ts';
import { openApiRoutes } from './rest/openapi.ts';
import { organizationRoutes } from './rest/organizations.ts';
import { selfServiceRoutes } from './rest/self-service.ts';
import { systemRoutes } from './rest/system.ts';
import { webhookRoutes } from './rest/webhooks.ts';
import type { Mount, Route } from './route.ts';
import { trpcMount } from '../trpc/mount.ts';
import { graphqlMount } from '../graphql/mount.ts';

/** Every REST and OAuth route. */
export function allRoutes(services: Services): Route[] {
  return [
    ...systemRoutes(services.db),
    ...openApiRoutes,
    ...discoveryRoutes,
    ...tokenRoutes,
    ...introspectRoutes,
    ...revokeRoutes,
    ...selfServiceRoutes,
    ...agentRoutes,
    ...organizationRoutes,
    ...webhookRoutes,
  ];
}

/** Sub-applications under a prefix (GraphQL, tRPC, the dashboard) and how to stop them. */
export async function allMounts(deps: { config: Config; services: Services; log: Logger; databaseUrl: string }): Promise<{ mounts: Mount[]; stop: () => Promise<void> }> {
  return { mounts: [dashboardMount(), trpcMount(deps), graphqlMount(deps)], stop: async () => {} };
}
