import http, { type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as the receiver saw it. */
export interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  json: Record<string, unknown>;
  at: number;
  path: string;
}

/** How to answer: a status (after an optional delay), or never ('hang'). */
export type Answer = number | { status: number; delayMs?: number; body?: string } | 'hang';

/**
 * A real webhook receiver on 127.0.0.1 (node:http). It records every request, answers as
 * `answer` says (200 by default) and tracks how many requests are in flight at once.
 */
export class WebhookReceiver {
  readonly received: Received[] = [];
  /** Default answer for paths without their own (`on`). `index` counts requests to that path. */
  answer: (request: Received, index: number) => Answer = () => 200;
  private readonly perPath = new Map<string, (request: Received, index: number) => Answer>();
  inFlight = 0;
  maxInFlight = 0;
  private readonly hanging = new Set<ServerResponse>();
  private waiters: Array<() => void> = [];

  private constructor(private readonly server: http.Server, readonly url: string) {}

  static async start(): Promise<WebhookReceiver> {
    let receiver!: WebhookReceiver;
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => receiver.handle(req.headers, Buffer.concat(chunks).toString('utf8'), req.url ?? '/', res));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    receiver = new WebhookReceiver(server, `http://127.0.0.1:${port}`);
    return receiver;
  }

  private handle(headers: IncomingHttpHeaders, body: string, path: string, res: ServerResponse) {
    let json: Record<string, unknown> = {};
    try {
      json = JSON.parse(body);
    } catch {
      // recorded as is; tests assert on it
    }
    const request: Received = { headers, body, json, at: Date.now(), path };
    this.received.push(request);
    const index = this.matching(path).length - 1;
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    for (const wake of this.waiters.splice(0)) wake();
    const answer = (this.perPath.get(path) ?? this.answer)(request, index);
    const done = () => { this.inFlight--; };
    if (answer === 'hang') {
      this.hanging.add(res);
      res.on('close', () => { this.hanging.delete(res); done(); });
      return;
    }
    const { status, delayMs = 0, body: text = '' } = typeof answer === 'number' ? { status: answer } : answer;
    setTimeout(() => {
      if (!res.destroyed) res.writeHead(status, { 'content-type': 'text/plain' }).end(text);
      done();
    }, delayMs);
  }

  /** Answers requests to `path` with `fn` (given the request and its index among that path's). */
  on(path: string, fn: (request: Received, index: number) => Answer): this {
    this.perPath.set(`/${path.replace(/^\//, '')}`, fn);
    return this;
  }

  /** A URL on this receiver; tests give each webhook its own path to tell their requests apart. */
  at(path: string): string {
    return `${this.url}/${path.replace(/^\//, '')}`;
  }

  /** Requests so far that match (a string matches the request path). */
  matching(predicate: ((r: Received) => boolean) | string = () => true): Received[] {
    const test = typeof predicate === 'string' ? (r: Received) => r.path === `/${predicate.replace(/^\//, '')}` : predicate;
    return this.received.filter(test);
  }

  /** Waits until at least `count` matching requests have arrived. */
  async waitFor(count: number, predicate: ((r: Received) => boolean) | string = () => true, timeoutMs = 20_000): Promise<Received[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.matching(predicate);
      if (found.length >= count) return found;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`receiver: expected ${count} matching requests, got ${found.length} (of ${this.received.length})`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 250));
        this.waiters.push(() => { clearTimeout(timer); resolve(); });
      });
    }
  }

  reset() {
    this.received.length = 0;
    this.maxInFlight = this.inFlight;
    this.answer = () => 200;
    this.perPath.clear();
  }

  async close() {
    for (const res of this.hanging) res.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** Polls `check` until it returns a truthy value (or throws the last failure after `timeoutMs`). */
export async function eventually<T>(check: () => Promise<T | undefined | null | false>, timeoutMs = 20_000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) throw lastError instanceof Error ? lastError : new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
