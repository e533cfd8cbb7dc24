import { createHmac } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
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
