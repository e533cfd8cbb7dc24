import { RevokeRequest } from '../../schemas/oauth.ts';
import { json, type Route } from '../route.ts';
import { NO_STORE } from './client-auth.ts';

/** RFC 7009 §2: answers 200 whether or not the token was known. */
export const revokeRoutes: Route[] = [
  {
    method: 'POST',
    path: '/oauth/revoke',
    auth: 'none',
    async handler(call) {
      const { token, token_type_hint } = await call.input(RevokeRequest);
      await call.services.tokens.revoke(call.ctx, token, token_type_hint);
      return json(200, { status: 'revoked' }, NO_STORE);
    },
  },
];
