import { CreateApiKeyInput } from '../../schemas/organizations.ts';
import { apiKeyJson } from '../../wire.ts';
import { adminProcedure, router } from '../trpc.ts';
import { ByOrganization, resourceId } from './ids.ts';
import { z } from 'zod';

/** The twins of /api/organizations/:id/api-keys (http/rest/organizations.ts). */
export const apiKeysRouter = router({
  list: adminProcedure.input(ByOrganization).query(async ({ ctx, input }) => {
    return { api_keys: (await ctx.services.apiKeys.list(ctx.request, input.organization_id)).map(apiKeyJson) };
  }),

  /** The full key is in this answer only. */
  create: adminProcedure.input(CreateApiKeyInput.extend({ organization_id: resourceId })).mutation(async ({ ctx, input: { organization_id, ...key } }) => {
    const { apiKey, key: secret } = await ctx.services.apiKeys.create(ctx.request, organization_id, key);
    return { api_key: apiKeyJson(apiKey), key: secret };
  }),

  revoke: adminProcedure.input(z.strictObject({ organization_id: resourceId, key_id: resourceId })).mutation(async ({ ctx, input }) => {
    await ctx.services.apiKeys.revoke(ctx.request, input.organization_id, input.key_id);
    return { revoked: true as const };
  }),
});
