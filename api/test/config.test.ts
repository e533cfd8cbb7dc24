import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import postgres from 'postgres';
import { ConfigError, loadConfig } from '../src/config.ts';
import { startApp } from '../src/app.ts';
import { ADMIN_EMAIL, ADMIN_PASSWORD, createAgent, createDatabase, freePort, getToken, spawnTsx, startTestApp, type TestApp } from './helpers.ts';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'machineauth-config-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function configError(env: Record<string, string>): string {
  try {
    loadConfig(env, { dotenv: false });
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error(`expected ${JSON.stringify(env)} to be refused`);
}

describe('loadConfig', () => {
  it('has the documented defaults', () => {
    const c = loadConfig({}, { dotenv: false });
    expect(c).toMatchObject({
      port: 8080,
      env: 'development',
      production: false,
      databaseUrl: undefined,
      dataDir: path.resolve('./data'),
      jwt: { issuer: 'https://auth.example.com', audience: 'machineauth-api', algorithm: 'RS256', keyId: 'key-1', accessTokenTtl: 86_400, refreshTokenTtl: 604_800 },
      allowedOrigins: ['http://localhost:3000'],
      requireHttps: false,
      admin: { email: 'admin@example.com', password: 'changeme' },
      webhooks: { workerCount: 3, maxRetries: 10, timeoutMs: 10_000 },
    });
  });

  it('reads every variable of the seed table', () => {
    const c = loadConfig({
      PORT: '9000', ENV: 'production', DATABASE_URL: 'postgresql://u:p@db:5432/x', JWT_SIGNING_ALGORITHM: 'EdDSA', JWT_KEY_ID: 'k9',
      JWT_ACCESS_TOKEN_EXPIRY: '1800', ALLOWED_ORIGINS: 'https://a.example, https://b.example', REQUIRE_HTTPS: 'true',
      ADMIN_EMAIL: 'root@example.com', ADMIN_PASSWORD: 's3cret!', WEBHOOK_WORKER_COUNT: '7', WEBHOOK_MAX_RETRIES: '4', WEBHOOK_TIMEOUT_SECS: '2.5',
    }, { dotenv: false });
    expect(c).toMatchObject({
      port: 9000, production: true, databaseUrl: 'postgresql://u:p@db:5432/x',
      jwt: { algorithm: 'EdDSA', keyId: 'k9', accessTokenTtl: 1800 },
      allowedOrigins: ['https://a.example', 'https://b.example'], requireHttps: true,
      admin: { email: 'root@example.com', password: 's3cret!' },
      webhooks: { workerCount: 7, maxRetries: 4, timeoutMs: 2500 },
    });
  });

  it('defaults access tokens to an hour in production', () => {
    expect(loadConfig({ ENV: 'production', ADMIN_PASSWORD: 'x' }, { dotenv: false }).jwt.accessTokenTtl).toBe(3600);
  });

  it('treats empty values as unset', () => {
    expect(loadConfig({ PORT: '', DATABASE_URL: '', JWT_SIGNING_ALGORITHM: '' }, { dotenv: false })).toMatchObject({ port: 8080, databaseUrl: undefined, jwt: { algorithm: 'RS256' } });
  });

  it('refuses the default admin password in production, saying why', () => {
    const message = configError({ ENV: 'production' });
    expect(message).toMatch(/ADMIN_PASSWORD/);
    expect(message).toMatch(/default password/);
    expect(configError({ ENV: 'production', ADMIN_PASSWORD: 'changeme' })).toMatch(/ADMIN_PASSWORD/);
  });

  it.each([
    ['PORT', 'abc'],
    ['PORT', '70000'],
    ['PORT', '-1'],
    ['ENV', 'staging'],
    ['DATABASE_URL', 'mysql://localhost/x'],
    ['DATABASE_URL', 'json:machineauth.json'],
    ['JWT_SIGNING_ALGORITHM', 'HS256'],
    ['JWT_SIGNING_ALGORITHM', 'none'],
    ['JWT_ACCESS_TOKEN_EXPIRY', '5'],
    ['JWT_ACCESS_TOKEN_EXPIRY', 'soon'],
    ['JWT_ACCESS_TOKEN_EXPIRY', '1.5'],
    ['REQUIRE_HTTPS', 'maybe'],
    ['TRUST_PROXY', 'sure'],
    ['MASTER_KEY', 'too-short'],
    ['WEBHOOK_WORKER_COUNT', '0'],
    ['WEBHOOK_MAX_RETRIES', 'many'],
    ['WEBHOOK_TIMEOUT_SECS', '-3'],
    ['LOG_LEVEL', 'loud'],
    ['MAX_BODY_BYTES', '10'],
    ['DB_POOL_SIZE', '0'],
  ])('names %s in the message for the invalid value %j', (name, value) => {
    const message = configError({ [name]: value });
    expect(message).toMatch(/^invalid configuration:/);
    expect(message).toContain(`${name}:`);
  });

  it('names every invalid variable at once', () => {
    const message = configError({ PORT: 'x', ENV: 'y', JWT_SIGNING_ALGORITHM: 'z' });
    for (const name of ['PORT', 'ENV', 'JWT_SIGNING_ALGORITHM']) expect(message).toContain(`${name}:`);
  });

  it('reads .env from the working directory; the environment wins', () => {
    const dir = mkdtempSync(path.join(tmp, 'dotenv-'));
    writeFileSync(path.join(dir, '.env'), 'PORT=9123\nJWT_KEY_ID=from-dotenv\n# comment\nADMIN_EMAIL="quoted@example.com"\n');
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      const c = loadConfig({ JWT_KEY_ID: 'from-env' });
      expect(c.port).toBe(9123);
      expect(c.jwt.keyId).toBe('from-env');
      expect(c.admin.email).toBe('quoted@example.com');
      expect(loadConfig({}, { dotenv: false }).port).toBe(8080);
      writeFileSync(path.join(dir, '.env'), 'JWT_ACCESS_TOKEN_EXPIRY=never\n');
      expect(() => loadConfig({})).toThrow(/JWT_ACCESS_TOKEN_EXPIRY/);
    } finally {
      process.chdir(cwd);
    }
  });
});

describe('start-up failures', () => {
  it('main.ts refuses ENV=production with the default password (from .env) and exits 78 with a clear message', async () => {
    const dir = mkdtempSync(path.join(tmp, 'prod-'));
    writeFileSync(path.join(dir, '.env'), 'ENV=production\n');
    const run = await spawnTsx('api/src/main.ts', { DATA_DIR: path.join(dir, 'data') }, { cwd: dir }).exited;
    expect(run.code).toBe(78);
    expect(run.stderr).toMatch(/ADMIN_PASSWORD: the default password is refused when ENV=production/);
    expect(run.stderr).not.toMatch(/\bat .+:\d+:\d+/);
  });

  it('main.ts names an invalid variable and exits 78', async () => {
    const run = await spawnTsx('api/src/main.ts', { PORT: 'eighty', DATA_DIR: path.join(tmp, 'never') }).exited;
    expect(run.code).toBe(78);
    expect(run.stderr).toMatch(/PORT:/);
  });

  it('a database whose signing keys were sealed with another master key fails with a clear message', async () => {
    const databaseUrl = await createDatabase();
    const first = await startTestApp({ MASTER_KEY: randomBytes(32).toString('base64url') }, { databaseUrl });
    await first.close();
    const error = await startTestApp({ MASTER_KEY: randomBytes(32).toString('base64url') }, { databaseUrl }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(/cannot decrypt signing key "key-1": MASTER_KEY \(or DATA_DIR\/master.key\)/);
  });

  it('a port already in use fails start-up instead of hanging', async () => {
    const app = await startTestApp();
    try {
      const clash = await startTestApp({ PORT: String(app.port) }).catch((e: unknown) => e);
      expect(clash).toBeInstanceOf(Error);
      expect((clash as NodeJS.ErrnoException).code).toBe('EADDRINUSE');
    } finally {
      await app.close();
    }
  });
});

describe('the server process', () => {
  it('logs structured requests without secrets and shuts down gracefully on SIGTERM (exit 0)', async () => {
    const databaseUrl = await createDatabase();
    const port = await freePort();
    const proc = spawnTsx('api/src/main.ts', {
      DATABASE_URL: databaseUrl, PORT: String(port), HOST: '127.0.0.1', DATA_DIR: path.join(tmp, 'sigterm'),
      ADMIN_EMAIL, ADMIN_PASSWORD, LOG_LEVEL: 'debug',
    });
    try {
      for (let i = 0; i < 300 && !/MachineAuth listening/.test(proc.output().stdout); i++) await new Promise((r) => setTimeout(r, 50));
      expect(proc.output().stdout, proc.output().stderr).toMatch(/MachineAuth listening/);
      const app = { url: `http://127.0.0.1:${port}`, databaseUrl } as TestApp;
      Object.assign(app, {
        request: (p: string, init: RequestInit & { admin?: boolean; json?: unknown } = {}) =>
          fetch(`${app.url}${p}`, {
            method: init.method,
            headers: { authorization: `Basic ${Buffer.from(`${ADMIN_EMAIL}:${ADMIN_PASSWORD}`).toString('base64')}`, 'content-type': 'application/json' },
            body: init.json === undefined ? undefined : JSON.stringify(init.json),
          }),
      });
      const agent = await createAgent(app);
      const tokens = await getToken(app, agent);
      const refreshed = await fetch(`${app.url}/oauth/refresh`, { method: 'POST', body: new URLSearchParams({ refresh_token: tokens.refresh_token }) });
      const second = (await refreshed.json()) as { refresh_token: string; access_token: string };
      await fetch(`${app.url}/api/agents/me`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
      await fetch(`${app.url}/api/agents/${agent.id}/rotate`, { method: 'POST', headers: { authorization: `Basic ${Buffer.from(`${ADMIN_EMAIL}:${ADMIN_PASSWORD}`).toString('base64')}` } });

      proc.child.kill('SIGTERM');
      const exit = await proc.exited;
      expect(exit.code, exit.stderr).toBe(0);
      const lines = exit.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(lines.some((l) => l.msg === 'shutting down' && l.signal === 'SIGTERM')).toBe(true);
      const tokenLog = lines.find((l) => l.msg === 'request' && l.path === '/oauth/token');
      expect(tokenLog).toMatchObject({ method: 'POST', status: 200, ip: '127.0.0.1' });
      expect(typeof tokenLog!.ms).toBe('number');
      expect(typeof tokenLog!.requestId).toBe('string');
      for (const secret of [agent.clientSecret, tokens.access_token, tokens.refresh_token, second.refresh_token, second.access_token, ADMIN_PASSWORD]) {
        expect(exit.stdout).not.toContain(secret);
        expect(exit.stderr).not.toContain(secret);
      }
      // Everything answered before the signal is durable.
      const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} });
      const [{ n }] = await sql`select count(*)::int as n from access_tokens where agent_id = ${agent.id}`;
      await sql.end();
      expect(n).toBe(2);
    } finally {
      if (proc.child.exitCode === null) proc.child.kill('SIGKILL');
    }
  });

  it('SIGINT also stops it with exit 0', async () => {
    const port = await freePort();
    const proc = spawnTsx('api/src/main.ts', { DATABASE_URL: await createDatabase(), PORT: String(port), HOST: '127.0.0.1', DATA_DIR: path.join(tmp, 'sigint'), LOG_LEVEL: 'info' });
    try {
      for (let i = 0; i < 300 && !/MachineAuth listening/.test(proc.output().stdout); i++) await new Promise((r) => setTimeout(r, 50));
      expect((await fetch(`http://127.0.0.1:${port}/health`)).status).toBe(200);
      proc.child.kill('SIGINT');
      const exit = await proc.exited;
      expect(exit.code, exit.stderr).toBe(0);
    } finally {
      if (proc.child.exitCode === null) proc.child.kill('SIGKILL');
    }
  });
});

describe('REQUIRE_HTTPS', () => {
  let app: TestApp;
  afterAll(async () => {
    await app?.close();
  });

  it('redirects reads to https, refuses writes over plain HTTP, and lets health checks through', async () => {
    app = await startTestApp({ REQUIRE_HTTPS: 'true' });
    const read = await fetch(`${app.url}/api/agents?limit=1`, { redirect: 'manual' });
    expect(read.status).toBe(301);
    expect(read.headers.get('location')).toBe(`https://127.0.0.1:${app.port}/api/agents?limit=1`);
    const write = await fetch(`${app.url}/oauth/token`, { method: 'POST', body: new URLSearchParams({ grant_type: 'client_credentials' }) });
    expect(write.status).toBe(403);
    expect(await write.json()).toEqual({ error: 'invalid_request', error_description: 'HTTPS is required' });
    expect((await fetch(`${app.url}/health`)).status).toBe(200);
    expect((await fetch(`${app.url}/health/ready`)).status).toBe(200);
    // A spoofed X-Forwarded-Proto counts only behind a trusted proxy.
    const spoofed = await fetch(`${app.url}/oauth/token`, { method: 'POST', headers: { 'x-forwarded-proto': 'https' }, body: new URLSearchParams({ grant_type: 'client_credentials' }) });
    expect(spoofed.status).toBe(403);
  });

  it('behind TRUST_PROXY, X-Forwarded-Proto: https is HTTPS', async () => {
    const proxied = await startTestApp({ REQUIRE_HTTPS: 'true', TRUST_PROXY: 'true' });
    try {
      const agent = await createAgent(proxied).catch((e: Error) => e);
      expect(agent).toBeInstanceOf(Error); // no forwarded proto: refused
      const created = await proxied.request('/api/agents', { method: 'POST', admin: true, json: { name: 'proxied' }, headers: { 'x-forwarded-proto': 'https' } });
      expect(created.status).toBe(201);
      const http = await proxied.request('/api/agents', { admin: true, headers: { 'x-forwarded-proto': 'http' }, redirect: 'manual' });
      expect(http.status).toBe(301);
      // The dashboard cookie is Secure.
      const login = await proxied.request('/api/auth/login', { method: 'POST', json: { email: ADMIN_EMAIL, password: ADMIN_PASSWORD }, headers: { 'x-forwarded-proto': 'https' } });
      expect(login.headers.get('set-cookie')).toMatch(/; Secure/);
    } finally {
      await proxied.close();
    }
  });
});

describe('TRUST_PROXY and the audit IP', () => {
  it('records the socket address unless the proxy is trusted', async () => {
    for (const [trust, expected] of [['false', '127.0.0.1'], ['true', '203.0.113.7']] as const) {
      const app = await startTestApp({ TRUST_PROXY: trust });
      try {
        const res = await app.request('/api/agents', { method: 'POST', admin: true, json: { name: 'ip' }, headers: { 'x-forwarded-for': '203.0.113.7, 10.0.0.1' } });
        const { agent } = (await res.json()) as { agent: { id: string } };
        const sql = postgres(app.databaseUrl, { max: 1, onnotice: () => {} });
        const [row] = await sql`select ip_address from audit_logs where agent_id = ${agent.id}`;
        await sql.end();
        expect(row.ip_address).toBe(expected);
      } finally {
        await app.close();
      }
    }
  });
});

describe('startApp directly', () => {
  it('accepts a config object built by loadConfig and serves', async () => {
    const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', DATABASE_URL: await createDatabase(), DATA_DIR: path.join(tmp, 'direct'), LOG_LEVEL: 'silent' }, { dotenv: false });
    const app = await startApp(config);
    try {
      expect((await fetch(`${app.url}/health`)).status).toBe(200);
    } finally {
      await app.close();
    }
  });
});

describe('graceful shutdown with a request in flight', () => {
  it('finishes the request that was being received, then exits 0', async () => {
    const port = await freePort();
    const databaseUrl = await createDatabase();
    const proc = spawnTsx('api/src/main.ts', { DATABASE_URL: databaseUrl, PORT: String(port), HOST: '127.0.0.1', DATA_DIR: path.join(tmp, 'inflight'), ADMIN_EMAIL, ADMIN_PASSWORD, LOG_LEVEL: 'info' });
    try {
      for (let i = 0; i < 300 && !/MachineAuth listening/.test(proc.output().stdout); i++) await new Promise((r) => setTimeout(r, 50));
      const base = `http://127.0.0.1:${port}`;
      const auth = `Basic ${Buffer.from(`${ADMIN_EMAIL}:${ADMIN_PASSWORD}`).toString('base64')}`;
      // A keep-alive connection that sits idle must not hold the shutdown up either.
      const idleAgent = new http.Agent({ keepAlive: true });
      await new Promise<void>((resolve) => http.get(`${base}/health`, { agent: idleAgent }, (r) => { r.resume(); r.on('end', () => resolve()); }));

      const body = JSON.stringify({ name: 'created-during-shutdown' });
      const started = Date.now();
      const answer = new Promise<{ status: number; text: string }>((resolve, reject) => {
        const req = http.request(`${base}/api/agents`, { method: 'POST', agent: new http.Agent({ keepAlive: true }), headers: { authorization: auth, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
          let text = '';
          res.on('data', (d) => (text += d));
          res.on('end', () => resolve({ status: res.statusCode!, text }));
        });
        req.on('error', reject);
        req.write(body.slice(0, 5));
        setTimeout(() => proc.child.kill('SIGTERM'), 200);
        setTimeout(() => req.end(body.slice(5)), 600);
      });
      const res = await answer;
      expect(res.status, res.text).toBe(201);
      const exit = await proc.exited;
      expect(exit.code, exit.stderr).toBe(0);
      expect(Date.now() - started).toBeLessThan(10_000);
      idleAgent.destroy();
      const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} });
      const [{ n }] = await sql`select count(*)::int as n from agents where name = 'created-during-shutdown'`;
      await sql.end();
      expect(n).toBe(1);
    } finally {
      if (proc.child.exitCode === null) proc.child.kill('SIGKILL');
    }
  });
});
