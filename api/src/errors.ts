import type { ZodError } from 'zod';

/**
 * One error type for the whole application. Each subclass is named after the RFC 6749 / 6750 /
 * 7009 error code it carries; transports turn any of them into `{ error, error_description }`.
 */
export class AppError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    readonly description: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(description);
    this.name = new.target.name;
  }
  toJSON() {
    return { error: this.code, error_description: this.description };
  }
}

export class InvalidRequest extends AppError {
  constructor(description = 'the request is missing a parameter or is malformed') { super('invalid_request', 400, description); }
}
/** 401 with a Basic challenge, as RFC 6749 §5.2 asks when the client may use HTTP Basic. */
export class InvalidClient extends AppError {
  constructor(description = 'invalid client credentials') {
    super('invalid_client', 401, description, { 'www-authenticate': 'Basic realm="machineauth", charset="UTF-8"' });
  }
}
export class InvalidGrant extends AppError {
  constructor(description = 'invalid or expired refresh token') { super('invalid_grant', 401, description); }
}
export class InvalidScope extends AppError {
  constructor(description = 'the requested scope is not allowed for this client') { super('invalid_scope', 400, description); }
}
export class UnsupportedGrantType extends AppError {
  constructor(description = 'grant_type must be client_credentials or refresh_token') { super('unsupported_grant_type', 400, description); }
}
export class UnsupportedTokenType extends AppError {
  constructor(description = 'token_type_hint must be access_token or refresh_token') { super('unsupported_token_type', 400, description); }
}
/**
 * RFC 6750 §3.1: a missing, malformed, expired or revoked Bearer token. When no token was sent
 * at all, the challenge carries no error code (§3.1 says it SHOULD NOT).
 */
export class InvalidToken extends AppError {
  constructor(description = 'the access token is missing, invalid, expired or revoked', options: { missing?: boolean } = {}) {
    super('invalid_token', 401, description, {
      'www-authenticate': options.missing
        ? 'Bearer realm="machineauth"'
        : `Bearer realm="machineauth", error="invalid_token", error_description="${description.replace(/"/g, "'")}"`,
    });
  }
}
/**
 * 401 for admin routes. `challenge: false` leaves out the Basic challenge where the caller used the
 * dashboard's login or session: a browser would answer the challenge with a password prompt.
 */
export class Unauthorized extends AppError {
  constructor(description = 'authentication required', options: { challenge?: boolean } = {}) {
    super('unauthorized', 401, description, options.challenge === false ? {} : { 'www-authenticate': 'Basic realm="machineauth admin", charset="UTF-8"' });
  }
}
export class Forbidden extends AppError {
  constructor(description = 'not allowed') { super('forbidden', 403, description); }
}
export class NotFound extends AppError {
  constructor(description = 'not found') { super('not_found', 404, description); }
}
export class MethodNotAllowed extends AppError {
  constructor(allowed: string[]) {
    super('method_not_allowed', 405, `method not allowed; use ${allowed.join(', ')}`, { allow: allowed.join(', ') });
  }
}
/** REQUIRE_HTTPS: a request with credentials or changes over plain HTTP is refused, not redirected. */
export class HttpsRequired extends AppError {
  constructor() { super('invalid_request', 403, 'HTTPS is required'); }
}
export class Conflict extends AppError {
  constructor(description: string) { super('conflict', 409, description); }
}
export class PayloadTooLarge extends AppError {
  constructor(limit: number) { super('invalid_request', 413, `request body exceeds ${limit} bytes`); }
}
export class UnsupportedMediaType extends AppError {
  constructor() { super('invalid_request', 415, 'content-type must be application/json or application/x-www-form-urlencoded'); }
}
export class ServerError extends AppError {
  constructor(description = 'internal server error') { super('server_error', 500, description); }
}
export class ServiceUnavailable extends AppError {
  constructor(description = 'service unavailable') { super('temporarily_unavailable', 503, description); }
}

/** The first zod issue as an `invalid_request`, the same wording on every transport. */
export function invalidRequestFromZod(error: ZodError): InvalidRequest {
  const issue = error.issues[0];
  const where = issue?.path.length ? `${issue.path.join('.')}: ` : '';
  const message = issue?.code === 'unrecognized_keys' ? `unknown field ${issue.keys.map((k) => `"${k}"`).join(', ')}` : (issue?.message ?? 'invalid input');
  return new InvalidRequest(`${where}${message}`);
}

const isZodError = (error: unknown): error is ZodError => (error as { name?: string })?.name === 'ZodError' && Array.isArray((error as ZodError).issues);

/**
 * Any failure as an AppError, for every transport: ours pass through; the database's answers to
 * races the services cannot pre-check (a row deleted between check and write) become the 4xx they
 * mean; anything else is a bare ServerError whose details belong in the log only.
 */
export function asAppError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  if (isZodError(error)) return invalidRequestFromZod(error);
  const code = (error as { code?: string })?.code ?? (error as { cause?: { code?: string } })?.cause?.code;
  if (code === '23505') return new Conflict('the resource already exists');
  if (code === '23503') return new NotFound('a referenced resource no longer exists');
  // 22021/22P05: a character Postgres cannot store (NUL); 54000: a value too big to index.
  if (code === '22P02' || code === '22003' || code === '22007' || code === '22008' || code === '22021' || code === '22P05' || code === '54000') {
    return new InvalidRequest('a value is malformed or out of range');
  }
  return new ServerError();
}
