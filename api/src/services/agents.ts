import { and, asc, count, desc, eq, getTableColumns, ilike, or, sql, type SQL } from 'drizzle-orm';
import type { Database, DbOrTx } from '../db/index.ts';
import { agentRotations, agents, teams, organizations, auditLogs } from '../db/schema.ts';
import { Forbidden, InvalidRequest, NotFound } from '../errors.ts';
import { digest, isUuid, randomSecret, uuid } from '../lib/secrets.ts';
import type { CreateAgentInput, UpdateAgentInput } from '../schemas/agents.ts';
import { assertVisible, tenantOf, type RequestContext } from './context.ts';
import { recordEvents } from './events.ts';
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
      if (input.is_active !== undefined) changes.isActive = input.is_active;
      const [agent] = await tx.update(agents).set(changes).where(eq(agents.id, id)).returning(agentColumns);
      const fields = Object.keys(input);
      await recordEvents(tx, [{ action: 'agent.updated', agentId: id, organizationId: agent.organizationId, ctx, details: { fields } }]);
      return agent;
    });
  }

  async setActive(ctx: RequestContext, id: string, isActive: boolean): Promise<AgentRow> {
    return this.db.transaction(async (tx) => {
      const current = await this.getForCaller(ctx, id, tx);
      const [agent] = await tx.update(agents).set({ isActive, updatedAt: new Date() }).where(eq(agents.id, id)).returning(agentColumns);
      await recordEvents(tx, [
        { action: isActive ? 'agent.activated' : 'agent.deactivated', agentId: id, organizationId: current.organizationId, ctx },
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
   * Replaces the client secret. The old one stops working at once; tokens already issued stay
   * valid until they expire (seed 003).
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
