import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type postgres from 'postgres';
import {
  clientBasic, createAgent, dbClient, decodeJwt, expectOAuthError, getToken, introspect, postForm, startTestApp,
  type CreatedAgent, type TestApp, type Tokens,
} from './helpers.ts';

let app: TestApp;
let sql: postgres.Sql;
let agent: CreatedAgent;

beforeAll(async () => {
  app = await startTestApp();
  sql = dbClient(app);
  agent = await createAgent(app, { name: 'refresh-agent', scopes: ['read', 'write'] });
});
afterAll(async () => {
  await sql?.end();
  await app?.close();
});

const refreshViaToken = (refresh_token: string, extra: Record<string, string> = {}, headers: Record<string, string> = {}) =>
  postForm(app, '/oauth/token', { grant_type: 'refresh_token', refresh_token, ...extra }, headers);

const refreshViaShortcut = (body: Record<string, unknown>) =>
  fetch(`${app.url}/oauth/refresh`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

async function ok(res: Response): Promise<Tokens> {
  const text = await res.text();
  expect(res.status, text).toBe(200);
  expect(res.headers.get('cache-control')).toBe('no-store');
  return JSON.parse(text) as Tokens;
}

describe('refresh_token grant', () => {
  it('issues a new pair at /oauth/token and rotates the refresh token', async () => {
    const first = await getToken(app, agent);
    const second = await ok(await refreshViaToken(first.refresh_token));
    expect(second.token_type).toBe('Bearer');
    expect(second.refresh_token).not.toBe(first.refresh_token);
    expect(second.access_token).not.toBe(first.access_token);
    const claims = decodeJwt(second.access_token);
    expect(claims.sub).toBe(agent.clientId);
    expect(claims.agent_id).toBe(agent.id);
    expect(claims.scope).toEqual(['read', 'write']);
    expect(claims.jti).not.toBe(decodeJwt(first.access_token).jti);
    // The old access token is untouched by a normal refresh.
    expect((await introspect(app, first.access_token)).active).toBe(true);
    expect((await introspect(app, second.access_token)).active).toBe(true);
    const [row] = await sql`select grant_type from access_tokens where jti = ${claims.jti as string}`;
    expect(row.grant_type).toBe('refresh_token');
  });

  it('works at /oauth/refresh without grant_type (the seed shortcut) and with it', async () => {
    const first = await getToken(app, agent);
    const second = await ok(await refreshViaShortcut({ refresh_token: first.refresh_token }));
    const third = await ok(await refreshViaShortcut({ grant_type: 'refresh_token', refresh_token: second.refresh_token }));
    const fourth = await ok(await postForm(app, '/oauth/refresh', { refresh_token: third.refresh_token }));
    expect(decodeJwt(fourth.access_token).sub).toBe(agent.clientId);
  });

  it('refuses another grant_type at /oauth/refresh', async () => {
    const first = await getToken(app, agent);
    const res = await refreshViaShortcut({ grant_type: 'client_credentials', refresh_token: first.refresh_token });
    await expectOAuthError(res, 400, 'invalid_request');
    // The token was not consumed.
    await ok(await refreshViaShortcut({ refresh_token: first.refresh_token }));
  });

  it('requires refresh_token', async () => {
    await expectOAuthError(await postForm(app, '/oauth/token', { grant_type: 'refresh_token' }), 400, 'invalid_request');
    await expectOAuthError(await refreshViaShortcut({}), 400, 'invalid_request');
    await expectOAuthError(await refreshViaShortcut({ refresh_token: 12345 }), 400, 'invalid_request');
  });

  it('rejects unknown refresh tokens with invalid_grant', async () => {
    for (const token of ['nope', 'x'.repeat(500), decodeURIComponent('%E2%9C%93')]) {
      await expectOAuthError(await refreshViaToken(token), 401, 'invalid_grant');
    }
  });

  it('rejects an access token presented as a refresh token', async () => {
    const first = await getToken(app, agent);
    // Too long for the schema or unknown: either way it must be a 4xx OAuth error.
    const res = await refreshViaToken(first.access_token);
    expect([400, 401]).toContain(res.status);
    const body = (await res.json()) as { error: string };
    expect(['invalid_request', 'invalid_grant']).toContain(body.error);
  });

  it('counts refreshes', async () => {
    const fresh = await createAgent(app, { name: 'refresh-counted', scopes: ['read'] });
    let tokens = await getToken(app, fresh);
    for (let i = 0; i < 3; i++) tokens = await ok(await refreshViaToken(tokens.refresh_token));
    const res = await app.request(`/api/agents/${fresh.id}`, { admin: true });
    const { agent: row } = (await res.json()) as { agent: Record<string, number> };
    expect(row.token_count).toBe(4);
    expect(row.refresh_count).toBe(3);
    const audit = await sql`select details from audit_logs where agent_id = ${fresh.id} and action = 'token.issued' order by created_at`;
    expect(audit.map((a) => a.details.grant_type)).toEqual(['client_credentials', 'refresh_token', 'refresh_token', 'refresh_token']);
  });
});

describe('scope on refresh', () => {
  it('may narrow the original grant but never widen it', async () => {
    const first = await getToken(app, agent, 'read');
    const widened = await refreshViaToken(first.refresh_token, { scope: 'write' });
    await expectOAuthError(widened, 400, 'invalid_scope');
    const same = await ok(await refreshViaToken(first.refresh_token, { scope: 'read write' }));
    expect(decodeJwt(same.access_token).scope).toEqual(['read']);
    const full = await getToken(app, agent);
    const narrowed = await ok(await refreshViaToken(full.refresh_token, { scope: 'write' }));
    expect(narrowed.scope).toBe('write');
    // The narrowed pair keeps the narrowed grant.
    const next = await ok(await refreshViaToken(narrowed.refresh_token));
    expect(next.scope).toBe('write');
  });

  it('follows the agent losing a scope', async () => {
    const fresh = await createAgent(app, { name: 'shrinking', scopes: ['read', 'write'] });
    const tokens = await getToken(app, fresh);
    const res = await app.request(`/api/agents/${fresh.id}`, { method: 'PATCH', admin: true, json: { scopes: ['read'] } });
    expect(res.status).toBe(200);
    const next = await ok(await refreshViaToken(tokens.refresh_token));
    expect(next.scope).toBe('read');
  });
});

describe('client authentication on refresh', () => {
  it('accepts the right client in the body and by Basic', async () => {
    const a = await getToken(app, agent);
    const b = await ok(await refreshViaToken(a.refresh_token, { client_id: agent.clientId, client_secret: agent.clientSecret }));
    const c = await ok(await refreshViaToken(b.refresh_token, {}, { authorization: clientBasic(agent.clientId, agent.clientSecret) }));
    await ok(await refreshViaShortcut({ refresh_token: c.refresh_token, client_id: agent.clientId, client_secret: agent.clientSecret }));
  });

  it('refuses a refresh token presented by another client, without consuming it', async () => {
    const other = await createAgent(app, { name: 'thief', scopes: ['read', 'write'] });
    const tokens = await getToken(app, agent);
    await expectOAuthError(await refreshViaToken(tokens.refresh_token, { client_id: other.clientId, client_secret: other.clientSecret }), 401, 'invalid_grant');
    await expectOAuthError(await refreshViaToken(tokens.refresh_token, {}, { authorization: clientBasic(other.clientId, other.clientSecret) }), 401, 'invalid_grant');
    await expectOAuthError(await refreshViaShortcut({ refresh_token: tokens.refresh_token, client_id: other.clientId }), 401, 'invalid_grant');
    // The rightful owner can still use it.
    await ok(await refreshViaToken(tokens.refresh_token));
  });

  it('refuses a wrong client secret with invalid_client', async () => {
    const tokens = await getToken(app, agent);
    const res = await refreshViaToken(tokens.refresh_token, { client_id: agent.clientId, client_secret: 'wrong' });
    await expectOAuthError(res, 401, 'invalid_client');
    expect(res.headers.get('www-authenticate')).toMatch(/^Basic /);
    await ok(await refreshViaToken(tokens.refresh_token));
  });

  it('refuses both authentication methods at once', async () => {
    const tokens = await getToken(app, agent);
    const res = await refreshViaToken(tokens.refresh_token, { client_secret: agent.clientSecret }, { authorization: clientBasic(agent.clientId, agent.clientSecret) });
    await expectOAuthError(res, 400, 'invalid_request');
  });
});

describe('single use and replay', () => {
  it('a used refresh token fails with invalid_grant and revokes the whole family', async () => {
    const fresh = await createAgent(app, { name: 'replayed', scopes: ['read'] });
    const t0 = await getToken(app, fresh);
    const t1 = await ok(await refreshViaToken(t0.refresh_token));
    const t2 = await ok(await refreshViaToken(t1.refresh_token));
    // An unrelated family of the same agent.
    const other = await getToken(app, fresh);

    const replay = await refreshViaToken(t0.refresh_token);
    await expectOAuthError(replay, 401, 'invalid_grant');

    // Every access and refresh token of the family is now dead…
    for (const t of [t0, t1, t2]) {
      expect(await introspect(app, t.access_token)).toMatchObject({ active: false, revoked: true, reason: 'revoked' });
      expect((await introspect(app, t.refresh_token)).active).toBe(false);
    }
    await expectOAuthError(await refreshViaToken(t2.refresh_token), 401, 'invalid_grant');
    const me = await app.request('/api/agents/me', { bearer: t2.access_token });
    expect(me.status).toBe(401);
    // …the other family is not.
    expect((await introspect(app, other.access_token)).active).toBe(true);
    await ok(await refreshViaToken(other.refresh_token));

    const audit = await sql`select action, details from audit_logs where agent_id = ${fresh.id} and action = 'refresh_token_replayed'`;
    expect(audit).toHaveLength(1);
    expect(audit[0].details.access_tokens_revoked).toBe(3);
    const metrics = (await (await app.request('/metrics')).json()) as { tokens_revoked: number };
    expect(metrics.tokens_revoked).toBeGreaterThanOrEqual(3);
  });

  it('a second replay changes nothing more', async () => {
    const t0 = await getToken(app, agent);
    await ok(await refreshViaToken(t0.refresh_token));
    await expectOAuthError(await refreshViaToken(t0.refresh_token), 401, 'invalid_grant');
    await expectOAuthError(await refreshViaToken(t0.refresh_token), 401, 'invalid_grant');
  });

  it('of concurrent uses exactly one wins, and the family is then revoked', async () => {
    for (let round = 0; round < 5; round++) {
      const t0 = await getToken(app, agent);
      const results = await Promise.all(Array.from({ length: 6 }, () => refreshViaToken(t0.refresh_token)));
      const winners = results.filter((r) => r.status === 200);
      expect(winners).toHaveLength(1);
      for (const loser of results.filter((r) => r.status !== 200)) await expectOAuthError(loser, 401, 'invalid_grant');
      const won = (await winners[0].json()) as Tokens;
      // A double use is a replay (RFC 9700 §4.14.2): the winner's new pair must not survive it.
      expect((await introspect(app, won.access_token)).active).toBe(false);
      expect((await introspect(app, won.refresh_token)).active).toBe(false);
      await expectOAuthError(await refreshViaToken(won.refresh_token), 401, 'invalid_grant');
    }
  });
});

describe('refresh and the agent lifecycle', () => {
  it('a deactivated agent cannot refresh; reactivated it can', async () => {
    const fresh = await createAgent(app, { name: 'paused', scopes: [] });
    const tokens = await getToken(app, fresh);
    expect((await app.request(`/api/agents/${fresh.id}/deactivate`, { method: 'POST', admin: true })).status).toBe(200);
    await expectOAuthError(await refreshViaToken(tokens.refresh_token), 401, 'invalid_grant');
    expect((await app.request(`/api/agents/${fresh.id}/activate`, { method: 'POST', admin: true })).status).toBe(200);
    // The refused attempt did not consume the token.
    await ok(await refreshViaToken(tokens.refresh_token));
  });

  it('a deleted agent cannot refresh', async () => {
    const fresh = await createAgent(app, { name: 'gone', scopes: [] });
    const tokens = await getToken(app, fresh);
    expect((await app.request(`/api/agents/${fresh.id}`, { method: 'DELETE', admin: true })).status).toBe(204);
    await expectOAuthError(await refreshViaToken(tokens.refresh_token), 401, 'invalid_grant');
  });

  it('an expired agent cannot refresh', async () => {
    const fresh = await createAgent(app, { name: 'mortal', scopes: [], expires_in: 1 });
    const tokens = await getToken(app, fresh);
    await new Promise((r) => setTimeout(r, 1100));
    await expectOAuthError(await refreshViaToken(tokens.refresh_token), 401, 'invalid_grant');
  });

  it('an expired refresh token fails with invalid_grant and introspects as expired', async () => {
    const tokens = await getToken(app, agent);
    const { jti } = decodeJwt(tokens.access_token) as { jti: string };
    await sql`update refresh_tokens set expires_at = now() - interval '1 second' where access_jti = ${jti}`;
    await expectOAuthError(await refreshViaToken(tokens.refresh_token), 401, 'invalid_grant');
    expect(await introspect(app, tokens.refresh_token)).toMatchObject({ active: false, reason: 'expired' });
  });

  it('rotating the client secret revokes the refresh tokens won with the old one; access tokens live on', async () => {
    const fresh = await createAgent(app, { name: 'rotated', scopes: [] });
    const tokens = await getToken(app, fresh);
    expect((await app.request(`/api/agents/${fresh.id}/rotate`, { method: 'POST', admin: true })).status).toBe(200);
    const refused = await refreshViaToken(tokens.refresh_token);
    expect(refused.status).toBe(401);
    expect(((await refused.json()) as { error: string }).error).toBe('invalid_grant');
    expect((await app.request('/api/agents/me', { bearer: tokens.access_token })).status).toBe(200);
  });
});

describe('refresh-token lifetime', () => {
  it('a rotated refresh token keeps its family\'s end: refreshing renews the token, not the grant', async () => {
    const first = await getToken(app, agent);
    const second = await ok(await refreshViaToken(first.refresh_token));
    const third = await ok(await refreshViaToken(second.refresh_token));
    const rows = await sql<{ expires_at: Date }[]>`
      select expires_at from refresh_tokens
      where family_id = (select family_id from refresh_tokens where access_jti = ${decodeJwt(third.access_token).jti as string})
      order by issued_at, id`;
    expect(rows).toHaveLength(3);
    expect(new Set(rows.map((r) => r.expires_at.getTime())).size).toBe(1);
  });
});
