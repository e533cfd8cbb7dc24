import type { z } from 'zod';

/**
 * Who may call an operation, as the OpenAPI security requirement it becomes:
 * - `none`: anyone;
 * - `client`: the OAuth endpoints; client credentials in the body or HTTP Basic, optional where
 *   the grant does not need them;
 * - `admin`: Basic admin, the dashboard session or an organization API key;
 * - `agent`: the agent's own access token;
 * - `bearer`: an access token or an organization API key.
 */
export type OperationAuth = 'none' | 'client' | 'admin' | 'agent' | 'bearer';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export type Tag = 'Service' | 'Discovery' | 'OAuth' | 'Self-service' | 'Agents' | 'Organizations' | 'Teams' | 'API keys' | 'Signing keys' | 'Webhooks' | 'Dashboard session';

export interface ResponseSpec {
  description: string;
  /** A JSON body; absent for 204. */
  schema?: z.ZodType;
  /** Also served as Prometheus text for `Accept: text/plain`. */
  prometheusText?: boolean;
}

/** One REST operation of the contract, described next to the zod schemas that validate it. */
export interface OperationSpec {
  method: HttpMethod;
  /** OpenAPI path template (`/api/agents/{id}`); path parameters are UUIDs unless `pathParams` says otherwise. */
  path: string;
  /** Also the SDK method name (camelCase in TypeScript, snake_case in Python). */
  operationId: string;
  tag: Tag;
  summary: string;
  description?: string;
  auth: OperationAuth;
  /** Descriptions of the path parameters, by name. */
  pathParams?: Record<string, string>;
  query?: z.ZodObject;
  body?: {
    schema: z.ZodType;
    /** RFC 6749 endpoints take form bodies (and JSON); everything else JSON. */
    form?: boolean;
    /** An empty body is accepted (every field optional). */
    optional?: boolean;
  };
  responses: Partial<Record<200 | 201 | 204, ResponseSpec>>;
  /** Error statuses beyond those the auth mode, path parameters and body imply. */
  errors?: number[];
  /** The same operation served at a second method or path (the seed's aliases); SDKs skip it. */
  aliasOf?: string;
  /** Only for the dashboard (cookie session); published, but not part of the SDKs. */
  internal?: boolean;
}

/** Ids of component schemas: every zod schema the document names, requests and responses. */
export interface NamedSchemas {
  requests: Record<string, z.ZodType>;
  responses: Record<string, z.ZodType>;
}
