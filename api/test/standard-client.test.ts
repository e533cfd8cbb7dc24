import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as client from 'openid-client';
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from 'jose';
import { createAgent, freePort, startTestApp, type CreatedAgent, type TestApp } from './helpers.ts';

/**
 * openid-client (panva), unmodified, against our endpoints: the proof that a standard OAuth client
 * library works with MachineAuth as it is.
 */
let app: TestApp;
let agent: CreatedAgent;
let issuer: string;

beforeAll(async () => {
  const port = await freePort();
  issuer = `http://127.0.0.1:${port}`;
  // The issuer is our own URL here, so RFC 8414 discovery's issuer check can pass.
  app = await startTestApp({ PORT: String(port), JWT_ISSUER: issuer });
  agent = await createAgent(app, { name: 'library-client', scopes: ['read', 'write'] });
});
afterAll(async () => {
  await app?.close();
});

async function jwks(): Promise<JSONWebKeySet> {
  return (await (await app.request('/.well-known/jwks.json')).json()) as JSONWebKeySet;
}

/** A Configuration from our RFC 8414 metadata, without the library's discovery. */
async function configure(auth: client.ClientAuth, secret = agent.clientSecret): Promise<client.Configuration> {
  const metadata = (await (await app.request('/.well-known/oauth-authorization-server')).json()) as client.ServerMetadata;
  const config = new client.Configuration(metadata, agent.clientId, secret, auth);
  client.allowInsecureRequests(config);
  return config;
}

describe.each([
  ['client_secret_basic', (secret: string) => client.ClientSecretBasic(secret)],
  ['client_secret_post', (secret: string) => client.ClientSecretPost(secret)],
])('openid-client with %s', (_method, auth) => {
  it('gets a token with client_credentials, verifiable offline', async () => {
    const config = await configure(auth(agent.clientSecret));
    const tokens = await client.clientCredentialsGrant(config);
    expect(tokens.token_type.toLowerCase()).toBe('bearer');
    expect(tokens.expiresIn()).toBeGreaterThan(86_000);
    expect(tokens.scope).toBe('read write');
    const { payload } = await jwtVerify(tokens.access_token, createLocalJWKSet(await jwks()), { issuer, audience: 'machineauth-api' });
    expect(payload.sub).toBe(agent.clientId);
  });

  it('narrows the scope it asks for', async () => {
    const config = await configure(auth(agent.clientSecret));
    const tokens = await client.clientCredentialsGrant(config, { scope: 'read' });
    expect(tokens.scope).toBe('read');
  });

  it('refreshes, introspects and revokes', async () => {
    const config = await configure(auth(agent.clientSecret));
    const first = await client.clientCredentialsGrant(config);
    expect(first.refresh_token).toEqual(expect.any(String));
    const second = await client.refreshTokenGrant(config, first.refresh_token!);
    expect(second.access_token).not.toBe(first.access_token);

    const active = await client.tokenIntrospection(config, second.access_token);
    expect(active).toMatchObject({ active: true, client_id: agent.clientId, scope: 'read write' });

    await client.tokenRevocation(config, second.access_token);
    const inactive = await client.tokenIntrospection(config, second.access_token);
    expect(inactive.active).toBe(false);

    // The used refresh token is refused as RFC 6749 says, and the library surfaces the OAuth error.
    const replay = await client.refreshTokenGrant(config, first.refresh_token!).catch((e: unknown) => e);
    expect(replay).toBeInstanceOf(Error);
    expect((replay as { error?: string }).error).toBe('invalid_grant');
  });

  it('surfaces invalid_client for a wrong secret', async () => {
    const config = await configure(auth('not-the-secret'), 'not-the-secret');
    const failure = await client.clientCredentialsGrant(config).catch((e: unknown) => e);
    // A 401 with a Basic challenge (RFC 6749 §5.2): the library reports the challenge and keeps the body.
    expect(failure).toBeInstanceOf(client.WWWAuthenticateChallengeError);
    const challenge = failure as client.WWWAuthenticateChallengeError;
    expect(challenge.status).toBe(401);
    expect(challenge.cause[0].scheme).toBe('basic');
    expect(await challenge.response.json()).toEqual({ error: 'invalid_client', error_description: 'invalid client credentials' });
  });
});

describe('RFC 8414 discovery', () => {
  it('openid-client discovers the server from its issuer and gets a token', async () => {
    const config = await client.discovery(new URL(issuer), agent.clientId, agent.clientSecret, client.ClientSecretBasic(agent.clientSecret), {
      algorithm: 'oauth2',
      execute: [client.allowInsecureRequests],
    });
    expect(config.serverMetadata().token_endpoint).toBe(`${issuer}/oauth/token`);
    const tokens = await client.clientCredentialsGrant(config);
    expect(tokens.access_token.split('.')).toHaveLength(3);
  });
});
