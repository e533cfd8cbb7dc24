import { json, type Route } from '../route.ts';

/** RFC 7517 key set and RFC 8414 server metadata. */
export const discoveryRoutes: Route[] = [
  {
    method: 'GET',
    path: '/.well-known/jwks.json',
    auth: 'none',
    async handler(call) {
      // Short cache: a rotated-in key must reach verifiers well before tokens signed with it do.
      return json(200, call.services.keys.jwks(), { 'cache-control': 'public, max-age=60' });
    },
  },
  {
    method: 'GET',
    path: '/.well-known/oauth-authorization-server',
    auth: 'none',
    async handler(call) {
      const base = call.config.publicUrl ?? publicBaseUrl(call.req.headers.host, call.config);
      return json(200, {
        issuer: call.config.jwt.issuer,
        token_endpoint: `${base}/oauth/token`,
        jwks_uri: `${base}/.well-known/jwks.json`,
        introspection_endpoint: `${base}/oauth/introspect`,
        revocation_endpoint: `${base}/oauth/revoke`,
        grant_types_supported: ['client_credentials', 'refresh_token'],
        token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
        introspection_endpoint_auth_methods_supported: ['none'],
        revocation_endpoint_auth_methods_supported: ['none'],
        response_types_supported: ['token'],
        token_endpoint_auth_signing_alg_values_supported: [call.services.keys.activeKey.alg],
      }, call.config.publicUrl
        ? { 'cache-control': 'public, max-age=300' }
        // Built from the Host header: a shared cache must not hand one host's answer to another.
        : { 'cache-control': 'private, max-age=300', vary: 'Host' });
    },
  },
];

function publicBaseUrl(host: string | undefined, config: { requireHttps: boolean; port: number }) {
  const safeHost = host && /^[a-z0-9.\-:[\]]+$/i.test(host) ? host : `localhost:${config.port}`;
  return `${config.requireHttps ? 'https' : 'http'}://${safeHost}`;
}
