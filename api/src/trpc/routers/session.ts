import { adminProcedure, router } from '../trpc.ts';

/** Who the dashboard is signed in as (log-in and log-out are REST: they set and clear the cookie). */
export const sessionRouter = router({
  me: adminProcedure.query(({ ctx }) => {
    const p = ctx.request.principal;
    if (p.kind === 'api_key') return { kind: 'api_key' as const, api_key_id: p.apiKeyId, organization_id: p.organizationId, team_id: p.teamId };
    return { kind: 'admin' as const, email: p.kind === 'admin' ? p.email : '' };
  }),
});
