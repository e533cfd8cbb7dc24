import postgres from 'postgres';
import { expect } from 'vitest';
import type { TestApp } from './helpers.ts';

/** Fixtures shared by the organization, team, API-key, tenancy, org-token and CORS suites. */

export interface Org {
  id: string;
  name: string;
  slug: string;
  jwt_issuer: string;
  jwt_expiry_secs: number;
  allowed_origins: string;
  plan: string;
  [k: string]: unknown;
}

let counter = 0;
/** A slug no other test in this file uses. */
export const uniqueSlug = (base = 'org') => `${base}-${process.pid}-${++counter}`;

type Auth = { admin?: boolean; bearer?: string };
const authOf = (auth: Auth = { admin: true }) => (auth.bearer ? { bearer: auth.bearer } : { admin: true });

export async function createOrg(app: TestApp, body: Record<string, unknown> = {}): Promise<Org> {
  const res = await app.request('/api/organizations', { method: 'POST', admin: true, json: { name: 'Acme', slug: uniqueSlug(), ...body } });
  if (res.status !== 201) throw new Error(`create org: ${res.status} ${await res.text()}`);
  return (await res.json()) as Org;
}

export async function createTeam(app: TestApp, orgId: string, body: Record<string, unknown> = { name: 'Backend' }, auth?: Auth) {
  const res = await app.request(`/api/organizations/${orgId}/teams`, { method: 'POST', json: body, ...authOf(auth) });
  if (res.status !== 201) throw new Error(`create team: ${res.status} ${await res.text()}`);
  return (await res.json()) as { id: string; organization_id: string; name: string; description: string };
}

export interface CreatedKey {
  key: string;
  api_key: { id: string; prefix: string; organization_id: string; team_id: string | null; [k: string]: unknown };
}

export async function createKey(app: TestApp, orgId: string, body: Record<string, unknown> = { name: 'ci' }, auth?: Auth): Promise<CreatedKey> {
  const res = await app.request(`/api/organizations/${orgId}/api-keys`, { method: 'POST', json: body, ...authOf(auth) });
  if (res.status !== 201) throw new Error(`create key: ${res.status} ${await res.text()}`);
  return (await res.json()) as CreatedKey;
}

export async function createOrgAgent(app: TestApp, orgId: string, body: Record<string, unknown> = {}, auth?: Auth) {
  const res = await app.request(`/api/organizations/${orgId}/agents`, { method: 'POST', json: { name: 'org-agent', scopes: ['read', 'write'], ...body }, ...authOf(auth) });
  if (res.status !== 201) throw new Error(`create org agent: ${res.status} ${await res.text()}`);
  const json = (await res.json()) as { agent: Record<string, unknown> & { id: string }; client_id: string; client_secret: string };
  return { id: json.agent.id, clientId: json.client_id, clientSecret: json.client_secret, agent: json.agent };
}

/** A postgres.js client on the app's database, to check what was stored or to age a row. */
export function sqlOf(app: TestApp) {
  return postgres(app.databaseUrl, { max: 2, onnotice: () => {} });
}

/**
 * Asserts a 4xx in the `{error, error_description}` shape (never a 500, never HTML or a stack)
 * and returns the body text for further checks.
 */
export async function expectClientError(res: Response, status: number | number[], error?: string): Promise<string> {
  const text = await res.text();
  const allowed = Array.isArray(status) ? status : [status];
  expect(allowed, `status ${res.status}: ${text}`).toContain(res.status);
  expect(res.headers.get('content-type') ?? '').toMatch(/^application\/json/);
  const body = JSON.parse(text) as { error: string; error_description: string };
  expect(typeof body.error).toBe('string');
  expect(body.error_description.length).toBeGreaterThan(0);
  if (error) expect(body.error, text).toBe(error);
  expect(text).not.toMatch(/at .*\.ts:\d+|node:internal|stack/i);
  return text;
}
