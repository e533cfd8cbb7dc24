import type { IncomingMessage } from 'node:http';
import type { Config } from '../config.ts';
import { InvalidToken, Unauthorized } from '../errors.ts';
import { safeEqual } from '../lib/secrets.ts';
import type { Principal } from '../services/context.ts';
import type { Services } from '../services/index.ts';
import type { AuthenticatedAgent } from '../services/tokens.ts';

export const SESSION_COOKIE = 'machineauth_session';
export const CSRF_HEADER = 'x-csrf-token';

/**
 * `Basic` credentials (RFC 7617), or undefined when the header is absent or not Basic.
 * `formEncoded` is for OAuth clients only (RFC 6749 §2.3.1 form-urlencodes both halves first);
 * an administrator's password is taken as typed, so `+` and `%` in it stay themselves.
 */
export function basicCredentials(req: IncomingMessage, options: { formEncoded?: boolean } = {}): { user: string; password: string } | undefined {
  const header = req.headers.authorization;
  if (!header || !/^basic /i.test(header)) return undefined;
  const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  if (!options.formEncoded) return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
  const unescape = (s: string) => {
    try {
      return decodeURIComponent(s.replace(/\+/g, '%20'));
    } catch {
      return s;
    }
  };
  return { user: unescape(decoded.slice(0, colon)), password: unescape(decoded.slice(colon + 1)) };
}

export function bearerToken(req: IncomingMessage): string | undefined {
  const header = req.headers.authorization;
  if (!header) return undefined;
  const match = /^bearer +([\x21-\x7e]+) *$/i.exec(header);
  return match?.[1];
}

export function cookie(req: IncomingMessage, name: string): string | undefined {
  const header = req.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * An administrator: HTTP Basic with ADMIN_EMAIL/ADMIN_PASSWORD, the dashboard's session cookie
 * (with its CSRF header on unsafe methods), or an organization API key (confined to its org).
 */
export async function authenticateAdmin(req: IncomingMessage, services: Services, config: Config): Promise<Principal> {
  const basic = basicCredentials(req);
  if (basic) {
    // Both comparisons always run, so timing does not reveal which half was wrong.
    const emailOk = safeEqual(basic.user, config.admin.email);
    const passwordOk = safeEqual(basic.password, config.admin.password);
    if (emailOk && passwordOk) return { kind: 'admin', email: config.admin.email };
    throw new Unauthorized('invalid admin credentials');
  }
  const bearer = bearerToken(req);
  if (bearer) {
    const key = await services.apiKeys.authenticate(bearer, { ip: clientIp(req, config.trustProxy), userAgent: String(req.headers['user-agent'] ?? '').slice(0, 512) });
    if (key) return key;
    throw new Unauthorized('invalid API key');
  }
  const session = cookie(req, SESSION_COOKIE);
  if (session) {
    const found = await services.sessions.lookup(session);
    if (!found) throw new Unauthorized('session expired; log in again', { challenge: false });
    if (!SAFE_METHODS.has(req.method ?? 'GET')) {
      const csrf = req.headers[CSRF_HEADER];
      if (typeof csrf !== 'string' || !safeEqual(csrf, found.csrfToken)) throw new Unauthorized('missing or invalid CSRF token', { challenge: false });
    }
    return { kind: 'admin', email: found.email };
  }
  throw new Unauthorized('admin authentication required');
}

/** An agent's own access token (RFC 6750). */
export async function authenticateAgent(req: IncomingMessage, services: Services, options: { allowInactive?: boolean } = {}): Promise<AuthenticatedAgent> {
  const token = bearerToken(req);
  if (!token) throw new InvalidToken('a Bearer access token is required', { missing: !req.headers.authorization });
  return services.tokens.authenticate(token, options);
}

export function agentPrincipal(a: AuthenticatedAgent): Principal {
  return { kind: 'agent', agentId: a.agent.id, clientId: a.agent.clientId, organizationId: a.agent.organizationId, jti: a.claims.jti };
}

/** Client IP: the socket's, or with TRUST_PROXY the first X-Forwarded-For hop. */
export function clientIp(req: IncomingMessage, trustProxy: boolean): string {
  if (trustProxy) {
    const forwarded = req.headers['x-forwarded-for'];
    const first = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(',')[0]?.trim();
    if (first) return first.slice(0, 64);
  }
  return (req.socket.remoteAddress ?? '').replace(/^::ffff:/, '');
}
