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
/** One scope set, however it is spelled: "write read", "read,write" and "read write" are the same. */
export declare const scopeKey: (scope: string | undefined) => string;
/**
 * Caches an access token per scope set and renews it shortly before it expires: with its
 * refresh token first, with the client credentials when that fails. Concurrent callers share
 * one request (single flight), so a burst of calls costs one token.
 */
export declare class TokenManager {
    private readonly source;
    private readonly cache;
    private readonly pending;
    private readonly leewayMs;
    private readonly now;
    constructor(source: TokenSource, options?: TokenManagerOptions);
    /** A token for `scope` that is not about to expire; fetched only when needed. */
    get(options?: {
        scope?: string;
        forceRefresh?: boolean;
    }): Promise<TokenResponse>;
    /**
     * A replacement for a token the server refused (revoked, say): renewed once however many
     * callers saw it refused. If no new token can be had, the cached one stays (a deactivated
     * agent's token may still reactivate it).
     */
    replace(refused: string, scope?: string): Promise<TokenResponse>;
    clear(): void;
    private obtain;
}
