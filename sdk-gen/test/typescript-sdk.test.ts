import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http, { type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { restOperations } from '../../api/src/openapi/operations.ts';
import { ErrorResponse } from '../../api/src/schemas/responses.ts';
import { ADMIN_EMAIL, ADMIN_PASSWORD, startTestApp, type TestApp } from '../../api/test/helpers.ts';
import { CONTRACT_PATH } from '../src/paths.ts';

type Sdk = typeof import('@machineauth/sdk');
type MachineAuthClient = InstanceType<Sdk['MachineAuthClient']>;
type MachineAuthAdminClient = InstanceType<Sdk['MachineAuthAdminClient']>;

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Every exchange the SDK made (through its `fetch` option), held to the contract at the end. */
interface Exchange {
  method: string;
  path: string;
  status: number;
  body: unknown;
  requestBody?: string;
}
const exchanges: Exchange[] = [];
const recordingFetch: typeof fetch = async (input, init) => {
  const response = await fetch(input, init);
  const text = await response.clone().text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    // recorded as text; the contract check flags it
  }
  exchanges.push({
    method: init?.method ?? 'GET',
    path: new URL(String(input)).pathname,
    status: response.status,
    body,
    requestBody: typeof init?.body === 'string' ? init.body : undefined,
  });
  return response;
};
const tokenRequests = () => exchanges.filter((e) => e.path === '/oauth/token');

let sdk: Sdk;
let app: TestApp;
let admin: MachineAuthAdminClient;
let agent: { id: string; clientId: string; clientSecret: string };
let client: MachineAuthClient;

const newClient = (options: Partial<ConstructorParameters<Sdk['MachineAuthClient']>[0]> = {}) =>
  new sdk.MachineAuthClient({ baseUrl: app.url, clientId: agent.clientId, clientSecret: agent.clientSecret, fetch: recordingFetch, ...options });

async function newAgent(body: { name: string; scopes?: string[] }) {
  const created = await admin.createAgent({ scopes: ['read', 'write'], ...body });
  return { id: created.agent.id, clientId: created.client_id, clientSecret: created.client_secret };
}

/** The error a promise rejects with (fails the test if it resolves). */
async function failure(promise: Promise<unknown>): Promise<Error & Record<string, any>> {
  try {
    await promise;
  } catch (error) {
    return error as Error & Record<string, any>;
  }
  throw new Error('expected a rejection');
}

beforeAll(async () => {
  app = await startTestApp();
  // As a user would: the package name, resolved through the workspace to its compiled JavaScript.
  sdk = await import('@machineauth/sdk');
  admin = new sdk.MachineAuthAdminClient({ baseUrl: app.url, email: ADMIN_EMAIL, password: ADMIN_PASSWORD, fetch: recordingFetch });
  agent = await newAgent({ name: 'sdk-agent' });
  client = newClient({ scope: 'read write' });
});
afterAll(async () => { await app?.close(); });

describe('@machineauth/sdk (TypeScript) against a live server', () => {
  it('is importable with plain Node from the repository root (compiled JavaScript, no TypeScript loader)', () => {
    const script = "const m = await import('@machineauth/sdk'); console.log([typeof m.MachineAuthClient, typeof m.MachineAuthAdminClient, typeof m.verifyToken, typeof m.verifyWebhook, import.meta.resolve('@machineauth/sdk')].join(' '))";
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: REPO_ROOT, encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout.trim()).toMatch(/^function function function function file:\/\/.*\/sdk-gen\/typescript\/dist\/index\.js$/);
  });

  it('calls the public operations without credentials', async () => {
    const anonymous = new sdk.MachineAuthClient({ baseUrl: `${app.url}/`, fetch: recordingFetch });
    expect(await anonymous.getHealth()).toEqual({ status: 'ok' });
    expect((await anonymous.getServiceInfo()).service).toBe('MachineAuth');
    expect((await anonymous.getReadiness()).agents_count).toBeGreaterThanOrEqual(1);
    expect((await anonymous.getMetrics()).total_agents).toBeGreaterThanOrEqual(1);
    expect((await anonymous.getJwks()).keys[0]).toMatchObject({ kid: expect.any(String), use: 'sig' });
    expect((await anonymous.getServerMetadata()).token_endpoint).toMatch(/\/oauth\/token$/);
    expect(await anonymous.getOpenApiDocument()).toEqual(JSON.parse(readFileSync(CONTRACT_PATH, 'utf8')));
  });

  it('gets a token, caches it per scope set, and renews it with the refresh token when forced', async () => {
    const before = tokenRequests().length;
    const first = await client.getToken();
    expect(first).toMatchObject({ token_type: 'Bearer', scope: 'read write', refresh_token: expect.any(String) });
    expect((await client.getToken({ scope: 'write,read' })).access_token).toBe(first.access_token);
    const narrow = await client.getToken({ scope: 'read' });
    expect(narrow.scope).toBe('read');
    expect(narrow.access_token).not.toBe(first.access_token);
    expect(tokenRequests().length - before).toBe(2);

    const forced = await client.getToken({ scope: 'read', forceRefresh: true });
    expect(forced.access_token).not.toBe(narrow.access_token);
    expect(new URLSearchParams(tokenRequests().at(-1)!.requestBody).get('grant_type')).toBe('refresh_token');
    expect((await client.getToken({ scope: 'read' })).access_token).toBe(forced.access_token);
  });

  it('falls back to the client credentials when the refresh token is refused', async () => {
    const fallback = newClient();
    const first = await fallback.getToken();
    await fallback.revoke({ token: first.refresh_token, token_type_hint: 'refresh_token' });
    const before = tokenRequests().length;
    const renewed = await fallback.getToken({ forceRefresh: true });
    expect(renewed.access_token).not.toBe(first.access_token);
    const attempts = tokenRequests().slice(before).map((e) => [new URLSearchParams(e.requestBody).get('grant_type'), e.status]);
    expect(attempts).toEqual([['refresh_token', 401], ['client_credentials', 200]]);
  });

  it('fetches one token for a burst of concurrent calls (single flight)', async () => {
    const burst = newClient({ scope: 'read' });
    const before = tokenRequests().length;
    const tokens = await Promise.all(Array.from({ length: 25 }, () => burst.getToken()));
    expect(new Set(tokens.map((t) => t.access_token)).size).toBe(1);
    expect(tokenRequests().length - before).toBe(1);

    const calls = newClient();
    const mid = tokenRequests().length;
    const answers = await Promise.all(Array.from({ length: 10 }, () => calls.getMe()));
    expect(answers.every((a) => a.agent.id === agent.id)).toBe(true);
    expect(tokenRequests().length - mid).toBe(1);
  });

  it('renews a token shortly before it expires, with its refresh token; an expired token no longer verifies', async () => {
    const org = await admin.createOrganization({ name: 'Short-lived', slug: `short-${randomUUID().slice(0, 8)}`, jwt_expiry_secs: 10 });
    const created = await admin.createOrganizationAgent(org.id, { name: 'short', scopes: ['read'] });
    expect(created.agent.organization_id).toBe(org.id);
    const short = new sdk.MachineAuthClient({ baseUrl: app.url, clientId: created.client_id, clientSecret: created.client_secret, fetch: recordingFetch });
    const started = Date.now();
    const first = await short.getToken();
    expect(first.expires_in).toBe(10);
    // Fresh for the first half of its life (the 60 s leeway is capped at half the lifetime).
    expect((await short.getToken()).access_token).toBe(first.access_token);
    await sleep(started + 5_300 - Date.now());
    const second = await short.getToken();
    expect(second.access_token).not.toBe(first.access_token);
    expect(new URLSearchParams(tokenRequests().at(-1)!.requestBody).get('grant_type')).toBe('refresh_token');
    expect((await short.getUsage()).refresh_count).toBe(1);

    const options = { baseUrl: app.url, issuer: app.config.jwt.issuer, audience: app.config.jwt.audience };
    expect((await sdk.verifyToken(first.access_token, options)).sub).toBe(created.client_id);
    await sleep(first.issued_at * 1000 + 11_000 - Date.now());
    const expired = await failure(sdk.verifyToken(first.access_token, options));
    expect(expired).toBeInstanceOf(sdk.InvalidTokenError);
    expect(expired).toMatchObject({ code: 'invalid_token', status: 401, reason: 'expired' });
  }, 30_000);

  it('does self-service: me, usage, verify, rotate (and keeps working with the new secret), deactivate, reactivate', async () => {
    const me = await client.getMe();
    expect(me.agent).toMatchObject({ id: agent.id, client_id: agent.clientId, scopes: ['read', 'write'] });
    const usage = await client.getUsage();
    expect(usage.token_count).toBeGreaterThanOrEqual(2);
    expect(usage.rotation_history).toEqual([]);
    expect(await client.verify()).toMatchObject({ valid: true, type: 'access_token', agent_id: agent.id, scopes: ['read', 'write'] });

    const rotated = await client.rotate();
    expect(rotated.client_id).toBe(agent.clientId);
    expect(rotated.client_secret).not.toBe(agent.clientSecret);
    const stale = new sdk.MachineAuthClient({ baseUrl: app.url, clientId: agent.clientId, clientSecret: agent.clientSecret, fetch: recordingFetch });
    const refused = await failure(stale.getToken());
    expect(refused).toBeInstanceOf(sdk.InvalidClientError);
    client.tokens!.clear();
    expect((await client.getMe()).agent.id).toBe(agent.id);
    expect(new URLSearchParams(tokenRequests().at(-1)!.requestBody).get('grant_type')).toBe('client_credentials');
    agent.clientSecret = rotated.client_secret;
    expect((await client.getUsage()).rotation_history).toHaveLength(1);

    expect(await client.deactivate()).toEqual({ message: 'agent deactivated successfully' });
    const inactive = await failure(client.getMe());
    expect(inactive).toBeInstanceOf(sdk.InvalidTokenError);
    expect(inactive.status).toBe(401);
    // The deactivated agent's token still reactivates it (no new token could be had meanwhile).
    expect(await client.reactivate()).toEqual({ message: 'agent reactivated successfully' });
    expect((await client.getMe()).agent.is_active).toBe(true);
  });

  it('calls the OAuth endpoints directly: token, refresh (a replay revokes the family), introspect, revoke', async () => {
    const pair = await client.requestToken({ grant_type: 'client_credentials', scope: 'write' });
    expect(pair.scope).toBe('write');
    expect(await client.introspect({ token: pair.access_token })).toMatchObject({ active: true, client_id: agent.clientId, scope: 'write', token_type: 'Bearer' });
    const refreshed = await client.refresh({ refresh_token: pair.refresh_token });
    expect(refreshed.access_token).not.toBe(pair.access_token);
    const replay = await failure(client.refresh({ refresh_token: pair.refresh_token }));
    expect(replay).toBeInstanceOf(sdk.InvalidGrantError);
    expect((await client.introspect({ token: refreshed.access_token })).active).toBe(false);

    const other = await client.requestToken({ grant_type: 'client_credentials' });
    expect(await client.revoke({ token: other.access_token, token_type_hint: 'access_token' })).toEqual({ status: 'revoked' });
    expect(await client.introspect({ token: other.access_token })).toMatchObject({ active: false, revoked: true, reason: 'revoked' });
  });

  it('replaces a token the server refuses (revoked) once, transparently', async () => {
    const revoking = newClient();
    const token = await revoking.getToken();
    await revoking.revoke({ token: token.access_token, token_type_hint: 'access_token' });
    const before = tokenRequests().length;
    expect((await revoking.getMe()).agent.id).toBe(agent.id);
    expect(tokenRequests().length - before).toBe(1);
    expect((await revoking.getToken()).access_token).not.toBe(token.access_token);
  });

  it('administers agents, organizations, teams and API keys; an API key is confined to its organization', async () => {
    const listed = await admin.listAgents({ is_active: true, limit: 500 });
    expect(listed.agents.map((a) => a.id)).toContain(agent.id);
    expect(listed.total).toBeGreaterThanOrEqual(listed.agents.length);
    const target = await newAgent({ name: 'managed' });
    expect((await admin.getAgent(target.id)).agent.name).toBe('managed');
    expect((await admin.updateAgent(target.id, { name: 'renamed', scopes: ['read'] })).agent).toMatchObject({ name: 'renamed', scopes: ['read'] });
    expect((await admin.rotateAgent(target.id)).client_id).toBe(target.clientId);
    expect((await admin.deactivateAgent(target.id)).agent.is_active).toBe(false);
    expect((await admin.activateAgent(target.id)).agent.is_active).toBe(true);
    expect(await admin.deleteAgent(target.id)).toBeUndefined();
    expect(await failure(admin.getAgent(target.id))).toBeInstanceOf(sdk.NotFoundError);

    const org = await admin.createOrganization({ name: 'Acme', slug: `acme-${randomUUID().slice(0, 8)}`, owner_email: 'ops@acme.example' });
    expect((await admin.getOrganization(org.id)).slug).toBe(org.slug);
    expect((await admin.updateOrganization(org.id, { name: 'Acme Inc' })).name).toBe('Acme Inc');
    expect((await admin.listOrganizations()).organizations.map((o) => o.id)).toContain(org.id);
    const team = await admin.createTeam(org.id, { name: 'Backend', description: 'services' });
    expect((await admin.getTeam(org.id, team.id)).name).toBe('Backend');
    expect((await admin.updateTeam(org.id, team.id, { description: 'APIs' })).description).toBe('APIs');
    expect((await admin.listTeams(org.id)).teams.map((t) => t.id)).toEqual([team.id]);
    const member = await admin.createOrganizationAgent(org.id, { name: 'org-agent', team_id: team.id, scopes: ['read'] });
    expect((await admin.listOrganizationAgents(org.id)).agents.map((a) => a.id)).toEqual([member.agent.id]);

    const { api_key: apiKey, key } = await admin.createApiKey(org.id, { name: 'ci' });
    expect(key.startsWith(apiKey.prefix)).toBe(true);
    expect((await admin.listApiKeys(org.id)).api_keys.map((k) => k.id)).toEqual([apiKey.id]);
    const keyAdmin = new sdk.MachineAuthAdminClient({ baseUrl: app.url, apiKey: key, fetch: recordingFetch });
    expect((await keyAdmin.listAgents()).agents.map((a) => a.id)).toEqual([member.agent.id]);
    expect(await keyAdmin.verify()).toMatchObject({ valid: true, type: 'api_key', api_key_id: apiKey.id, organization_id: org.id });
    expect(await failure(keyAdmin.getAgent(agent.id))).toBeInstanceOf(sdk.NotFoundError);
    const keys = await failure(keyAdmin.listSigningKeys());
    expect(keys).toBeInstanceOf(sdk.ForbiddenError);
    expect(keys.status).toBe(403);
    expect(await admin.revokeApiKey(org.id, apiKey.id)).toBeUndefined();
    expect(await failure(keyAdmin.listAgents())).toBeInstanceOf(sdk.UnauthorizedError);

    expect((await admin.listSigningKeys()).keys.filter((k) => k.active)).toHaveLength(1);
    expect(await admin.deleteTeam(org.id, team.id)).toBeUndefined();
    expect(await admin.deleteOrganization(org.id)).toBeUndefined();
    expect(await failure(admin.getOrganization(org.id))).toBeInstanceOf(sdk.NotFoundError);
  });

  it('surfaces every failure as a typed MachineAuthError', async () => {
    const wrongSecret = await failure(newClient({ clientSecret: 'not-the-secret' }).getToken());
    expect(wrongSecret).toBeInstanceOf(sdk.InvalidClientError);
    expect(wrongSecret).toBeInstanceOf(sdk.MachineAuthError);
    expect(wrongSecret).toMatchObject({ name: 'InvalidClientError', code: 'invalid_client', status: 401, description: expect.any(String) });

    const scope = await failure(newClient().getToken({ scope: 'admin' }));
    expect(scope).toBeInstanceOf(sdk.InvalidScopeError);
    expect(scope.status).toBe(400);

    const invalid = await failure(admin.createAgent({ name: '' }));
    expect(invalid).toBeInstanceOf(sdk.InvalidRequestError);
    expect(invalid.description).toMatch(/name/);
    expect(await failure(admin.getAgent(randomUUID()))).toBeInstanceOf(sdk.NotFoundError);
    const slug = `dup-${randomUUID().slice(0, 8)}`;
    await admin.createOrganization({ name: 'One', slug });
    expect(await failure(admin.createOrganization({ name: 'Two', slug }))).toBeInstanceOf(sdk.ConflictError);
    const badAdmin = new sdk.MachineAuthAdminClient({ baseUrl: app.url, email: ADMIN_EMAIL, password: 'wrong', fetch: recordingFetch });
    expect(await failure(badAdmin.listAgents())).toBeInstanceOf(sdk.UnauthorizedError);

    // Misuse is caught before anything is sent.
    const sent = exchanges.length;
    expect(await failure(client.listAgents())).toBeInstanceOf(sdk.MachineAuthConfigurationError);
    expect(await failure(new sdk.MachineAuthClient({ baseUrl: app.url }).getMe())).toBeInstanceOf(sdk.MachineAuthConfigurationError);
    expect(await failure(admin.getAgent(''))).toBeInstanceOf(TypeError);
    expect(exchanges.length).toBe(sent);
    expect(() => new sdk.MachineAuthClient({ baseUrl: app.url, clientId: 'only-an-id' })).toThrow(sdk.MachineAuthConfigurationError);

    const unreachable = await failure(new sdk.MachineAuthClient({ baseUrl: 'http://127.0.0.1:9' }).getHealth());
    expect(unreachable).toBeInstanceOf(sdk.MachineAuthConnectionError);
    expect(unreachable.code).toBe('connection_error');
  });

  it('verifies tokens offline for resource servers: claims, audience, issuer, scopes, signature, unknown keys', async () => {
    const options = { baseUrl: app.url, issuer: app.config.jwt.issuer, audience: app.config.jwt.audience };
    const token = (await client.getToken()).access_token;
    const claims = await sdk.verifyToken(token, { ...options, scopes: ['read'] });
    expect(claims).toMatchObject({ sub: agent.clientId, agent_id: agent.id, client_id: agent.clientId, scope: ['read', 'write'] });

    const reasonOf = async (promise: Promise<unknown>) => {
      const error = await failure(promise);
      expect(error).toBeInstanceOf(sdk.InvalidTokenError);
      expect(error.status).toBe(401);
      return error.reason;
    };
    expect(await reasonOf(sdk.verifyToken(token, { ...options, audience: 'another-api' }))).toBe('audience');
    expect(await reasonOf(sdk.verifyToken(token, { ...options, issuer: 'https://elsewhere.example' }))).toBe('issuer');
    const [head, body, signature] = token.split('.');
    const forgedSignature = `${signature.slice(0, 10)}${signature[10] === 'A' ? 'B' : 'A'}${signature.slice(11)}`;
    expect(await reasonOf(sdk.verifyToken(`${head}.${body}.${forgedSignature}`, options))).toBe('signature');
    expect(await reasonOf(sdk.verifyToken('not-a-jwt', options))).toBe('malformed');
    const { privateKey } = await generateKeyPair('RS256');
    const foreign = await new SignJWT({ scope: ['read'] }).setProtectedHeader({ alg: 'RS256', kid: 'not-ours' }).setSubject(agent.clientId).setJti(randomUUID()).setIssuedAt().setExpirationTime('5m').setIssuer(options.issuer).setAudience(options.audience).sign(privateKey);
    expect(await reasonOf(sdk.verifyToken(foreign, options))).toBe('unknown_key');

    const scopeError = await failure(sdk.verifyToken(token, { ...options, scopes: ['read', 'admin'] }));
    expect(scopeError).toBeInstanceOf(sdk.InsufficientScopeError);
    expect(scopeError).toMatchObject({ code: 'insufficient_scope', status: 403, missingScopes: ['admin'] });
  });

  it('refetches the key set when a token carries a kid it has not seen (signing-key rotation)', async () => {
    const verify = sdk.createTokenVerifier({ baseUrl: app.url, audience: app.config.jwt.audience });
    const before = await client.getToken({ forceRefresh: true });
    await verify(before.access_token); // key set fetched and cached
    const rotated = await admin.rotateSigningKey();
    const after = await client.getToken({ forceRefresh: true });
    expect(JSON.parse(Buffer.from(after.access_token.split('.')[0], 'base64url').toString()).kid).toBe(rotated.kid);
    expect((await verify(after.access_token)).sub).toBe(agent.clientId);
    expect((await verify(before.access_token)).sub).toBe(agent.clientId); // the retired key stays published
    expect((await admin.listSigningKeys()).keys.find((k) => k.kid === rotated.kid)?.active).toBe(true);
  });

  it('guards a node:http server with the middleware (401 without a token, 403 without the scope, req.auth with one)', async () => {
    const guard = sdk.requireAccessToken({ baseUrl: app.url, audience: app.config.jwt.audience, scopes: ['write'] });
    const server = http.createServer((req, res) => guard(req, res, () => res.end(JSON.stringify({ sub: (req as typeof req & { auth: { sub: string } }).auth.sub }))));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    try {
      const anonymous = await fetch(url);
      expect(anonymous.status).toBe(401);
      expect(anonymous.headers.get('www-authenticate')).toMatch(/^Bearer realm="machineauth", error="invalid_token"/);
      expect(await anonymous.json()).toMatchObject({ error: 'invalid_token' });
      const readOnly = await fetch(url, { headers: { authorization: `Bearer ${(await client.getToken({ scope: 'read' })).access_token}` } });
      expect(readOnly.status).toBe(403);
      expect(await readOnly.json()).toMatchObject({ error: 'insufficient_scope' });
      const allowed = await fetch(url, { headers: { authorization: `Bearer ${(await client.getToken()).access_token}` } });
      expect(allowed.status).toBe(200);
      expect(await allowed.json()).toEqual({ sub: agent.clientId });
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('verifies real webhook deliveries, and refuses tampered, foreign, stale or unsigned ones', async () => {
    const received: { body: string; headers: IncomingHttpHeaders }[] = [];
    const receiver = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        received.push({ body: Buffer.concat(chunks).toString('utf8'), headers: req.headers });
        res.end('ok');
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
      const { webhook, secret } = await admin.createWebhook({ name: 'sdk hook', url, events: ['agent.created'] });
      expect((await admin.listWebhookEvents()).events).toContain('agent.created');
      const created = await newAgent({ name: 'announced' });
      for (let i = 0; i < 100 && received.length === 0; i++) await sleep(100);
      expect(received).toHaveLength(1);
      const [delivery] = received;

      const verified = sdk.verifyWebhook<{ event: string; agent_id: string }>(delivery.body, delivery.headers, secret);
      expect(verified.payload).toMatchObject({ event: 'agent.created', agent_id: created.id });
      expect(verified).toMatchObject({ event: 'agent.created', id: delivery.headers['x-webhook-id'], attempt: 1 });
      // A fetch-style Headers object and a Buffer body work the same.
      expect(sdk.verifyWebhook(Buffer.from(delivery.body), new Headers(delivery.headers as Record<string, string>), secret).id).toBe(verified.id);

      const reasonOf = (run: () => unknown) => {
        try {
          run();
        } catch (error) {
          expect(error).toBeInstanceOf(sdk.WebhookSignatureError);
          return (error as { reason: string }).reason;
        }
        throw new Error('expected verifyWebhook to throw');
      };
      expect(reasonOf(() => sdk.verifyWebhook(delivery.body.replace('agent.created', 'agent.deleted'), delivery.headers, secret))).toBe('bad_signature');
      expect(reasonOf(() => sdk.verifyWebhook(delivery.body, delivery.headers, 'another-secret'))).toBe('bad_signature');
      expect(reasonOf(() => sdk.verifyWebhook(delivery.body, delivery.headers, secret, { now: verified.timestamp! + 3600 }))).toBe('stale_timestamp');
      const { 'x-webhook-signature-256': _signed, ...legacy } = delivery.headers;
      expect(reasonOf(() => sdk.verifyWebhook(delivery.body, legacy, secret))).toBe('missing_header');
      expect(sdk.verifyWebhook(delivery.body, legacy, secret, { allowBodyOnlySignature: true }).payload).toMatchObject({ event: 'agent.created' });
      expect(reasonOf(() => sdk.verifyWebhook(delivery.body, { ...delivery.headers, 'x-webhook-id': randomUUID() }, secret))).toBe('bad_signature');

      const test = await admin.testWebhook(webhook.id, { event: 'webhook.test' });
      expect(test).toMatchObject({ success: true, status_code: 200, error: '' });
      expect(sdk.verifyWebhook(received.at(-1)!.body, received.at(-1)!.headers, secret).payload).toMatchObject({ event: 'webhook.test' });
      const deliveries = await admin.listWebhookDeliveries(webhook.id, { limit: 10 });
      expect(deliveries.deliveries.length).toBeGreaterThanOrEqual(1);
      expect((await admin.getWebhookDelivery(webhook.id, test.delivery_id)).delivery.id).toBe(test.delivery_id);
      expect((await admin.getWebhook(webhook.id)).webhook.url).toBe(url);
      expect((await admin.updateWebhook(webhook.id, { is_active: false })).webhook.is_active).toBe(false);
      expect((await admin.listWebhooks()).webhooks.map((w) => w.id)).toContain(webhook.id);
      expect(await admin.deleteWebhook(webhook.id)).toBeUndefined();
    } finally {
      await new Promise((resolve) => receiver.close(resolve));
    }
  });

  it('deletes the agent itself; its token stops working', async () => {
    const doomed = await newAgent({ name: 'doomed' });
    const self = new sdk.MachineAuthClient({ baseUrl: app.url, clientId: doomed.clientId, clientSecret: doomed.clientSecret, fetch: recordingFetch });
    expect((await self.getMe()).agent.id).toBe(doomed.id);
    expect(await self.deleteSelf()).toBeUndefined();
    expect(await failure(self.getMe())).toBeInstanceOf(sdk.MachineAuthError);
    expect(await failure(admin.getAgent(doomed.id))).toBeInstanceOf(sdk.NotFoundError);
  });

  it('exercised every SDK operation, and every answer matched the contract field for field', () => {
    const routes = restOperations.map((op) => ({
      op,
      pattern: new RegExp(`^${op.path.replace(/[.]/g, '\\.').replace(/\{[^}]+\}/g, '[^/]+')}$`),
    }));
    const succeeded = new Set<string>();
    for (const exchange of exchanges) {
      const match = routes.find((r) => r.op.method === exchange.method && r.pattern.test(exchange.path));
      expect(match, `${exchange.method} ${exchange.path} is not in the contract`).toBeDefined();
      const { op } = match!;
      const where = `${op.operationId} → ${exchange.status}`;
      let schema: z.ZodType | undefined = ErrorResponse;
      if (exchange.status < 400) {
        const response = op.responses[exchange.status as 200 | 201 | 204];
        expect(response, `${where}: status not documented`).toBeDefined();
        schema = response!.schema;
        succeeded.add(op.aliasOf ?? op.operationId);
      }
      if (!schema) {
        expect(exchange.body, `${where}: documented without a body`).toBeUndefined();
        continue;
      }
      const parsed = schema.safeParse(exchange.body);
      expect(parsed.success, `${where}: ${parsed.error?.message}`).toBe(true);
      // zod drops keys it does not know: equality means the body has no undocumented field.
      expect(parsed.data, `${where}: undocumented fields`).toEqual(exchange.body);
    }
    const sdkOperations = restOperations.filter((op) => !op.aliasOf && !op.internal).map((op) => op.operationId);
    expect(sdkOperations.filter((id) => !succeeded.has(id)), 'operations no test called successfully').toEqual([]);
  });
});
