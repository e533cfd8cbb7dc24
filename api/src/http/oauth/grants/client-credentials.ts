import { InvalidClient } from '../../../errors.ts';
import type { TokenRequest } from '../../../schemas/oauth.ts';
import type { TokenResponse } from '../../../services/tokens.ts';
import type { Call } from '../../route.ts';
import { clientCredentials } from '../client-auth.ts';

/** RFC 6749 §4.4. */
export const parameters = new Set(['grant_type', 'client_id', 'client_secret', 'scope']);

export async function clientCredentialsGrant(call: Call, body: TokenRequest): Promise<TokenResponse> {
  const { clientId, clientSecret } = clientCredentials(call, body);
  if (!clientId || !clientSecret) throw new InvalidClient('client authentication required: client_id and client_secret');
  return call.services.tokens.clientCredentials(call.ctx, { clientId, clientSecret, scope: body.scope });
}
