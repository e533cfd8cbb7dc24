import { z } from 'zod';

/** RFC 6749 §4.4 / §6 token request. Unknown parameters are ignored, as §3.2 requires. */
export const TokenRequest = z.object({
  grant_type: z.string().min(1, 'grant_type is required'),
  client_id: z.string().max(200).optional(),
  client_secret: z.string().max(500).optional(),
  scope: z.string().max(4000).optional(),
  refresh_token: z.string().max(500).optional(),
});
export type TokenRequest = z.infer<typeof TokenRequest>;

export const RefreshRequest = TokenRequest.extend({ grant_type: z.string().optional() });

export const TokenTypeHint = z.enum(['access_token', 'refresh_token']);
export const IntrospectRequest = z.object({
  token: z.string().min(1, 'token is required').max(8192),
  token_type_hint: z.string().max(100).optional(),
});
export const RevokeRequest = IntrospectRequest;

