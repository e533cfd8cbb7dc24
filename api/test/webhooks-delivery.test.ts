import { createHmac } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { WEBHOOK_EVENTS as EVENTS } from '../src/services/events.ts';
import { verifyDelivery } from '../src/lib/webhook-signature.ts';
import { createAgent, getToken, startTestApp, type TestApp } from './helpers.ts';
import { eventually, WebhookReceiver, type Received } from './webhook-receiver.ts';

const UNIT_MS = 100;
let app: TestApp;
let receiver: WebhookReceiver;

beforeAll(async () => {
  receiver = await WebhookReceiver.start();
  app = await startTestApp({ WEBHOOK_BACKOFF_UNIT_MS: String(UNIT_MS), WEBHOOK_TIMEOUT_SECS: '1', WEBHOOK_WORKER_COUNT: '3' });
});
afterAll(async () => {
  await app?.close();
  await receiver?.close();
});
beforeEach(async () => {
  // Each test starts with no webhooks, so only its own webhook hears its events.
  const { webhooks } = (await (await app.request('/api/webhooks', { admin: true })).json()) as { webhooks: Array<{ id: string }> };
  for (const w of webhooks) await app.request(`/api/webhooks/${w.id}`, { method: 'DELETE', admin: true });
  receiver.reset();
});

interface WebhookJson { id: string; consecutive_fails: number; is_active: boolean; last_tested_at: string | null; [k: string]: unknown }
interface DeliveryJson {
  id: string; webhook_config_id: string; event: string; payload: string; headers: string; status: string; attempts: number;
  last_attempt_at: string | null; last_error: string; last_status_code: number | null; next_retry_at: string | null; created_at: string;
}

async function createWebhook(body: Record<string, unknown>): Promise<{ webhook: WebhookJson; secret: string }> {
  const res = await app.request('/api/webhooks', { method: 'POST', admin: true, json: { name: 'hook', ...body } });
  expect(res.status, await res.clone().text()).toBe(201);
  return (await res.json()) as { webhook: WebhookJson; secret: string };
}

async function deliveries(webhookId: string, query = ''): Promise<DeliveryJson[]> {
  const res = await app.request(`/api/webhooks/${webhookId}/deliveries${query}`, { admin: true });
  expect(res.status).toBe(200);
  return ((await res.json()) as { deliveries: DeliveryJson[] }).deliveries;
}

async function webhook(id: string): Promise<WebhookJson> {
  return ((await (await app.request(`/api/webhooks/${id}`, { admin: true })).json()) as { webhook: WebhookJson }).webhook;
}

/** Waits for the webhook's only delivery to reach one of `statuses`. */
async function settled(webhookId: string, statuses: string[], timeoutMs = 20_000): Promise<DeliveryJson> {
  return eventually(async () => {
    const [d] = await deliveries(webhookId);
    return d && statuses.includes(d.status) ? d : undefined;
  }, timeoutMs);
}

const hmac = (secret: string, data: string) => createHmac('sha256', secret).update(data).digest('hex');
const header = (r: Received, name: string) => String(r.headers[name.toLowerCase()] ?? '');

describe('signed deliveries', () => {
  it('signs the body and the id+timestamp, and the record shows exactly what was sent', async () => {
    const { webhook: hook, secret } = await createWebhook({ url: receiver.at('signed'), events: ['agent.created'] });
    expect(secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    const agent = await createAgent(app);
    const [request] = await receiver.waitFor(1, 'signed');

    expect(header(request, 'content-type')).toBe('application/json');
    expect(header(request, 'x-webhook-event')).toBe('agent.created');
    // Seed 003: hex HMAC-SHA256 of the raw body with the webhook's secret.
    expect(header(request, 'x-webhook-signature')).toBe(hmac(secret, request.body));
    const id = header(request, 'x-webhook-id');
    const ts = header(request, 'x-webhook-timestamp');
    expect(Math.abs(Number(ts) - Date.now() / 1000)).toBeLessThan(30);
    expect(header(request, 'x-webhook-signature-256')).toBe(`t=${ts},v1=${hmac(secret, `${id}.${ts}.${request.body}`)}`);
    expect(header(request, 'x-webhook-attempt')).toBe('1');

    expect(verifyDelivery(secret, request.headers, request.body)).toMatchObject({ ok: true, deliveryId: id });
    expect(verifyDelivery(secret, request.headers, request.body.replace('agent.created', 'agent.deleted'))).toEqual({ ok: false, reason: 'bad_signature' });
    expect(verifyDelivery('whsec_wrong', request.headers, request.body)).toEqual({ ok: false, reason: 'bad_signature' });
    expect(verifyDelivery(secret, { ...request.headers, 'x-webhook-id': crypto.randomUUID() }, request.body)).toEqual({ ok: false, reason: 'bad_signature' });
    expect(verifyDelivery(secret, request.headers, request.body, { now: Number(ts) + 301 })).toEqual({ ok: false, reason: 'stale_timestamp' });

    expect(request.json).toEqual({ event: 'agent.created', agent_id: agent.id, agent_name: 'test-agent', client_id: agent.clientId, timestamp: expect.any(String) });
    const d = await settled(hook.id, ['delivered']);
    expect(d).toMatchObject({ id, webhook_config_id: hook.id, event: 'agent.created', status: 'delivered', attempts: 1, last_error: '', last_status_code: 200, next_retry_at: null });
    expect(d.payload).toBe(request.body);
    const recorded = JSON.parse(d.headers) as Record<string, string>;
    expect(recorded).toMatchObject({ 'X-Webhook-Id': id, 'X-Webhook-Event': 'agent.created', 'X-Webhook-Timestamp': ts });
    // Signatures are left out of the record, so reading it gives nothing to replay.
    expect(d.headers).not.toContain('Signature');
    const single = await app.request(`/api/webhooks/${hook.id}/deliveries/${id}`, { admin: true });
    expect(((await single.json()) as { delivery: DeliveryJson }).delivery).toEqual(d);
  });
});

describe('every event of seed 003 fires with its payload fields', () => {
  it('agent.*, token.*, webhook.*', async () => {
    const { webhook: all } = await createWebhook({ url: receiver.at('all'), events: [...EVENTS] });
    const agent = await createAgent(app, { name: 'eventful', scopes: ['read'] });
    expect((await app.request(`/api/agents/${agent.id}`, { method: 'PUT', admin: true, json: { name: 'renamed' } })).status).toBe(200);
    const rotated = await app.request(`/api/agents/${agent.id}/rotate`, { method: 'POST', admin: true, json: {} });
    expect(rotated.status).toBe(200);
    const secret = ((await rotated.json()) as { client_secret: string }).client_secret;
    const tokens = await getToken(app, { clientId: agent.clientId, clientSecret: secret });
    const introspect = (token: string) => fetch(`${app.url}/oauth/introspect`, { method: 'POST', body: new URLSearchParams({ token }) });
    expect(((await (await introspect(tokens.access_token)).json()) as { active: boolean }).active).toBe(true);
    expect((await fetch(`${app.url}/oauth/revoke`, { method: 'POST', body: new URLSearchParams({ token: tokens.access_token }) })).status).toBe(200);
    expect(((await (await introspect(tokens.access_token)).json()) as { active: boolean }).active).toBe(false);
    expect((await app.request(`/api/agents/${agent.id}`, { method: 'DELETE', admin: true })).status).toBe(204);

    const { webhook: other } = await createWebhook({ name: 'other', url: receiver.at('other'), events: ['agent.created'] });
    expect((await app.request(`/api/webhooks/${other.id}`, { method: 'PATCH', admin: true, json: { name: 'other2' } })).status).toBe(200);
    const tested = await app.request(`/api/webhooks/${other.id}/test`, { method: 'POST', admin: true });
    expect(((await tested.json()) as { success: boolean }).success).toBe(true);
    expect((await app.request(`/api/webhooks/${other.id}`, { method: 'DELETE', admin: true })).status).toBe(204);

    const expected: Record<string, Record<string, unknown>> = {
      'agent.created': { agent_id: agent.id, agent_name: 'eventful', client_id: agent.clientId },
      'agent.updated': { agent_id: agent.id },
      'agent.credentials_rotated': { agent_id: agent.id },
      'token.issued': { agent_id: agent.id },
      'token.validation_success': { agent_id: agent.id, success: true },
      'token.validation_failed': { agent_id: agent.id, success: false },
      'agent.deleted': { agent_id: agent.id },
      'webhook.created': { webhook_id: other.id },
      'webhook.updated': { webhook_id: other.id },
      'webhook.deleted': { webhook_id: other.id },
    };
    // A webhook that subscribes to webhook.created also hears of its own creation.
    const received = await receiver.waitFor(Object.keys(expected).length + 1, 'all');
    expect(received.find((r) => r.json.event === 'webhook.created' && r.json.webhook_id === all.id)).toBeDefined();
    for (const [event, fields] of Object.entries(expected)) {
      const matches = received.filter((r) => r.json.event === event && r.json.webhook_id !== all.id);
      expect(matches, event).toHaveLength(1);
      const [r] = matches;
      expect(header(r, 'x-webhook-event')).toBe(event);
      expect(r.json).toEqual({ event, ...fields, timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/) });
    }
    // The test delivery goes to the tested webhook itself, whatever it subscribes to.
    const [test] = receiver.matching('other').filter((r) => r.json.event === 'webhook.test');
    expect(test.json).toEqual({ event: 'webhook.test', webhook_id: other.id, test: true, timestamp: expect.any(String) });
    expect(receiver.matching('all').some((r) => r.json.event === 'webhook.test')).toBe(false);
    await eventually(async () => (await deliveries(all.id, '?status=delivered')).length === received.length);
  });
});

describe('retries', () => {
  it('retries failures after base ^ attempt units, with the same id and fresh signatures', async () => {
    const { webhook: hook, secret } = await createWebhook({ url: receiver.at('flaky'), events: ['agent.created'], max_retries: 5, retry_backoff_base: 2 });
    receiver.on('flaky', (_r, n) => (n < 3 ? { status: 500, body: 'try later' } : 200));
    await createAgent(app);
    const attempts = await receiver.waitFor(4, 'flaky');
    const d = await settled(hook.id, ['delivered']);
    expect(d).toMatchObject({ status: 'delivered', attempts: 4, last_error: '', last_status_code: 200, next_retry_at: null });
    expect(new Set(attempts.map((r) => header(r, 'x-webhook-id')))).toEqual(new Set([d.id]));
    expect(attempts.map((r) => header(r, 'x-webhook-attempt'))).toEqual(['1', '2', '3', '4']);
    for (const r of attempts) expect(verifyDelivery(secret, r.headers, r.body).ok).toBe(true);
    expect(new Set(attempts.map((r) => r.body)).size).toBe(1);
    // Waits of 2, 4 and 8 units: never early, and not much later than the poll resolution allows.
    const gaps = attempts.slice(1).map((r, i) => r.at - attempts[i].at);
    const expected = [2, 4, 8].map((n) => n * UNIT_MS);
    gaps.forEach((gap, i) => {
      expect(gap, `gap ${i + 1}: ${gaps.join(', ')}`).toBeGreaterThanOrEqual(expected[i] - 20);
      expect(gap, `gap ${i + 1}: ${gaps.join(', ')}`).toBeLessThan(expected[i] + 1000);
    });
    expect(receiver.matching('flaky')).toHaveLength(4);
    expect((await webhook(hook.id)).consecutive_fails).toBe(0);
  });

  it('shows a failing delivery as retrying with its error and next_retry_at', async () => {
    const { webhook: hook } = await createWebhook({ url: receiver.at('down'), events: ['agent.created'], max_retries: 3, retry_backoff_base: 20 });
    receiver.on('down', () => ({ status: 503, body: 'maintenance' }));
    await createAgent(app);
    const d = await settled(hook.id, ['retrying']);
    expect(d).toMatchObject({ status: 'retrying', attempts: 1, last_status_code: 503, last_error: 'HTTP 503: maintenance' });
    // The first retry waits 20 ^ 1 units.
    expect(Date.parse(d.next_retry_at!) - Date.parse(d.last_attempt_at!)).toBeGreaterThanOrEqual(20 * UNIT_MS - 5);
    expect(Date.parse(d.next_retry_at!) - Date.parse(d.last_attempt_at!)).toBeLessThan(20 * UNIT_MS + 200);
    expect((await webhook(hook.id)).consecutive_fails).toBe(1);
    const [filtered] = await deliveries(hook.id, '?status=retrying&event=agent.created');
    expect(filtered.id).toBe(d.id);
    expect(await deliveries(hook.id, '?status=delivered')).toEqual([]);
  });

  it('dead-letters after max_retries, counts consecutive failures and resets them on success', async () => {
    const { webhook: hook } = await createWebhook({ url: receiver.at('dead'), events: ['agent.created'], max_retries: 2, retry_backoff_base: 1 });
    receiver.on('dead', () => 500);
    await createAgent(app);
    const d = await settled(hook.id, ['dead']);
    expect(d).toMatchObject({ status: 'dead', attempts: 3, last_status_code: 500, next_retry_at: null });
    expect(d.last_error).toMatch(/^HTTP 500/);
    expect((await webhook(hook.id)).consecutive_fails).toBe(3);
    await new Promise((r) => setTimeout(r, 6 * UNIT_MS));
    expect(receiver.matching('dead')).toHaveLength(3);

    receiver.on('dead', () => 204);
    await createAgent(app);
    await eventually(async () => (await deliveries(hook.id)).find((x) => x.status === 'delivered'));
    expect((await webhook(hook.id)).consecutive_fails).toBe(0);
  });

  it('treats a receiver that does not answer within WEBHOOK_TIMEOUT_SECS as a failure', async () => {
    const { webhook: hook } = await createWebhook({ url: receiver.at('hang'), events: ['agent.created'], max_retries: 0 });
    receiver.on('hang', () => 'hang');
    await createAgent(app);
    const [request] = await receiver.waitFor(1, 'hang');
    const d = await settled(hook.id, ['dead']);
    expect(d).toMatchObject({ attempts: 1, last_error: 'timed out after 1s', last_status_code: null });
    expect(Date.parse(d.last_attempt_at!) - request.at).toBeGreaterThanOrEqual(900);
  });

  it('treats a refused connection as a failure', async () => {
    const closed = http.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const { port } = closed.address() as AddressInfo;
    await new Promise<void>((r) => closed.close(() => r()));
    const { webhook: hook } = await createWebhook({ url: `http://127.0.0.1:${port}/nobody`, events: ['agent.created'], max_retries: 1, retry_backoff_base: 1 });
    await createAgent(app);
    const d = await settled(hook.id, ['dead']);
    expect(d.attempts).toBe(2);
    expect(d.last_error).toContain('ECONNREFUSED');
  });
});

describe('stopping deliveries', () => {
  it('deactivating a webhook fails its queued deliveries and it hears nothing more', async () => {
    const { webhook: hook } = await createWebhook({ url: receiver.at('off'), events: ['agent.created'], max_retries: 3, retry_backoff_base: 10 });
    receiver.on('off', () => 500);
    await createAgent(app);
    const d = await settled(hook.id, ['retrying']);
    const res = await app.request(`/api/webhooks/${hook.id}`, { method: 'PATCH', admin: true, json: { is_active: false } });
    expect(((await res.json()) as { webhook: WebhookJson }).webhook.is_active).toBe(false);
    const stopped = await settled(hook.id, ['failed']);
    expect(stopped).toMatchObject({ id: d.id, attempts: 1, last_error: 'webhook was deactivated', next_retry_at: null });
    await createAgent(app);
    await new Promise((r) => setTimeout(r, 15 * UNIT_MS));
    expect(receiver.matching('off')).toHaveLength(1);
    expect(await deliveries(hook.id)).toHaveLength(1);

    // Back on: a fresh start for its health counter, and new events flow again.
    expect((await webhook(hook.id)).consecutive_fails).toBe(1);
    await app.request(`/api/webhooks/${hook.id}`, { method: 'PATCH', admin: true, json: { is_active: true } });
    expect((await webhook(hook.id)).consecutive_fails).toBe(0);
    receiver.on('off', () => 200);
    await createAgent(app);
    await receiver.waitFor(2, 'off');
  });

  it('a delivery whose webhook went inactive before its turn is marked failed, not sent', async () => {
    const { webhook: hook } = await createWebhook({ url: receiver.at('late'), events: ['agent.created'], is_active: false });
    const [row] = await app.services.db.execute<{ id: string }>(
      sql`insert into webhook_deliveries (webhook_config_id, event, payload) values (${hook.id}, 'agent.created', '{}') returning id`,
    );
    await app.services.webhooks.deliver(row.id);
    const [d] = await deliveries(hook.id);
    expect(d).toMatchObject({ id: row.id, status: 'failed', attempts: 0, last_error: 'webhook is inactive' });
    expect(receiver.matching('late')).toHaveLength(0);
  });

  it('deleting a webhook drops its queued jobs and history', async () => {
    const { webhook: hook } = await createWebhook({ url: receiver.at('gone'), events: ['agent.created'], max_retries: 3, retry_backoff_base: 10 });
    receiver.on('gone', () => 500);
    await createAgent(app);
    const d = await settled(hook.id, ['retrying']);
    const jobs = () => app.services.db.execute<{ n: number }>(sql`select count(*)::int as n from graphile_worker.jobs where key = ${d.id}`);
    expect((await jobs())[0].n).toBe(1);
    expect((await app.request(`/api/webhooks/${hook.id}`, { method: 'DELETE', admin: true })).status).toBe(204);
    expect((await jobs())[0].n).toBe(0);
    expect((await app.request(`/api/webhooks/${hook.id}/deliveries/${d.id}`, { admin: true })).status).toBe(404);
    await new Promise((r) => setTimeout(r, 15 * UNIT_MS));
    expect(receiver.matching('gone')).toHaveLength(1);
  });
});

describe('concurrency', () => {
  it('runs WEBHOOK_WORKER_COUNT deliveries at a time', async () => {
    await createWebhook({ url: receiver.at('slow'), events: ['agent.created'] });
    receiver.on('slow', () => ({ status: 200, delayMs: 300 }));
    await Promise.all(Array.from({ length: 9 }, (_, i) => createAgent(app, { name: `burst-${i}` })));
    await receiver.waitFor(9, 'slow');
    expect(receiver.maxInFlight).toBe(3);
  });
});
