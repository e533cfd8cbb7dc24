import DataLoader from 'dataloader';
import { and, eq, getTableColumns, inArray, isNotNull, isNull, sql } from 'drizzle-orm';
import type { Config } from '../config.ts';
import { postgresOf, type Database, type DbOrTx, type Sql } from '../db/index.ts';
import { accessTokens, agents, organizations, refreshTokens } from '../db/schema.ts';
import { InvalidClient, InvalidGrant, InvalidScope, InvalidToken, UnsupportedTokenType } from '../errors.ts';
import { GroupCommit } from '../lib/group-commit.ts';
import { randomToken, uuidv7 } from '../lib/ids.ts';
import { digest, digestEquals, isUuid } from '../lib/secrets.ts';
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
  /** The refresh token this issuance consumes (refresh grant): claimed in the same transaction. */
  claim?: string;
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
  /** Resolves true once the issuance is durable, false if the refresh token it claims was already used. */
  private readonly issuer: GroupCommit<Issuance, boolean>;
  private readonly queries: ReturnType<typeof hotQueries>;

  constructor(
    private readonly db: Database,
    private readonly keys: KeyService,
    private readonly config: Pick<Config, 'jwt'>,
  ) {
    this.queries = hotQueries(db);
    // One flush at a time: every flush updates the same hot rows (usage counters), so a second
    // one would only wait for the first's locks; measured, it costs more CPU per token too.
    this.issuer = new GroupCommit((batch) => this.pipelined((sql, send) => this.saveIssuances(sql, send, batch)), {
      maxBatch: 512,
      concurrency: 1,
    });
  }

  /** RFC 6749 §4.4: authenticate the client, narrow the scope, mint and record a token pair. */
  async clientCredentials(ctx: RequestContext, input: { clientId: string; clientSecret: string; scope?: string }): Promise<TokenResponse> {
    const client = await this.authenticateClient(input.clientId, input.clientSecret);
    const scopes = this.grantedScopes(client.scopes, input.scope);
    return this.issue(ctx, client, scopes, 'client_credentials', uuidv7());
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
    // The token and its agent in one read (the agent's rows go when it is deleted).
    const found = await this.queries.refreshTokenByHash.load(hash.toString('hex'));
    if (!found) throw new InvalidGrant();
    const { stored, client } = found;
    if (stored.usedAt || stored.revokedAt) {
      if (stored.usedAt && !stored.revokedAt) await this.revokeFamily(ctx, stored.familyId, stored.agentId, 'refresh_token_replayed');
      throw new InvalidGrant('refresh token has already been used or revoked');
    }
    if (stored.expiresAt.getTime() <= Date.now()) throw new InvalidGrant('refresh token has expired');

    // §6: a client that authenticates must be the one the token was issued to.
    if (input.clientId !== undefined || input.clientSecret !== undefined) {
      if (input.clientId !== client.clientId.toString()) throw new InvalidGrant('refresh token was issued to another client');
      if (input.clientSecret !== undefined && !digestEquals(input.clientSecret, client.clientSecretHash)) throw new InvalidClient();
    }
    this.assertUsable(client, InvalidGrant);
    // §6: the new scope may only narrow the original grant (and what the agent is still allowed).
    const stillAllowed = stored.scopes.filter((s) => client.scopes.includes(s));
    const scopes = this.grantedScopes(stillAllowed, input.scope);

    // Claim the token and save its successor in one transaction (a group-committed one): of two
    // concurrent uses exactly one wins, and the loser (blocked on the row lock until the winner
    // commits) then revokes a family that already contains the winner's new pair, as RFC 9700
    // §4.14.2 wants.
    const { issuance, response } = await this.mint(ctx, client, scopes, 'refresh_token', stored.familyId, stored.expiresAt);
    const claimed = await this.issuer.submit({ ...issuance, claim: stored.id }).catch(agentGone(InvalidGrant));
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
    if (result.status === 'active' || (result.status === 'agent_inactive' && options.allowInactive)) {
      this.noteActivity(result.agent.id);
      return { agent: result.agent, claims: result.claims };
    }
    throw new InvalidToken(describe(result.status));
  }

  /**
   * `last_activity_at` for an agent using its token. A coarse timestamp, not a record: written at
   * most every ACTIVITY_RESOLUTION_MS per agent and not awaited, so reads stay off the write path.
   */
  private noteActivity(agentId: string) {
    const now = Date.now();
    if (now - (this.lastActivity.get(agentId) ?? 0) < ACTIVITY_RESOLUTION_MS) return;
    if (this.lastActivity.size >= 100_000) this.lastActivity.clear();
    this.lastActivity.set(agentId, now);
    this.db
      .update(agents)
      .set({ lastActivityAt: sql`greatest(${agents.lastActivityAt}, now())` })
      .where(eq(agents.id, agentId))
      .catch(() => {});
  }

  private readonly lastActivity = new Map<string, number>();

  // ---- internals -------------------------------------------------------------------------

  private async issue(
    ctx: RequestContext,
    client: Client,
    scopes: string[],
    grantType: Issuance['grantType'],
    familyId: string,
  ): Promise<TokenResponse> {
    const { issuance, response } = await this.mint(ctx, client, scopes, grantType, familyId);
    await this.issuer.submit(issuance).catch(agentGone(InvalidClient));
    return response;
  }

  /** Signs a token pair and describes the rows that record it; nothing is written yet. */
  private async mint(
    ctx: RequestContext,
    client: Client,
    scopes: string[],
    grantType: Issuance['grantType'],
    familyId: string,
    /** A refresh keeps its family's end: rotation renews the token, not the grant's lifetime. */
    familyExpiresAt?: Date,
  ): Promise<{ issuance: Issuance; response: TokenResponse }> {
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
      jti: uuidv7(),
      client_id: client.clientId,
    };
    const refreshToken = randomToken();
    const accessToken = await this.keys.sign(claims as unknown as Record<string, unknown>);
    return {
      issuance: {
        claims,
        grantType,
        refresh: { id: uuidv7(), hash: digest(refreshToken), familyId, expiresAt: familyExpiresAt ?? new Date(now.getTime() + jwt.refreshTokenTtl * 1000) },
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

  /**
   * A transaction on a reserved connection with BEGIN, the statements `write` sends and COMMIT
   * in one pipeline of prepared statements: a group commit then costs one round trip (more only
   * where `write` must read an answer) and the commit's WAL flush. It resolves only once COMMIT
   * has succeeded, so callers are answered after their rows are durable.
   */
  private async pipelined<T>(write: (sql: Sql, send: Send) => Promise<T>): Promise<T> {
    const sql = await postgresOf(this.db).reserve();
    const sent: Promise<unknown>[] = [];
    const send: Send = (query) => {
      // Handled here at once: a statement may fail while `write` still awaits an earlier answer.
      query.catch(() => {});
      sent.push(query);
      return query;
    };
    // If the connection closes, statements still queued on it never settle (postgres.js keeps a
    // reserved connection's queue), so the connection's close is watched the way postgres.js's
    // own begin() does: through the connection object handed to BEGIN's `onexecute`.
    let connection: { onclose?: ((error: unknown) => void) | null } | undefined;
    let onClose!: (error: unknown) => void;
    const closed = new Promise<never>((_, reject) => (onClose = reject));
    closed.catch(() => {});
    const onexecute = (c: NonNullable<typeof connection>) => ((connection = c), (c.onclose = onClose), true);
    let open = false;
    let lost = false;
    try {
      send(sql.unsafe('begin', [], { onexecute } as never).execute());
      open = true;
      const result = await Promise.race([write(sql, send), closed]);
      // After a failed statement COMMIT only ends the aborted transaction (Postgres answers ROLLBACK).
      send(sql`commit`.execute());
      open = false;
      const settled = await Promise.race([Promise.allSettled(sent), closed]);
      const failures = settled.flatMap((s) => (s.status === 'rejected' ? [s.reason as { code?: string }] : []));
      // After a failed statement the rest fail with 25P02 (transaction aborted): report the first cause.
      if (failures.length) throw failures.find((f) => f?.code !== '25P02') ?? failures[0];
      return result;
    } catch (error) {
      // A lost session has rolled back by itself, and postgres.js must not see this connection
      // again: a query on it, or releasing it back among the open ones, writes to a null socket
      // (an uncaught TypeError). It recycles a closed connection itself.
      lost = isConnectionLoss(error);
      if (!lost) lost = await Promise.race([Promise.allSettled(sent).then(() => false), closed.catch(() => true)]);
      if (!lost && open) await sql`rollback`.catch(() => {});
      throw error;
    } finally {
      if (connection?.onclose === onClose) connection.onclose = null;
      if (!lost) sql.release();
    }
  }



  /**
   * One transaction for a whole batch: token rows, audit rows and events, usage counters, each
   * statement with the batch as one JSON parameter (a fixed text whatever the batch size). A
   * refresh issuance first claims the token it consumes; when that token is already used or
   * revoked, nothing of the issuance is written and its result is false.
   */
  private async saveIssuances(sql: Sql, send: Send, batch: Issuance[]): Promise<boolean[]> {
    let saved = batch;
    let won: boolean[] | undefined;
    const claims = batch.flatMap((b) => (b.claim ? [b.claim] : []));
    if (claims.length) {
      const rows = await send(sql<{ id: string }[]>`
        update refresh_tokens set used_at = now()
        where id = any(${claims}::uuid[]) and used_at is null and revoked_at is null
        returning id`.execute());
      const claimed = new Set(rows.map((r) => r.id));
      // Two uses of one token in the same batch: the first one wins.
      won = batch.map((b) => !b.claim || claimed.delete(b.claim));
      saved = batch.filter((_, i) => won![i]);
      if (saved.length === 0) return won;
    }
    const usage = new Map<string, { id: string; tokens: number; refreshes: number }>();
    let refreshed = 0;
    for (const b of saved) {
      let u = usage.get(b.claims.agent_id);
      if (!u) usage.set(b.claims.agent_id, (u = { id: b.claims.agent_id, tokens: 0, refreshes: 0 }));
      u.tokens++;
      if (b.grantType === 'refresh_token') {
        u.refreshes++;
        refreshed++;
      }
    }
    const rows = saved.map((b) => ({
      jti: b.claims.jti,
      agent_id: b.claims.agent_id,
      organization_id: b.claims.org_id || null,
      grant_type: b.grantType,
      iat: b.claims.iat,
      exp: b.claims.exp,
      refresh_id: b.refresh.id,
      refresh_hash: b.refresh.hash.toString('hex'),
      family_id: b.refresh.familyId,
      scopes: b.claims.scope,
      refresh_exp: b.refresh.expiresAt.getTime() / 1000,
    }));
    // All sent at once, without waiting for each answer: postgres.js pipelines prepared statements
    // on the transaction's connection, so the batch costs one round trip (plus BEGIN and COMMIT).
    // Postgres runs them in this order: the rows that every flush updates (each agent's usage, the
    // global counters) come last and are locked in one fixed order, so concurrent flushes (of this
    // instance or others) hold them only through their commit and can never deadlock on them.
    send(sql`
        with b as (
          select * from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as b(
            jti uuid, agent_id uuid, organization_id uuid, grant_type text, iat double precision, exp double precision,
            refresh_id uuid, refresh_hash text, family_id uuid, scopes text[], refresh_exp double precision)
        ), access as (
          insert into access_tokens (jti, agent_id, organization_id, grant_type, issued_at, expires_at)
          select jti, agent_id, organization_id, grant_type, to_timestamp(iat), to_timestamp(exp) from b
        )
        insert into refresh_tokens (id, token_hash, agent_id, family_id, access_jti, scopes, issued_at, expires_at)
        select refresh_id, decode(refresh_hash, 'hex'), agent_id, family_id, jti, scopes, to_timestamp(iat), to_timestamp(refresh_exp) from b`.execute());
    send(recordEvents(
        sql,
        saved.map((b) => ({
          action: 'token.issued',
          agentId: b.claims.agent_id,
          organizationId: b.claims.org_id || null,
          ctx: b.ctx,
          details: { jti: b.claims.jti, grant_type: b.grantType, scope: b.claims.scope },
        })),
    ));
    send(sql`
        with u as (
          select * from jsonb_to_recordset(${JSON.stringify([...usage.values()])}::jsonb) as u(id uuid, tokens int, refreshes int)
        ), locked as (
          select a.id from agents a join u on u.id = a.id order by a.id for no key update of a
        )
        update agents a set
          token_count = a.token_count + u.tokens,
          refresh_count = a.refresh_count + u.refreshes,
          last_token_issued_at = now(),
          last_activity_at = now()
        from u join locked l on l.id = u.id
        where a.id = u.id`.execute());
    // bumpCounters' upsert, prepared (drizzle's would stall the pipeline on a Describe).
    send(sql`
        insert into metric_counters (name, value)
        select name, value from (values ('tokens_issued', ${saved.length}::bigint), ('tokens_refreshed', ${refreshed}::bigint)) as v(name, value)
        where value > 0
        on conflict (name) do update set value = metric_counters.value + excluded.value`.execute());
    return won ?? batch.map(() => true);
  }

  private async authenticateClient(clientId: string, clientSecret: string): Promise<Client> {
    // Unknown ids still pay for a digest comparison, so timing does not reveal which ids exist.
    const client = isUuid(clientId) ? await this.queries.clientByClientId.load(clientId.toLowerCase()) : undefined;
    const ok = digestEquals(clientSecret, client?.clientSecretHash ?? DUMMY_DIGEST);
    if (!client || !ok) throw new InvalidClient();
    this.assertUsable(client, InvalidClient);
    return client;
  }

  private assertUsable(client: Client, Failure: typeof InvalidClient | typeof InvalidGrant) {
    if (!client.isActive) throw new Failure('agent is deactivated');
    if (client.expiresAt && client.expiresAt.getTime() <= Date.now()) throw new Failure('agent credentials have expired');
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
    const row = await this.queries.accessTokenByJti.load(claims.jti.toLowerCase());
    // No row: never issued here, or its agent was deleted (the rows go with it).
    if (!row) return { status: 'unknown' };
    const { agent } = row;
    const base = { claims, agent, agentId: agent.id, organizationId: agent.organizationId };
    if (row.revokedAt) return { ...base, status: 'revoked' };
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
    // An organization's audit trail must not name another tenant's key (or agent) as its actor.
    const p = ctx.principal;
    const foreign = (p.kind === 'api_key' || p.kind === 'agent') && p.organizationId !== organizationId;
    const actorCtx: RequestContext = foreign ? { ...ctx, principal: { kind: 'anonymous' } } : ctx;
    await this.validations.submit({ action, agentId, organizationId, ctx: actorCtx, payload: { success } }).catch(() => {});
  }

  private readonly validations = new GroupCommit<DomainEvent>(
    (events) => this.pipelined(async (sql, send) => void send(recordEvents(sql, events))),
    {
      maxBatch: 512,
      concurrency: 2,
    },
  );

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

/** A failure that ended the database session (so its transaction is gone with it). */
function isConnectionLoss(error: unknown): boolean {
  const code = (error as { code?: string } | undefined)?.code ?? '';
  return code.startsWith('CONNECTION_') || code === 'ECONNRESET' || code === 'EPIPE' || code.startsWith('57P');
}

/** Sends a statement of a pipelined transaction (see `pipelined`). */
type Send = <T extends Promise<unknown>>(query: T) => T;

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

/** How stale an agent's `last_activity_at` may get while it keeps using its token. */
const ACTIVITY_RESOLUTION_MS = 30_000;

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


/**
 * The reads on the hot path. Each is built once (drizzle then only fills in the parameters) and
 * runs as a named prepared statement: one round trip, where an unprepared query with parameters
 * costs two. Lookups made in the same turn of the event loop share one query (`= any($1)`), so
 * under load one round trip serves many requests, while every answer is still read after its
 * request arrived: a change committed before a request is always seen by it.
 */
function hotQueries(db: Database) {
  const clientFields = { ...agentColumns, clientSecretHash: agents.clientSecretHash, orgIssuer: organizations.jwtIssuer, orgExpirySecs: organizations.jwtExpirySecs };
  const clientsByClientId = db
    .select(clientFields)
    .from(agents)
    .leftJoin(organizations, eq(organizations.id, agents.organizationId))
    .where(sql`${agents.clientId} = any(${sql.placeholder('keys')}::uuid[])`)
    .prepare('clients_by_client_id');
  const accessTokensByJti = db
    .select({ jti: accessTokens.jti, revokedAt: accessTokens.revokedAt, agent: agentColumns })
    .from(accessTokens)
    .innerJoin(agents, eq(agents.id, accessTokens.agentId))
    .where(sql`${accessTokens.jti} = any(${sql.placeholder('keys')}::uuid[])`)
    .prepare('access_tokens_by_jti');
  const refreshTokensByHash = db
    .select({ stored: refreshTokens, client: clientFields })
    .from(refreshTokens)
    .innerJoin(agents, eq(agents.id, refreshTokens.agentId))
    .leftJoin(organizations, eq(organizations.id, agents.organizationId))
    .where(sql`${refreshTokens.tokenHash} = any(array(select decode(h, 'hex') from unnest(${sql.placeholder('keys')}::text[]) h))`)
    .prepare('refresh_tokens_by_hash');
  return {
    /** Keyed by lower-case client_id. */
    clientByClientId: batched(async (keys) => new Map((await clientsByClientId.execute({ keys })).map((r) => [r.clientId, r]))),
    accessTokenByJti: batched(async (keys) => new Map((await accessTokensByJti.execute({ keys })).map((r) => [r.jti, r]))),
    /** Keyed by the hex digest. */
    refreshTokenByHash: batched(async (keys) =>
      new Map((await refreshTokensByHash.execute({ keys })).map((r) => [r.stored.tokenHash.toString('hex'), r])),
    ),
  };
}

/** A loader that gathers the keys asked for in one turn of the event loop into one query. */
function batched<V>(load: (keys: string[]) => Promise<Map<string, V>>): DataLoader<string, V | undefined> {
  return new DataLoader<string, V | undefined>(
    async (keys) => {
      const found = await load([...new Set(keys)]);
      return keys.map((k) => found.get(k));
    },
    { cache: false, maxBatchSize: 500, batchScheduleFn: (run) => setImmediate(run) },
  );
}
