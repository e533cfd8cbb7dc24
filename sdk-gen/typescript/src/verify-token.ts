import { createRemoteJWKSet, jwtVerify } from 'jose';
import { InsufficientScopeError, MachineAuthConfigurationError, MachineAuthError } from './errors.ts';
import { InvalidTokenError, TemporarilyUnavailableError } from './generated/errors.ts';

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

const DEFAULT_ALGORITHMS = ['RS256', 'ES256', 'EdDSA'];
const DEFAULT_COOLDOWN_MS = 1000;

type RemoteKeySet = ReturnType<typeof createRemoteJWKSet>;

/** One remote key set per URL and cooldown, shared by every verifier: fetched once, refetched on an unknown kid. */
const keySets = new Map<string, RemoteKeySet>();

function keySetFor(options: VerifyTokenOptions): RemoteKeySet {
  const issuer = Array.isArray(options.issuer) ? options.issuer[0] : options.issuer;
  const base = options.baseUrl ?? issuer;
  const url = options.jwksUrl ? new URL(options.jwksUrl) : base ? new URL(`${base.replace(/\/+$/, '')}/.well-known/jwks.json`) : undefined;
  if (!url) throw new MachineAuthConfigurationError('verifyToken needs jwksUrl, baseUrl or issuer');
  const cooldown = options.jwksCooldownMs ?? DEFAULT_COOLDOWN_MS;
  const key = `${url.href} ${cooldown}`;
  let keySet = keySets.get(key);
  if (!keySet) {
    keySet = createRemoteJWKSet(url, { cooldownDuration: cooldown });
    keySets.set(key, keySet);
  }
  return keySet;
}

const CLAIM_REASONS: Record<string, string> = { aud: 'audience', iss: 'issuer', nbf: 'not_yet_valid', iat: 'issued_at' };

/** jose's failure as ours: a token problem is InvalidTokenError, an unreachable key set 503. */
function asMachineAuthError(error: unknown): MachineAuthError {
  if (error instanceof MachineAuthError) return error;
  const code = (error as { code?: string })?.code;
  const invalid = (reason: string, description: string) => new InvalidTokenError(description, { status: 401, reason, cause: error });
  switch (code) {
    case 'ERR_JWT_EXPIRED':
      return invalid('expired', 'the token has expired');
    case 'ERR_JWT_CLAIM_VALIDATION_FAILED': {
      const claim = (error as { claim?: string }).claim ?? '';
      return invalid(CLAIM_REASONS[claim] ?? 'claims', `the token's ${claim || 'claims'} claim is not accepted: ${(error as Error).message}`);
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
      return new TemporarilyUnavailableError(`the key set could not be loaded: ${(error as Error)?.message ?? error}`, { status: 503, reason: 'jwks_unavailable', cause: error });
  }
}

/**
 * A verifier for resource servers: checks an access token offline (signature against the
 * server's JWKS, expiry, issuer, audience) and that it carries `scopes`. Revocation is not
 * visible offline; call `introspect` when it must be.
 */
export function createTokenVerifier(options: VerifyTokenOptions): TokenVerifier {
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
    })).payload as AccessTokenClaims;
    let claims: AccessTokenClaims;
    try {
      claims = await verify();
    } catch (error) {
      if ((error as { code?: string })?.code !== 'ERR_JWKS_NO_MATCHING_KEY' || !keySet.coolingDown) throw asMachineAuthError(error);
      // A kid met within the cooldown (a key rotated in just now, or a forgery): check once more after it.
      while (keySet.coolingDown) await new Promise((resolve) => setTimeout(resolve, 50));
      try {
        claims = await verify();
      } catch (retryError) {
        throw asMachineAuthError(retryError);
      }
    }
    const granted = new Set(Array.isArray(claims.scope) ? claims.scope : typeof claims.scope === 'string' ? (claims.scope as string).split(' ') : []);
    const missing = required.filter((scope) => !granted.has(scope));
    if (missing.length) throw new InsufficientScopeError(missing);
    return claims;
  };
}

/** Verifies one token; see createTokenVerifier (the key set is cached across calls). */
export function verifyToken(token: string, options: VerifyTokenOptions): Promise<AccessTokenClaims> {
  return createTokenVerifier(options)(token);
}

/** The parts of node:http's (and Express's) request and response the middleware uses. */
export interface MiddlewareRequest {
  headers: { authorization?: string | undefined };
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
export function requireAccessToken(options: VerifyTokenOptions & { realm?: string }) {
  const verify = createTokenVerifier(options);
  const realm = (options.realm ?? 'machineauth').replace(/"/g, '');
  return (req: MiddlewareRequest, res: MiddlewareResponse, next: (error?: unknown) => void): void => {
    const match = /^Bearer +([\x21-\x7e]+) *$/i.exec(req.headers.authorization ?? '');
    const fail = (status: number, code: string, description: string) => {
      const challenge = code === 'temporarily_unavailable' ? undefined : `Bearer realm="${realm}", error="${code}", error_description="${description.replace(/["\\]/g, "'")}"`;
      res.statusCode = status;
      if (challenge) res.setHeader('www-authenticate', challenge);
      res.setHeader('content-type', 'application/json; charset=utf-8');
      res.setHeader('cache-control', 'no-store');
      res.end(JSON.stringify({ error: code, error_description: description }));
    };
    if (!match) return fail(401, 'invalid_token', 'a Bearer access token is required');
    verify(match[1]).then(
      (claims) => {
        req.auth = claims;
        next();
      },
      (error: unknown) => {
        if (error instanceof MachineAuthError && error.status) fail(error.status, error.code, error.description);
        else next(error);
      },
    );
  };
}
