import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * How a webhook delivery is signed. Two signatures go out with every attempt:
 * - `X-Webhook-Signature`: hex HMAC-SHA256 of the raw body (seed 003, kept for compatibility);
 * - `X-Webhook-Signature-256: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<id>.<t>.<body>">`, which
 *   also covers the delivery id and the time, so a receiver can refuse replays (old `t`) and
 *   duplicates (an `X-Webhook-Id` it has already processed) without trusting unsigned headers.
 */
export const WEBHOOK_HEADERS = {
  id: 'X-Webhook-Id',
  event: 'X-Webhook-Event',
  timestamp: 'X-Webhook-Timestamp',
  signature: 'X-Webhook-Signature',
  signature256: 'X-Webhook-Signature-256',
  attempt: 'X-Webhook-Attempt',
} as const;

/** How far a receiver should let `t` drift from its clock (seconds), as the README recommends. */
export const DEFAULT_TOLERANCE_SECS = 300;

const hmacHex = (secret: string, data: string) => createHmac('sha256', secret).update(data, 'utf8').digest('hex');

export function signBody(secret: string, body: string): string {
  return hmacHex(secret, body);
}

export function signDelivery(secret: string, deliveryId: string, timestamp: number, body: string): string {
  return hmacHex(secret, `${deliveryId}.${timestamp}.${body}`);
}

export interface DeliveryHeaderInput {
  secret: string;
  deliveryId: string;
  event: string;
  body: string;
  attempt: number;
  /** Unix seconds; now by default. */
  timestamp?: number;
}

/** Every header of one delivery attempt (a fresh timestamp per attempt, the same id throughout). */
export function deliveryHeaders({ secret, deliveryId, event, body, attempt, timestamp = Math.floor(Date.now() / 1000) }: DeliveryHeaderInput): Record<string, string> {
  return {
    'Content-Type': 'application/json',
    'User-Agent': 'MachineAuth-Webhook/1.0',
    [WEBHOOK_HEADERS.event]: event,
    [WEBHOOK_HEADERS.id]: deliveryId,
    [WEBHOOK_HEADERS.timestamp]: String(timestamp),
    [WEBHOOK_HEADERS.attempt]: String(attempt),
    [WEBHOOK_HEADERS.signature]: signBody(secret, body),
    [WEBHOOK_HEADERS.signature256]: `t=${timestamp},v1=${signDelivery(secret, deliveryId, timestamp, body)}`,
  };
}

const hexEqual = (a: string, b: string) => a.length === b.length && /^[0-9a-f]+$/i.test(a) && timingSafeEqual(Buffer.from(a, 'hex'), Buffer.from(b, 'hex'));

export type VerifyFailure = 'missing_header' | 'bad_signature' | 'stale_timestamp';

/**
 * What a receiver does (the README shows the same steps): check the body signature, then the
 * id+timestamp signature and that the timestamp is recent. Headers are looked up in lower case.
 */
export function verifyDelivery(
  secret: string,
  headers: Record<string, string | string[] | undefined>,
  body: string,
  options: { toleranceSecs?: number; now?: number } = {},
): { ok: true; deliveryId: string; timestamp: number } | { ok: false; reason: VerifyFailure } {
  const header = (name: string) => {
    const value = headers[name.toLowerCase()];
    return Array.isArray(value) ? value[0] : value;
  };
  const bodySignature = header(WEBHOOK_HEADERS.signature);
  const combined = header(WEBHOOK_HEADERS.signature256);
  const deliveryId = header(WEBHOOK_HEADERS.id);
  if (!bodySignature || !combined || !deliveryId) return { ok: false, reason: 'missing_header' };
  if (!hexEqual(signBody(secret, body), bodySignature)) return { ok: false, reason: 'bad_signature' };
  const parts = Object.fromEntries(combined.split(',').map((kv) => kv.split('=', 2) as [string, string]));
  const timestamp = Number(parts.t);
  if (!Number.isInteger(timestamp) || !parts.v1) return { ok: false, reason: 'missing_header' };
  if (!hexEqual(signDelivery(secret, deliveryId, timestamp, body), parts.v1)) return { ok: false, reason: 'bad_signature' };
  const now = options.now ?? Math.floor(Date.now() / 1000);
  if (Math.abs(now - timestamp) > (options.toleranceSecs ?? DEFAULT_TOLERANCE_SECS)) return { ok: false, reason: 'stale_timestamp' };
  return { ok: true, deliveryId, timestamp };
}
