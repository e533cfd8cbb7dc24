import { TRPCError, type TRPC_ERROR_CODE_KEY } from '@trpc/server';
import { ZodError } from 'zod';
import { AppError, Conflict, InvalidRequest, NotFound, ServerError } from '../errors.ts';

/**
 * Any failure as an AppError: ours pass through, the database's races become the same 4xx the
 * REST edge gives them, and anything else is a bare 500 whose details stay in the log.
 */
export function asAppError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  if (error instanceof ZodError) return zodToInvalidRequest(error);
  const code = (error as { code?: string })?.code ?? (error as { cause?: { code?: string } })?.cause?.code;
  if (code === '23505') return new Conflict('the resource already exists');
  if (code === '23503') return new NotFound('a referenced resource no longer exists');
  if (code === '22P02' || code === '22003' || code === '22007' || code === '22008') return new InvalidRequest('a value is malformed or out of range');
  return new ServerError();
}

/** The first zod issue, described the way REST's `parseWith` describes it. */
export function zodToInvalidRequest(error: ZodError): InvalidRequest {
  const issue = error.issues[0];
  const where = issue?.path.length ? `${issue.path.join('.')}: ` : '';
  const message = issue?.code === 'unrecognized_keys' ? `unknown field ${issue.keys.map((k) => `"${k}"`).join(', ')}` : (issue?.message ?? 'invalid input');
  return new InvalidRequest(`${where}${message}`);
}

const CODE_BY_STATUS: Record<number, TRPC_ERROR_CODE_KEY> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_SUPPORTED',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  429: 'TOO_MANY_REQUESTS',
  503: 'SERVICE_UNAVAILABLE',
};

export function toTrpcError(error: AppError): TRPCError {
  return new TRPCError({ code: CODE_BY_STATUS[error.status] ?? 'INTERNAL_SERVER_ERROR', message: error.description, cause: error });
}

/** The RFC-style error code (`invalid_request`, `not_found`, …) for an error tRPC raised itself. */
export function errorCodeForTrpc(code: TRPC_ERROR_CODE_KEY): string {
  switch (code) {
    case 'UNAUTHORIZED': return 'unauthorized';
    case 'FORBIDDEN': return 'forbidden';
    case 'NOT_FOUND': return 'not_found';
    case 'METHOD_NOT_SUPPORTED': return 'method_not_allowed';
    case 'CONFLICT': return 'conflict';
    case 'INTERNAL_SERVER_ERROR': return 'server_error';
    case 'SERVICE_UNAVAILABLE': return 'temporarily_unavailable';
    default: return 'invalid_request';
  }
}
