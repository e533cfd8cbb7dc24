import { InvalidRequest } from '../../../errors.ts';
import type { TokenRequest } from '../../../schemas/oauth.ts';
import type { TokenResponse } from '../../../services/tokens.ts';
import type { Call } from '../../route.ts';
import { clientCredentials } from '../client-auth.ts';

/** RFC 6749 §6. */
export const parameters = new Set(['grant_type', 'refresh_token', 'scope', 'client_id', 'client_secret']);

export async function refreshTokenGrant(call: Call, body: Omit<TokenRequest, 'grant_type'>): Promise<TokenResponse> {
  if (!body.refresh_token) throw new InvalidRequest('refresh_token is required');
  const { clientId, clientSecret } = clientCredentials(call, body);
  return call.services.tokens.refresh(call.ctx, { refreshToken: body.refresh_token, clientId, clientSecret, scope: body.scope });
}
