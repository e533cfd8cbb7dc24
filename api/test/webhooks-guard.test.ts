import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.ts';
import {
  assertDestinationAllowed, checkWebhookUrl, DestinationRefused, isPublicAddress, resolveDestination, type Resolver,
} from '../src/lib/destination-guard.ts';
import { postWebhook } from '../src/lib/webhook-http.ts';
import { deliveryHeaders, verifyDelivery } from '../src/lib/webhook-signature.ts';
import { WebhookReceiver } from './webhook-receiver.ts';

/** The policy a production server runs with, from the real configuration loader. */
const production = { production: loadConfig({ ENV: 'production', ADMIN_PASSWORD: 'not-the-default' }, { dotenv: false }).production };
const development = { production: loadConfig({ ENV: 'development' }, { dotenv: false }).production };
const fixed = (...addresses: string[]): Resolver => async () => addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));

let receiver: WebhookReceiver;
beforeAll(async () => { receiver = await WebhookReceiver.start(); });
afterAll(async () => { await receiver?.close(); });

describe('isPublicAddress', () => {
  it.each([
    ['8.8.8.8', true], ['93.184.215.14', true], ['2606:4700:4700::1111', true], ['::ffff:8.8.8.8', true],
    ['127.0.0.1', false], ['127.255.0.9', false], ['10.0.0.1', false], ['172.16.5.4', false], ['172.31.255.255', false], ['192.168.0.1', false],
    ['169.254.169.254', false], ['100.64.0.1', false], ['0.0.0.0', false], ['255.255.255.255', false], ['224.0.0.251', false], ['239.1.1.1', false],
    ['192.0.2.1', false], ['198.18.0.1', false], ['240.0.0.1', false],
    ['::1', false], ['::', false], ['fe80::1', false], ['fd12:3456::1', false], ['fc00::1', false], ['ff02::1', false], ['2001:db8::1', false],
    ['::ffff:127.0.0.1', false], ['::ffff:10.0.0.1', false], ['64:ff9b::a00:1', false], ['2002:7f00:1::', false], ['not-an-ip', false],
  ])('%s → %s', (address, expected) => {
    expect(isPublicAddress(address)).toBe(expected);
  });
});

describe('checkWebhookUrl', () => {
  it('development: any http(s) URL with a host', () => {
    for (const url of ['http://127.0.0.1:9/x', 'https://localhost/x', 'http://10.0.0.1/', 'http://[::1]:8080/']) expect(checkWebhookUrl(url, development).href).toBe(new URL(url).href);
    for (const url of ['ftp://example.com/', 'file:///etc/passwd', 'gopher://x', 'http://user:pw@example.com/', 'nonsense', '']) {
      expect(() => checkWebhookUrl(url, development), url).toThrow(DestinationRefused);
    }
  });

  it('production: https only, no local or private literal, no localhost', () => {
    expect(checkWebhookUrl('https://example.com/hook', production).hostname).toBe('example.com');
    expect(checkWebhookUrl('https://93.184.215.14/hook', production).hostname).toBe('93.184.215.14');
    for (const url of [
      'http://example.com/hook', 'https://127.0.0.1/', 'https://[::1]/', 'https://10.1.1.1/', 'https://169.254.169.254/', 'https://[fd00::1]/',
      'https://[::ffff:7f00:1]/', 'https://localhost/', 'https://LOCALHOST./', 'https://evil.localhost/', 'https://0.0.0.0/', 'https://2130706433/',
    ]) {
      expect(() => checkWebhookUrl(url, production), url).toThrow(DestinationRefused);
    }
  });
});

describe('resolveDestination', () => {
  it('production refuses a name that resolves to any inside address', async () => {
    await expect(resolveDestination(new URL('https://hooks.example.com/'), production, fixed('10.0.0.5'))).rejects.toThrow(/10\.0\.0\.5.*not a public address/);
    await expect(resolveDestination(new URL('https://hooks.example.com/'), production, fixed('93.184.215.14', '127.0.0.1'))).rejects.toThrow(DestinationRefused);
    await expect(resolveDestination(new URL('https://hooks.example.com/'), production, fixed('93.184.215.14'))).resolves.toEqual([{ address: '93.184.215.14', family: 4 }]);
    // The real resolver: localhost is the inside whatever the name says.
    await expect(resolveDestination(new URL('https://localhost./'), production)).rejects.toThrow(DestinationRefused);
  });

  it('development allows inside addresses', async () => {
    await expect(resolveDestination(new URL('http://hooks.test/'), development, fixed('127.0.0.1'))).resolves.toHaveLength(1);
  });

  it('at creation, a name resolving inside is refused and an unresolvable one accepted (delivery checks again)', async () => {
    await expect(assertDestinationAllowed('https://rebind.example/', production, fixed('192.168.1.10'))).rejects.toThrow(DestinationRefused);
    const nxdomain: Resolver = async () => { throw Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' }); };
    await expect(assertDestinationAllowed('https://not-yet.example/', production, nxdomain)).resolves.toBeInstanceOf(URL);
  });
});

describe('postWebhook', () => {
  const headers = { 'Content-Type': 'application/json' };

  it('in production, a name that resolves inside is refused before any connection (permanent)', async () => {
    receiver.reset();
    const port = new URL(receiver.url).port;
    // A DNS rebinding attacker: the name looked public when the webhook was created, now it points home.
    const outcome = await postWebhook(`https://attacker.example:${port}/rebind`, '{}', headers, { timeoutMs: 1000, policy: production, resolve: fixed('127.0.0.1') });
    expect(outcome).toMatchObject({ ok: false, statusCode: null, permanent: true });
    expect(outcome.error).toMatch(/^destination refused: /);
    expect(receiver.received).toHaveLength(0);
  });

  it('connects to the address that was checked, not to a second DNS answer', async () => {
    receiver.reset();
    const port = new URL(receiver.url).port;
    // This name exists nowhere; the request can only arrive if the checked answer is the one used.
    const outcome = await postWebhook(`http://pinned.invalid:${port}/pinned`, '{"a":1}', headers, { timeoutMs: 2000, policy: development, resolve: fixed('127.0.0.1') });
    expect(outcome).toEqual({ ok: true, statusCode: 200, error: '', permanent: false });
    const [request] = receiver.matching('pinned');
    expect(request.headers.host).toBe(`pinned.invalid:${port}`);
    expect(request.body).toBe('{"a":1}');
  });

  it('does not follow redirects', async () => {
    receiver.reset();
    receiver.on('redirect', () => ({ status: 302, body: 'see elsewhere' }));
    const outcome = await postWebhook(receiver.at('redirect'), '{}', headers, { timeoutMs: 1000, policy: development });
    expect(outcome).toMatchObject({ ok: false, statusCode: 302, error: 'HTTP 302: see elsewhere', permanent: false });
    expect(receiver.received).toHaveLength(1);
  });

  it('keeps only the start of a long error answer', async () => {
    receiver.reset();
    receiver.on('long', () => ({ status: 500, body: 'x'.repeat(100_000) }));
    const outcome = await postWebhook(receiver.at('long'), '{}', headers, { timeoutMs: 1000, policy: development });
    expect(outcome.error.length).toBeLessThanOrEqual('HTTP 500: '.length + 512);
  });
});

describe('signatures', () => {
  it('signs body and id+timestamp; verification refuses tampering, other ids and stale times', () => {
    const body = JSON.stringify({ event: 'agent.created', agent_id: 'a' });
    const sent = deliveryHeaders({ secret: 'whsec_s', deliveryId: 'd-1', event: 'agent.created', body, attempt: 2, timestamp: 1_700_000_000 });
    const lower = Object.fromEntries(Object.entries(sent).map(([k, v]) => [k.toLowerCase(), v]));
    expect(lower['x-webhook-attempt']).toBe('2');
    expect(verifyDelivery('whsec_s', lower, body, { now: 1_700_000_100 })).toEqual({ ok: true, deliveryId: 'd-1', timestamp: 1_700_000_000 });
    expect(verifyDelivery('whsec_s', lower, `${body} `, { now: 1_700_000_100 })).toEqual({ ok: false, reason: 'bad_signature' });
    expect(verifyDelivery('whsec_s', { ...lower, 'x-webhook-id': 'd-2' }, body, { now: 1_700_000_100 })).toEqual({ ok: false, reason: 'bad_signature' });
    // Moving the timestamp forward to look fresh breaks the combined signature.
    expect(verifyDelivery('whsec_s', { ...lower, 'x-webhook-signature-256': lower['x-webhook-signature-256'].replace('t=1700000000', 't=1700000900') }, body, { now: 1_700_000_900 }))
      .toEqual({ ok: false, reason: 'bad_signature' });
    expect(verifyDelivery('whsec_s', lower, body, { now: 1_700_000_301 })).toEqual({ ok: false, reason: 'stale_timestamp' });
    expect(verifyDelivery('whsec_s', { 'x-webhook-id': 'd-1' }, body)).toEqual({ ok: false, reason: 'missing_header' });
  });
});
