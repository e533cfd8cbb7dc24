import { chmodSync, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify, type JSONWebKeySet } from 'jose';
import { startApp, type App } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { ADMIN_AUTH, ADMIN_EMAIL, ADMIN_PASSWORD, clientBasic } from './helpers.ts';

const dataDir = mkdtempSync(path.join(os.tmpdir(), 'machineauth-embedded-'));
// mkdtemp makes it 0700; as root, the embedded server runs as the `postgres` user and must get in.
chmodSync(dataDir, 0o755);
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

/** The real embedded mode: no DATABASE_URL, everything under DATA_DIR. */
function startEmbedded(): Promise<App> {
  return startApp(
    loadConfig({ PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, ADMIN_EMAIL, ADMIN_PASSWORD, LOG_LEVEL: 'silent' }, { dotenv: false }),
  );
}

async function json<T>(res: Response | Promise<Response>): Promise<T> {
  const r = await res;
  const text = await r.text();
  if (!r.ok) throw new Error(`${r.status} ${text}`);
  return JSON.parse(text) as T;
}

describe('embedded PostgreSQL under DATA_DIR', () => {
  it('keeps agents, tokens and signing keys across a restart', async () => {
    let app = await startEmbedded();
    let agent: { agent: { id: string }; client_id: string; client_secret: string };
    let tokens: { access_token: string; refresh_token: string };
    let jwksBefore: JSONWebKeySet;
    let metricsBefore: { tokens_issued: number; total_agents: number };
    try {
      expect(app.config.databaseUrl).toBeUndefined();
      expect(existsSync(path.join(dataDir, 'postgres', 'PG_VERSION'))).toBe(true);
      // The generated master key is readable by its owner only.
      expect(statSync(path.join(dataDir, 'master.key')).mode & 0o077).toBe(0);

      agent = await json(fetch(`${app.url}/api/agents`, {
        method: 'POST',
        headers: { authorization: ADMIN_AUTH, 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'survivor', scopes: ['read'] }),
      }));
      tokens = await json(fetch(`${app.url}/oauth/token`, {
        method: 'POST',
        body: new URLSearchParams({ grant_type: 'client_credentials' }),
        headers: { authorization: clientBasic(agent.client_id, agent.client_secret) },
      }));
      jwksBefore = await json(fetch(`${app.url}/.well-known/jwks.json`));
      metricsBefore = await json(fetch(`${app.url}/metrics`));
    } finally {
      await app.close();
    }
    // Closed means closed.
    await expect(fetch(`${app.url}/health`)).rejects.toThrow();

    app = await startEmbedded();
    try {
      // The agent…
      const got = await json<{ agent: { id: string; name: string; token_count: number } }>(fetch(`${app.url}/api/agents/${agent.agent.id}`, { headers: { authorization: ADMIN_AUTH } }));
      expect(got.agent).toMatchObject({ name: 'survivor', token_count: 1 });
      // …its secret…
      const again = await fetch(`${app.url}/oauth/token`, {
        method: 'POST',
        body: new URLSearchParams({ grant_type: 'client_credentials', client_id: agent.client_id, client_secret: agent.client_secret }),
      });
      expect(again.status).toBe(200);
      // …the signing key (same kid, same public key)…
      const jwksAfter = await json<JSONWebKeySet>(fetch(`${app.url}/.well-known/jwks.json`));
      expect(jwksAfter).toEqual(jwksBefore);
      const fresh = (await again.json()) as { access_token: string };
      expect(decodeProtectedHeader(fresh.access_token).kid).toBe(jwksBefore.keys[0].kid);
      // …and the old token: verifiable offline with the old key, active, usable.
      await jwtVerify(tokens.access_token, createLocalJWKSet(jwksAfter), { audience: 'machineauth-api', issuer: 'https://auth.example.com' });
      const intro = await json<{ active: boolean }>(fetch(`${app.url}/oauth/introspect`, { method: 'POST', body: new URLSearchParams({ token: tokens.access_token }) }));
      expect(intro.active).toBe(true);
      const me = await json<{ agent: { id: string } }>(fetch(`${app.url}/api/agents/me`, { headers: { authorization: `Bearer ${tokens.access_token}` } }));
      expect(me.agent.id).toBe(agent.agent.id);
      // The refresh token too, still single-use.
      const refreshed = await fetch(`${app.url}/oauth/refresh`, { method: 'POST', body: new URLSearchParams({ refresh_token: tokens.refresh_token }) });
      expect(refreshed.status).toBe(200);
      const replay = await fetch(`${app.url}/oauth/refresh`, { method: 'POST', body: new URLSearchParams({ refresh_token: tokens.refresh_token }) });
      expect(replay.status).toBe(401);
      // Durable counters.
      const metricsAfter = await json<{ tokens_issued: number; total_agents: number }>(fetch(`${app.url}/metrics`));
      expect(metricsAfter.total_agents).toBe(metricsBefore.total_agents);
      expect(metricsAfter.tokens_issued).toBe(metricsBefore.tokens_issued + 2);
    } finally {
      await app.close();
    }
  });
});
