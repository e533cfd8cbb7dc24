import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WEBHOOK_EVENTS } from '../src/services/events.ts';
import { createAgent, startTestApp, type TestApp } from './helpers.ts';
import { eventually, WebhookReceiver } from './webhook-receiver.ts';

let app: TestApp;
let receiver: WebhookReceiver;

beforeAll(async () => {
  receiver = await WebhookReceiver.start();
  app = await startTestApp({ WEBHOOK_BACKOFF_UNIT_MS: '50', WEBHOOK_TIMEOUT_SECS: '1' });
});
afterAll(async () => {
  await app?.close();
  await receiver?.close();
});

interface WebhookJson { id: string; organization_id: string; [k: string]: unknown }
interface DeliveryJson { id: string; event: string; status: string; payload: string; webhook_config_id: string; [k: string]: unknown }

async function create(body: Record<string, unknown>, auth: { bearer?: string } = {}) {
  const res = await app.request('/api/webhooks', { method: 'POST', json: body, ...(auth.bearer ? { bearer: auth.bearer } : { admin: true }) });
  return { res, body: (await res.json()) as { webhook: WebhookJson; secret: string; error?: string; error_description?: string } };
}

async function createOk(body: Record<string, unknown>, auth: { bearer?: string } = {}) {
  const { res, body: json } = await create({ name: 'hook', url: receiver.at('api'), events: ['agent.created'], ...body }, auth);
  expect(res.status, JSON.stringify(json)).toBe(201);
  return json;
}

const snapshot = async () => ({
  hooks: await app.services.db.execute(sql`select * from webhook_configs order by id`),
  deliveries: await app.services.db.execute(sql`select id, status, attempts from webhook_deliveries order by id`),
});

describe('webhook configurations', () => {
  it('creates, reads, lists, updates and deletes with the seed\'s shapes; the secret is shown once', async () => {
    const { webhook, secret } = await createOk({ name: 'My Webhook', events: ['agent.created', 'agent.deleted', 'agent.created'] });
    expect(Object.keys(webhook).sort()).toEqual([
      'consecutive_fails', 'created_at', 'events', 'id', 'is_active', 'last_tested_at', 'max_retries', 'name', 'organization_id',
      'retry_backoff_base', 'team_id', 'updated_at', 'url',
    ]);
    expect(webhook).toMatchObject({
      organization_id: '', team_id: '', name: 'My Webhook', url: receiver.at('api'), events: ['agent.created', 'agent.deleted'],
      is_active: true, max_retries: 10, retry_backoff_base: 2, last_tested_at: null, consecutive_fails: 0,
    });
    expect(secret).toMatch(/^whsec_/);

    const got = await app.request(`/api/webhooks/${webhook.id}`, { admin: true });
    expect(await got.json()).toEqual({ webhook });
    const listed = (await (await app.request('/api/webhooks', { admin: true })).json()) as { webhooks: WebhookJson[] };
    expect(listed.webhooks.find((w) => w.id === webhook.id)).toEqual(webhook);
    // Neither the secret nor its ciphertext ever leaves the service.
    const raw = JSON.stringify(listed) + JSON.stringify(await (await app.request(`/api/webhooks/${webhook.id}`, { admin: true })).json());
    expect(raw).not.toContain(secret);
    expect(raw).not.toMatch(/secret/i);

    const put = await app.request(`/api/webhooks/${webhook.id}`, {
      method: 'PUT', admin: true,
      json: { name: 'Renamed', url: receiver.at('api2'), events: ['token.issued'], max_retries: 5, retry_backoff_base: 3, is_active: false },
    });
    expect(put.status).toBe(200);
    const updated = ((await put.json()) as { webhook: WebhookJson }).webhook;
    expect(updated).toMatchObject({ name: 'Renamed', url: receiver.at('api2'), events: ['token.issued'], max_retries: 5, retry_backoff_base: 3, is_active: false });
    expect(Date.parse(updated.updated_at as string)).toBeGreaterThanOrEqual(Date.parse(webhook.updated_at as string));
    const patched = await app.request(`/api/webhooks/${webhook.id}`, { method: 'PATCH', admin: true, json: { is_active: true } });
    expect(((await patched.json()) as { webhook: WebhookJson }).webhook).toMatchObject({ name: 'Renamed', is_active: true });

    expect((await app.request(`/api/webhooks/${webhook.id}`, { method: 'DELETE', admin: true })).status).toBe(204);
    expect((await app.request(`/api/webhooks/${webhook.id}`, { admin: true })).status).toBe(404);
    expect((await app.request(`/api/webhooks/${webhook.id}`, { method: 'DELETE', admin: true })).status).toBe(404);
  });

  it('lists the event types', async () => {
    const res = await app.request('/api/webhook-events', { admin: true });
    expect(await res.json()).toEqual({
      events: [
        'agent.created', 'agent.deleted', 'agent.updated', 'agent.credentials_rotated', 'token.issued', 'token.validation_success',
        'token.validation_failed', 'webhook.created', 'webhook.updated', 'webhook.deleted', 'webhook.test',
      ],
    });
    expect(WEBHOOK_EVENTS).toHaveLength(11);
  });

  it('needs administrator credentials', async () => {
    const agent = await createAgent(app);
    const token = (await (await fetch(`${app.url}/oauth/token`, {
      method: 'POST', body: new URLSearchParams({ grant_type: 'client_credentials', client_id: agent.clientId, client_secret: agent.clientSecret }),
    })).json()) as { access_token: string };
    for (const [path, method] of [['/api/webhooks', 'GET'], ['/api/webhooks', 'POST'], ['/api/webhook-events', 'GET']] as const) {
      const anonymous = await app.request(path, { method, json: method === 'POST' ? {} : undefined });
      expect(anonymous.status).toBe(401);
      expect(((await anonymous.json()) as { error: string }).error).toBeTruthy();
      const asAgent = await app.request(path, { method, bearer: token.access_token });
      expect([401, 403]).toContain(asAgent.status);
    }
  });
});

describe('bad input: a 4xx JSON error and nothing changed', () => {
  // Built before the receiver starts; these requests never get as far as sending anything.
  const valid = () => ({ name: 'ok', url: 'http://127.0.0.1:9/bad', events: ['agent.created'] });
  const badCreates: Array<[string, unknown]> = [
    ['missing name', { url: 'http://127.0.0.1/x', events: ['agent.created'] }],
    ['blank name', { ...valid(), name: '   ' }],
    ['huge name', { ...valid(), name: 'x'.repeat(201) }],
    ['missing url', { name: 'x', events: ['agent.created'] }],
    ['ftp url', { ...valid(), url: 'ftp://example.com/x' }],
    ['javascript url', { ...valid(), url: 'javascript:alert(1)' }],
    ['not a url', { ...valid(), url: 'not a url' }],
    ['url with credentials', { ...valid(), url: 'http://user:pass@127.0.0.1/x' }],
    ['url too long', { ...valid(), url: `http://127.0.0.1/${'a'.repeat(2100)}` }],
    ['url as number', { ...valid(), url: 42 }],
    ['missing events', { name: 'x', url: 'http://127.0.0.1/x' }],
    ['empty events', { ...valid(), events: [] }],
    ['unknown event', { ...valid(), events: ['agent.exploded'] }],
    ['events as string', { ...valid(), events: 'agent.created' }],
    ['event as number', { ...valid(), events: [1] }],
    ['negative retries', { ...valid(), max_retries: -1 }],
    ['huge retries', { ...valid(), max_retries: 1_000_000 }],
    ['fractional retries', { ...valid(), max_retries: 1.5 }],
    ['retries as string', { ...valid(), max_retries: '3' }],
    ['zero backoff base', { ...valid(), retry_backoff_base: 0 }],
    ['huge backoff base', { ...valid(), retry_backoff_base: 1000 }],
    ['unknown field', { ...valid(), secret: 'mine' }],
    ['bad organization id', { ...valid(), organization_id: 'org-123' }],
    ['unknown organization', { ...valid(), organization_id: crypto.randomUUID() }],
    ['team without organization', { ...valid(), team_id: crypto.randomUUID() }],
    ['is_active as string', { ...valid(), is_active: 'yes' }],
    ['array body', [valid()]],
  ];

  it.each(badCreates)('create: %s', async (_label, body) => {
    const before = await snapshot();
    const res = await app.request('/api/webhooks', { method: 'POST', admin: true, json: body });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(res.headers.get('content-type')).toContain('application/json');
    const json = (await res.json()) as { error: string; error_description: string };
    expect(json.error).toBe('invalid_request');
    expect(json.error_description).toBeTruthy();
    expect(await snapshot()).toEqual(before);
  });

  it('create: malformed JSON and wrong media type', async () => {
    const before = await snapshot();
    for (const [body, type] of [['{"name":', 'application/json'], ['<xml/>', 'application/xml']]) {
      const res = await app.request('/api/webhooks', { method: 'POST', admin: true, body, headers: { 'content-type': type } });
      expect([400, 415]).toContain(res.status);
      expect(((await res.json()) as { error: string }).error).toBe('invalid_request');
    }
    expect(await snapshot()).toEqual(before);
  });

  it('update, test and reads refuse bad input the same way', async () => {
    const { webhook } = await createOk({ url: receiver.at('bad') });
    const before = await snapshot();
    const cases: Array<[string, string, unknown, number]> = [
      ['PUT', `/api/webhooks/${webhook.id}`, { url: 'gopher://x' }, 400],
      ['PUT', `/api/webhooks/${webhook.id}`, { events: [] }, 400],
      ['PUT', `/api/webhooks/${webhook.id}`, { events: ['nope'] }, 400],
      ['PUT', `/api/webhooks/${webhook.id}`, { max_retries: -5 }, 400],
      ['PUT', `/api/webhooks/${webhook.id}`, { retry_backoff_base: 0 }, 400],
      ['PATCH', `/api/webhooks/${webhook.id}`, { organization_id: crypto.randomUUID() }, 400],
      ['PATCH', `/api/webhooks/${webhook.id}`, { hacker: true }, 400],
      ['PATCH', `/api/webhooks/${webhook.id}`, { team_id: 'x' }, 400],
      ['PATCH', `/api/webhooks/${webhook.id}`, { consecutive_fails: 0 }, 400],
      ['PUT', '/api/webhooks/not-a-uuid', { name: 'x' }, 404],
      ['PUT', `/api/webhooks/${crypto.randomUUID()}`, { name: 'x' }, 404],
      ['DELETE', '/api/webhooks/not-a-uuid', undefined, 404],
      ['GET', '/api/webhooks/not-a-uuid', undefined, 404],
      ['GET', `/api/webhooks/${webhook.id}/deliveries/not-a-uuid`, undefined, 404],
      ['GET', `/api/webhooks/${webhook.id}/deliveries/${crypto.randomUUID()}`, undefined, 404],
      ['GET', `/api/webhooks/not-a-uuid/deliveries`, undefined, 404],
      ['GET', `/api/webhooks/${webhook.id}/deliveries?status=lost`, undefined, 400],
      ['GET', `/api/webhooks/${webhook.id}/deliveries?event=nope`, undefined, 400],
      ['GET', `/api/webhooks/${webhook.id}/deliveries?limit=0`, undefined, 400],
      ['GET', `/api/webhooks/${webhook.id}/deliveries?limit=abc`, undefined, 400],
      ['GET', `/api/webhooks/${webhook.id}/deliveries?limit=100000`, undefined, 400],
      ['GET', `/api/webhooks/${webhook.id}/deliveries?since=yesterday`, undefined, 400],
      ['GET', `/api/webhooks/${webhook.id}/deliveries?cursor=garbage`, undefined, 400],
      ['GET', '/api/webhooks?organization_id=nope', undefined, 400],
      ['POST', `/api/webhooks/${webhook.id}/test`, { event: 'nope' }, 400],
      ['POST', `/api/webhooks/${webhook.id}/test`, { payload: 'not json' }, 400],
      ['POST', `/api/webhooks/${webhook.id}/test`, { payload: '[1,2]' }, 400],
      ['POST', `/api/webhooks/${webhook.id}/test`, { extra: 1 }, 400],
      ['POST', `/api/webhooks/${crypto.randomUUID()}/test`, {}, 404],
      ['POST', `/api/webhooks/${webhook.id}/deliveries`, {}, 405],
    ];
    for (const [method, path, json, status] of cases) {
      const res = await app.request(path, { method, admin: true, json });
      expect(res.status, `${method} ${path} ${JSON.stringify(json)}`).toBe(status);
      expect(((await res.json()) as { error: string }).error, `${method} ${path}`).toBeTruthy();
    }
    expect(await snapshot()).toEqual(before);
    expect(receiver.matching('bad')).toHaveLength(0);
  });
});

describe('test deliveries', () => {
  it('sends webhook.test now, answers with the receiver\'s verdict and records it', async () => {
    const { webhook } = await createOk({ url: receiver.at('t-ok'), events: ['agent.deleted'] });
    const res = await app.request(`/api/webhooks/${webhook.id}/test`, { method: 'POST', admin: true, json: { event: 'webhook.test', payload: '{"test": true, "note": "hi"}' } });
    expect(res.status).toBe(200);
    const result = (await res.json()) as { success: boolean; status_code: number; error: string; delivery_id: string };
    expect(result).toEqual({ success: true, status_code: 200, error: '', delivery_id: expect.any(String) });
    const [sent] = receiver.matching('t-ok');
    expect(sent.json).toEqual({ test: true, note: 'hi', event: 'webhook.test', webhook_id: webhook.id, timestamp: expect.any(String) });
    expect(sent.headers['x-webhook-id']).toBe(result.delivery_id);

    const after = ((await (await app.request(`/api/webhooks/${webhook.id}`, { admin: true })).json()) as { webhook: WebhookJson }).webhook;
    expect(after.last_tested_at).not.toBeNull();
    const { delivery } = (await (await app.request(`/api/webhooks/${webhook.id}/deliveries/${result.delivery_id}`, { admin: true })).json()) as { delivery: DeliveryJson };
    expect(delivery).toMatchObject({ event: 'webhook.test', status: 'delivered', attempts: 1, payload: sent.body, last_error: '', last_status_code: 200 });
    // An empty body is a plain test.
    expect((await app.request(`/api/webhooks/${webhook.id}/test`, { method: 'POST', admin: true })).status).toBe(200);
    expect(receiver.matching('t-ok')[1].json).toEqual({ event: 'webhook.test', webhook_id: webhook.id, test: true, timestamp: expect.any(String) });
    const audit = await app.services.db.execute<{ n: number }>(sql`select count(*)::int as n from audit_logs where action = 'webhook.test'`);
    expect(audit[0].n).toBeGreaterThanOrEqual(2);
  });

  it('reports a failing receiver without retrying it', async () => {
    const { webhook } = await createOk({ url: receiver.at('t-fail') });
    receiver.on('t-fail', () => ({ status: 502, body: 'bad gateway' }));
    const result = await (await app.request(`/api/webhooks/${webhook.id}/test`, { method: 'POST', admin: true, json: {} })).json();
    expect(result).toMatchObject({ success: false, status_code: 502, error: 'HTTP 502: bad gateway' });
    const closed = http.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const { port } = closed.address() as AddressInfo;
    await new Promise<void>((r) => closed.close(() => r()));
    await app.request(`/api/webhooks/${webhook.id}`, { method: 'PATCH', admin: true, json: { url: `http://127.0.0.1:${port}/` } });
    const refused = (await (await app.request(`/api/webhooks/${webhook.id}/test`, { method: 'POST', admin: true, json: {} })).json()) as { success: boolean; status_code: number; error: string };
    expect(refused).toMatchObject({ success: false, status_code: 0 });
    expect(refused.error).toContain('ECONNREFUSED');
    const failed = (await (await app.request(`/api/webhooks/${webhook.id}/deliveries?status=failed`, { admin: true })).json()) as { deliveries: DeliveryJson[] };
    expect(failed.deliveries).toHaveLength(2);
    await new Promise((r) => setTimeout(r, 300));
    expect(receiver.matching('t-fail')).toHaveLength(1);
    const hook = ((await (await app.request(`/api/webhooks/${webhook.id}`, { admin: true })).json()) as { webhook: WebhookJson }).webhook;
    expect(hook.consecutive_fails).toBe(2);
  });
});

describe('delivery history', () => {
  it('filters by status, event and time, and pages with a cursor', async () => {
    const { webhook } = await createOk({ url: receiver.at('history'), events: ['agent.created', 'agent.deleted'] });
    const agents = [];
    for (let i = 0; i < 5; i++) agents.push(await createAgent(app, { name: `h${i}` }));
    await app.request(`/api/agents/${agents[0].id}`, { method: 'DELETE', admin: true });
    await app.request(`/api/webhooks/${webhook.id}/test`, { method: 'POST', admin: true });
    const all = await eventually(async () => {
      const res = (await (await app.request(`/api/webhooks/${webhook.id}/deliveries`, { admin: true })).json()) as { deliveries: DeliveryJson[] };
      return res.deliveries.length === 7 && res.deliveries.every((d) => d.status === 'delivered') ? res.deliveries : undefined;
    });
    expect(new Set(all.map((d) => d.id)).size).toBe(7);
    const times = all.map((d) => Date.parse(d.created_at as string));
    expect([...times].sort((a, b) => b - a)).toEqual(times);

    const get = async (q: string) => (await (await app.request(`/api/webhooks/${webhook.id}/deliveries${q}`, { admin: true })).json()) as { deliveries: DeliveryJson[]; next_cursor: string | null };
    expect((await get('?event=agent.created')).deliveries).toHaveLength(5);
    expect((await get('?event=agent.deleted')).deliveries.map((d) => JSON.parse(d.payload).agent_id)).toEqual([agents[0].id]);
    expect((await get('?event=webhook.test&status=delivered')).deliveries).toHaveLength(1);
    expect((await get('?status=dead')).deliveries).toHaveLength(0);
    expect((await get(`?since=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`)).deliveries).toHaveLength(0);
    expect((await get(`?until=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`)).deliveries).toHaveLength(7);

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await get(`?limit=3${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.deliveries.length).toBeLessThanOrEqual(3);
      seen.push(...page.deliveries.map((d) => d.id));
      cursor = page.next_cursor;
    } while (cursor);
    expect(seen).toEqual(all.map((d) => d.id));
  });
});

describe('organizations', () => {
  async function organization(slug: string) {
    const res = await app.request('/api/organizations', { method: 'POST', admin: true, json: { name: slug, slug } });
    const org = (await res.json()) as { id: string };
    const key = (await (await app.request(`/api/organizations/${org.id}/api-keys`, { method: 'POST', admin: true, json: { name: 'k' } })).json()) as { key: string };
    return { id: org.id, key: key.key };
  }

  it('an organization\'s webhook hears only its organization\'s events; a key sees only its own', async () => {
    const a = await organization('hooks-a');
    const b = await organization('hooks-b');
    const hookA = await createOk({ url: receiver.at('org-a'), events: ['agent.created'] }, { bearer: a.key });
    expect(hookA.webhook.organization_id).toBe(a.id);
    const hookB = await createOk({ url: receiver.at('org-b'), events: ['agent.created'], organization_id: b.id });
    expect(hookB.webhook.organization_id).toBe(b.id);
    const global = await createOk({ url: receiver.at('org-global'), events: ['agent.created'] });

    const agentA = await createAgent(app, { name: 'in-a' }, '/api/agents', { bearer: a.key });
    const agentB = await createAgent(app, { name: 'in-b', organization_id: b.id });
    const agentNone = await createAgent(app, { name: 'no-org' });
    await receiver.waitFor(3, 'org-global');
    await receiver.waitFor(1, 'org-a');
    await receiver.waitFor(1, 'org-b');
    await new Promise((r) => setTimeout(r, 300));
    expect(receiver.matching('org-a').map((r) => r.json.agent_id)).toEqual([agentA.id]);
    expect(receiver.matching('org-b').map((r) => r.json.agent_id)).toEqual([agentB.id]);
    expect(new Set(receiver.matching('org-global').map((r) => r.json.agent_id))).toEqual(new Set([agentA.id, agentB.id, agentNone.id]));

    // Key A: its own webhook and deliveries only; everything else is 404.
    const listA = (await (await app.request('/api/webhooks', { bearer: a.key })).json()) as { webhooks: WebhookJson[] };
    expect(listA.webhooks.map((w) => w.id)).toEqual([hookA.webhook.id]);
    expect((await app.request(`/api/webhooks?organization_id=${b.id}`, { bearer: a.key }).then((r) => r.json()))).toEqual({ webhooks: [] });
    const deliveriesB = (await (await app.request(`/api/webhooks/${hookB.webhook.id}/deliveries`, { admin: true })).json()) as { deliveries: DeliveryJson[] };
    for (const path of [
      `/api/webhooks/${hookB.webhook.id}`, `/api/webhooks/${global.webhook.id}`, `/api/webhooks/${hookB.webhook.id}/deliveries`,
      `/api/webhooks/${hookB.webhook.id}/deliveries/${deliveriesB.deliveries[0].id}`, `/api/webhooks/${hookA.webhook.id}/deliveries/${deliveriesB.deliveries[0].id}`,
    ]) {
      const res = await app.request(path, { bearer: a.key });
      expect(res.status, path).toBe(404);
      expect(await res.text()).not.toContain(b.id);
    }
    expect((await app.request(`/api/webhooks/${hookB.webhook.id}/test`, { method: 'POST', bearer: a.key, json: {} })).status).toBe(404);
    expect((await app.request(`/api/webhooks/${hookB.webhook.id}`, { method: 'DELETE', bearer: a.key })).status).toBe(404);
    expect((await create({ name: 'x', url: receiver.at('x'), events: ['agent.created'], organization_id: b.id }, { bearer: a.key })).res.status).toBe(403);
    const ownDeliveries = (await (await app.request(`/api/webhooks/${hookA.webhook.id}/deliveries`, { bearer: a.key })).json()) as { deliveries: DeliveryJson[] };
    expect(ownDeliveries.deliveries.map((d) => JSON.parse(d.payload).agent_id)).toEqual([agentA.id]);
    // The service's own view is confined too (what GraphQL and tRPC call).
    const ctxA = { principal: { kind: 'api_key' as const, apiKeyId: crypto.randomUUID(), organizationId: a.id, teamId: null }, ip: '', userAgent: '' };
    const visible = await app.services.webhooks.listDeliveries(ctxA, {});
    expect(visible.deliveries.every((d) => d.webhookConfigId === hookA.webhook.id)).toBe(true);
    expect(visible.deliveries.length).toBeGreaterThan(0);
  });
});

describe('production destination rules', () => {
  let prod: TestApp;
  beforeAll(async () => { prod = await startTestApp({ ENV: 'production' }); });
  afterAll(async () => { await prod?.close(); });

  it('accepts only https to public addresses', async () => {
    const refused = [
      'http://example.com/hook', 'https://127.0.0.1/hook', 'https://127.1.2.3:8443/hook', 'https://[::1]/hook', 'https://10.0.0.8/hook',
      'https://192.168.1.1/hook', 'https://172.16.0.1/hook', 'https://169.254.169.254/latest/meta-data', 'https://[fd00::1]/hook',
      'https://[fe80::1]/hook', 'https://224.0.0.1/hook', 'https://0.0.0.0/hook', 'https://[::ffff:127.0.0.1]/hook', 'https://100.64.0.1/hook',
      'https://localhost/hook', 'https://api.localhost/hook',
    ];
    for (const url of refused) {
      const res = await prod.request('/api/webhooks', { method: 'POST', admin: true, json: { name: 'p', url, events: ['agent.created'] } });
      expect(res.status, url).toBe(400);
      expect(((await res.json()) as { error_description: string }).error_description).toMatch(/^url: /);
    }
    const ok = await prod.request('/api/webhooks', { method: 'POST', admin: true, json: { name: 'p', url: 'https://93.184.215.14/hook', events: ['agent.created'] } });
    expect(ok.status).toBe(201);
    const { webhook } = (await ok.json()) as { webhook: WebhookJson };
    const moved = await prod.request(`/api/webhooks/${webhook.id}`, { method: 'PUT', admin: true, json: { url: 'https://127.0.0.1/hook' } });
    expect(moved.status).toBe(400);
    expect(((await (await prod.request(`/api/webhooks/${webhook.id}`, { admin: true })).json()) as { webhook: WebhookJson }).webhook.url).toBe('https://93.184.215.14/hook');
  });
});
