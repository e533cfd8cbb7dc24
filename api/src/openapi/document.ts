import { z } from 'zod';
import { VERSION } from '../http/rest/system.ts';
import type { OperationAuth, OperationSpec, Tag } from './operation.ts';
import { requestSchemas, responseSchemas, restOperations } from './operations.ts';

type Json = Record<string, unknown>;

const SCHEMA_REF = '#/components/schemas/';

const TAGS: Record<Tag, string> = {
  Service: 'Service information, health and metrics',
  Discovery: 'What a resource server needs to verify tokens offline',
  OAuth: 'RFC 6749 token endpoint, RFC 7662 introspection, RFC 7009 revocation',
  'Self-service': 'An agent managing itself with its own access token',
  Agents: 'Agent administration',
  Organizations: 'Tenants; an organization API key administers its own organization only',
  Teams: 'Teams inside an organization',
  'API keys': 'Organization API keys (`Authorization: Bearer mach_…`)',
  'Signing keys': 'JWT signing keys (server administrator only)',
  Webhooks: 'Signed event deliveries with retries',
  'Dashboard session': 'The admin dashboard\'s cookie session (not part of the SDKs)',
};

const securitySchemes = {
  adminBasic: { type: 'http', scheme: 'basic', description: 'The administrator: ADMIN_EMAIL and ADMIN_PASSWORD.' },
  apiKeyBearer: { type: 'http', scheme: 'bearer', bearerFormat: 'mach_…', description: 'An organization API key; administers its own organization only.' },
  adminSession: { type: 'apiKey', in: 'cookie', name: 'machineauth_session', description: 'The dashboard\'s session (POST /api/auth/login); unsafe methods also need the `X-CSRF-Token` header.' },
  agentBearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'An agent\'s access token from /oauth/token.' },
  clientBasic: { type: 'http', scheme: 'basic', description: 'client_secret_basic: the agent\'s client_id and client_secret (form-urlencoded, RFC 6749 §2.3.1). They may go in the body instead (client_secret_post), never both.' },
} as const;

const SECURITY: Record<OperationAuth, Json[]> = {
  none: [],
  // `{}` marks the credentials optional in the header: they may come in the body instead.
  client: [{ clientBasic: [] }, {}],
  admin: [{ adminBasic: [] }, { apiKeyBearer: [] }, { adminSession: [] }],
  agent: [{ agentBearer: [] }],
  bearer: [{ agentBearer: [] }, { apiKeyBearer: [] }],
};

const errorContent = { 'application/json': { schema: { $ref: `${SCHEMA_REF}Error` } } };
const errorResponses = {
  BadRequest: 'The request is malformed or a field is invalid (`invalid_request`; 413 and 415 for oversized or non-JSON/form bodies)',
  InvalidClient: 'Client authentication failed (`invalid_client`), or the refresh token is invalid, expired or used (`invalid_grant`)',
  InvalidToken: 'The Bearer token is missing, invalid, expired or revoked, or its agent is inactive (`invalid_token`)',
  Unauthorized: 'Administrator credentials are missing or wrong (`unauthorized`)',
  Forbidden: 'The credentials may not do this, e.g. an API key outside its organization (`forbidden`)',
  NotFound: 'No such resource, or not visible to the caller (`not_found`)',
  Conflict: 'Conflicts with an existing resource (`conflict`)',
  ServiceUnavailable: 'The database is unreachable (`temporarily_unavailable`)',
} as const;
type ErrorResponseName = keyof typeof errorResponses;

const ERROR_BY_STATUS: Record<number, ErrorResponseName> = { 400: 'BadRequest', 403: 'Forbidden', 404: 'NotFound', 409: 'Conflict', 503: 'ServiceUnavailable' };

/** The error responses an operation can give, implied by how it authenticates and what it takes. */
function errorsOf(op: OperationSpec): Record<string, ErrorResponseName> {
  const out: Record<string, ErrorResponseName> = {};
  if (op.body || op.query) out['400'] = 'BadRequest';
  if (op.auth === 'client') out['401'] = 'InvalidClient';
  if (op.auth === 'agent' || op.auth === 'bearer') out['401'] = 'InvalidToken';
  if (op.auth === 'admin') Object.assign(out, { 401: 'Unauthorized', 403: 'Forbidden' });
  if (op.path.includes('{')) out['404'] = 'NotFound';
  for (const status of op.errors ?? []) out[String(status)] = status === 401 ? 'Unauthorized' : ERROR_BY_STATUS[status];
  return out;
}

/**
 * zod's JSON Schema, trimmed for publication: `format` already says uuid / date-time / email (the
 * patterns zod adds restate it), JavaScript's safe-integer bounds say nothing, and responses stay
 * open to new fields so that clients keep working when the server grows.
 */
function tidy(value: unknown, kind: 'request' | 'response'): unknown {
  if (Array.isArray(value)) return value.map((v) => tidy(v, kind));
  if (!value || typeof value !== 'object') return value;
  const out: Json = {};
  for (const [key, v] of Object.entries(value as Json)) {
    if (key === '$schema' || key === '$id') continue;
    out[key] = tidy(v, kind);
  }
  if (typeof out.format === 'string' && ['uuid', 'date-time', 'email'].includes(out.format)) delete out.pattern;
  if (out.minimum === Number.MIN_SAFE_INTEGER) delete out.minimum;
  if (out.maximum === Number.MAX_SAFE_INTEGER) delete out.maximum;
  if (kind === 'response' && out.additionalProperties === false) delete out.additionalProperties;
  return out;
}

function componentSchemas(schemas: Record<string, z.ZodType>, io: 'input' | 'output'): Record<string, Json> {
  const registry = z.registry<{ id: string }>();
  for (const [id, schema] of Object.entries(schemas)) {
    if (registry.has(schema)) throw new Error(`schema ${id} is already named ${registry.get(schema)!.id}`);
    registry.add(schema, { id });
  }
  const { schemas: converted } = z.toJSONSchema(registry, { io, target: 'draft-2020-12', unrepresentable: 'throw', uri: (id) => `${SCHEMA_REF}${id}` });
  return tidy(converted, io === 'input' ? 'request' : 'response') as Record<string, Json>;
}

function nameOf(names: Map<z.ZodType, string>, schema: z.ZodType, what: string): string {
  const name = names.get(schema);
  if (!name) throw new Error(`${what}: its schema is not a named component (add it to requestSchemas/responseSchemas)`);
  return name;
}

function operationObject(op: OperationSpec, requestNames: Map<z.ZodType, string>, responseNames: Map<z.ZodType, string>): Json {
  const where = `${op.method} ${op.path}`;
  const parameters: Json[] = [];
  for (const [, name] of op.path.matchAll(/\{([^}]+)\}/g)) {
    parameters.push({ name, in: 'path', required: true, description: op.pathParams?.[name], schema: { type: 'string', format: 'uuid' } });
  }
  if (op.query) {
    const schema = tidy(z.toJSONSchema(op.query, { io: 'input', target: 'draft-2020-12' }), 'request') as { properties: Record<string, Json>; required?: string[] };
    for (const [name, property] of Object.entries(schema.properties)) {
      const { description, ...rest } = property;
      parameters.push({ name, in: 'query', required: schema.required?.includes(name) ?? false, ...(description ? { description } : {}), schema: rest });
    }
  }

  const responses: Json = {};
  for (const [status, response] of Object.entries(op.responses)) {
    if (!response) continue;
    const content: Json = {};
    if (response.schema) content['application/json'] = { schema: { $ref: `${SCHEMA_REF}${nameOf(responseNames, response.schema, `${where} response ${status}`)}` } };
    if (response.prometheusText) content['text/plain'] = { schema: { type: 'string', description: 'Prometheus text exposition format 0.0.4' } };
    responses[status] = { description: response.description, ...(Object.keys(content).length ? { content } : {}) };
  }
  for (const [status, name] of Object.entries(errorsOf(op))) responses[status] = { $ref: `#/components/responses/${name}` };

  let requestBody: Json | undefined;
  if (op.body) {
    const schema = { $ref: `${SCHEMA_REF}${nameOf(requestNames, op.body.schema, `${where} body`)}` };
    const content: Json = op.body.form
      ? { 'application/x-www-form-urlencoded': { schema }, 'application/json': { schema } }
      : { 'application/json': { schema } };
    requestBody = { required: !op.body.optional, content };
  }

  return {
    operationId: op.operationId,
    summary: op.summary,
    ...(op.description ? { description: op.description } : {}),
    tags: [op.tag],
    security: SECURITY[op.auth],
    ...(parameters.length ? { parameters } : {}),
    ...(requestBody ? { requestBody } : {}),
    responses,
    ...(op.aliasOf ? { 'x-alias-of': op.aliasOf } : {}),
    ...(op.internal ? { 'x-internal': true } : {}),
  };
}

/** Builds the OpenAPI 3.1 document of the REST contract from the operation table and its zod schemas. */
export function buildOpenApiDocument(operations: OperationSpec[] = restOperations): Json {
  const requests = componentSchemas(requestSchemas, 'input');
  const responses = componentSchemas(responseSchemas, 'output');
  for (const name of Object.keys(requests)) {
    if (name in responses) throw new Error(`schema name ${name} is used for a request and a response`);
  }
  const requestNames = new Map(Object.entries(requestSchemas).map(([name, schema]) => [schema as z.ZodType, name]));
  const responseNames = new Map(Object.entries(responseSchemas).map(([name, schema]) => [schema as z.ZodType, name]));

  const paths: Record<string, Json> = {};
  const seen = new Set<string>();
  for (const op of operations) {
    if (seen.has(op.operationId)) throw new Error(`duplicate operationId ${op.operationId}`);
    seen.add(op.operationId);
    const item = (paths[op.path] ??= {});
    const method = op.method.toLowerCase();
    if (item[method]) throw new Error(`duplicate operation ${op.method} ${op.path}`);
    item[method] = operationObject(op, requestNames, responseNames);
  }

  const usedTags = new Set(operations.map((op) => op.tag));
  return {
    openapi: '3.1.0',
    info: {
      title: 'MachineAuth',
      version: VERSION,
      summary: 'OAuth 2.0 for AI agents',
      description: 'Agents trade a client_id and client_secret for short-lived signed JWTs at /oauth/token; resource servers verify them offline against /.well-known/jwks.json. Every JSON key is snake_case; every error is `{"error", "error_description"}` (RFC 6749 §5.2).',
    },
    servers: [{ url: '/', description: 'the server this document is served from' }],
    tags: (Object.keys(TAGS) as Tag[]).filter((t) => usedTags.has(t)).map((name) => ({ name, description: TAGS[name] })),
    paths,
    components: {
      schemas: { ...requests, ...responses },
      responses: Object.fromEntries(Object.entries(errorResponses).map(([name, description]) => [name, { description, content: errorContent }])),
      securitySchemes,
    },
  };
}

let cached: Json | undefined;

/** The document, built once per process (it depends on code only). */
export function openApiDocument(): Json {
  return (cached ??= buildOpenApiDocument());
}

/** The document as committed to sdk-gen/openapi.json (two-space indent, final newline). */
export function openApiJson(): string {
  return `${JSON.stringify(openApiDocument(), null, 2)}\n`;
}
