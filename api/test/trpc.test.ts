import { createTRPCClient, httpBatchLink, httpLink, TRPCClientError } from '@trpc/client';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppRouter } from '../src/trpc/root.ts';
import { ADMIN_AUTH, ADMIN_EMAIL, ADMIN_PASSWORD, decodeJwt, getToken, startTestApp, type TestApp } from './helpers.ts';

let app: TestApp;
beforeAll(async () => { app = await startTestApp(); });
afterAll(async () => { await app?.close(); });

/** A typed client: if the router's types drift from these calls, the typecheck fails. */
function client(headers: Record<string, string> = { authorization: ADMIN_AUTH }, batch = true) {
  const link = (batch ? httpBatchLink : httpLink)<AppRouter>({ url: `${app.url}/trpc`, headers: () => headers });
  return createTRPCClient<AppRouter>({ links: [link] });
}

async function failure(promise: Promise<unknown>) {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(TRPCClientError);
  const e = error as TRPCClientError<AppRouter>;
  return { status: e.data?.httpStatus, code: e.data?.code, error: e.data?.error, message: e.message, data: e.data as Record<string, unknown> };
}

describe('authentication', () => {
  it('refuses anonymous callers with 401 on queries and mutations', async () => {
    const anon = client({});
    expect(await failure(anon.agents.list.query())).toMatchObject({ status: 401, code: 'UNAUTHORIZED', error: 'unauthorized' });
    expect(await failure(anon.organizations.create.mutate({ name: 'x', slug: 'x' }))).toMatchObject({ status: 401 });
    const raw = await fetch(`${app.url}/trpc/agents.list`);
    expect(raw.status).toBe(401);
    const body = await raw.text();
    expect(body).not.toMatch(/stack|at .*\.ts/);
  });

  it('refuses wrong admin credentials and unknown API keys', async () => {
    const wrong = `Basic ${Buffer.from(`${ADMIN_EMAIL}:nope`).toString('base64')}`;
    expect(await failure(client({ authorization: wrong }).agents.list.query())).toMatchObject({ status: 401 });
    expect(await failure(client({ authorization: 'Bearer mach_doesnotexist' }).agents.list.query())).toMatchObject({ status: 401 });
  });

  it('accepts the dashboard session: queries without CSRF, mutations only with the CSRF header', async () => {
    const login = await app.request('/api/auth/login', { method: 'POST', json: { email: ADMIN_EMAIL, password: ADMIN_PASSWORD } });
    expect(login.status).toBe(200);
    const cookie = login.headers.get('set-cookie')!.split(';')[0];
    const { csrf_token } = (await login.json()) as { csrf_token: string };

    const noCsrf = client({ cookie });
    expect(await noCsrf.session.me.query()).toEqual({ kind: 'admin', email: ADMIN_EMAIL });
    expect(await failure(noCsrf.agents.create.mutate({ name: 'csrf-less' }))).toMatchObject({ status: 401, error: 'unauthorized' });
    const wrongCsrf = client({ cookie, 'x-csrf-token': 'forged' });
    expect(await failure(wrongCsrf.agents.create.mutate({ name: 'forged' }))).toMatchObject({ status: 401 });
    const { agents } = await client().agents.list.query({ search: 'csrf-less' });
    expect(agents).toHaveLength(0);

    const withCsrf = client({ cookie, 'x-csrf-token': csrf_token });
    const created = await withCsrf.agents.create.mutate({ name: 'via-session' });
    expect(created.agent.name).toBe('via-session');
  });
});

describe('agents', () => {
  it('creates, reads, lists, updates, rotates, deactivates, activates and deletes, like REST', async () => {
    const trpc = client();
    const created = await trpc.agents.create.mutate({ name: 'trpc-agent', scopes: ['read', 'write'] });
    expect(created.client_secret).toBeTruthy();
    const id = created.agent.id;

    // Same service, same shaping: the tRPC answer equals the REST one.
    const rest = (await (await app.request(`/api/agents/${id}`, { admin: true })).json()) as { agent: unknown };
    expect((await trpc.agents.get.query({ id })).agent).toEqual(rest.agent);

    const updated = await trpc.agents.update.mutate({ id, name: 'renamed', scopes: ['read'] });
    expect(updated.agent).toMatchObject({ name: 'renamed', scopes: ['read'] });

    const listed = await trpc.agents.list.query({ search: 'renamed' });
    expect(listed.total).toBe(1);
    expect(listed.agents[0].id).toBe(id);

    const tokensBefore = await getToken(app, { clientId: created.client_id, clientSecret: created.client_secret });
    expect(tokensBefore.access_token).toBeTruthy();
    const rotated = await trpc.agents.rotate.mutate({ id });
    expect(rotated.client_id).toBe(created.client_id);
    expect(rotated.client_secret).not.toBe(created.client_secret);
    await expect(getToken(app, { clientId: created.client_id, clientSecret: created.client_secret })).rejects.toThrow(/401/);
    await getToken(app, { clientId: created.client_id, clientSecret: rotated.client_secret });

    expect((await trpc.agents.deactivate.mutate({ id })).agent.is_active).toBe(false);
    expect((await trpc.agents.activate.mutate({ id })).agent.is_active).toBe(true);

    const audit = await trpc.audit.list.query({ agent_id: id });
    const actions = audit.entries.map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['agent.created', 'agent.credentials_rotated', 'agent.deactivated', 'agent.activated']));
    expect(audit.entries.filter((e) => e.action.startsWith('agent.')).every((e) => e.actor === `admin:${ADMIN_EMAIL}`)).toBe(true);

    expect(await trpc.agents.delete.mutate({ id })).toEqual({ deleted: true });
    expect(await failure(trpc.agents.get.query({ id }))).toMatchObject({ status: 404, code: 'NOT_FOUND', error: 'not_found' });
  });

  it('turns bad input into 400 invalid_request naming the field, and changes nothing', async () => {
    const trpc = client();
    const before = (await trpc.agents.list.query()).total;
    const blank = await failure(trpc.agents.create.mutate({ name: '   ' }));
    expect(blank).toMatchObject({ status: 400, code: 'BAD_REQUEST', error: 'invalid_request' });
    expect(blank.message).toMatch(/^name: /);
    // @ts-expect-error an unknown field is refused, as on REST (strict schemas)
    const unknown = await failure(trpc.agents.create.mutate({ name: 'x', admin: true }));
    expect(unknown).toMatchObject({ status: 400, message: 'unknown field "admin"' });
    const badScope = await failure(trpc.agents.create.mutate({ name: 'x', scopes: ['has space'] }));
    expect(badScope.message).toMatch(/^scopes\.0: /);
    expect(await failure(trpc.agents.get.query({ id: 'not-a-uuid' }))).toMatchObject({ status: 404 });
    expect((await trpc.agents.list.query()).total).toBe(before);
    for (const f of [blank, unknown, badScope]) expect(JSON.stringify(f.data)).not.toMatch(/stack|\.ts:\d/);
  });

  it('answers malformed tRPC requests with 4xx, never a 500', async () => {
    const missing = await fetch(`${app.url}/trpc/agents.nope`, { headers: { authorization: ADMIN_AUTH } });
    expect(missing.status).toBe(404);
    const badJson = await fetch(`${app.url}/trpc/agents.create`, { method: 'POST', headers: { authorization: ADMIN_AUTH, 'content-type': 'application/json' }, body: '{"name":' });
    expect(badJson.status).toBe(400);
    const wrongMethod = await fetch(`${app.url}/trpc/agents.create`, { headers: { authorization: ADMIN_AUTH } });
    expect(wrongMethod.status).toBe(405);
    const huge = await fetch(`${app.url}/trpc/agents.create`, {
      method: 'POST', headers: { authorization: ADMIN_AUTH, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'x'.repeat(200_000) }),
    });
    expect(huge.status).toBe(413);
    for (const res of [missing, badJson, wrongMethod, huge]) expect(await res.text()).not.toMatch(/stack|\.ts:\d/);
  });
});

describe('organizations, teams and API keys', () => {
  it('manages an organization with its teams and keys, and the key only sees its organization', async () => {
    const trpc = client();
    const acme = await trpc.organizations.create.mutate({ name: 'Acme', slug: 'acme-trpc' });
    const other = await trpc.organizations.create.mutate({ name: 'Other', slug: 'other-trpc' });
    expect(await failure(trpc.organizations.create.mutate({ name: 'Dup', slug: 'acme-trpc' }))).toMatchObject({ status: 409, code: 'CONFLICT', error: 'conflict' });

    const team = await trpc.organizations.teams.create.mutate({ organization_id: acme.id, name: 'Platform' });
    expect((await trpc.organizations.teams.update.mutate({ organization_id: acme.id, team_id: team.id, description: 'infra' })).description).toBe('infra');
    expect((await trpc.organizations.teams.list.query({ organization_id: acme.id })).teams.map((t) => t.id)).toEqual([team.id]);
    expect(await failure(trpc.organizations.teams.get.query({ organization_id: other.id, team_id: team.id }))).toMatchObject({ status: 404 });

    const acmeAgent = await trpc.agents.create.mutate({ name: 'acme-bot', organization_id: acme.id, team_id: team.id });
    const otherAgent = await trpc.agents.create.mutate({ name: 'other-bot', organization_id: other.id });

    const { key, api_key } = await trpc.apiKeys.create.mutate({ organization_id: acme.id, name: 'ci' });
    expect(key).toMatch(/^mach_/);
    expect((await trpc.apiKeys.list.query({ organization_id: acme.id })).api_keys.map((k) => k.id)).toEqual([api_key.id]);

    const tenant = client({ authorization: `Bearer ${key}` });
    expect(await tenant.session.me.query()).toEqual({ kind: 'api_key', api_key_id: api_key.id, organization_id: acme.id, team_id: null });
    expect((await tenant.organizations.list.query()).organizations.map((o) => o.id)).toEqual([acme.id]);
    const visible = await tenant.agents.list.query();
    expect(visible.agents.map((a) => a.id)).toEqual([acmeAgent.agent.id]);
    // Asking for another organization's agents yields nothing of theirs (empty or 404).
    const foreign = await tenant.agents.list.query({ organization_id: other.id }).then((r) => r.agents, () => []);
    expect(foreign).toEqual([]);
    expect(await failure(tenant.agents.get.query({ id: otherAgent.agent.id }))).toMatchObject({ status: 404 });
    expect(await failure(tenant.agents.rotate.mutate({ id: otherAgent.agent.id }))).toMatchObject({ status: 404 });
    expect(await failure(tenant.agents.delete.mutate({ id: otherAgent.agent.id }))).toMatchObject({ status: 404 });
    expect(await failure(tenant.organizations.get.query({ id: other.id }))).toMatchObject({ status: 404 });
    expect(await failure(tenant.organizations.teams.list.query({ organization_id: other.id }))).toMatchObject({ status: 404 });
    expect(await failure(tenant.apiKeys.list.query({ organization_id: other.id }))).toMatchObject({ status: 404 });
    expect(await failure(tenant.organizations.create.mutate({ name: 'Mine', slug: 'mine' }))).toMatchObject({ status: 403, error: 'forbidden' });
    expect(await failure(tenant.agents.create.mutate({ name: 'sneaky', organization_id: other.id }))).toMatchObject({ status: 403 });
    expect(await failure(tenant.tokens.signingKeys.rotate.mutate())).toMatchObject({ status: 403 });
    expect(await tenant.audit.list.query({ organization_id: other.id }).then((r) => r.entries, () => [])).toEqual([]);
    const ownAudit = await tenant.audit.list.query();
    expect(ownAudit.entries.length).toBeGreaterThan(0);
    expect(ownAudit.entries.every((e) => e.organization_id === acme.id)).toBe(true);

    // The key creates in its own organization; the other organization is untouched.
    const own = await tenant.agents.create.mutate({ name: 'tenant-made' });
    expect(own.agent.organization_id).toBe(acme.id);
    expect((await trpc.agents.list.query({ organization_id: other.id })).total).toBe(1);

    expect(await trpc.apiKeys.revoke.mutate({ organization_id: acme.id, key_id: api_key.id })).toEqual({ revoked: true });
    expect(await failure(tenant.agents.list.query())).toMatchObject({ status: 401 });

    expect(await trpc.organizations.teams.delete.mutate({ organization_id: acme.id, team_id: team.id })).toEqual({ deleted: true });
    expect((await trpc.organizations.update.mutate({ id: acme.id, plan: 'pro' })).plan).toBe('pro');
    expect(await trpc.organizations.delete.mutate({ id: other.id })).toEqual({ deleted: true });
    expect(await failure(trpc.agents.get.query({ id: otherAgent.agent.id }))).toMatchObject({ status: 404 });
  });
});

describe('token tools', () => {
  it('issues, introspects and revokes a token, and rotates the signing key', async () => {
    const trpc = client();
    const { client_id, client_secret } = await trpc.agents.create.mutate({ name: 'tooling', scopes: ['read', 'write'] });
    const issued = await trpc.tokens.issue.mutate({ client_id, client_secret, scope: 'read' });
    expect(issued).toMatchObject({ token_type: 'Bearer', scope: 'read' });
    expect(decodeJwt(issued.access_token).client_id).toBe(client_id);
    expect(await failure(trpc.tokens.issue.mutate({ client_id, client_secret: 'wrong' }))).toMatchObject({ status: 401, error: 'invalid_client' });
    expect(await failure(trpc.tokens.issue.mutate({ client_id, client_secret, scope: 'admin' }))).toMatchObject({ status: 400, error: 'invalid_scope' });

    const active = await trpc.tokens.introspect.mutate({ token: issued.access_token });
    expect(active).toMatchObject({ active: true, client_id, scope: 'read' });
    expect(await trpc.tokens.revoke.mutate({ token: issued.access_token })).toEqual({ status: 'revoked' });
    expect(await trpc.tokens.introspect.mutate({ token: issued.access_token })).toMatchObject({ active: false, revoked: true });
    expect(await failure(trpc.tokens.introspect.mutate({ token: 'x', token_type_hint: 'bogus' }))).toMatchObject({ status: 400, error: 'unsupported_token_type' });

    const before = (await trpc.tokens.signingKeys.list.query()).keys.find((k) => k.active)!;
    const rotated = await trpc.tokens.signingKeys.rotate.mutate();
    expect(rotated.kid).not.toBe(before.kid);
    const keys = (await trpc.tokens.signingKeys.list.query()).keys;
    expect(keys.find((k) => k.active)!.kid).toBe(rotated.kid);
    expect(keys.find((k) => k.kid === before.kid)?.retired_at).toBeTruthy();
    const fresh = await trpc.tokens.issue.mutate({ client_id, client_secret });
    expect(JSON.parse(Buffer.from(fresh.access_token.split('.')[0], 'base64url').toString()).kid).toBe(rotated.kid);
  });

  it('batches several calls in one HTTP request, authenticated once', async () => {
    const trpc = client();
    const [metrics, me, orgs] = await Promise.all([trpc.metrics.snapshot.query(), trpc.session.me.query(), trpc.organizations.list.query()]);
    expect(metrics.total_agents).toBeGreaterThan(0);
    expect(me.kind).toBe('admin');
    expect(Array.isArray(orgs.organizations)).toBe(true);
  });
});

describe('webhooks', () => {
  let receiver: http.Server;
  let receiverUrl: string;
  const received: { headers: http.IncomingHttpHeaders; body: string }[] = [];
  beforeAll(async () => {
    receiver = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        received.push({ headers: req.headers, body });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
  });
  afterAll(() => new Promise<void>((resolve) => receiver.close(() => resolve())));

  it('creates, tests, lists deliveries, updates and deletes a webhook; a foreign key sees none of it', async () => {
    const trpc = client();
    const org = await trpc.organizations.create.mutate({ name: 'Hooks', slug: 'hooks-trpc' });
    const other = await trpc.organizations.create.mutate({ name: 'Nosy', slug: 'nosy-trpc' });
    expect((await trpc.webhooks.events.query()).events).toContain('agent.created');

    const { webhook, secret } = await trpc.webhooks.create.mutate({ name: 'ci', url: receiverUrl, events: ['agent.created'], organization_id: org.id });
    expect(secret).toBeTruthy();
    expect(webhook).toMatchObject({ name: 'ci', url: receiverUrl, events: ['agent.created'] });
    const rest = (await (await app.request(`/api/webhooks/${webhook.id}`, { admin: true })).json()) as { webhook: unknown };
    expect((await trpc.webhooks.get.query({ id: webhook.id })).webhook).toEqual(rest.webhook);

    const sent = await trpc.webhooks.test.mutate({ id: webhook.id, payload: { hello: 'world' } });
    expect(sent).toMatchObject({ success: true, status_code: 204 });
    expect(received.some((r) => r.body.includes('"hello":"world"'))).toBe(true);
    const { deliveries } = await trpc.webhooks.deliveries.query({ id: webhook.id });
    expect(deliveries.map((d) => d.id)).toContain(sent.delivery_id);
    expect((await trpc.webhooks.delivery.query({ id: webhook.id, delivery_id: sent.delivery_id })).delivery.id).toBe(sent.delivery_id);
    expect(await failure(trpc.webhooks.deliveries.query({ id: webhook.id, status: 'bogus' as 'pending' }))).toMatchObject({ status: 400, error: 'invalid_request' });
    expect(await failure(trpc.webhooks.create.mutate({ name: 'bad', url: 'ftp://x', events: ['agent.created'] }))).toMatchObject({ status: 400 });

    const { key } = await trpc.apiKeys.create.mutate({ organization_id: other.id, name: 'nosy' });
    const nosy = client({ authorization: `Bearer ${key}` });
    expect((await nosy.webhooks.list.query()).webhooks).toEqual([]);
    expect(await failure(nosy.webhooks.get.query({ id: webhook.id }))).toMatchObject({ status: 404 });
    expect(await failure(nosy.webhooks.test.mutate({ id: webhook.id }))).toMatchObject({ status: 404 });
    expect(await failure(nosy.webhooks.deliveries.query({ id: webhook.id }))).toMatchObject({ status: 404 });
    expect(await failure(nosy.webhooks.delete.mutate({ id: webhook.id }))).toMatchObject({ status: 404 });

    const updated = await trpc.webhooks.update.mutate({ id: webhook.id, is_active: false, events: ['agent.created', 'agent.deleted'] });
    expect(updated.webhook).toMatchObject({ is_active: false, events: ['agent.created', 'agent.deleted'] });
    expect(await trpc.webhooks.delete.mutate({ id: webhook.id })).toEqual({ deleted: true });
    expect(await failure(trpc.webhooks.get.query({ id: webhook.id }))).toMatchObject({ status: 404 });
  });
});
