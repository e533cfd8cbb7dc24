import { z } from 'zod';
import { expiresIn, name, scopeList, uuid } from './common.ts';

export const CreateOrganizationInput = z.strictObject({
  name,
  slug: z.string().regex(/^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/, 'slug is 1-64 lowercase letters, digits and hyphens'),
  owner_email: z.union([z.email(), z.literal('')]).optional(),
  jwt_issuer: z.union([z.url({ protocol: /^https?$/ }), z.literal('')]).optional(),
  jwt_expiry_secs: z.number().int().min(0).max(2_592_000).optional(),
  allowed_origins: z.string().max(4000).optional(),
  plan: z.enum(['free', 'pro', 'enterprise']).optional(),
});
export type CreateOrganizationInput = z.infer<typeof CreateOrganizationInput>;
export const UpdateOrganizationInput = CreateOrganizationInput.partial();
export type UpdateOrganizationInput = z.infer<typeof UpdateOrganizationInput>;

export const CreateTeamInput = z.strictObject({ name, description: z.string().max(2000).optional() });
export type CreateTeamInput = z.infer<typeof CreateTeamInput>;
export const UpdateTeamInput = CreateTeamInput.partial();
export type UpdateTeamInput = z.infer<typeof UpdateTeamInput>;

export const CreateApiKeyInput = z.strictObject({ name, team_id: uuid.nullish(), expires_in: expiresIn.nullish() });
export type CreateApiKeyInput = z.infer<typeof CreateApiKeyInput>;

