import { createHmac, timingSafeEqual } from 'node:crypto';
import { MachineAuthError, WebhookSignatureError } from './errors.ts';

/**
 * The headers of a delivery: `X-Webhook-Signature` is the hex HMAC-SHA256 of the raw body;
 * `X-Webhook-Signature-256: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<id>.<t>.<body>">` also
 * covers the delivery id and the time, so old or replayed deliveries can be refused.
 */
export const WEBHOOK_HEADERS = {
  id: 'x-webhook-id',
  event: 'x-webhook-event',
  timestamp: 'x-webhook-timestamp',
  attempt: 'x-webhook-attempt',
  signature: 'x-webhook-signature',
  signature256: 'x-webhook-signature-256',
} as const;

export interface VerifyWebhookOptions {
  /** How far the signed timestamp may be from now, seconds (default 300). */
  toleranceSeconds?: number;
  /** The current time, Unix seconds (default: the clock). */
  now?: number;
  /**
   * Accept a delivery signed only with `X-Webhook-Signature` (no id or time covered, so replays
   * pass). Off by default: MachineAuth always sends both signatures.
   */
  allowBodyOnlySignature?: boolean;
}

export interface WebhookDelivery<Payload = Record<string, unknown>> {
  /** The delivery id (`X-Webhook-Id`), the same across retries: use it to drop duplicates. */
  id: string | undefined;
  event: string | undefined;
  /** When this attempt was signed, Unix seconds. */
  timestamp: number | undefined;
  attempt: number | undefined;
  /** The parsed JSON body. */
  payload: Payload;
}

export type WebhookHeaders = Headers | Record<string, string | string[] | undefined>;

function headerReader(headers: WebhookHeaders): (name: string) => string | undefined {
  if (typeof (headers as Headers).get === 'function') return (name) => (headers as Headers).get(name) ?? undefined;
  const lower = new Map<string, string | string[] | undefined>();
  for (const [key, value] of Object.entries(headers)) lower.set(key.toLowerCase(), value);
  return (name) => {
    const value = lower.get(name);
    return Array.isArray(value) ? value[0] : value;
  };
}

const hmacHex = (secret: string, ...parts: (string | Uint8Array)[]) => {
  const mac = createHmac('sha256', secret);
  for (const part of parts) mac.update(part);
  return mac.digest('hex');
};

/** Constant-time comparison of two hex digests. */
function sameHex(expected: string, given: string): boolean {
  const a = Buffer.from(expected, 'hex');
  const b = Buffer.from(/^[0-9a-f]+$/i.test(given) && given.length % 2 === 0 ? given : '', 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Checks a webhook delivery against the webhook's secret and returns its payload; throws
 * WebhookSignatureError (reason `missing_header`, `bad_signature` or `stale_timestamp`)
 * otherwise. `body` must be the raw body as received, not re-serialized JSON.
 */
export function verifyWebhook<Payload = Record<string, unknown>>(
  body: string | Uint8Array,
  headers: WebhookHeaders,
  secret: string,
  options: VerifyWebhookOptions = {},
): WebhookDelivery<Payload> {
  if (!secret) throw new WebhookSignatureError('bad_signature', 'no webhook secret given');
  const raw = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  const header = headerReader(headers);
  const signature = header(WEBHOOK_HEADERS.signature)?.trim();
  const signature256 = header(WEBHOOK_HEADERS.signature256)?.trim();
  const id = header(WEBHOOK_HEADERS.id)?.trim();

  if (!signature) throw new WebhookSignatureError('missing_header', 'X-Webhook-Signature is missing');
  if (!sameHex(hmacHex(secret, raw), signature)) throw new WebhookSignatureError('bad_signature', 'X-Webhook-Signature does not match the body');

  let timestamp: number | undefined;
  if (signature256 || !options.allowBodyOnlySignature) {
    if (!signature256 || !id) throw new WebhookSignatureError('missing_header', 'X-Webhook-Signature-256 and X-Webhook-Id are required');
    const fields = signature256.split(',').map((part) => part.trim().split('=', 2) as [string, string | undefined]);
    timestamp = Number(fields.find(([k]) => k === 't')?.[1]);
    const candidates = fields.filter(([k]) => k === 'v1').map(([, v]) => v ?? '');
    if (!Number.isSafeInteger(timestamp) || candidates.length === 0) throw new WebhookSignatureError('missing_header', 'X-Webhook-Signature-256 is malformed');
    const expected = hmacHex(secret, `${id}.${timestamp}.`, raw);
    if (!candidates.some((candidate) => sameHex(expected, candidate))) throw new WebhookSignatureError('bad_signature', 'X-Webhook-Signature-256 does not match');
    const now = options.now ?? Math.floor(Date.now() / 1000);
    if (Math.abs(now - timestamp) > (options.toleranceSeconds ?? 300)) throw new WebhookSignatureError('stale_timestamp', `the delivery was signed ${now - timestamp} s from now, outside the tolerance`);
  }

  let payload: Payload;
  try {
    payload = JSON.parse(Buffer.from(raw).toString('utf8')) as Payload;
  } catch (error) {
    throw new MachineAuthError('invalid_payload', 'the signed body is not JSON', { cause: error });
  }
  const attempt = Number(header(WEBHOOK_HEADERS.attempt));
  return { id, event: header(WEBHOOK_HEADERS.event), timestamp, attempt: Number.isInteger(attempt) ? attempt : undefined, payload };
}
