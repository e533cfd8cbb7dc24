import { z } from 'zod';
import { expiresIn, name, plainText, scopeList, uuid } from './common.ts';

export const CreateAgentInput = z.strictObject({
  name,
  organization_id: uuid.nullish(),
  team_id: uuid.nullish(),
  scopes: scopeList.default([]),
  expires_in: expiresIn.nullish(),
});
export type CreateAgentInput = z.infer<typeof CreateAgentInput>;

export const UpdateAgentInput = z.strictObject({
  name: name.optional(),
  scopes: scopeList.optional(),
  /** Seconds from now; null removes the expiry. */
  expires_in: expiresIn.nullable().optional(),
  team_id: uuid.nullable().optional(),
  is_active: z.boolean().optional(),
});
export type UpdateAgentInput = z.infer<typeof UpdateAgentInput>;

export const RotateAgentInput = z.strictObject({ action: z.literal('rotate').optional() });


export const AgentListQuery = z.object({
  organization_id: uuid.optional(),
  is_active: z.enum(['true', 'false']).transform((v) => v === 'true').optional(),
  search: plainText.max(200).optional(),
  limit: z.coerce.number().int().min(1).max(1000).optional(),
  offset: z.coerce.number().int().min(0).max(10_000_000).optional(),
});
