/**
 * The peer: oidc-provider (the certified Node.js OpenID provider) issuing client_credentials
 * access tokens in JWT format (resource indicators, one resource server) signed with the same
 * algorithm and carrying the same extra claims. Its default in-memory adapter is used.
 * Usage: oidc-peer.ts <port> <RS256|ES256|EdDSA> <clients.json>
 */
import http from 'node:http';
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import Provider from 'oidc-provider';
import type { BenchClient } from './lib/machineauth.ts';

const [port, alg, clientsFile] = process.argv.slice(2);
const clients = JSON.parse(readFileSync(clientsFile, 'utf8')) as BenchClient[];
const byId = new Map(clients.map((c) => [c.clientId, c]));

const { privateKey } =
  alg === 'RS256' ? generateKeyPairSync('rsa', { modulusLength: 2048 })
  : alg === 'ES256' ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
  : generateKeyPairSync('ed25519');
const signingJwk = { ...privateKey.export({ format: 'jwk' }), alg, use: 'sig', kid: 'peer-1' };
const RESOURCE = 'urn:machineauth-api';

const provider = new Provider(`http://127.0.0.1:${port}`, {
  clients: clients.map((c) => ({
    client_id: c.clientId,
    client_secret: c.clientSecret,
    grant_types: ['client_credentials'],
    redirect_uris: [],
    response_types: [],
    token_endpoint_auth_method: 'client_secret_post',
    id_token_signed_response_alg: alg,
    scope: c.scopes.join(' '),
  })),
  jwks: { keys: [signingJwk] },
  cookies: { keys: ['bench-cookie-key-not-used-by-client-credentials'] },
  scopes: ['read', 'write'],
  routes: { token: '/oauth/token' },
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => RESOURCE,
      useGrantedResource: () => true,
      getResourceServerInfo: () => ({
        scope: 'read write',
        audience: 'machineauth-api',
        accessTokenTTL: 3600,
        accessTokenFormat: 'jwt',
        jwt: { sign: { alg } },
      }),
    },
  },
  // The same claims shape as MachineAuth's tokens.
  extraTokenClaims: (ctx: { oidc: { client?: { clientId: string } } }) => {
    const client = byId.get(ctx.oidc.client?.clientId ?? '');
    return { agent_id: client?.agentId, org_id: '', team_id: '' };
  },
});

http.createServer(provider.callback()).listen(Number(port), '127.0.0.1');
process.on('SIGTERM', () => process.exit(0));
