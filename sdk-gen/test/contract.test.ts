import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import type { z } from 'zod';
import { allRoutes } from '../../api/src/http/routes.ts';
import { buildOpenApiDocument, openApiJson } from '../../api/src/openapi/document.ts';
import { restOperations } from '../../api/src/openapi/operations.ts';
import { ERROR_CODES, type Agent, type ApiKey, type Organization, type Team, type Webhook, type WebhookDelivery } from '../../api/src/schemas/responses.ts';
import type { agentJson, apiKeyJson, deliveryJson, organizationJson, teamJson, webhookJson } from '../../api/src/wire.ts';
import { startTestApp, type TestApp } from '../../api/test/helpers.ts';
import { CONTRACT_PATH } from '../src/paths.ts';

/** `/api/agents/:id` and `/api/agents/{agent_id}` alike become `/api/agents/{}`. */
const shape = (path: string) => path.replace(/:[^/]+/g, '{}').replace(/\{[^}]+\}/g, '{}');

let app: TestApp;
beforeAll(async () => { app = await startTestApp(); });
afterAll(async () => { await app?.close(); });

describe('the OpenAPI contract', () => {
  it('describes every registered route, and nothing the server does not serve', () => {
    const served = new Set<string>();
    for (const route of allRoutes(app.services)) {
      for (const method of [route.method].flat()) served.add(`${method} ${shape(route.path)}`);
    }
    const documented = new Set(restOperations.map((op) => `${op.method} ${shape(op.path)}`));
    expect([...served].filter((r) => !documented.has(r)), 'routes missing from api/src/openapi/operations.ts').toEqual([]);
    expect([...documented].filter((r) => !served.has(r)), 'documented operations the server does not serve').toEqual([]);
  });

  it('is served at /openapi.json exactly as committed in sdk-gen/openapi.json', async () => {
    const res = await app.request('/openapi.json');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
    const served = await res.json();
    expect(served).toEqual(JSON.parse(openApiJson()));
    expect(readFileSync(CONTRACT_PATH, 'utf8'), 'sdk-gen/openapi.json is stale: run `npm run sdk:generate`').toBe(openApiJson());
  });

  it('is an OpenAPI 3.1 document whose references all resolve and whose operations are named once', () => {
    const doc = buildOpenApiDocument() as { openapi: string; paths: Record<string, Record<string, { operationId: string; security: unknown[] }>>; components: Record<string, Record<string, unknown>> };
    expect(doc.openapi).toBe('3.1.0');
    const refs = [...JSON.stringify(doc).matchAll(/"\$ref":"#\/components\/(\w+)\/([^"]+)"/g)];
    expect(refs.length).toBeGreaterThan(50);
    for (const [, section, name] of refs) expect(doc.components[section]?.[name], `${section}/${name}`).toBeDefined();
    const ids = Object.values(doc.paths).flatMap((item) => Object.values(item).map((op) => op.operationId));
    expect(new Set(ids).size).toBe(ids.length);
    for (const item of Object.values(doc.paths)) for (const op of Object.values(item)) expect(Array.isArray(op.security)).toBe(true);
    expect(Object.keys(doc.components.securitySchemes).sort()).toEqual(['adminBasic', 'adminSession', 'agentBearer', 'apiKeyBearer', 'clientBasic']);
  });

  it('lists every error code the server can answer with', () => {
    // Each AppError subclass passes its RFC code to super() as a literal.
    const source = readFileSync(new URL('../../api/src/errors.ts', import.meta.url), 'utf8');
    const codes = new Set([...source.matchAll(/super\('([a-z_]+)'/g)].map((m) => m[1]));
    expect(codes.size).toBeGreaterThan(10);
    expect([...codes].filter((c) => !(ERROR_CODES as readonly string[]).includes(c)), 'add them to ERROR_CODES in api/src/schemas/responses.ts').toEqual([]);
  });

  it('validates requests with the very schemas the contract publishes (an unknown field is refused)', async () => {
    const doc = buildOpenApiDocument() as { components: { schemas: Record<string, { additionalProperties?: unknown }> } };
    expect(doc.components.schemas.CreateAgentInput.additionalProperties).toBe(false);
    const res = await app.request('/api/agents', { method: 'POST', admin: true, json: { name: 'x', colour: 'red' } });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: 'invalid_request', error_description: expect.stringContaining('colour') });
  });

  it('types the wire shapes (api/src/wire.ts) as the response schemas say', () => {
    expectTypeOf<ReturnType<typeof agentJson>>().toEqualTypeOf<z.output<typeof Agent>>();
    expectTypeOf<ReturnType<typeof organizationJson>>().toEqualTypeOf<z.output<typeof Organization>>();
    expectTypeOf<ReturnType<typeof teamJson>>().toEqualTypeOf<z.output<typeof Team>>();
    expectTypeOf<ReturnType<typeof apiKeyJson>>().toEqualTypeOf<z.output<typeof ApiKey>>();
    expectTypeOf<ReturnType<typeof webhookJson>>().toMatchTypeOf<Omit<z.output<typeof Webhook>, 'events'>>();
    expectTypeOf<ReturnType<typeof deliveryJson>>().toMatchTypeOf<Omit<z.output<typeof WebhookDelivery>, 'status'>>();
  });
});
