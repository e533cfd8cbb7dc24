import type { IncomingMessage, ServerResponse } from 'node:http';
import type { z } from 'zod';
import type { Config } from '../config.ts';
import type { RequestContext } from '../services/context.ts';
import type { Services } from '../services/index.ts';
import type { AuthenticatedAgent } from '../services/tokens.ts';
import { parseWith, type Params } from './body.ts';

/**
 * How a route authenticates its caller:
 * - `none`: anyone;
 * - `admin`: Basic admin, dashboard session or an organization API key (confined to its org);
 * - `agent`: the agent's own Bearer access token; `agent-any` also accepts a deactivated agent's;
 * - `bearer`: an agent's access token or an organization API key (`/api/verify`).
 */
export type AuthMode = 'none' | 'admin' | 'agent' | 'agent-any' | 'bearer';

export interface Call {
  req: IncomingMessage;
  params: Record<string, string>;
  query: URLSearchParams;
  /** Principal, IP and user agent: what every service call receives. */
  ctx: RequestContext;
  /** Present on `agent`/`agent-any` routes, and on `bearer` routes called with an access token. */
  agent?: AuthenticatedAgent;
  services: Services;
  config: Config;
  /** The parsed JSON or form body. */
  body(): Promise<Params>;
  /** The body validated by a zod schema (4xx `invalid_request` when it does not fit). */
  input<S extends z.ZodType>(schema: S): Promise<z.infer<S>>;
}

export interface Reply {
  status: number;
  body?: unknown;
  /** A non-JSON body (Prometheus text). */
  text?: string;
  headers?: Record<string, string>;
}

export interface Route {
  method: string | string[];
  path: string;
  auth: AuthMode;
  handler(call: Call): Promise<Reply>;
}

/** A sub-application mounted under a path prefix (GraphQL, tRPC, the dashboard's files). */
export interface Mount {
  prefix: string;
  handle(req: IncomingMessage, res: ServerResponse, ctx: { ip: string; userAgent: string }): Promise<void> | void;
}

export const json = (status: number, body: unknown, headers?: Record<string, string>): Reply => ({ status, body, headers });
export const noContent = (): Reply => ({ status: 204 });

export { parseWith };
