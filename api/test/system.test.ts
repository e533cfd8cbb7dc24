import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAgent, getToken, postForm, startTestApp, type TestApp } from './helpers.ts';

let app: TestApp;

beforeAll(async () => {
  app = await startTestApp();
});
afterAll(async () => {
  await app?.close();
});

interface Metrics {
  requests: number;
  tokens_issued: number;
  tokens_refreshed: number;
  tokens_revoked: number;
  active_tokens: number;
  total_agents: number;
}

async function metrics(): Promise<Metrics> {
  const res = await app.request('/metrics');
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  return (await res.json()) as Metrics;
}

function prometheusValue(text: string, name: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  if (!line) throw new Error(`${name} missing from:\n${text}`);
  return Number(line.split(' ')[1]);
}

describe('service info and health', () => {
  it('GET / describes the service', async () => {
    const res = await app.request('/');
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, string>;
    expect(body).toMatchObject({ service: 'MachineAuth', status: 'running' });
    expect(body.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(body.endpoints).toBe('/oauth/token, /oauth/introspect, /oauth/revoke, /oauth/refresh, /api/agents, /.well-known/jwks.json');
  });

  it('GET /health is ok', async () => {
    const res = await app.request('/health');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  it('GET /health/ready counts agents', async () => {
    const first = (await (await app.request('/health/ready')).json()) as { status: string; timestamp: string; agents_count: number };
    expect(first.status).toBe('ok');
    expect(first.timestamp).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    await createAgent(app, { name: 'ready-1' });
    await createAgent(app, { name: 'ready-2' });
    const second = (await (await app.request('/health/ready')).json()) as { agents_count: number };
    expect(second.agents_count).toBe(first.agents_count + 2);
  });

  it('answers HEAD like GET without a body', async () => {
    const res = await fetch(`${app.url}/health`, { method: 'HEAD' });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('');
  });

  it('tags every response with a request id', async () => {
    const a = await app.request('/health');
    const b = await app.request('/nope');
    expect(a.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(b.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(a.headers.get('x-request-id')).not.toBe(b.headers.get('x-request-id'));
  });

  it('publishes RFC 8414 metadata that points at our endpoints', async () => {
    const res = await app.request('/.well-known/oauth-authorization-server');
    expect(res.status).toBe(200);
    const meta = (await res.json()) as Record<string, unknown>;
    expect(meta.issuer).toBe('https://auth.example.com');
    expect(meta.token_endpoint).toBe(`http://127.0.0.1:${app.port}/oauth/token`);
    expect(meta.jwks_uri).toBe(`http://127.0.0.1:${app.port}/.well-known/jwks.json`);
    expect(meta.grant_types_supported).toEqual(['client_credentials', 'refresh_token']);
    expect(meta.token_endpoint_auth_methods_supported).toEqual(['client_secret_basic', 'client_secret_post']);
    // Derived from Host: never stored by a shared cache for other hosts.
    expect(res.headers.get('cache-control')).toBe('private, max-age=300');
    expect(res.headers.get('vary')).toContain('Host');
  });

  it('advertises PUBLIC_URL, whatever Host a client sends', async () => {
    const pinned = await startTestApp({ PUBLIC_URL: 'https://auth.example.com/' });
    try {
      const res = await fetch(`${pinned.url}/.well-known/oauth-authorization-server`, { headers: { host: 'evil.example' } });
      const meta = (await res.json()) as Record<string, unknown>;
      expect(meta.token_endpoint).toBe('https://auth.example.com/oauth/token');
      expect(meta.jwks_uri).toBe('https://auth.example.com/.well-known/jwks.json');
    } finally {
      await pinned.close();
    }
  });
});

describe('metrics', () => {
  it('has the fields of seed 003', async () => {
    const m = await metrics();
    for (const key of ['requests', 'tokens_issued', 'tokens_refreshed', 'tokens_revoked', 'active_tokens', 'total_agents']) {
      expect(typeof m[key as keyof Metrics], key).toBe('number');
    }
  });

  it('moves with issuance, refresh, revocation and agents', async () => {
    const before = await metrics();
    const agent = await createAgent(app, { name: 'metered', scopes: [] });
    const t1 = await getToken(app, agent);
    const t2 = await getToken(app, agent);
    const refreshed = await postForm(app, '/oauth/token', { grant_type: 'refresh_token', refresh_token: t1.refresh_token });
    expect(refreshed.status).toBe(200);
    await postForm(app, '/oauth/revoke', { token: t2.access_token });
    // Failures count nothing.
    await postForm(app, '/oauth/token', { grant_type: 'client_credentials', client_id: agent.clientId, client_secret: 'wrong' });
    const after = await metrics();
    expect(after.tokens_issued - before.tokens_issued).toBe(3);
    expect(after.tokens_refreshed - before.tokens_refreshed).toBe(1);
    expect(after.tokens_revoked - before.tokens_revoked).toBe(1);
    expect(after.active_tokens - before.active_tokens).toBe(2);
    expect(after.total_agents - before.total_agents).toBe(1);
    expect(after.requests).toBeGreaterThan(before.requests + 5);

    // Deleting the agent takes its live tokens out of active_tokens.
    await app.request(`/api/agents/${agent.id}`, { method: 'DELETE', admin: true });
    const gone = await metrics();
    expect(gone.active_tokens).toBe(before.active_tokens);
    expect(gone.total_agents).toBe(before.total_agents);
  });

  it('speaks Prometheus text when asked for text/plain', async () => {
    const res = await app.request('/metrics', { headers: { accept: 'text/plain' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    expect(text).toMatch(/^# HELP machineauth_http_requests_total /m);
    expect(text).toMatch(/^# TYPE machineauth_tokens_issued_total counter$/m);
    expect(text).toMatch(/^# TYPE machineauth_active_tokens gauge$/m);
    for (const line of text.trim().split('\n')) expect(line).toMatch(/^(# (HELP|TYPE) machineauth_\w+ .+|machineauth_\w+ \d+)$/);

    const json = await metrics();
    const text2 = await (await app.request('/metrics', { headers: { accept: 'text/plain;version=0.0.4;q=0.9,*/*;q=0.1' } })).text();
    expect(prometheusValue(text2, 'machineauth_tokens_issued_total')).toBe(json.tokens_issued);
    expect(prometheusValue(text2, 'machineauth_agents')).toBe(json.total_agents);

    await getToken(app, await createAgent(app, { name: 'prom' }));
    const text3 = await (await app.request('/metrics', { headers: { accept: 'text/plain' } })).text();
    expect(prometheusValue(text3, 'machineauth_tokens_issued_total')).toBe(json.tokens_issued + 1);
  });

  it('prefers JSON when the client accepts both or anything', async () => {
    for (const accept of ['application/json', 'application/json, text/plain', '*/*']) {
      const res = await app.request('/metrics', { headers: { accept } });
      expect(res.headers.get('content-type'), accept).toMatch(/^application\/json/);
    }
  });

  it('keeps the durable counters across a restart on the same database', async () => {
    const first = await startTestApp();
    const a = await createAgent(first, { name: 'durable' });
    await getToken(first, a);
    await getToken(first, a);
    const before = (await (await first.request('/metrics')).json()) as Metrics;
    await first.close();
    // The first run's master key lives in its DATA_DIR.
    const again = await startTestApp({ DATA_DIR: first.config.dataDir }, { databaseUrl: first.databaseUrl });
    try {
      const after = (await (await again.request('/metrics')).json()) as Metrics;
      expect(after.tokens_issued).toBe(before.tokens_issued);
      expect(after.active_tokens).toBe(before.active_tokens);
      expect(after.total_agents).toBe(before.total_agents);
    } finally {
      await again.close();
    }
  });
});
