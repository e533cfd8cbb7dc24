import { MachineAuthConnectionError, MachineAuthError } from './errors.ts';
import type { TokenResponse } from './generated/types.ts';

/** Where the manager gets tokens from: the two grants of the token endpoint. */
export interface TokenSource {
  clientCredentials(scope: string | undefined): Promise<TokenResponse>;
  refreshToken(refreshToken: string): Promise<TokenResponse>;
}

export interface TokenManagerOptions {
  /**
   * Renew a token this many seconds before it expires (60 by default), capped at half its
   * lifetime so that short-lived tokens are not renewed on every call.
   */
  refreshLeewaySeconds?: number;
  /** The clock (milliseconds); Date.now by default. */
  now?: () => number;
}

interface Cached {
  token: TokenResponse;
  refreshAt: number;
  expiresAt: number;
}

/** One scope set, however it is spelled: "write read", "read,write" and "read write" are the same. */
export const scopeKey = (scope: string | undefined) => [...new Set((scope ?? '').split(/[\s,]+/).filter(Boolean))].sort().join(' ');

/**
 * Caches an access token per scope set and renews it shortly before it expires: with its
 * refresh token first, with the client credentials when that fails. Concurrent callers share
 * one request (single flight), so a burst of calls costs one token.
 */
export class TokenManager {
  private readonly cache = new Map<string, Cached>();
  private readonly pending = new Map<string, Promise<Cached>>();
  private readonly leewayMs: number;
  private readonly now: () => number;

  constructor(private readonly source: TokenSource, options: TokenManagerOptions = {}) {
    this.leewayMs = (options.refreshLeewaySeconds ?? 60) * 1000;
    this.now = options.now ?? Date.now;
  }

  /** A token for `scope` that is not about to expire; fetched only when needed. */
  async get(options: { scope?: string; forceRefresh?: boolean } = {}): Promise<TokenResponse> {
    const key = scopeKey(options.scope);
    const cached = this.cache.get(key);
    if (!options.forceRefresh && cached && this.now() < cached.refreshAt) return cached.token;
    let flight = this.pending.get(key);
    if (!flight) {
      flight = this.obtain(key, options.scope, cached).finally(() => this.pending.delete(key));
      this.pending.set(key, flight);
    }
    return (await flight).token;
  }

  /**
   * A replacement for a token the server refused (revoked, say): renewed once however many
   * callers saw it refused. If no new token can be had, the cached one stays (a deactivated
   * agent's token may still reactivate it).
   */
  async replace(refused: string, scope?: string): Promise<TokenResponse> {
    const cached = this.cache.get(scopeKey(scope));
    if (cached && cached.token.access_token !== refused && this.now() < cached.refreshAt) return cached.token;
    return this.get({ scope, forceRefresh: true });
  }

  clear(): void {
    this.cache.clear();
  }

  private async obtain(key: string, scope: string | undefined, previous: Cached | undefined): Promise<Cached> {
    // The lifetime counts from before the request: never later than the server's own clock.
    const requestedAt = this.now();
    let token: TokenResponse | undefined;
    if (previous?.token.refresh_token) {
      try {
        token = await this.source.refreshToken(previous.token.refresh_token);
      } catch (error) {
        // A refused refresh token (used, expired, revoked) is not fatal: the credentials still work.
        if (!(error instanceof MachineAuthError) || error instanceof MachineAuthConnectionError) throw error;
      }
    }
    token ??= await this.source.clientCredentials(scope);
    const lifetimeMs = token.expires_in * 1000;
    const cached: Cached = {
      token,
      expiresAt: requestedAt + lifetimeMs,
      refreshAt: requestedAt + lifetimeMs - Math.min(this.leewayMs, lifetimeMs / 2),
    };
    this.cache.set(key, cached);
    return cached;
  }
}
