import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import FindMyWay from 'find-my-way';
import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import type { TLSSocket } from 'node:tls';
import { AppError, asAppError, HttpsRequired, InvalidRequest, MethodNotAllowed, NotFound, ServerError } from '../errors.ts';
import type { RequestContext } from '../services/context.ts';
import type { Services } from '../services/index.ts';
import { agentPrincipal, authenticateAdmin, authenticateAgent, bearerToken, clientIp } from './auth.ts';
import { parseWith, readBody, type Params } from './body.ts';
import { CorsPolicy } from './cors.ts';
import type { Call, Mount, Reply, Route } from './route.ts';
import { API_KEY_PREFIX } from '../services/api-keys.ts';

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

interface RouteStore {
  route: Route;
}

export interface HttpServerOptions {
  config: Config;
  services: Services;
  log: Logger;
  routes: Route[];
  mounts?: Mount[];
}

/** TLS on our socket, or (TRUST_PROXY) on the proxy's, as its X-Forwarded-Proto says. */
function isHttps(req: IncomingMessage, trustProxy: boolean): boolean {
  if ((req.socket as TLSSocket).encrypted) return true;
  if (!trustProxy) return false;
  const proto = req.headers['x-forwarded-proto'];
  return (Array.isArray(proto) ? proto[0] : proto)?.split(',')[0]?.trim().toLowerCase() === 'https';
}

/** Load balancers probe health over plain HTTP even when everything else must be HTTPS. */
const PLAIN_HTTP_ALLOWED = new Set(['/health', '/health/ready']);

/** Any failure as the RFC 6749 error body; unknown failures are logged and never described. */
function toAppError(error: unknown, log: Logger, requestId: string): AppError {
  const appError = asAppError(error);
  if (appError instanceof ServerError && !(error instanceof AppError)) log.error({ err: error, requestId }, 'unhandled error');
  return appError;
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  if (res.headersSent) return;
  const payload = status === 204 || body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, {
    ...(payload ? { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(payload) } : {}),
    ...headers,
  });
  res.end(payload);
}

export function createHttpServer({ config, services, log, routes, mounts = [] }: HttpServerOptions) {
  const router = FindMyWay<FindMyWay.HTTPVersion.V1>({ ignoreTrailingSlash: true, ignoreDuplicateSlashes: true, maxParamLength: 200 });
  for (const route of routes) {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) router.on(method as FindMyWay.HTTPMethod, route.path, () => {}, { route } satisfies RouteStore);
  }
  const cors = new CorsPolicy(config.allowedOrigins, services.organizations);

  async function dispatch(req: IncomingMessage, res: ServerResponse, requestId: string, ip: string, userAgent: string) {
    // The parser lets through absolute-form targets that are not URLs ("http://[").
    const url = URL.parse(req.url ?? '/', 'http://localhost');
    if (!url) throw new InvalidRequest('malformed request target');
    const method = req.method === 'HEAD' ? 'GET' : (req.method ?? 'GET');
    // Set now so that error responses carry them too. Without an Origin there are none (and the
    // await is skipped: most API traffic is not from browsers).
    if (req.headers.origin) for (const [k, v] of Object.entries(await cors.headersFor(req))) res.setHeader(k, v);

    // REQUIRE_HTTPS (seed: "enforce HTTPS redirects"): reads are redirected; anything that may carry
    // credentials or change state is refused, so a client never learns to resend secrets in clear.
    if (config.requireHttps && !PLAIN_HTTP_ALLOWED.has(url.pathname) && !isHttps(req, config.trustProxy)) {
      const host = req.headers.host;
      if (method === 'GET' && host && /^[a-z0-9.\-:[\]]+$/i.test(host)) {
        return sendJson(res, 301, undefined, { location: `https://${host}${url.pathname}${url.search}` });
      }
      throw new HttpsRequired();
    }

    const mount = mounts.find((m) => url.pathname === m.prefix || url.pathname.startsWith(`${m.prefix}/`));
    if (mount) {
      if (req.method === 'OPTIONS' && req.headers['access-control-request-method']) return void res.writeHead(204).end();
      return mount.handle(req, res, { ip, userAgent });
    }

    if (req.method === 'OPTIONS') {
      const allowed = METHODS.filter((m) => router.find(m, url.pathname));
      if (allowed.length === 0) throw new NotFound('no such endpoint');
      return sendJson(res, 204, undefined, { allow: [...allowed, 'OPTIONS'].join(', ') });
    }

    const found = router.find(method as FindMyWay.HTTPMethod, url.pathname);
    if (!found) {
      const allowed = METHODS.filter((m) => router.find(m, url.pathname));
      if (allowed.length) throw new MethodNotAllowed(allowed);
      throw new NotFound('no such endpoint');
    }
    const { route } = found.store as RouteStore;
    const ctx: RequestContext = { principal: { kind: 'anonymous' }, ip, userAgent };
    const call: Call = {
      req,
      params: found.params as Record<string, string>,
      query: url.searchParams,
      ctx,
      services,
      config,
      body: memo(() => readBody(req, config.maxBodyBytes)),
      async input(schema) {
        return parseWith(schema, await this.body());
      },
    };

    switch (route.auth) {
      case 'admin':
        ctx.principal = await authenticateAdmin(req, services, config);
        break;
      case 'agent':
      case 'agent-any':
        call.agent = await authenticateAgent(req, services, { allowInactive: route.auth === 'agent-any' });
        ctx.principal = agentPrincipal(call.agent);
        break;
      case 'bearer': {
        const token = bearerToken(req);
        if (token?.startsWith(API_KEY_PREFIX)) {
          const key = await services.apiKeys.authenticate(token, { ip, userAgent });
          if (key) ctx.principal = key;
        }
        if (ctx.principal.kind === 'anonymous') {
          call.agent = await authenticateAgent(req, services);
          ctx.principal = agentPrincipal(call.agent);
        }
        break;
      }
    }

    // Before the handler, so that its error answers are readable by the caller's origin too.
    if (ctx.principal.kind !== 'anonymous' && req.headers.origin) {
      for (const [k, v] of Object.entries(await cors.headersFor(req, ctx.principal))) res.setHeader(k, v);
    }
    const reply: Reply = await route.handler(call);
    // Let a handler answer before reading a body it does not need, without leaving it unread.
    if (!req.readableEnded) req.resume();
    const headers = reply.headers ?? {};
    if (reply.text !== undefined) {
      res.writeHead(reply.status, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8', ...headers });
      return void res.end(req.method === 'HEAD' ? undefined : reply.text);
    }
    sendJson(res, reply.status, req.method === 'HEAD' ? undefined : reply.body, headers);
  }

  const server = http.createServer({ keepAliveTimeout: 65_000, requestTimeout: 30_000, headersTimeout: 20_000 }, (req, res) => {
    const started = process.hrtime.bigint();
    const requestId = randomUUID();
    const ip = clientIp(req, config.trustProxy);
    const userAgent = String(req.headers['user-agent'] ?? '').slice(0, 512);
    services.metrics.requests++;
    res.setHeader('x-request-id', requestId);
    res.on('finish', () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      log.info({ requestId, method: req.method, path: (req.url ?? '').split('?')[0], status: res.statusCode, ms: Math.round(ms * 10) / 10, ip }, 'request');
    });
    dispatch(req, res, requestId, ip, userAgent).catch((error: unknown) => {
      const appError = toAppError(error, log, requestId);
      if (!req.readableEnded) req.resume();
      sendJson(res, appError.status, appError.toJSON(), { ...appError.headers, ...(req.url?.startsWith('/oauth/') ? { 'cache-control': 'no-store' } : {}) });
    });
  });
  // Malformed HTTP never reaches a handler; still answer in JSON.
  server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
    if (err.code === 'ECONNRESET' || !socket.writable) return void socket.destroy();
    const tooLarge = err.code === 'HPE_HEADER_OVERFLOW';
    const body = JSON.stringify({ error: 'invalid_request', error_description: tooLarge ? 'request headers too large' : 'malformed HTTP request' });
    const status = tooLarge ? '431 Request Header Fields Too Large' : '400 Bad Request';
    socket.end(`HTTP/1.1 ${status}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`);
  });
  return server;
}

function memo(read: () => Promise<Params>): () => Promise<Params> {
  let cached: Promise<Params> | undefined;
  return () => (cached ??= read());
}
