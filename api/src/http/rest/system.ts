import { sql } from 'drizzle-orm';
import { z } from 'zod';
import { MetricsService } from '../../services/metrics.ts';
import { CSRF_HEADER, SESSION_COOKIE, cookie } from '../auth.ts';
import { json, type Route } from '../route.ts';
import { ServiceUnavailable } from '../../errors.ts';
import { requireGlobalAdmin } from '../../services/context.ts';
import { signingKeyJson } from '../../wire.ts';
import type { Database } from '../../db/index.ts';
import { EmptyBody } from '../../schemas/common.ts';

export const VERSION = '1.0.0';

export const LoginInput = z.strictObject({ email: z.string().min(1).max(320), password: z.string().min(1).max(1000) });

/** Service info, health, metrics, signing-key administration and the dashboard's session. */
export function systemRoutes(db: Database): Route[] {
  return [
    {
      method: 'GET',
      path: '/',
      auth: 'none',
      async handler() {
        return json(200, {
          service: 'MachineAuth',
          status: 'running',
          version: VERSION,
          endpoints: '/oauth/token, /oauth/introspect, /oauth/revoke, /oauth/refresh, /api/agents, /.well-known/jwks.json',
        });
      },
    },
    { method: 'GET', path: '/health', auth: 'none', handler: async () => json(200, { status: 'ok' }) },
    {
      method: 'GET',
      path: '/health/ready',
      auth: 'none',
      async handler() {
        try {
          const [row] = await db.execute<{ n: number }>(sql`select count(*)::int as n from agents`);
          return json(200, { status: 'ok', timestamp: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'), agents_count: row.n });
        } catch {
          throw new ServiceUnavailable('database unavailable');
        }
      },
    },
    {
      method: 'GET',
      path: '/metrics',
      auth: 'none',
      async handler(call) {
        const snapshot = await call.services.metrics.snapshot();
        const accept = String(call.req.headers.accept ?? '');
        // Prometheus scrapers ask for text/plain (or openmetrics); everyone else gets the seed's JSON.
        if (/text\/plain|application\/openmetrics-text/.test(accept) && !/application\/json/.test(accept)) {
          return { status: 200, text: MetricsService.prometheus(snapshot) };
        }
        return json(200, snapshot);
      },
    },
    {
      method: 'GET',
      path: '/api/admin/keys',
      auth: 'admin',
      async handler(call) {
        requireGlobalAdmin(call.ctx, 'manage signing keys');
        return json(200, { keys: call.services.keys.listKeys().map(signingKeyJson) });
      },
    },
    {
      method: 'POST',
      path: '/api/admin/keys/rotate',
      auth: 'admin',
      async handler(call) {
        requireGlobalAdmin(call.ctx, 'manage signing keys');
        await call.input(EmptyBody);
        const key = await call.services.keys.rotate({ ctx: call.ctx });
        return json(200, { kid: key.kid, alg: key.alg });
      },
    },
    {
      method: 'POST',
      path: '/api/auth/login',
      auth: 'none',
      async handler(call) {
        const { email, password } = await call.input(LoginInput);
        const session = await call.services.sessions.login(email, password);
        const secure = call.config.production || call.config.requireHttps ? '; Secure' : '';
        const maxAge = Math.floor((session.expiresAt.getTime() - Date.now()) / 1000);
        return json(200, { email: session.email, csrf_token: session.csrfToken, expires_at: session.expiresAt.toISOString() }, {
          'set-cookie': `${SESSION_COOKIE}=${session.token}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAge}${secure}`,
          'cache-control': 'no-store',
        });
      },
    },
    {
      method: 'GET',
      path: '/api/auth/session',
      auth: 'none',
      async handler(call) {
        const token = cookie(call.req, SESSION_COOKIE);
        const session = token ? await call.services.sessions.lookup(token) : undefined;
        if (!session) return json(200, { authenticated: false }, { 'cache-control': 'no-store' });
        return json(200, { authenticated: true, email: session.email, csrf_token: session.csrfToken, expires_at: session.expiresAt.toISOString() }, { 'cache-control': 'no-store' });
      },
    },
    {
      method: 'POST',
      path: '/api/auth/logout',
      auth: 'none',
      async handler(call) {
        const token = cookie(call.req, SESSION_COOKIE);
        if (token) {
          const session = await call.services.sessions.lookup(token);
          const csrf = call.req.headers[CSRF_HEADER];
          // Logging out is a state change too: only the page that holds the CSRF token may do it.
          if (session && csrf === session.csrfToken) await call.services.sessions.logout(token);
        }
        return json(200, { authenticated: false }, { 'set-cookie': `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0` });
      },
    },
  ];
}
