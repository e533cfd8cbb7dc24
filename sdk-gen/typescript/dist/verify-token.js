import { createRemoteJWKSet, jwtVerify } from 'jose';
import { InsufficientScopeError, MachineAuthConfigurationError, MachineAuthError } from './errors.js';
import { InvalidTokenError, TemporarilyUnavailableError } from './generated/errors.js';
const DEFAULT_ALGORITHMS = ['RS256', 'ES256', 'EdDSA'];
const DEFAULT_COOLDOWN_MS = 1000;
/** One remote key set per URL and cooldown, shared by every verifier: fetched once, refetched on an unknown kid. */
const keySets = new Map();
function keySetFor(options) {
    const issuer = Array.isArray(options.issuer) ? options.issuer[0] : options.issuer;
    const base = options.baseUrl ?? issuer;
    const url = options.jwksUrl ? new URL(options.jwksUrl) : base ? new URL(`${base.replace(/\/+$/, '')}/.well-known/jwks.json`) : undefined;
    if (!url)
        throw new MachineAuthConfigurationError('verifyToken needs jwksUrl, baseUrl or issuer');
    const cooldown = options.jwksCooldownMs ?? DEFAULT_COOLDOWN_MS;
    const key = `${url.href} ${cooldown}`;
    let keySet = keySets.get(key);
    if (!keySet) {
        keySet = createRemoteJWKSet(url, { cooldownDuration: cooldown });
        keySets.set(key, keySet);
    }
    return keySet;
}
const CLAIM_REASONS = { aud: 'audience', iss: 'issuer', nbf: 'not_yet_valid', iat: 'issued_at' };
/** jose's failure as ours: a token problem is InvalidTokenError, an unreachable key set 503. */
function asMachineAuthError(error) {
    if (error instanceof MachineAuthError)
        return error;
    const code = error?.code;
    const invalid = (reason, description) => new InvalidTokenError(description, { status: 401, reason, cause: error });
    switch (code) {
        case 'ERR_JWT_EXPIRED':
            return invalid('expired', 'the token has expired');
        case 'ERR_JWT_CLAIM_VALIDATION_FAILED': {
            const claim = error.claim ?? '';
            return invalid(CLAIM_REASONS[claim] ?? 'claims', `the token's ${claim || 'claims'} claim is not accepted: ${error.message}`);
        }
        case 'ERR_JWKS_NO_MATCHING_KEY':
            return invalid('unknown_key', 'the token is signed with a key the key set does not hold');
        case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED':
            return invalid('signature', 'the token signature does not verify');
        case 'ERR_JOSE_ALG_NOT_ALLOWED':
            return invalid('algorithm', 'the token is signed with an algorithm that is not accepted');
        case 'ERR_JWS_INVALID':
        case 'ERR_JWT_INVALID':
        case 'ERR_JOSE_NOT_SUPPORTED':
            return invalid('malformed', 'the token is not a valid JWT');
        default:
            // The key set could not be fetched or read: nothing is known about the token.
            return new TemporarilyUnavailableError(`the key set could not be loaded: ${error?.message ?? error}`, { status: 503, reason: 'jwks_unavailable', cause: error });
    }
}
/**
 * A verifier for resource servers: checks an access token offline (signature against the
 * server's JWKS, expiry, issuer, audience) and that it carries `scopes`. Revocation is not
 * visible offline; call `introspect` when it must be.
 */
export function createTokenVerifier(options) {
    const keySet = keySetFor(options);
    const required = options.scopes ?? [];
    return async (token) => {
        if (typeof token !== 'string' || token.split('.').length !== 3) {
            throw new InvalidTokenError('the token is not a JWT', { status: 401, reason: 'malformed' });
        }
        const verify = async () => (await jwtVerify(token, keySet, {
            issuer: options.issuer,
            audience: options.audience,
            algorithms: options.algorithms ?? DEFAULT_ALGORITHMS,
            clockTolerance: options.clockToleranceSeconds ?? 0,
            requiredClaims: ['exp', 'iat', 'sub', 'jti'],
        })).payload;
        let claims;
        try {
            claims = await verify();
        }
        catch (error) {
            if (error?.code !== 'ERR_JWKS_NO_MATCHING_KEY' || !keySet.coolingDown)
                throw asMachineAuthError(error);
            // A kid met within the cooldown (a key rotated in just now, or a forgery): check once more after it.
            while (keySet.coolingDown)
                await new Promise((resolve) => setTimeout(resolve, 50));
            try {
                claims = await verify();
            }
            catch (retryError) {
                throw asMachineAuthError(retryError);
            }
        }
        const granted = new Set(Array.isArray(claims.scope) ? claims.scope : typeof claims.scope === 'string' ? claims.scope.split(' ') : []);
        const missing = required.filter((scope) => !granted.has(scope));
        if (missing.length)
            throw new InsufficientScopeError(missing);
        return claims;
    };
}
/** Verifies one token; see createTokenVerifier (the key set is cached across calls). */
export function verifyToken(token, options) {
    return createTokenVerifier(options)(token);
}
/**
 * Middleware for node:http-style servers (`(req, res, next)`, Express and Connect included):
 * verifies the Bearer token, sets `req.auth` to its claims and calls `next()`; otherwise
 * answers 401 (`invalid_token`), 403 (`insufficient_scope`) or 503 in RFC 6750's terms.
 */
export function requireAccessToken(options) {
    const verify = createTokenVerifier(options);
    const realm = (options.realm ?? 'machineauth').replace(/"/g, '');
    return (req, res, next) => {
        const match = /^Bearer +([\x21-\x7e]+) *$/i.exec(req.headers.authorization ?? '');
        const fail = (status, code, description) => {
            const challenge = code === 'temporarily_unavailable' ? undefined : `Bearer realm="${realm}", error="${code}", error_description="${description.replace(/["\\]/g, "'")}"`;
            res.statusCode = status;
            if (challenge)
                res.setHeader('www-authenticate', challenge);
            res.setHeader('content-type', 'application/json; charset=utf-8');
            res.setHeader('cache-control', 'no-store');
            res.end(JSON.stringify({ error: code, error_description: description }));
        };
        if (!match)
            return fail(401, 'invalid_token', 'a Bearer access token is required');
        verify(match[1]).then((claims) => {
            req.auth = claims;
            next();
        }, (error) => {
            if (error instanceof MachineAuthError && error.status)
                fail(error.status, error.code, error.description);
            else
                next(error);
        });
    };
}
