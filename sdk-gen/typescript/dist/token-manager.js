import { MachineAuthConnectionError, MachineAuthError } from './errors.js';
/** One scope set, however it is spelled: "write read", "read,write" and "read write" are the same. */
export const scopeKey = (scope) => [...new Set((scope ?? '').split(/[\s,]+/).filter(Boolean))].sort().join(' ');
/**
 * Caches an access token per scope set and renews it shortly before it expires: with its
 * refresh token first, with the client credentials when that fails. Concurrent callers share
 * one request (single flight), so a burst of calls costs one token.
 */
export class TokenManager {
    source;
    cache = new Map();
    pending = new Map();
    leewayMs;
    now;
    constructor(source, options = {}) {
        this.source = source;
        this.leewayMs = (options.refreshLeewaySeconds ?? 60) * 1000;
        this.now = options.now ?? Date.now;
    }
    /** A token for `scope` that is not about to expire; fetched only when needed. */
    async get(options = {}) {
        const key = scopeKey(options.scope);
        const cached = this.cache.get(key);
        if (!options.forceRefresh && cached && this.now() < cached.refreshAt)
            return cached.token;
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
    async replace(refused, scope) {
        const cached = this.cache.get(scopeKey(scope));
        if (cached && cached.token.access_token !== refused && this.now() < cached.refreshAt)
            return cached.token;
        return this.get({ scope, forceRefresh: true });
    }
    clear() {
        this.cache.clear();
    }
    async obtain(key, scope, previous) {
        // The lifetime counts from before the request: never later than the server's own clock.
        const requestedAt = this.now();
        let token;
        if (previous?.token.refresh_token) {
            try {
                token = await this.source.refreshToken(previous.token.refresh_token);
            }
            catch (error) {
                // A refused refresh token (used, expired, revoked) is not fatal: the credentials still work.
                if (!(error instanceof MachineAuthError) || error instanceof MachineAuthConnectionError)
                    throw error;
            }
        }
        token ??= await this.source.clientCredentials(scope);
        const lifetimeMs = token.expires_in * 1000;
        const cached = {
            token,
            expiresAt: requestedAt + lifetimeMs,
            refreshAt: requestedAt + lifetimeMs - Math.min(this.leewayMs, lifetimeMs / 2),
        };
        this.cache.set(key, cached);
        return cached;
    }
}
