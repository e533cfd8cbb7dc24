import { z } from 'zod';
import { expiresIn, name, uuid } from './common.ts';

/**
 * One browser origin as the `Origin` header carries it: http(s)://host[:port], nothing after.
 * `*` and `null` are refused: an organization's origins receive credentialed CORS responses.
 */
export function parseOrigin(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  if (url.username || url.password || url.search || url.hash || url.pathname !== '/') return undefined;
  // The URL parser accepts "https://a.com?" and "https://a.com#"; an origin has neither.
  if (/[?#]/.test(value)) return undefined;
  return url.origin;
}

/** Comma-separated origins, e.g. "https://app.example.com,http://localhost:3000"; "" clears them. */
export const allowedOrigins = z
  .string()
  .max(4000)
  .superRefine((value, ctx) => {
    const entries = value.split(',').map((s) => s.trim());
    if (value.trim() === '') return;
    if (entries.length > 100) return void ctx.addIssue({ code: 'custom', message: 'at most 100 origins' });
    for (const entry of entries) {
      if (!entry || !parseOrigin(entry)) {
        return void ctx.addIssue({ code: 'custom', message: `"${entry.slice(0, 100)}" is not an origin (expected a comma-separated list like https://app.example.com,http://localhost:3000)` });
      }
    }
  });

export const slug = z.string().regex(/^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/, 'slug is 1-64 lowercase letters, digits and hyphens, not starting or ending with a hyphen');

const organizationFields = {
  name,
  slug,
  owner_email: z.union([z.email().max(320), z.literal('')]).optional(),
  jwt_issuer: z.union([z.url({ protocol: /^https?$/ }).max(500), z.literal('')]).optional(),
  /** 0 means the server's default lifetime. */
  jwt_expiry_secs: z.number().int().min(0).max(2_592_000).optional(),
  allowed_origins: allowedOrigins.optional(),
  plan: z.enum(['free', 'pro', 'enterprise']).optional(),
};

export const CreateOrganizationInput = z.strictObject(organizationFields);
export type CreateOrganizationInput = z.infer<typeof CreateOrganizationInput>;
/** PUT and PATCH alike: every field optional (the service refuses an update that changes nothing). */
export const UpdateOrganizationInput = z.strictObject(organizationFields).partial();
export type UpdateOrganizationInput = z.infer<typeof UpdateOrganizationInput>;

const teamFields = { name, description: z.string().max(2000).optional() };
export const CreateTeamInput = z.strictObject(teamFields);
export type CreateTeamInput = z.infer<typeof CreateTeamInput>;
export const UpdateTeamInput = z.strictObject(teamFields).partial();
export type UpdateTeamInput = z.infer<typeof UpdateTeamInput>;

export const CreateApiKeyInput = z.strictObject({ name, team_id: uuid.nullish(), expires_in: expiresIn.nullish() });
export type CreateApiKeyInput = z.infer<typeof CreateApiKeyInput>;
