import type { IncomingMessage, ServerResponse } from 'node:http';
import { costLimitPlugin } from '@escape.tech/graphql-armor-cost-limit';
import { maxAliasesPlugin } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthPlugin } from '@escape.tech/graphql-armor-max-depth';
import { maxTokensPlugin } from '@escape.tech/graphql-armor-max-tokens';
import { createYoga } from 'graphql-yoga';
import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import { AppError, PayloadTooLarge } from '../errors.ts';
import { authenticateAdmin } from '../http/auth.ts';
import type { Mount } from '../http/route.ts';
import type { Services } from '../services/index.ts';
import { asAppError } from '../trpc/errors.ts';
import type { GraphQLContext } from './builder.ts';
import { GraphQLError } from './graphql-js.ts';
import { schema } from './schema.ts';

export const GRAPHQL_PATH = '/graphql';

/**
 * Limits against abusive documents, checked before anything runs. Depth 12 fits the deepest
 * view (organizations → webhooks → deliveries → webhook) and allows at most three levels of
 * lists. The cost multiplies literal `first`/`last` sizes down the tree: 500 000 admits the
 * dashboard's heaviest view (an organization with 50 teams, 50 agents and 50 keys) and refuses
 * nested lists of 50 × 50 × 50. Sizes given in variables escape the cost but are capped per
 * connection (connections.ts).
 */
export const GRAPHQL_LIMITS = { maxDepth: 12, maxCost: 500_000, maxAliases: 15, maxTokens: 2000 } as const;

/**
 * Errors as clients see them: our AppErrors keep their message and carry their RFC-style code in
 * `extensions.code`; request errors (syntax, validation, variables) keep their message; anything
 * else is logged and becomes a bare "internal server error" — never a stack trace.
 */
function maskError(log: Logger) {
  return (error: unknown): Error => {
    const graphQLError = error instanceof GraphQLError ? error : undefined;
    const original = graphQLError ? graphQLError.originalError : error;
    const location = { nodes: graphQLError?.nodes, source: graphQLError?.source, positions: graphQLError?.positions, path: graphQLError?.path };
    if (graphQLError && (!original || (original instanceof GraphQLError && !original.originalError))) return graphQLError;
    const appError = asAppError(original);
    if (appError.status < 500) return new GraphQLError(appError.description, { ...location, extensions: { code: appError.code } });
    // Variable coercion (a bad DateTime, say) fails before execution, so it has no path.
    if (graphQLError && !graphQLError.path) return new GraphQLError(graphQLError.message, { ...location, extensions: { code: 'invalid_request' } });
    log.error({ err: original }, 'unhandled error in GraphQL');
    return new GraphQLError('internal server error', { ...location, extensions: { code: 'server_error' } });
  };
}

function sendError(res: ServerResponse, error: AppError) {
  const body = JSON.stringify({ errors: [{ message: error.description, extensions: { code: error.code } }] });
  res.writeHead(error.status, { ...error.headers, 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

/** The body, read with the server's size limit (yoga itself would read any amount). */
async function readLimited(req: IncomingMessage, limit: number): Promise<Buffer> {
  if (Number(req.headers['content-length']) > limit) throw new PayloadTooLarge(limit);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new PayloadTooLarge(limit);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** The GraphQL views at /graphql: admin, dashboard session or org API key; anonymous callers get 401. */
export function graphqlMount({ services, config, log }: { services: Services; config: Config; log: Logger }): Mount {
  const yoga = createYoga<{ caller: GraphQLContext['caller']; services: Services }>({
    schema,
    graphqlEndpoint: GRAPHQL_PATH,
    graphiql: !config.production,
    landingPage: false,
    logging: false,
    maskedErrors: { maskError: maskError(log) },
    plugins: [
      maxDepthPlugin({ n: GRAPHQL_LIMITS.maxDepth }),
      costLimitPlugin({ maxCost: GRAPHQL_LIMITS.maxCost }),
      maxAliasesPlugin({ n: GRAPHQL_LIMITS.maxAliases }),
      maxTokensPlugin({ n: GRAPHQL_LIMITS.maxTokens }),
    ],
  });
  return {
    prefix: GRAPHQL_PATH,
    async handle(req, res, { ip, userAgent }) {
      try {
        const principal = await authenticateAdmin(req, services, config);
        if (req.method !== 'GET' && req.method !== 'HEAD') {
          const body = await readLimited(req, config.maxBodyBytes);
          // Handed to yoga already read (whatwg-node uses a pre-read body instead of the stream).
          if (body.length > 0) (req as IncomingMessage & { body?: unknown }).body = body;
        }
        await yoga(req, res, { caller: { principal, ip, userAgent }, services });
      } catch (error) {
        if (!req.readableEnded) req.resume();
        const appError = asAppError(error);
        if (appError.status >= 500) log.error({ err: error }, 'GraphQL request failed');
        if (!res.headersSent) sendError(res, appError);
      }
    },
  };
}
