import { InvalidClient, InvalidRequest } from '../../errors.ts';
import { basicCredentials } from '../auth.ts';
import type { Call } from '../route.ts';

/**
 * RFC 6749 §2.3.1: client credentials come either in HTTP Basic (client_secret_basic) or in
 * the body (client_secret_post), never both.
 */
export function clientCredentials(call: Call, body: { client_id?: string; client_secret?: string }): { clientId?: string; clientSecret?: string } {
  const basic = basicCredentials(call.req, { formEncoded: true });
  if (call.req.headers.authorization && /^basic /i.test(call.req.headers.authorization) && !basic) throw new InvalidClient('malformed Basic credentials');
  if (basic) {
    if (body.client_secret !== undefined) throw new InvalidRequest('use one client authentication method: HTTP Basic or client_secret in the body, not both');
    if (body.client_id !== undefined && body.client_id !== basic.user) throw new InvalidRequest('client_id in the body differs from the authenticated client');
    return { clientId: basic.user, clientSecret: basic.password };
  }
  return { clientId: body.client_id, clientSecret: body.client_secret };
}

/** RFC 6749 §5.1: token responses must not be cached. */
export const NO_STORE = { 'cache-control': 'no-store', pragma: 'no-cache' };
