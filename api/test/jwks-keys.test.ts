import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify, type JSONWebKeySet } from 'jose';
import type postgres from 'postgres';
import {
  ADMIN_EMAIL, ADMIN_PASSWORD, createAgent, createDatabase, dbClient, expectOAuthError, freePort, getToken, introspect, sleep,
  spawnTsx, startTestApp, type TestApp,
} from './helpers.ts';

async function fetchJwks(app: TestApp): Promise<JSONWebKeySet> {
  const res = await app.request('/.well-known/jwks.json');
  expect(res.status).toBe(200);
  return (await res.json()) as JSONWebKeySet;
}

async function verifyOffline(app: TestApp, token: string, algorithms?: string[]) {
  return jwtVerify(token, createLocalJWKSet(await fetchJwks(app)), { issuer: 'https://auth.example.com', audience: 'machineauth-api', algorithms });
}

const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k', 'oth'];

describe.each([
  { alg: 'RS256', kty: 'RSA', crv: undefined },
  { alg: 'ES256', kty: 'EC', crv: 'P-256' },
  { alg: 'EdDSA', kty: 'OKP', crv: 'Ed25519' },
] as const)('JWT_SIGNING_ALGORITHM=$alg', ({ alg, kty, crv }) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ JWT_SIGNING_ALGORITHM: alg });
  });
  afterAll(async () => {
    await app?.close();
  });

  it('publishes one public key of that type, without private members', async () => {
    const res = await app.request('/.well-known/jwks.json');
    expect(res.headers.get('cache-control')).toMatch(/max-age=\d+/);
    const { keys } = (await res.json()) as JSONWebKeySet;
    expect(keys).toHaveLength(1);
    const [key] = keys;
    expect(key).toMatchObject({ kty, kid: 'key-1', use: 'sig', alg });
    if (crv) expect(key.crv).toBe(crv);
    if (kty === 'RSA') {
      expect(key.e).toBe('AQAB');
      expect(Buffer.from(key.n!, 'base64url').length * 8).toBeGreaterThanOrEqual(2048);
    }
    for (const member of PRIVATE_MEMBERS) expect(key).not.toHaveProperty(member);
  });

  it('signs tokens that jose verifies offline against the JWKS', async () => {
    const agent = await createAgent(app);
    const tokens = await getToken(app, agent);
    expect(decodeProtectedHeader(tokens.access_token)).toMatchObject({ alg, kid: 'key-1', typ: 'JWT' });
    const { payload, protectedHeader } = await verifyOffline(app, tokens.access_token, [alg]);
    expect(protectedHeader.alg).toBe(alg);
    expect(payload).toMatchObject({ sub: agent.clientId, agent_id: agent.id, scope: ['read', 'write'] });
    // And the server's own verification agrees.
    expect((await introspect(app, tokens.access_token)).active).toBe(true);
  });

  it('produces tokens that fail offline verification once tampered with', async () => {
    const tokens = await getToken(app, await createAgent(app));
    const [h, p, s] = tokens.access_token.split('.');
    const payload = JSON.parse(Buffer.from(p, 'base64url').toString());
    payload.scope = ['admin'];
    const forged = `${h}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${s}`;
    await expect(verifyOffline(app, forged)).rejects.toThrow();
    expect((await introspect(app, forged)).active).toBe(false);
  });
});

describe('signing-key rotation', () => {
  let app: TestApp;
  let sql: postgres.Sql;
  beforeAll(async () => {
    app = await startTestApp();
    sql = dbClient(app);
  });
  afterAll(async () => {
    await sql?.end();
    await app?.close();
  });

  it('requires the administrator', async () => {
    await expectOAuthError(await app.request('/api/admin/keys/rotate', { method: 'POST' }), 401, 'unauthorized');
    const wrong = `Basic ${Buffer.from(`${ADMIN_EMAIL}:wrong`).toString('base64')}`;
    await expectOAuthError(await app.request('/api/admin/keys/rotate', { method: 'POST', headers: { authorization: wrong } }), 401, 'unauthorized');
    const tokens = await getToken(app, await createAgent(app));
    await expectOAuthError(await app.request('/api/admin/keys/rotate', { method: 'POST', bearer: tokens.access_token }), 401, 'unauthorized');
    await expectOAuthError(await app.request('/api/admin/keys', { bearer: tokens.access_token }), 401, 'unauthorized');
    expect((await fetchJwks(app)).keys).toHaveLength(1);
  });

  it('publishes the new key, signs with it, and keeps old tokens verifying', async () => {
    const agent = await createAgent(app);
    const old = await getToken(app, agent);
    const oldKid = decodeProtectedHeader(old.access_token).kid;

    const res = await app.request('/api/admin/keys/rotate', { method: 'POST', admin: true });
    expect(res.status).toBe(200);
    const rotated = (await res.json()) as { kid: string; alg: string };
    expect(rotated.alg).toBe('RS256');
    expect(rotated.kid).not.toBe(oldKid);

    const { keys } = await fetchJwks(app);
    expect(keys.map((k) => k.kid).sort()).toEqual([oldKid, rotated.kid].sort());

    const fresh = await getToken(app, agent);
    expect(decodeProtectedHeader(fresh.access_token).kid).toBe(rotated.kid);
    await verifyOffline(app, fresh.access_token);
    await verifyOffline(app, old.access_token);
    expect((await introspect(app, old.access_token)).active).toBe(true);
    expect((await app.request('/api/agents/me', { bearer: old.access_token })).status).toBe(200);

    const listed = (await (await app.request('/api/admin/keys', { admin: true })).json()) as { keys: { kid: string; active: boolean; retired_at: string | null; published_until: string | null }[] };
    const active = listed.keys.filter((k) => k.active);
    expect(active.map((k) => k.kid)).toEqual([rotated.kid]);
    const retired = listed.keys.find((k) => k.kid === oldKid)!;
    expect(retired.retired_at).not.toBeNull();
    // Published as long as its longest-lived token (a day in development) may live.
    expect(Date.parse(retired.published_until!) - Date.parse(retired.retired_at!)).toBeGreaterThanOrEqual(86_400_000 - 1000);
  });

  it('audits every rotation with who asked and from where', async () => {
    const res = await app.request('/api/admin/keys/rotate', { method: 'POST', admin: true, headers: { 'user-agent': 'key-admin/1' } });
    const { kid } = (await res.json()) as { kid: string };
    const rows = await sql`select actor, ip_address, user_agent, details from audit_logs where action = 'signing_key.rotated' and details->>'kid' = ${kid}`;
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ actor: `admin:${ADMIN_EMAIL}`, ip_address: '127.0.0.1', user_agent: 'key-admin/1' });
    expect(rows[0].details.retired).toHaveLength(1);
  });

  it('drops a retired key from JWKS once its tokens can no longer be alive', async () => {
    const before = (await fetchJwks(app)).keys.length;
    await app.request('/api/admin/keys/rotate', { method: 'POST', admin: true });
    await sql`update signing_keys set published_until = now() - interval '1 second' where retired_at is not null`;
    await app.services.keys.reload();
    const { keys } = await fetchJwks(app);
    expect(keys).toHaveLength(1);
    expect(before).toBeGreaterThanOrEqual(2);
  });

  it('stores private keys encrypted', async () => {
    const rows = await sql`select private_key_encrypted, public_jwk from signing_keys`;
    for (const row of rows) {
      expect(row.private_key_encrypted).toMatch(/^v1\./);
      expect(row.private_key_encrypted).not.toContain('"d"');
      for (const member of PRIVATE_MEMBERS) expect(row.public_jwk).not.toHaveProperty(member);
    }
  });
});

describe('rotate-keys CLI', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(async () => {
    await app?.close();
  });

  const cliEnv = (port: number) => ({
    DATABASE_URL: app.databaseUrl,
    DATA_DIR: app.config.dataDir,
    PORT: String(port),
    ADMIN_EMAIL,
    ADMIN_PASSWORD,
    LOG_LEVEL: 'silent',
  });

  async function waitForKid(kid: string) {
    for (let i = 0; i < 100; i++) {
      if ((await fetchJwks(app)).keys.some((k) => k.kid === kid)) return;
      await sleep(50);
    }
    throw new Error(`kid ${kid} never appeared in JWKS`);
  }

  it('rotates through the running server', async () => {
    const agent = await createAgent(app);
    const old = await getToken(app, agent);
    const run = await spawnTsx('api/src/cli/rotate-keys.ts', cliEnv(app.port)).exited;
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/rotated through the running server/);
    const kid = /"kid":"([^"]+)"/.exec(run.stdout)![1];
    const fresh = await getToken(app, agent);
    expect(decodeProtectedHeader(fresh.access_token).kid).toBe(kid);
    await verifyOffline(app, old.access_token);
    await verifyOffline(app, fresh.access_token);
  });

  it('rotates in the database directly when no server answers, and the running one follows', async () => {
    const agent = await createAgent(app);
    const old = await getToken(app, agent);
    const run = await spawnTsx('api/src/cli/rotate-keys.ts', cliEnv(await freePort())).exited;
    expect(run.code, run.stderr).toBe(0);
    const kid = /new signing key (\S+)/.exec(run.stdout)![1];
    // The server hears of it through LISTEN/NOTIFY.
    await waitForKid(kid);
    for (let i = 0; i < 50 && app.services.keys.activeKey.kid !== kid; i++) await sleep(20);
    const fresh = await getToken(app, agent);
    expect(decodeProtectedHeader(fresh.access_token).kid).toBe(kid);
    await verifyOffline(app, old.access_token);
    await verifyOffline(app, fresh.access_token);
    expect((await introspect(app, old.access_token)).active).toBe(true);
  });

  it('fails clearly when the running server refuses the credentials', async () => {
    const run = await spawnTsx('api/src/cli/rotate-keys.ts', { ...cliEnv(app.port), ADMIN_PASSWORD: 'wrong-password' }).exited;
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(/refused the rotation: 401/);
  });
});

describe('changing JWT_SIGNING_ALGORITHM across a restart', () => {
  it('adds a key of the new algorithm and keeps verifying tokens of the old one', async () => {
    const databaseUrl = await createDatabase();
    const MASTER_KEY = randomBytes(32).toString('base64url');
    const first = await startTestApp({ MASTER_KEY }, { databaseUrl });
    const agent = await createAgent(first);
    const old = await getToken(first, agent);
    await first.close();

    const second = await startTestApp({ MASTER_KEY, JWT_SIGNING_ALGORITHM: 'ES256' }, { databaseUrl });
    try {
      const { keys } = await fetchJwks(second);
      expect(keys.map((k) => k.alg).sort()).toEqual(['ES256', 'RS256']);
      const fresh = await getToken(second, agent);
      expect(decodeProtectedHeader(fresh.access_token).alg).toBe('ES256');
      await verifyOffline(second, old.access_token, ['RS256']);
      await verifyOffline(second, fresh.access_token, ['ES256']);
      expect((await introspect(second, old.access_token)).active).toBe(true);
    } finally {
      await second.close();
    }
  });
});

describe('concurrent key management', () => {
  it('simultaneous rotations leave exactly one signing key', async () => {
    // EdDSA keys are generated fast enough for the rotations to really overlap.
    const app = await startTestApp({ JWT_SIGNING_ALGORITHM: 'EdDSA' });
    const sql = dbClient(app);
    try {
      const results = await Promise.all(Array.from({ length: 8 }, () => app.request('/api/admin/keys/rotate', { method: 'POST', admin: true })));
      for (const r of results) expect(r.status).toBe(200);
      const kids = await Promise.all(results.map(async (r) => ((await r.json()) as { kid: string }).kid));
      expect(new Set(kids).size).toBe(8);
      const active = await sql`select kid from signing_keys where retired_at is null`;
      expect(active).toHaveLength(1);
      // Every retired key has an end to its publication.
      const unbounded = await sql`select kid from signing_keys where retired_at is not null and published_until is null`;
      expect(unbounded).toHaveLength(0);
      await app.services.keys.reload();
      expect(app.services.keys.activeKey.kid).toBe(active[0].kid);
    } finally {
      await sql.end();
      await app.close();
    }
  });

  it('two instances starting at once on an empty database agree on one key', async () => {
    const databaseUrl = await createDatabase();
    const MASTER_KEY = randomBytes(32).toString('base64url');
    const [a, b] = await Promise.all([startTestApp({ MASTER_KEY }, { databaseUrl }), startTestApp({ MASTER_KEY }, { databaseUrl })]);
    try {
      const ja = await fetchJwks(a);
      const jb = await fetchJwks(b);
      expect(ja.keys).toHaveLength(1);
      expect(jb).toEqual(ja);
      const agent = await createAgent(a);
      const token = await getToken(b, agent);
      await verifyOffline(a, token.access_token);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});
