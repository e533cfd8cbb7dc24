import { TRPCError, type TRPC_ERROR_CODE_KEY } from '@trpc/server';
import type { AppError } from '../errors.ts';

export { asAppError, invalidRequestFromZod as zodToInvalidRequest } from '../errors.ts';

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
