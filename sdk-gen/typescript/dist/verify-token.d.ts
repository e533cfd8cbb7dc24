/** The claims of a MachineAuth access token. */
export interface AccessTokenClaims {
    iss: string;
    /** The agent's client_id. */
    sub: string;
    agent_id: string;
    /** "" when the agent belongs to no organization. */
    org_id: string;
    /** "" when the agent belongs to no team. */
    team_id: string;
    aud: string | string[];
    iat: number;
    exp: number;
    scope: string[];
    jti: string;
    client_id: string;
    [claim: string]: unknown;
}
export interface VerifyTokenOptions {
    /** The key set's URL; by default `<baseUrl>/.well-known/jwks.json` (or `<issuer>/…` when the issuer is the server's URL). */
    jwksUrl?: string | URL;
    /** The MachineAuth server, to find its key set. */
    baseUrl?: string;
    /** Expected `iss` (the server's JWT_ISSUER or the organization's). Not checked when omitted. */
    issuer?: string | string[];
    /** Expected `aud` (the server's JWT_AUDIENCE, `machineauth-api` by default). Not checked when omitted. */
    audience?: string | string[];
    /** Scopes the token must all carry. */
    scopes?: string[];
    /** Leeway for `exp`/`iat`, seconds (default 0). */
    clockToleranceSeconds?: number;
    /** Accepted signature algorithms (default RS256, ES256, EdDSA). */
    algorithms?: string[];
    /**
     * After a fetch of the key set, how long before an unknown `kid` may trigger another one
     * (milliseconds, default 1000): forged kids cannot make every request refetch. A token whose
     * kid is unknown during the cooldown waits for it to end and is checked once more, so a
     * signing-key rotation on the server never fails a genuine token.
     */
    jwksCooldownMs?: number;
}
export type TokenVerifier = (token: string) => Promise<AccessTokenClaims>;
/**
 * A verifier for resource servers: checks an access token offline (signature against the
 * server's JWKS, expiry, issuer, audience) and that it carries `scopes`. Revocation is not
 * visible offline; call `introspect` when it must be.
 */
export declare function createTokenVerifier(options: VerifyTokenOptions): TokenVerifier;
/** Verifies one token; see createTokenVerifier (the key set is cached across calls). */
export declare function verifyToken(token: string, options: VerifyTokenOptions): Promise<AccessTokenClaims>;
/** The parts of node:http's (and Express's) request and response the middleware uses. */
export interface MiddlewareRequest {
    headers: {
        authorization?: string | undefined;
    };
    auth?: AccessTokenClaims;
}
export interface MiddlewareResponse {
    statusCode: number;
    setHeader(name: string, value: string): unknown;
    end(body?: string): unknown;
}
/**
 * Middleware for node:http-style servers (`(req, res, next)`, Express and Connect included):
 * verifies the Bearer token, sets `req.auth` to its claims and calls `next()`; otherwise
 * answers 401 (`invalid_token`), 403 (`insufficient_scope`) or 503 in RFC 6750's terms.
 */
export declare function requireAccessToken(options: VerifyTokenOptions & {
    realm?: string;
}): (req: MiddlewareRequest, res: MiddlewareResponse, next: (error?: unknown) => void) => void;
