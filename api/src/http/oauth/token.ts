import { UnsupportedGrantType, InvalidRequest } from '../../errors.ts';
import { RefreshRequest, TokenRequest } from '../../schemas/oauth.ts';
import { json, type Route } from '../route.ts';
import { NO_STORE } from './client-auth.ts';
import { clientCredentialsGrant } from './grants/client-credentials.ts';
import { refreshTokenGrant } from './grants/refresh-token.ts';

const grants = {
  client_credentials: clientCredentialsGrant,
  refresh_token: refreshTokenGrant,
} as const;

export const tokenRoutes: Route[] = [
  {
    method: 'POST',
    path: '/oauth/token',
    auth: 'none',
    async handler(call) {
      const body = await call.input(TokenRequest);
      const grant = grants[body.grant_type as keyof typeof grants];
      if (!grant || !Object.hasOwn(grants, body.grant_type)) throw new UnsupportedGrantType();
      return json(200, await grant(call, body), NO_STORE);
    },
  },
  {
    // The seed's shortcut for the refresh grant; grant_type may be omitted.
    method: 'POST',
    path: '/oauth/refresh',
    auth: 'none',
    async handler(call) {
      const body = await call.input(RefreshRequest);
      if (body.grant_type !== undefined && body.grant_type !== 'refresh_token') throw new InvalidRequest('grant_type must be refresh_token here');
      return json(200, await refreshTokenGrant(call, body), NO_STORE);
    },
  },
];
