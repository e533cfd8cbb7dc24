import type { IncomingMessage } from 'node:http';
import { initTRPC } from '@trpc/server';
import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import { AppError } from '../errors.ts';
import { authenticateAdmin } from '../http/auth.ts';
import { requireGlobalAdmin, type Principal, type RequestContext } from '../services/context.ts';
import type { Services } from '../services/index.ts';
import { asAppError, errorCodeForTrpc, toTrpcError, zodToInvalidRequest } from './errors.ts';
import { ZodError } from 'zod';

/** What every procedure sees: the request, the services, and who is calling (resolved once, lazily). */
export interface TrpcContext {
  req: IncomingMessage;
  services: Services;
  config: Config;
  log: Logger;
  ip: string;
  userAgent: string;
  /** The admin principal (Basic, session + CSRF on mutations, or org API key); memoised per HTTP request, so a batch authenticates once. */
  authenticate(): Promise<Principal>;
}

export function createContext(base: Omit<TrpcContext, 'authenticate'>): TrpcContext {
  let principal: Promise<Principal> | undefined;
  return { ...base, authenticate: () => (principal ??= authenticateAdmin(base.req, base.services, base.config)) };
}

const t = initTRPC.context<TrpcContext>().create({
  // Stack traces never leave the server, in any environment.
  isDev: false,
  errorFormatter({ shape, error }) {
    const cause = error.cause;
    const appError = cause instanceof AppError ? cause : cause instanceof ZodError ? zodToInvalidRequest(cause) : undefined;
    const internal = error.code === 'INTERNAL_SERVER_ERROR';
    return {
      code: shape.code,
      message: appError?.description ?? (internal ? 'internal server error' : shape.message),
      data: {
        code: shape.data.code,
        httpStatus: shape.data.httpStatus,
        path: shape.data.path,
        /** The same code a REST client sees in `error` (`invalid_request`, `not_found`, …). */
        error: appError?.code ?? errorCodeForTrpc(error.code),
      },
    };
  },
});

export const router = t.router;

/** Services throw AppError; here it becomes the TRPCError whose code carries the same HTTP status. */
const appErrors = t.middleware(async ({ ctx, next, path }) => {
  const result = await next();
  if (result.ok || result.error.code !== 'INTERNAL_SERVER_ERROR') return result;
  const appError = asAppError(result.error.cause);
  if (appError.status >= 500) ctx.log.error({ err: result.error.cause, path }, 'unhandled error in tRPC procedure');
  throw toTrpcError(appError);
});

export const publicProcedure = t.procedure.use(appErrors);

/**
 * An administrator: the global admin, or an organization API key that the services confine to its
 * organization. Anonymous callers get 401 before any input is read.
 */
export const adminProcedure = publicProcedure.use(async ({ ctx, next }) => {
  const principal = await ctx.authenticate();
  const request: RequestContext = { principal, ip: ctx.ip, userAgent: ctx.userAgent };
  return next({ ctx: { request } });
});

/** Server-wide operations (signing keys) that no organization's key may perform. */
export const globalAdminProcedure = adminProcedure.use(async ({ ctx, next }) => {
  requireGlobalAdmin(ctx.request, 'manage signing keys');
  return next();
});
