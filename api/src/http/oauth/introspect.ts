import { IntrospectRequest } from '../../schemas/oauth.ts';
import { json, type Route } from '../route.ts';
import { NO_STORE } from './client-auth.ts';

/** RFC 7662 §2. */
export const introspectRoutes: Route[] = [
  {
    method: 'POST',
    path: '/oauth/introspect',
    auth: 'none',
    async handler(call) {
      const { token, token_type_hint } = await call.input(IntrospectRequest);
      return json(200, await call.services.tokens.introspect(call.ctx, token, token_type_hint), NO_STORE);
    },
  },
];
