import type { IncomingMessage } from 'node:http';
import type { Principal } from '../services/context.ts';
import type { OrganizationService } from '../services/organizations.ts';

/** How long another instance's change to an organization's origins may take to be seen here. */
const REFRESH_MS = 10_000;

const ALLOW_HEADERS = 'authorization, content-type, x-csrf-token, x-request-id';
const ALLOW_METHODS = 'GET, POST, PUT, PATCH, DELETE, OPTIONS';

/**
 * CORS: ALLOWED_ORIGINS for every request, plus each organization's `allowed_origins` for
 * requests made on that organization's behalf (its API keys and its agents' tokens). Preflights
 * carry no credentials, so they pass for an origin any organization allows; the real response is
 * readable only when the caller turns out to belong to that organization.
 */
export class CorsPolicy {
  private readonly global: Set<string>;
  private readonly any: boolean;
  private byOrigin = new Map<string, Set<string>>();
  private loadedAt = 0;
  private loading?: Promise<void>;

  constructor(globalOrigins: string[], private readonly organizations: OrganizationService) {
    this.any = globalOrigins.includes('*');
    this.global = new Set(globalOrigins);
    organizations.onChange.add(() => { this.loadedAt = 0; });
  }

  private async orgsFor(origin: string): Promise<Set<string> | undefined> {
    if (Date.now() - this.loadedAt > REFRESH_MS) {
      this.loading ??= this.organizations.allOrigins().then(
        (map) => {
          this.byOrigin = map;
          this.loadedAt = Date.now();
        },
        // A failed refresh keeps the last known origins rather than failing the request.
        () => {},
      ).finally(() => { this.loading = undefined; });
      await this.loading;
    }
    return this.byOrigin.get(origin);
  }

  /** Headers for a preflight or a response; `principal` is known once the caller has authenticated. */
  async headersFor(req: IncomingMessage, principal?: Principal): Promise<Record<string, string>> {
    const origin = req.headers.origin;
    if (!origin) return {};
    const preflight = req.method === 'OPTIONS' && !!req.headers['access-control-request-method'];
    let allowed = this.global.has(origin);
    // `*` opens reads to any page, but without credentials: a browser must never attach cached
    // admin Basic credentials or cookies to another site's request and let that site read the answer.
    const anonymousOnly = !allowed && this.any;
    if (!allowed && !anonymousOnly) {
      const orgs = await this.orgsFor(origin);
      if (orgs) {
        const orgOfCaller = principal && (principal.kind === 'api_key' || principal.kind === 'agent') ? principal.organizationId : null;
        allowed = preflight || (!!orgOfCaller && orgs.has(orgOfCaller));
      }
    }
    if (!allowed && !anonymousOnly) return { vary: 'Origin' };
    return {
      vary: 'Origin',
      'access-control-allow-origin': anonymousOnly ? '*' : origin,
      ...(anonymousOnly ? {} : { 'access-control-allow-credentials': 'true' }),
      'access-control-expose-headers': 'x-request-id, www-authenticate',
      ...(preflight ? { 'access-control-allow-methods': ALLOW_METHODS, 'access-control-allow-headers': ALLOW_HEADERS, 'access-control-max-age': '600' } : {}),
    };
  }
}
