import { and, eq, getTableColumns, inArray, isNotNull, isNull, sql } from 'drizzle-orm';
import type { Config } from '../config.ts';
import type { Database, DbOrTx } from '../db/index.ts';
import { accessTokens, agents, organizations, refreshTokens } from '../db/schema.ts';
import { InvalidClient, InvalidGrant, InvalidScope, InvalidToken, UnsupportedTokenType } from '../errors.ts';
import { GroupCommit } from '../lib/group-commit.ts';
import { digest, digestEquals, isUuid, randomSecret, uuid } from '../lib/secrets.ts';
import type { AgentRow } from '../wire.ts';
import { agentColumns } from './agents.ts';
import { tenantOf, type RequestContext } from './context.ts';
import { recordEvents, type DomainEvent } from './events.ts';
import type { KeyService } from './keys.ts';
import { bumpCounters } from './metrics.ts';
import { pagePerParent, type PageRequest } from './pagination.ts';

/** The claims of every access token we mint (seed 003). */
export interface AccessClaims {
  iss: string;
  sub: string;
  agent_id: string;
  org_id: string;
  team_id: string;
  aud: string;
  iat: number;
  exp: number;
  scope: string[];
  jti: string;
  client_id: string;
}

export interface TokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  scope: string;
  issued_at: number;
  refresh_token: string;
}

/** An agent as the token endpoint needs it: its row, its secret digest and its organization's JWT settings. */
interface Client extends AgentRow {
  clientSecretHash: Buffer;
  orgIssuer: string | null;
  orgExpirySecs: number | null;
}

/** Everything one issuance writes; many of them share one transaction (group commit). */
interface Issuance {
  claims: AccessClaims;
  grantType: 'client_credentials' | 'refresh_token';
  refresh: { id: string; hash: Buffer; familyId: string; expiresAt: Date };
  ctx: RequestContext;
}

export type IntrospectionResult =
  | ({ active: true; token_type: string } & Record<string, unknown>)
  | { active: false; revoked?: boolean; reason?: string };

/** An authenticated agent (a valid, live, unrevoked access token of an existing agent). */
export interface AuthenticatedAgent {
  agent: AgentRow;
  claims: AccessClaims;
}

const epoch = (d: Date) => Math.floor(d.getTime() / 1000);

/** RFC 6749 §3.3 says space-delimited; the seed also accepts commas. */
export function parseScope(scope: string | undefined): string[] {
  if (!scope) return [];
  return [...new Set(scope.split(/[\s,]+/).filter(Boolean))];
}

export class TokenService {
  private readonly issuer: GroupCommit<Issuance>;

  constructor(
    private readonly db: Database,
    private readonly keys: KeyService,
    private readonly config: Pick<Config, 'jwt'>,
  ) {
    this.issuer = new GroupCommit((batch) => this.db.transaction((tx) => this.saveIssuances(tx, batch)), {
      maxBatch: 256,
      concurrency: 4,
    });
  }

  /** RFC 6749 §4.4: authenticate the client, narrow the scope, mint and record a token pair. */
  async clientCredentials(ctx: RequestContext, input: { clientId: string; clientSecret: string; scope?: string }): Promise<TokenResponse> {
    const client = await this.authenticateClient(input.clientId, input.clientSecret);
    const scopes = this.grantedScopes(client.scopes, input.scope);
    return this.issue(ctx, client, scopes, 'client_credentials', uuid());
  }

  /**
   * RFC 6749 §6 with rotation: every refresh token works once. Presenting a used one again is a
   * replay (the token leaked, or a client retried badly), so the whole family is revoked.
   */
  async refresh(
    ctx: RequestContext,
    input: { refreshToken: string; clientId?: string; clientSecret?: string; scope?: string },
  ): Promise<TokenResponse> {
    const hash = digest(input.refreshToken);
    const [stored] = await this.db.select().from(refreshTokens).where(eq(refreshTokens.tokenHash, hash));
    if (!stored) throw new InvalidGrant();
    if (stored.usedAt || stored.revokedAt) {
      if (stored.usedAt && !stored.revokedAt) await this.revokeFamily(ctx, stored.familyId, stored.agentId, 'refresh_token_replayed');
      throw new InvalidGrant('refresh token has already been used or revoked');
    }
    if (stored.expiresAt.getTime() <= Date.now()) throw new InvalidGrant('refresh token has expired');

    const client = await this.loadClient(eq(agents.id, stored.agentId));
    if (!client) throw new InvalidGrant();
    // §6: a client that authenticates must be the one the token was issued to.
    if (input.clientId !== undefined || input.clientSecret !== undefined) {
      if (input.clientId !== client.clientId.toString()) throw new InvalidGrant('refresh token was issued to another client');
      if (input.clientSecret !== undefined && !digestEquals(input.clientSecret, client.clientSecretHash)) throw new InvalidClient();
    }
    this.assertUsable(client, InvalidGrant);
    // §6: the new scope may only narrow the original grant (and what the agent is still allowed).
    const stillAllowed = stored.scopes.filter((s) => client.scopes.includes(s));
    const scopes = this.grantedScopes(stillAllowed, input.scope);

    // Claim the token and save its successor in one transaction: of two concurrent uses exactly
    // one wins, and the loser (blocked on the row lock until the winner commits) then revokes a
    // family that already contains the winner's new pair, as RFC 9700 §4.14.2 wants.
    const { issuance, response } = this.mint(ctx, client, scopes, 'refresh_token', stored.familyId);
    const claimed = await this.db.transaction(async (tx) => {
      const rows = await tx
        .update(refreshTokens)
        .set({ usedAt: new Date() })
        .where(and(eq(refreshTokens.id, stored.id), isNull(refreshTokens.usedAt), isNull(refreshTokens.revokedAt)))
        .returning({ id: refreshTokens.id });
      if (rows.length === 0) return false;
      await this.saveIssuances(tx, [issuance]);
      return true;
    }).catch(agentGone(InvalidGrant));
    if (!claimed) {
      await this.revokeFamily(ctx, stored.familyId, stored.agentId, 'refresh_token_replayed');
      throw new InvalidGrant('refresh token has already been used or revoked');
    }
    return response;
  }

  /** RFC 7662. Never throws for a bad token: an unusable token is simply `active: false`. */
  async introspect(ctx: RequestContext, token: string, hint?: string): Promise<IntrospectionResult> {
    assertHint(hint);
    const looksLikeJwt = token.split('.').length === 3;
    if (!looksLikeJwt) return this.introspectRefreshToken(token);
    const result = await this.inspectAccessToken(token);
    if (result.agentId) await this.noteValidation(ctx, result.agentId, result.organizationId, result.status === 'active');
    if (result.status !== 'active') {
      const reason = result.status === 'unknown' ? '' : result.status;
      return { active: false, ...(reason === 'revoked' ? { revoked: true } : {}), reason };
    }
    const c = result.claims;
    return {
      active: true,
      scope: c.scope.join(' '),
      client_id: c.client_id ?? c.sub,
      username: result.agent.name,
      token_type: 'Bearer',
      exp: c.exp,
      iat: c.iat,
      nbf: c.iat,
      sub: c.sub,
      aud: c.aud,
      iss: c.iss,
      jti: c.jti,
      agent_id: c.agent_id,
      org_id: c.org_id,
      team_id: c.team_id,
    };
  }

  /**
   * RFC 7009: revoke an access token (by jti) or a refresh token (with its family and their
   * access tokens, §2.1). Unknown or invalid tokens are not an error (§2.2).
   */
  async revoke(ctx: RequestContext, token: string, hint?: string): Promise<void> {
    assertHint(hint);
    const tryAccess = async () => {
      if (token.split('.').length !== 3) return false;
      let claims: Record<string, unknown>;
      try {
        claims = await this.keys.verify(token);
      } catch {
        return false;
      }
      if (!isUuid(claims.jti)) return false;
      return this.db.transaction(async (tx) => {
        const rows = await tx
          .update(accessTokens)
          .set({ revokedAt: new Date() })
          .where(and(eq(accessTokens.jti, claims.jti as string), isNull(accessTokens.revokedAt)))
          .returning({ agentId: accessTokens.agentId, organizationId: accessTokens.organizationId });
        if (rows.length === 0) return true;
        await bumpCounters(tx, { tokens_revoked: 1 });
        await recordEvents(tx, [{ action: 'token.revoked', agentId: rows[0].agentId, organizationId: rows[0].organizationId, ctx, details: { jti: claims.jti, token_type: 'access_token' } }]);
        return true;
      });
    };
    const tryRefresh = async () => {
      const [stored] = await this.db
        .select({ familyId: refreshTokens.familyId, agentId: refreshTokens.agentId })
        .from(refreshTokens)
        .where(eq(refreshTokens.tokenHash, digest(token)));
      if (!stored) return false;
      await this.revokeFamily(ctx, stored.familyId, stored.agentId, 'refresh_token_revoked');
      return true;
    };
    if (hint === 'refresh_token') {
      if (!(await tryRefresh())) await tryAccess();
    } else if (!(await tryAccess())) {
      await tryRefresh();
    }
  }

  /**
   * Authenticates a Bearer access token for the agent-facing routes. A token of a deactivated
   * agent is refused unless `allowInactive` (the agent's own reactivation).
   */
  async authenticate(token: string, options: { allowInactive?: boolean } = {}): Promise<AuthenticatedAgent> {
    const result = await this.inspectAccessToken(token);
    if (result.status === 'active') return { agent: result.agent, claims: result.claims };
    if (result.status === 'agent_inactive' && options.allowInactive) return { agent: result.agent!, claims: result.claims! };
    throw new InvalidToken(describe(result.status));
  }

  // ---- internals -------------------------------------------------------------------------

  private async issue(
    ctx: RequestContext,
    client: Client,
    scopes: string[],
    grantType: Issuance['grantType'],
    familyId: string,
  ): Promise<TokenResponse> {
    const { issuance, response } = this.mint(ctx, client, scopes, grantType, familyId);
    await this.issuer.submit(issuance).catch(agentGone(InvalidClient));
    return response;
  }

  /** Signs a token pair and describes the rows that record it; nothing is written yet. */
  private mint(
    ctx: RequestContext,
    client: Client,
    scopes: string[],
    grantType: Issuance['grantType'],
    familyId: string,
  ): { issuance: Issuance; response: TokenResponse } {
    const { jwt } = this.config;
    const now = new Date();
    const iat = epoch(now);
    const configuredTtl = client.orgExpirySecs && client.orgExpirySecs > 0 ? client.orgExpirySecs : jwt.accessTokenTtl;
    // Never past the agent's own expiry: offline verifiers, who cannot see the agent, stop then too.
    const agentLeft = client.expiresAt ? Math.floor((client.expiresAt.getTime() - now.getTime()) / 1000) : Infinity;
    const ttl = Math.max(1, Math.min(configuredTtl, agentLeft));
    const claims: AccessClaims = {
      iss: client.orgIssuer || jwt.issuer,
      sub: client.clientId,
      agent_id: client.id,
      org_id: client.organizationId ?? '',
      team_id: client.teamId ?? '',
      aud: jwt.audience,
      iat,
      exp: iat + ttl,
      scope: scopes,
      jti: uuid(),
      client_id: client.clientId,
    };
    const refreshToken = randomSecret();
    const accessToken = this.keys.sign(claims as unknown as Record<string, unknown>);
    return {
      issuance: {
        claims,
        grantType,
        refresh: { id: uuid(), hash: digest(refreshToken), familyId, expiresAt: new Date(now.getTime() + jwt.refreshTokenTtl * 1000) },
        ctx,
      },
      response: {
        access_token: accessToken,
        token_type: 'Bearer',
        expires_in: ttl,
        scope: scopes.join(' '),
        issued_at: iat,
        refresh_token: refreshToken,
      },
    };
  }

  /** One transaction for a whole batch: token rows, usage counters, audit rows and events. */
  private async saveIssuances(tx: DbOrTx, batch: Issuance[]) {
    await tx.insert(accessTokens).values(
      batch.map((b) => ({
        jti: b.claims.jti,
        agentId: b.claims.agent_id,
        organizationId: b.claims.org_id || null,
        grantType: b.grantType,
        issuedAt: new Date(b.claims.iat * 1000),
        expiresAt: new Date(b.claims.exp * 1000),
      })),
    );
    await tx.insert(refreshTokens).values(
      batch.map((b) => ({
        id: b.refresh.id,
        tokenHash: b.refresh.hash,
        agentId: b.claims.agent_id,
        familyId: b.refresh.familyId,
        accessJti: b.claims.jti,
        scopes: b.claims.scope,
        issuedAt: new Date(b.claims.iat * 1000),
        expiresAt: b.refresh.expiresAt,
      })),
    );
    const usage = new Map<string, { tokens: number; refreshes: number }>();
    for (const b of batch) {
      const u = usage.get(b.claims.agent_id) ?? { tokens: 0, refreshes: 0 };
      u.tokens++;
      if (b.grantType === 'refresh_token') u.refreshes++;
      usage.set(b.claims.agent_id, u);
    }
    const rows = [...usage].map(([id, u]) => ({ id, tokens: u.tokens, refreshes: u.refreshes }));
    await tx.execute(sql`
      update agents a set
        token_count = a.token_count + u.tokens,
        refresh_count = a.refresh_count + u.refreshes,
        last_token_issued_at = now(),
        last_activity_at = now()
      from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as u(id uuid, tokens int, refreshes int)
      where a.id = u.id`);
    const refreshed = batch.filter((b) => b.grantType === 'refresh_token').length;
    await bumpCounters(tx, { tokens_issued: batch.length, ...(refreshed ? { tokens_refreshed: refreshed } : {}) });
    const events: DomainEvent[] = batch.map((b) => ({
      action: 'token.issued',
      agentId: b.claims.agent_id,
      organizationId: b.claims.org_id || null,
      ctx: b.ctx,
      details: { jti: b.claims.jti, grant_type: b.grantType, scope: b.claims.scope },
    }));
    await recordEvents(tx, events);
  }

  private async authenticateClient(clientId: string, clientSecret: string): Promise<Client> {
    // Unknown ids still pay for a digest comparison, so timing does not reveal which ids exist.
    const client = isUuid(clientId) ? await this.loadClient(eq(agents.clientId, clientId)) : undefined;
    const ok = digestEquals(clientSecret, client?.clientSecretHash ?? DUMMY_DIGEST);
    if (!client || !ok) throw new InvalidClient();
    this.assertUsable(client, InvalidClient);
    return client;
  }

  private assertUsable(client: Client, Failure: typeof InvalidClient | typeof InvalidGrant) {
    if (!client.isActive) throw new Failure('agent is deactivated');
    if (client.expiresAt && client.expiresAt.getTime() <= Date.now()) throw new Failure('agent credentials have expired');
  }

  private async loadClient(where: ReturnType<typeof eq>): Promise<Client | undefined> {
    const [row] = await this.db
      .select({
        ...agentColumns,
        clientSecretHash: agents.clientSecretHash,
        orgIssuer: organizations.jwtIssuer,
        orgExpirySecs: organizations.jwtExpirySecs,
      })
      .from(agents)
      .leftJoin(organizations, eq(organizations.id, agents.organizationId))
      .where(where);
    return row;
  }

  /** Requested scopes narrowed to the allowed ones (§3.3); asking only for foreign scopes fails. */
  private grantedScopes(allowed: string[], requested: string | undefined): string[] {
    const wanted = parseScope(requested);
    if (wanted.length === 0) return [...allowed];
    const granted = wanted.filter((s) => allowed.includes(s));
    if (granted.length === 0) throw new InvalidScope(`none of the requested scopes is allowed for this client`);
    return granted;
  }

  private async inspectAccessToken(token: string): Promise<AccessInspection> {
    let claims: AccessClaims;
    try {
      claims = (await this.keys.verify(token)) as unknown as AccessClaims;
    } catch {
      return { status: 'unknown' };
    }
    if (!isUuid(claims.jti) || claims.aud !== this.config.jwt.audience || typeof claims.exp !== 'number' || !Array.isArray(claims.scope)) {
      return { status: 'unknown' };
    }
    const [row] = await this.db
      .select({ ...agentColumns, tokenRevokedAt: accessTokens.revokedAt })
      .from(accessTokens)
      .innerJoin(agents, eq(agents.id, accessTokens.agentId))
      .where(eq(accessTokens.jti, claims.jti));
    // No row: never issued here, or its agent was deleted (the rows go with it).
    if (!row) return { status: 'unknown' };
    const { tokenRevokedAt, ...agent } = row;
    const base = { claims, agent, agentId: agent.id, organizationId: agent.organizationId };
    if (tokenRevokedAt) return { ...base, status: 'revoked' };
    if (claims.exp * 1000 <= Date.now()) return { ...base, status: 'expired' };
    if (agent.expiresAt && agent.expiresAt.getTime() <= Date.now()) return { ...base, status: 'agent_expired' };
    if (!agent.isActive) return { ...base, status: 'agent_inactive' };
    return { ...base, status: 'active' };
  }

  private async introspectRefreshToken(token: string): Promise<IntrospectionResult> {
    const [row] = await this.db
      .select({ stored: refreshTokens, agent: agentColumns })
      .from(refreshTokens)
      .innerJoin(agents, eq(agents.id, refreshTokens.agentId))
      .where(eq(refreshTokens.tokenHash, digest(token)));
    if (!row) return { active: false, reason: '' };
    const { stored, agent } = row;
    if (stored.revokedAt || stored.usedAt) return { active: false, revoked: true, reason: 'revoked' };
    if (stored.expiresAt.getTime() <= Date.now()) return { active: false, reason: 'expired' };
    if (!agent.isActive || (agent.expiresAt && agent.expiresAt.getTime() <= Date.now())) return { active: false, reason: 'agent_inactive' };
    return {
      active: true,
      token_type: 'refresh_token',
      scope: stored.scopes.join(' '),
      client_id: agent.clientId,
      sub: agent.clientId,
      agent_id: agent.id,
      exp: epoch(stored.expiresAt),
      iat: epoch(stored.issuedAt),
    };
  }

  /** Revokes every refresh token of a family and the access tokens minted from it. */
  private async revokeFamily(ctx: RequestContext, familyId: string, agentId: string, action: string) {
    await this.db.transaction(async (tx) => {
      const family = await tx
        .update(refreshTokens)
        .set({ revokedAt: new Date() })
        .where(and(eq(refreshTokens.familyId, familyId), isNull(refreshTokens.revokedAt)))
        .returning({ accessJti: refreshTokens.accessJti });
      const jtis = family.map((f) => f.accessJti);
      const revoked = jtis.length
        ? await tx
            .update(accessTokens)
            .set({ revokedAt: new Date() })
            .where(and(inArray(accessTokens.jti, jtis), isNull(accessTokens.revokedAt)))
            .returning({ organizationId: accessTokens.organizationId })
        : [];
      if (revoked.length) await bumpCounters(tx, { tokens_revoked: revoked.length });
      const [agent] = await tx.select({ organizationId: agents.organizationId }).from(agents).where(eq(agents.id, agentId));
      await recordEvents(tx, [{
        action, agentId, organizationId: agent?.organizationId ?? null, ctx,
        details: { family_id: familyId, access_tokens_revoked: revoked.length },
      }]);
    });
  }

  /**
   * token.validation_success/failed: group-committed like issuance, and awaited, so the answer
   * goes out only once its event is durable. A failure to record never fails the introspection.
   */
  private async noteValidation(ctx: RequestContext, agentId: string, organizationId: string | null, success: boolean) {
    const action = success ? 'token.validation_success' : 'token.validation_failed';
    await this.validations.submit({ action, agentId, organizationId, ctx, payload: { success } }).catch(() => {});
  }

  private readonly validations = new GroupCommit<DomainEvent>((events) => this.db.transaction((tx) => recordEvents(tx, events)), {
    maxBatch: 512,
    concurrency: 2,
  });

  /**
   * The same page of several agents' issued access tokens (newest first), in one statement
   * (GraphQL views). An API key sees only its organization's tokens.
   */
  async issuedByAgents(ctx: RequestContext, agentIds: readonly string[], filter: { status?: 'active' | 'expired' | 'revoked' }, page: PageRequest) {
    const tenant = tenantOf(ctx);
    const t = accessTokens;
    const where = [
      tenant ? eq(t.organizationId, tenant) : undefined,
      filter.status === 'active' ? and(isNull(t.revokedAt), sql`${t.expiresAt} > now()`) : undefined,
      filter.status === 'expired' ? and(isNull(t.revokedAt), sql`${t.expiresAt} <= now()`) : undefined,
      filter.status === 'revoked' ? isNotNull(t.revokedAt) : undefined,
    ];
    return pagePerParent<typeof accessTokens.$inferSelect>(this.db, { table: t, columns: getTableColumns(t), at: t.issuedAt, id: t.jti, parent: t.agentId, where }, agentIds.filter(isUuid), page);
  }

  /** Waits for queued rows to commit (graceful shutdown). */
  async drain() {
    await Promise.all([this.issuer.drain(), this.validations.drain()]);
  }
}

type AccessStatus = 'active' | 'revoked' | 'expired' | 'agent_inactive' | 'agent_expired';
type AccessInspection =
  | { status: 'unknown'; claims?: undefined; agent?: undefined; agentId?: undefined; organizationId?: undefined }
  | { status: AccessStatus; claims: AccessClaims; agent: AgentRow; agentId: string; organizationId: string | null };

function describe(status: AccessInspection['status']): string {
  switch (status) {
    case 'revoked': return 'the access token has been revoked';
    case 'expired': return 'the access token has expired';
    case 'agent_inactive': return 'the agent is deactivated';
    case 'agent_expired': return 'the agent credentials have expired';
    default: return 'the access token is invalid';
  }
}

function assertHint(hint: string | undefined) {
  if (hint !== undefined && hint !== '' && hint !== 'access_token' && hint !== 'refresh_token') throw new UnsupportedTokenType();
}

const DUMMY_DIGEST = digest('no such client');

/**
 * An agent deleted between authenticating and recording its new token (a foreign-key violation):
 * for the client, it simply no longer exists.
 */
function agentGone(Failure: typeof InvalidClient | typeof InvalidGrant) {
  return (error: unknown): never => {
    const code = (error as { code?: string })?.code ?? (error as { cause?: { code?: string } })?.cause?.code;
    if (code === '23503') throw new Failure('the agent no longer exists');
    throw error;
  };
}
