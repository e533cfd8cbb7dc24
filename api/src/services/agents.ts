import { and, asc, count, desc, eq, getTableColumns, ilike, inArray, isNull, or, sql, type SQL } from 'drizzle-orm';
import type { Database, DbOrTx } from '../db/index.ts';
import { agentRotations, agents, teams, organizations, auditLogs, refreshTokens } from '../db/schema.ts';
import { Forbidden, InvalidRequest, NotFound } from '../errors.ts';
import { digest, isUuid, randomSecret, uuid } from '../lib/secrets.ts';
import type { CreateAgentInput, UpdateAgentInput } from '../schemas/agents.ts';
import { assertVisible, tenantOf, visibleOrganizations, type RequestContext } from './context.ts';
import { recordEvents } from './events.ts';
import { pageOf, pagePerParent, type PageRequest, type Paged } from './pagination.ts';
import type { AgentRow } from '../wire.ts';

const { clientSecretHash: _hash, ...publicColumns } = getTableColumns(agents);
void _hash;
/** Every agent column except the secret digest, which never leaves the services. */
export const agentColumns = publicColumns;

export interface AgentFilter {
  organizationId?: string;
  isActive?: boolean;
  search?: string;
  limit?: number;
  offset?: number;
}

/** What an administrator browses agents by (GraphQL). */
export interface AgentBrowseFilter {
  organizationId?: string;
  teamId?: string;
  isActive?: boolean;
  search?: string;
}

export class AgentService {
  constructor(private readonly db: Database) {}

  /**
   * Loads an agent the caller may act on: an administrator any, an API key its organization's,
   * an agent only itself. Anything else is 404, so ids of other tenants reveal nothing.
   */
  async getForCaller(ctx: RequestContext, id: string, db: DbOrTx = this.db): Promise<AgentRow> {
    if (!isUuid(id)) throw new NotFound('agent not found');
    const [agent] = await db.select(agentColumns).from(agents).where(eq(agents.id, id));
    if (!agent) throw new NotFound('agent not found');
    if (ctx.principal.kind === 'agent') {
      if (ctx.principal.agentId !== id) throw new NotFound('agent not found');
    } else {
      assertVisible(ctx, agent.organizationId, 'agent');
    }
    return agent;
  }

  async list(ctx: RequestContext, filter: AgentFilter = {}): Promise<{ agents: AgentRow[]; total: number }> {
    const tenant = tenantOf(ctx);
    if (tenant && filter.organizationId && filter.organizationId !== tenant) throw new NotFound('organization not found');
    const conditions: SQL[] = [];
    const org = tenant ?? filter.organizationId;
    if (org) conditions.push(eq(agents.organizationId, org));
    if (filter.isActive !== undefined) conditions.push(eq(agents.isActive, filter.isActive));
    if (filter.search) {
      const pattern = `%${filter.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      conditions.push(or(ilike(agents.name, pattern), sql`${agents.clientId}::text ilike ${pattern}`)!);
    }
    const where = conditions.length ? and(...conditions) : undefined;
    const rows = await this.db
      .select(agentColumns)
      .from(agents)
      .where(where)
      .orderBy(desc(agents.createdAt), asc(agents.id))
      .limit(filter.limit ?? 10_000)
      .offset(filter.offset ?? 0);
    const [{ total }] = await this.db.select({ total: count() }).from(agents).where(where);
    return { agents: rows, total };
  }

  /** Creates an agent; the client secret exists only in this return value. */
  async create(ctx: RequestContext, input: CreateAgentInput): Promise<{ agent: AgentRow; clientSecret: string }> {
    const tenant = tenantOf(ctx);
    if (tenant && input.organization_id && input.organization_id !== tenant) throw new Forbidden('an API key can only create agents in its own organization');
    const organizationId = tenant ?? input.organization_id ?? null;
    const teamId = input.team_id ?? (ctx.principal.kind === 'api_key' ? ctx.principal.teamId : null) ?? null;
    const clientSecret = randomSecret();
    return this.db.transaction(async (tx) => {
      await this.checkPlacement(tx, organizationId, teamId);
      const [agent] = await tx
        .insert(agents)
        .values({
          organizationId,
          teamId,
          name: input.name,
          clientId: uuid(),
          clientSecretHash: digest(clientSecret),
          scopes: dedupe(input.scopes),
          expiresAt: input.expires_in ? new Date(Date.now() + input.expires_in * 1000) : null,
        })
        .returning(agentColumns);
      await recordEvents(tx, [{
        action: 'agent.created', agentId: agent.id, organizationId, ctx,
        payload: { agent_name: agent.name, client_id: agent.clientId },
        details: { name: agent.name, scopes: agent.scopes },
      }]);
      return { agent, clientSecret };
    });
  }

  async update(ctx: RequestContext, id: string, input: UpdateAgentInput): Promise<AgentRow> {
    return this.db.transaction(async (tx) => {
      const current = await this.getForCaller(ctx, id, tx);
      if (input.team_id !== undefined) await this.checkPlacement(tx, current.organizationId, input.team_id);
      const changes: Partial<typeof agents.$inferInsert> = { updatedAt: new Date() };
      if (input.name !== undefined) changes.name = input.name;
      if (input.scopes !== undefined) changes.scopes = dedupe(input.scopes);
      if (input.expires_in !== undefined) changes.expiresAt = input.expires_in === null ? null : new Date(Date.now() + input.expires_in * 1000);
      if (input.team_id !== undefined) changes.teamId = input.team_id;
      const activation = input.is_active !== undefined && input.is_active !== current.isActive ? activationChange(ctx, input.is_active) : undefined;
      if (activation) Object.assign(changes, activation.changes);
      const [agent] = await tx.update(agents).set(changes).where(eq(agents.id, id)).returning(agentColumns);
      const fields = Object.keys(input);
      await recordEvents(tx, [
        ...(activation ? [{ action: activation.action, agentId: id, organizationId: agent.organizationId, ctx }] : []),
        { action: 'agent.updated', agentId: id, organizationId: agent.organizationId, ctx, details: { fields } },
      ]);
      return agent;
    });
  }

  async setActive(ctx: RequestContext, id: string, isActive: boolean): Promise<AgentRow> {
    return this.db.transaction(async (tx) => {
      const current = await this.getForCaller(ctx, id, tx);
      if (isActive && ctx.principal.kind === 'agent' && !current.isActive) {
        // Self-service undoes only a self-deactivation: an administrator's suspension holds.
        const [row] = await tx.select({ by: agents.deactivatedBy }).from(agents).where(eq(agents.id, id)).for('update');
        if (row?.by !== 'self') throw new Forbidden('an administrator deactivated this agent; only an administrator can reactivate it');
      }
      const { action, changes } = activationChange(ctx, isActive);
      const [agent] = await tx.update(agents).set({ ...changes, updatedAt: new Date() }).where(eq(agents.id, id)).returning(agentColumns);
      await recordEvents(tx, [
        { action, agentId: id, organizationId: current.organizationId, ctx },
        { action: 'agent.updated', agentId: id, organizationId: current.organizationId, ctx, details: { fields: ['is_active'] } },
      ]);
      return agent;
    });
  }

  /** Deletes the agent; its tokens go with it (cascade), so they stop verifying at once. */
  async remove(ctx: RequestContext, id: string): Promise<void> {
    await this.db.transaction(async (tx) => {
      const current = await this.getForCaller(ctx, id, tx);
      await tx.delete(agents).where(eq(agents.id, id));
      await recordEvents(tx, [{ action: 'agent.deleted', agentId: id, organizationId: current.organizationId, ctx, details: { name: current.name } }]);
    });
  }

  /**
   * Replaces the client secret. The old one stops working at once; access tokens already issued
   * stay valid until they expire (seed 003), but refresh tokens, which outlive them and were won
   * with the old secret, are revoked: a leaked one must not survive the rotation meant to cut it off.
   */
  async rotate(ctx: RequestContext, id: string): Promise<{ clientSecret: string; agent: AgentRow }> {
    const clientSecret = randomSecret();
    return this.db.transaction(async (tx) => {
      const current = await this.getForCaller(ctx, id, tx);
      const [agent] = await tx
        .update(agents)
        .set({ clientSecretHash: digest(clientSecret), updatedAt: new Date() })
        .where(eq(agents.id, id))
        .returning(agentColumns);
      await tx.insert(agentRotations).values({ agentId: id, rotatedByIp: ctx.ip });
      await tx
        .update(refreshTokens)
        .set({ revokedAt: new Date() })
        .where(and(eq(refreshTokens.agentId, id), isNull(refreshTokens.revokedAt)));
      await recordEvents(tx, [{ action: 'agent.credentials_rotated', agentId: id, organizationId: current.organizationId, ctx }]);
      return { clientSecret, agent };
    });
  }

  async rotationHistory(ctx: RequestContext, id: string, limit = 100) {
    await this.getForCaller(ctx, id);
    return this.db
      .select({ rotatedAt: agentRotations.rotatedAt, rotatedByIp: agentRotations.rotatedByIp })
      .from(agentRotations)
      .where(eq(agentRotations.agentId, id))
      .orderBy(desc(agentRotations.rotatedAt))
      .limit(limit);
  }

  async recentAudit(ctx: RequestContext, id: string, limit = 50) {
    await this.getForCaller(ctx, id);
    return this.db.select().from(auditLogs).where(eq(auditLogs.agentId, id)).orderBy(desc(auditLogs.createdAt)).limit(limit);
  }

  // ---- browsing (GraphQL views): keyset pages and batches ---------------------------------

  /** A newest-first page of the agents the caller may see. */
  async page(ctx: RequestContext, filter: AgentBrowseFilter, page: PageRequest): Promise<Paged<AgentRow>[]> {
    return pageOf<AgentRow>(this.db, { table: agents, columns: agentColumns, at: agents.createdAt, id: agents.id, where: this.browseConditions(ctx, filter) }, page);
  }

  async count(ctx: RequestContext, filter: AgentBrowseFilter): Promise<number> {
    const [{ total }] = await this.db.select({ total: count() }).from(agents).where(and(...this.browseConditions(ctx, filter)));
    return total;
  }

  /** The same page of several organizations' agents, in one statement. */
  async pageByOrganizations(ctx: RequestContext, organizationIds: readonly string[], filter: Omit<AgentBrowseFilter, 'organizationId'>, page: PageRequest) {
    const visible = visibleOrganizations(ctx, organizationIds);
    return pagePerParent<AgentRow>(this.db, { table: agents, columns: agentColumns, at: agents.createdAt, id: agents.id, parent: agents.organizationId, where: this.browseConditions(ctx, filter) }, visible, page);
  }

  /** The same page of several teams' agents, in one statement. */
  async pageByTeams(ctx: RequestContext, teamIds: readonly string[], filter: Omit<AgentBrowseFilter, 'teamId'>, page: PageRequest) {
    return pagePerParent<AgentRow>(this.db, { table: agents, columns: agentColumns, at: agents.createdAt, id: agents.id, parent: agents.teamId, where: this.browseConditions(ctx, filter) }, teamIds.filter(isUuid), page);
  }

  async countByOrganizations(ctx: RequestContext, organizationIds: readonly string[]): Promise<Map<string, number>> {
    const visible = visibleOrganizations(ctx, organizationIds);
    const counts = new Map<string, number>(organizationIds.map((id) => [id, 0]));
    if (visible.length === 0) return counts;
    const rows = await this.db.select({ organizationId: agents.organizationId, total: count() }).from(agents).where(inArray(agents.organizationId, visible)).groupBy(agents.organizationId);
    for (const row of rows) counts.set(row.organizationId!, row.total);
    return counts;
  }

  /** Agents by id, only those the caller may see (others are simply absent). */
  async byIds(ctx: RequestContext, ids: readonly string[]): Promise<AgentRow[]> {
    const tenant = tenantOf(ctx);
    const wanted = ids.filter(isUuid);
    if (wanted.length === 0) return [];
    return this.db.select(agentColumns).from(agents).where(and(inArray(agents.id, wanted), tenant ? eq(agents.organizationId, tenant) : undefined));
  }

  /** The same page of several agents' rotation history, in one statement. */
  async rotationsByAgents(ctx: RequestContext, agentIds: readonly string[], page: PageRequest) {
    const visible = (await this.byIds(ctx, agentIds)).map((a) => a.id);
    const columns = { id: agentRotations.id, agentId: agentRotations.agentId, rotatedAt: agentRotations.rotatedAt, rotatedByIp: agentRotations.rotatedByIp };
    return pagePerParent<typeof agentRotations.$inferSelect>(this.db, { table: agentRotations, columns, at: agentRotations.rotatedAt, id: agentRotations.id, parent: agentRotations.agentId }, visible, page);
  }

  /** The filters of `list`, within the caller's tenant; a foreign organization matches nothing. */
  private browseConditions(ctx: RequestContext, filter: AgentBrowseFilter): SQL[] {
    const tenant = tenantOf(ctx);
    const conditions: SQL[] = [];
    if (tenant) conditions.push(eq(agents.organizationId, tenant));
    if (filter.organizationId) conditions.push(isUuid(filter.organizationId) ? eq(agents.organizationId, filter.organizationId) : sql`false`);
    if (filter.teamId) conditions.push(isUuid(filter.teamId) ? eq(agents.teamId, filter.teamId) : sql`false`);
    if (filter.isActive !== undefined) conditions.push(eq(agents.isActive, filter.isActive));
    if (filter.search) {
      const pattern = `%${filter.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      conditions.push(or(ilike(agents.name, pattern), sql`${agents.clientId}::text ilike ${pattern}`)!);
    }
    return conditions;
  }

  /** A team must exist and belong to the agent's organization. */
  private async checkPlacement(tx: DbOrTx, organizationId: string | null, teamId: string | null | undefined) {
    if (organizationId) {
      const [org] = await tx.select({ id: organizations.id }).from(organizations).where(eq(organizations.id, organizationId));
      if (!org) throw new InvalidRequest('organization_id: organization not found');
    }
    if (!teamId) return;
    if (!organizationId) throw new InvalidRequest('team_id: an agent needs an organization to belong to a team');
    const [team] = await tx.select({ organizationId: teams.organizationId }).from(teams).where(eq(teams.id, teamId));
    if (!team || team.organizationId !== organizationId) throw new InvalidRequest('team_id: team not found in this organization');
  }
}

const dedupe = (scopes: string[]) => [...new Set(scopes)];

/** The columns and audit action of an activation change; remembers who deactivated. */
function activationChange(ctx: RequestContext, isActive: boolean) {
  return {
    action: isActive ? 'agent.activated' : 'agent.deactivated',
    changes: { isActive, deactivatedBy: isActive ? null : ctx.principal.kind === 'agent' ? 'self' : 'admin' },
  };
}
