import { z } from 'zod';
import { uuid } from '../../schemas/common.ts';
import { auditJson } from '../../wire.ts';
import { adminProcedure, router } from '../trpc.ts';

const AuditListInput = z.strictObject({
  organization_id: uuid.optional(),
  agent_id: uuid.optional(),
  action: z.string().min(1).max(100).optional(),
  limit: z.number().int().min(1).max(1000).optional(),
  /** Keyset cursor: the last entry of the previous page. */
  before: z.strictObject({ created_at: z.iso.datetime({ offset: true }), id: uuid }).optional(),
});

/** The audit trail, newest first; an API key sees only its organization's. */
export const auditRouter = router({
  list: adminProcedure.input(AuditListInput.optional()).query(async ({ ctx, input = {} }) => {
    const entries = await ctx.services.audit.list(ctx.request, {
      organizationId: input.organization_id,
      agentId: input.agent_id,
      action: input.action,
      limit: input.limit,
      before: input.before ? { createdAt: new Date(input.before.created_at), id: input.before.id } : undefined,
    });
    return { entries: entries.map(auditJson) };
  }),
});
