import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_AUTH, createAgent, getToken, startTestApp, type TestApp } from './helpers.ts';
import { createKey, createOrg, createOrgAgent, type Org } from './org-fixtures.ts';

const GLOBAL_ORIGIN = 'https://console.example.com';
const ORG_ORIGIN = 'https://app.tenant-a.example.com';
const OTHER_ORIGIN = 'https://app.tenant-b.example.com';

let app: TestApp;
let orgA: Org;
let orgB: Org;
let keyA: string;
let keyB: string;
beforeAll(async () => {
  app = await startTestApp({ ALLOWED_ORIGINS: GLOBAL_ORIGIN });
  orgA = await createOrg(app, { allowed_origins: `${ORG_ORIGIN},http://localhost:5173` });
  orgB = await createOrg(app, { allowed_origins: OTHER_ORIGIN });
  keyA = (await createKey(app, orgA.id)).key;
  keyB = (await createKey(app, orgB.id)).key;
});
afterAll(async () => { await app?.close(); });

function preflight(path: string, origin: string, method = 'POST') {
  return fetch(`${app.url}${path}`, {
    method: 'OPTIONS',
    headers: { origin, 'access-control-request-method': method, 'access-control-request-headers': 'authorization, content-type' },
  });
}

function get(path: string, origin: string, authorization?: string) {
  return fetch(`${app.url}${path}`, { headers: { origin, ...(authorization ? { authorization } : {}) } });
}

const allowOrigin = (res: Response) => res.headers.get('access-control-allow-origin');

describe('CORS: server-wide ALLOWED_ORIGINS', () => {
  it('allows the configured origin on every response, credentials included', async () => {
    const res = await get('/health', GLOBAL_ORIGIN);
    expect(allowOrigin(res)).toBe(GLOBAL_ORIGIN);
    expect(res.headers.get('access-control-allow-credentials')).toBe('true');
    expect(res.headers.get('vary')).toMatch(/origin/i);
    const pre = await preflight('/api/agents', GLOBAL_ORIGIN);
    expect(pre.status).toBe(204);
    expect(allowOrigin(pre)).toBe(GLOBAL_ORIGIN);
    expect(pre.headers.get('access-control-allow-methods')).toMatch(/POST/);
    expect(pre.headers.get('access-control-allow-headers')).toMatch(/authorization/);
  });

  it('never allows an origin nobody listed', async () => {
    for (const res of [await preflight('/api/agents', 'https://evil.example.com'), await get('/api/organizations', 'https://evil.example.com', `Bearer ${keyA}`)]) {
      expect(allowOrigin(res)).toBeNull();
      expect(res.headers.get('access-control-allow-credentials')).toBeNull();
    }
  });
});

describe('CORS: an organization\'s allowed_origins', () => {
  it('preflights pass for an origin any organization lists (a preflight carries no credentials)', async () => {
    for (const origin of [ORG_ORIGIN, OTHER_ORIGIN, 'http://localhost:5173']) {
      const res = await preflight(`/api/organizations/${orgA.id}/agents`, origin);
      expect(res.status).toBe(204);
      expect(allowOrigin(res)).toBe(origin);
      expect(res.headers.get('access-control-allow-headers')).toMatch(/authorization/);
    }
  });

  it('real responses are readable from the origin only when the caller belongs to that organization', async () => {
    // The organization's own key: readable.
    const own = await get(`/api/organizations/${orgA.id}`, ORG_ORIGIN, `Bearer ${keyA}`);
    expect(own.status).toBe(200);
    expect(allowOrigin(own)).toBe(ORG_ORIGIN);
    expect(own.headers.get('access-control-allow-credentials')).toBe('true');
    const verify = await get('/api/verify', ORG_ORIGIN, `Bearer ${keyA}`);
    expect(allowOrigin(verify)).toBe(ORG_ORIGIN);

    // Another organization's key, from A's origin: the browser gets nothing readable.
    const foreignKey = await get(`/api/organizations/${orgB.id}`, ORG_ORIGIN, `Bearer ${keyB}`);
    expect(foreignKey.status).toBe(200);
    expect(allowOrigin(foreignKey)).toBeNull();
    // A's key from B's origin: same.
    expect(allowOrigin(await get(`/api/organizations/${orgA.id}`, OTHER_ORIGIN, `Bearer ${keyA}`))).toBeNull();
    // The server administrator is not a member of any organization's origins.
    expect(allowOrigin(await get('/api/organizations', ORG_ORIGIN, ADMIN_AUTH))).toBeNull();
    // Nor is an anonymous caller.
    expect(allowOrigin(await get('/health', ORG_ORIGIN))).toBeNull();
    expect(allowOrigin(await get('/.well-known/jwks.json', ORG_ORIGIN))).toBeNull();
  });

  it('an error answered to the organization\'s caller is readable too, so the app can show it', async () => {
    const missing = await get(`/api/organizations/${orgA.id}/teams/00000000-0000-4000-8000-000000000000`, ORG_ORIGIN, `Bearer ${keyA}`);
    expect(missing.status).toBe(404);
    expect(allowOrigin(missing)).toBe(ORG_ORIGIN);
    expect(((await missing.json()) as { error: string }).error).toBe('not_found');
  });

  it('agents\' access tokens count as calls on their organization\'s behalf', async () => {
    const agentA = await createOrgAgent(app, orgA.id);
    const agentB = await createOrgAgent(app, orgB.id);
    const global = await createAgent(app);
    const tokenA = (await getToken(app, agentA)).access_token;
    const tokenB = (await getToken(app, agentB)).access_token;
    const tokenG = (await getToken(app, global)).access_token;
    const me = (token: string) => get('/api/agents/me', ORG_ORIGIN, `Bearer ${token}`);
    const a = await me(tokenA);
    expect(a.status).toBe(200);
    expect(allowOrigin(a)).toBe(ORG_ORIGIN);
    expect(allowOrigin(await me(tokenB))).toBeNull();
    expect(allowOrigin(await me(tokenG))).toBeNull();
    expect(allowOrigin(await get('/api/verify', ORG_ORIGIN, `Bearer ${tokenA}`))).toBe(ORG_ORIGIN);
  });

  it('follows changes to allowed_origins at once, and the organization\'s deletion', async () => {
    const origin = 'https://late.example.com';
    const org = await createOrg(app);
    const { key } = await createKey(app, org.id);
    expect(allowOrigin(await preflight('/api/verify', origin))).toBeNull();

    // Stored as browsers send it, so a differently written origin still matches.
    await app.request(`/api/organizations/${org.id}`, { method: 'PATCH', admin: true, json: { allowed_origins: 'https://LATE.example.com:443/' } });
    expect(allowOrigin(await preflight('/api/verify', origin))).toBe(origin);
    expect(allowOrigin(await get('/api/verify', origin, `Bearer ${key}`))).toBe(origin);

    await app.request(`/api/organizations/${org.id}`, { method: 'PATCH', admin: true, json: { allowed_origins: '' } });
    expect(allowOrigin(await preflight('/api/verify', origin))).toBeNull();
    expect(allowOrigin(await get('/api/verify', origin, `Bearer ${key}`))).toBeNull();

    await app.request(`/api/organizations/${org.id}`, { method: 'PATCH', admin: true, json: { allowed_origins: origin } });
    expect(allowOrigin(await preflight('/api/verify', origin))).toBe(origin);
    expect((await app.request(`/api/organizations/${org.id}`, { method: 'DELETE', admin: true })).status).toBe(204);
    expect(allowOrigin(await preflight('/api/verify', origin))).toBeNull();
  });

  it('an organization\'s own key may set its origins, which then apply to that key only', async () => {
    const origin = 'https://self-service.example.com';
    const res = await app.request(`/api/organizations/${orgB.id}`, { method: 'PATCH', bearer: keyB, json: { allowed_origins: `${OTHER_ORIGIN},${origin}` } });
    expect(res.status).toBe(200);
    expect(allowOrigin(await get('/api/verify', origin, `Bearer ${keyB}`))).toBe(origin);
    expect(allowOrigin(await get('/api/verify', origin, `Bearer ${keyA}`))).toBeNull();
  });
});

describe('CORS: ALLOWED_ORIGINS=*', () => {
  it('lets any page read public answers, never with credentials', async () => {
    const open = await startTestApp({ ALLOWED_ORIGINS: '*' });
    try {
      const res = await fetch(`${open.url}/.well-known/jwks.json`, { headers: { origin: 'https://anywhere.example' } });
      expect(res.headers.get('access-control-allow-origin')).toBe('*');
      expect(res.headers.get('access-control-allow-credentials')).toBeNull();
      const admin = await fetch(`${open.url}/api/agents`, { headers: { origin: 'https://evil.example', authorization: ADMIN_AUTH } });
      expect(admin.headers.get('access-control-allow-credentials')).toBeNull();
    } finally {
      await open.close();
    }
  });
});
