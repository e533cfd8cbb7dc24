/**
 * The headers of a delivery: `X-Webhook-Signature` is the hex HMAC-SHA256 of the raw body;
 * `X-Webhook-Signature-256: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<id>.<t>.<body>">` also
 * covers the delivery id and the time, so old or replayed deliveries can be refused.
 */
export declare const WEBHOOK_HEADERS: {
    readonly id: 'x-webhook-id';
    readonly event: 'x-webhook-event';
    readonly timestamp: 'x-webhook-timestamp';
    readonly attempt: 'x-webhook-attempt';
    readonly signature: 'x-webhook-signature';
    readonly signature256: 'x-webhook-signature-256';
};
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
/**
 * Checks a webhook delivery against the webhook's secret and returns its payload; throws
 * WebhookSignatureError (reason `missing_header`, `bad_signature` or `stale_timestamp`)
 * otherwise. `body` must be the raw body as received, not re-serialized JSON.
 */
export declare function verifyWebhook<Payload = Record<string, unknown>>(body: string | Uint8Array, headers: WebhookHeaders, secret: string, options?: VerifyWebhookOptions): WebhookDelivery<Payload>;
