/**
 * The OpenAPI document read into what both SDK emitters need: named schemas, operations with
 * their auth, parameters, body and result, and the error codes. Anything the emitters could
 * not render faithfully is refused here, loudly, rather than generated wrongly.
 */

export type JsonSchema = {
  $ref?: string;
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  description?: string;
  default?: unknown;
  format?: string;
  [key: string]: unknown;
};

/** How the SDK authenticates an operation (from its OpenAPI security requirement). */
export type Auth = 'none' | 'client' | 'admin' | 'agent' | 'bearer';

export interface Param {
  /** As on the wire. */
  name: string;
  required: boolean;
  description?: string;
  schema: JsonSchema;
}

export interface Operation {
  id: string;
  method: string;
  path: string;
  summary: string;
  description?: string;
  tag: string;
  auth: Auth;
  pathParams: Param[];
  query: Param[];
  body?: { schema: string; required: boolean; form: boolean };
  /** The named schema of the success body; undefined for 204. */
  result?: string;
  successStatus: number;
}

export interface Model {
  title: string;
  version: string;
  schemas: Record<string, JsonSchema>;
  /** Schemas that are request bodies (rendered as input types, not parsed from responses). */
  requestSchemas: Set<string>;
  operations: Operation[];
  errorCodes: string[];
}

const REF = '#/components/schemas/';

export function refName(ref: string): string {
  if (!ref.startsWith(REF)) throw new Error(`unsupported $ref ${ref}`);
  return ref.slice(REF.length);
}

function authOf(security: Record<string, unknown>[] | undefined, where: string): Auth {
  const schemes = new Set((security ?? []).flatMap((s) => Object.keys(s)));
  if (schemes.size === 0) return 'none';
  if (schemes.has('clientBasic')) return 'client';
  if (schemes.has('agentBearer')) return schemes.has('apiKeyBearer') ? 'bearer' : 'agent';
  if (schemes.has('adminBasic')) return 'admin';
  throw new Error(`${where}: unknown security ${[...schemes].join(', ')}`);
}

type OpenApi = {
  info: { title: string; version: string };
  paths: Record<string, Record<string, Record<string, any>>>;
  components: { schemas: Record<string, JsonSchema>; responses: Record<string, unknown> };
};

export function readModel(document: unknown): Model {
  const doc = document as OpenApi;
  const operations: Operation[] = [];
  const requestSchemas = new Set<string>();
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item)) {
      const where = `${method.toUpperCase()} ${path}`;
      const bodyRef = op.requestBody?.content?.['application/json']?.schema?.$ref as string | undefined;
      if (bodyRef) requestSchemas.add(refName(bodyRef));
      // Aliases (a second method or path for the same thing) and dashboard-only calls are not SDK methods.
      if (op['x-alias-of'] || op['x-internal']) continue;
      const params = (op.parameters ?? []) as (Param & { in: string })[];
      const success = Object.keys(op.responses).filter((s) => /^2\d\d$/.test(s));
      if (success.length !== 1) throw new Error(`${where}: expected one success response, got ${success.join(', ')}`);
      const response = op.responses[success[0]];
      const resultRef = response.content?.['application/json']?.schema?.$ref as string | undefined;
      if (response.content && !resultRef) throw new Error(`${where}: success body must be a named schema`);
      let body: Operation['body'];
      if (op.requestBody) {
        const content = op.requestBody.content as Record<string, { schema: JsonSchema }>;
        const ref = content['application/json']?.schema.$ref;
        if (!ref) throw new Error(`${where}: request body must be a named JSON schema`);
        body = { schema: refName(ref), required: Boolean(op.requestBody.required), form: 'application/x-www-form-urlencoded' in content };
      }
      operations.push({
        id: op.operationId,
        method: method.toUpperCase(),
        path,
        summary: op.summary,
        description: op.description,
        tag: op.tags?.[0] ?? '',
        auth: authOf(op.security, where),
        pathParams: params.filter((p) => p.in === 'path'),
        query: params.filter((p) => p.in === 'query'),
        body,
        result: resultRef ? refName(resultRef) : undefined,
        successStatus: Number(success[0]),
      });
    }
  }
  const errorEnum = doc.components.schemas.Error?.properties?.error?.enum;
  if (!Array.isArray(errorEnum)) throw new Error('components.schemas.Error.properties.error.enum is missing');
  return {
    title: doc.info.title,
    version: doc.info.version,
    schemas: doc.components.schemas,
    requestSchemas,
    operations,
    errorCodes: errorEnum as string[],
  };
}

// ---- naming -----------------------------------------------------------------------------------

export const words = (name: string) => name.replace(/([a-z0-9])([A-Z])/g, '$1 $2').split(/[\s_\-./]+/).filter(Boolean).map((w) => w.toLowerCase());
export const camel = (name: string) => words(name).map((w, i) => (i === 0 ? w : w[0].toUpperCase() + w.slice(1))).join('');
export const pascal = (name: string) => words(name).map((w) => w[0].toUpperCase() + w.slice(1)).join('');
export const snake = (name: string) => words(name).join('_');

/** `server_error` → ServerError, `invalid_client` → InvalidClientError. */
export const errorClassName = (code: string) => {
  const base = pascal(code);
  return base.endsWith('Error') ? base : `${base}Error`;
};

/** The schemas an operation's nullable/optional members reduce to, without `null`. */
export function withoutNull(schema: JsonSchema): { schema: JsonSchema; nullable: boolean } {
  const variants = schema.anyOf ?? schema.oneOf;
  if (variants) {
    const rest = variants.filter((v) => v.type !== 'null');
    if (rest.length === variants.length) return { schema, nullable: false };
    return { schema: rest.length === 1 ? rest[0] : { ...schema, anyOf: rest, oneOf: undefined }, nullable: true };
  }
  if (Array.isArray(schema.type) && schema.type.includes('null')) {
    const types = schema.type.filter((t) => t !== 'null');
    return { schema: { ...schema, type: types.length === 1 ? types[0] : types }, nullable: true };
  }
  return { schema, nullable: false };
}

/** A boolean sent as the strings "true"/"false" (query parameters). */
export const isBooleanString = (schema: JsonSchema) =>
  schema.type === 'string' && Array.isArray(schema.enum) && schema.enum.length === 2 && schema.enum.includes('true') && schema.enum.includes('false');

/** Wraps prose for a doc comment without letting it close the comment. */
export const docText = (text: string | undefined) => (text ?? '').replace(/\*\//g, '*\\/').trim();
