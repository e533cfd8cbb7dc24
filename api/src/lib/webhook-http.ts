import http from 'node:http';
import https from 'node:https';
import { bareHostname, checkWebhookUrl, DestinationRefused, pinnedLookup, resolveDestination, type DestinationPolicy, type Resolver } from './destination-guard.ts';

/** What one POST to a receiver came to. `permanent` failures are not worth retrying. */
export interface SendOutcome {
  ok: boolean;
  /** The receiver's HTTP status, or null when no response arrived. */
  statusCode: number | null;
  /** Empty on success; otherwise why, with the start of the receiver's answer if any. */
  error: string;
  permanent: boolean;
}

export interface SendOptions {
  timeoutMs: number;
  policy: DestinationPolicy;
  resolve?: Resolver;
}

/** How much of a receiver's error answer is kept in `last_error`. */
const ERROR_BODY_BYTES = 512;

/**
 * POSTs `body` to `rawUrl` within `timeoutMs` (connect, send and answer together). The host is
 * resolved and checked first, and the socket connects only to the checked addresses. Redirects
 * are not followed (a 3xx is a failure), so a receiver cannot bounce the request inwards.
 */
export async function postWebhook(rawUrl: string, body: string, headers: Record<string, string>, options: SendOptions): Promise<SendOutcome> {
  let url: URL;
  let addresses;
  const deadline = Date.now() + options.timeoutMs;
  try {
    url = checkWebhookUrl(rawUrl, options.policy);
    addresses = await withTimeout(resolveDestination(url, options.policy, options.resolve), options.timeoutMs, 'DNS lookup');
  } catch (error) {
    return { ok: false, statusCode: null, error: describe(error), permanent: error instanceof DestinationRefused };
  }
  const client = url.protocol === 'https:' ? https : http;
  return new Promise<SendOutcome>((resolve) => {
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    const finish = (outcome: SendOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(outcome);
    };
    const onResponse = (res: http.IncomingMessage) => {
      const status = res.statusCode ?? 0;
      // The status decides; a slow or endless body must not turn an accepted delivery into a timeout.
      if (status >= 200 && status < 300) {
        finish({ ok: true, statusCode: status, error: '', permanent: false });
        return void res.destroy();
      }
      const chunks: Buffer[] = [];
      let size = 0;
      const fail = () => {
        const text = Buffer.concat(chunks).toString('utf8').slice(0, ERROR_BODY_BYTES).replace(/\s+/g, ' ').trim();
        finish({ ok: false, statusCode: status, error: `HTTP ${status}${text ? `: ${text}` : ''}`, permanent: false });
        res.destroy();
      };
      res.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
        size += chunk.length;
        if (size >= ERROR_BODY_BYTES) fail();
      });
      res.on('error', fail);
      res.on('end', fail);
    };
    let req: http.ClientRequest;
    try {
      req = client.request(
        {
          protocol: url.protocol,
          hostname: bareHostname(url),
          port: url.port || undefined,
          path: `${url.pathname}${url.search}`,
          method: 'POST',
          headers: { ...headers, 'Content-Length': String(Buffer.byteLength(body)), Connection: 'close' },
          lookup: pinnedLookup(addresses) as never,
          agent: false,
        },
        onResponse,
      );
    } catch (error) {
      // node:http refuses some requests synchronously (e.g. a header it cannot send).
      return finish({ ok: false, statusCode: null, error: describe(error), permanent: true });
    }
    timer = setTimeout(() => {
      const error = new Error(`timed out after ${options.timeoutMs / 1000}s`);
      finish({ ok: false, statusCode: null, error: error.message, permanent: false });
      req.destroy(error);
    }, Math.max(1, deadline - Date.now()));
    req.on('error', (error) => finish({ ok: false, statusCode: null, error: describe(error), permanent: false }));
    req.end(body);
  });
}

function describe(error: unknown): string {
  if (error instanceof DestinationRefused) return `destination refused: ${error.message}`;
  const e = error as NodeJS.ErrnoException;
  const message = e?.message ?? String(error);
  return e?.code && !message.includes(e.code) ? `${e.code}: ${message}` : message;
}

async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms / 1000}s`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
