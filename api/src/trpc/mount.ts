import type { IncomingMessage } from 'node:http';
import { createHTTPHandler } from '@trpc/server/adapters/standalone';
import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import type { Mount } from '../http/route.ts';
import type { Services } from '../services/index.ts';
import { appRouter } from './root.ts';
import { createContext } from './trpc.ts';

export const TRPC_PREFIX = '/trpc';

/** The tRPC router over HTTP at /trpc (queries by GET, mutations by POST, batching allowed). */
export function trpcMount({ services, config, log }: { services: Services; config: Config; log: Logger }): Mount {
  const edge = new WeakMap<IncomingMessage, { ip: string; userAgent: string }>();
  const handler = createHTTPHandler({
    router: appRouter,
    basePath: `${TRPC_PREFIX}/`,
    maxBodySize: config.maxBodyBytes,
    // A batch runs its calls concurrently; without a cap one request could start thousands.
    maxBatchSize: 20,
    createContext: ({ req }) => createContext({ req, services, config, log, ...(edge.get(req) ?? { ip: '', userAgent: '' }) }),
  });
  return {
    prefix: TRPC_PREFIX,
    handle(req, res, info) {
      edge.set(req, info);
      handler(req, res);
    },
  };
}
