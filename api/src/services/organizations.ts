import { and, asc, count, desc, eq, getTableColumns, ilike, inArray, ne, or, sql, type SQL } from 'drizzle-orm';
import type { Database, DbOrTx } from '../db/index.ts';
import { agents, organizations, teams } from '../db/schema.ts';
import { Conflict, Forbidden, InvalidRequest, NotFound } from '../errors.ts';
import { isUuid } from '../lib/secrets.ts';
import { parseOrigin, type CreateOrganizationInput, type CreateTeamInput, type UpdateOrganizationInput, type UpdateTeamInput } from '../schemas/organizations.ts';
import { assertVisible, requireGlobalAdmin, tenantOf, visibleOrganizations, type RequestContext } from './context.ts';
import { pageOf, pagePerParent, type PageRequest, type Paged } from './pagination.ts';
import { recordEvents, type DomainEvent } from './events.ts';

export type OrganizationRow = typeof organizations.$inferSelect;
export type TeamRow = typeof teams.$inferSelect;

const isUniqueViolation = (e: unknown) => (e as { code?: string })?.code === '23505' || (e as { cause?: { code?: string } })?.cause?.code === '23505';

export class OrganizationService {
  /** Listeners told when any organization's allowed_origins may have changed (CORS cache). */
  readonly onChange = new Set<() => void>();

  constructor(private readonly db: Database) {}

  async list(ctx: RequestContext): Promise<OrganizationRow[]> {
    const tenant = tenantOf(ctx);
    const query = this.db.select().from(organizations);
    return (tenant ? query.where(eq(organizations.id, tenant)) : query).orderBy(desc(organizations.createdAt), asc(organizations.id));
  }

  async get(ctx: RequestContext, id: string): Promise<OrganizationRow> {
    tenantOf(ctx);
    if (!isUuid(id)) throw new NotFound('organization not found');
    assertVisible(ctx, id, 'organization');
    const [org] = await this.db.select().from(organizations).where(eq(organizations.id, id));
    if (!org) throw new NotFound('organization not found');
    return org;
  }

  async create(ctx: RequestContext, input: CreateOrganizationInput): Promise<OrganizationRow> {
    requireGlobalAdmin(ctx, 'create organizations');
    try {
      return await this.db.transaction(async (tx) => {
        await assertIssuerFree(tx, input.jwt_issuer);
        const [org] = await tx
          .insert(organizations)
          .values({
            name: input.name,
            slug: input.slug,
            ownerEmail: input.owner_email ?? '',
            jwtIssuer: input.jwt_issuer ?? '',
            jwtExpirySecs: input.jwt_expiry_secs ?? 0,
            allowedOrigins: normaliseOrigins(input.allowed_origins),
            plan: input.plan ?? 'free',
          })
          .returning();
        await recordEvents(tx, [{ action: 'organization.created', organizationId: org.id, ctx, details: { slug: org.slug } }]);
        return org;
      });
    } catch (e) {
      if (isUniqueViolation(e)) throw new Conflict(`an organization with slug "${input.slug}" already exists`);
      throw e;
    } finally {
      this.changed();
    }
  }

  /**
   * An API key administers its organization's contents, not what the server administrator
   * vouches for: the plan, the slug (a namespace shared by all tenants, whose 409 would also tell
   * one tenant another's slug) and the issuer relying parties trust its tokens by.
   */
  async update(ctx: RequestContext, id: string, input: UpdateOrganizationInput): Promise<OrganizationRow> {
    await this.get(ctx, id);
    const fields = Object.keys(input);
    if (fields.length === 0) throw new InvalidRequest('nothing to update: give at least one of name, slug, owner_email, jwt_issuer, jwt_expiry_secs, allowed_origins, plan');
    if (tenantOf(ctx) !== null) {
      if (input.plan !== undefined) throw new Forbidden('an organization API key cannot change the plan');
      if (input.slug !== undefined) throw new Forbidden('an organization API key cannot change the slug');
      if (input.jwt_issuer !== undefined) throw new Forbidden('an organization API key cannot change jwt_issuer');
    }
    const changes: Partial<typeof organizations.$inferInsert> = { updatedAt: new Date() };
    if (input.name !== undefined) changes.name = input.name;
    if (input.slug !== undefined) changes.slug = input.slug;
    if (input.owner_email !== undefined) changes.ownerEmail = input.owner_email;
    if (input.jwt_issuer !== undefined) changes.jwtIssuer = input.jwt_issuer;
    if (input.jwt_expiry_secs !== undefined) changes.jwtExpirySecs = input.jwt_expiry_secs;
    if (input.allowed_origins !== undefined) changes.allowedOrigins = normaliseOrigins(input.allowed_origins);
    if (input.plan !== undefined) changes.plan = input.plan;
    try {
      return await this.db.transaction(async (tx) => {
        await assertIssuerFree(tx, input.jwt_issuer, id);
        const [org] = await tx.update(organizations).set(changes).where(eq(organizations.id, id)).returning();
        if (!org) throw new NotFound('organization not found');
        await recordEvents(tx, [{ action: 'organization.updated', organizationId: id, ctx, details: { fields } }]);
        return org;
      });
    } catch (e) {
      if (isUniqueViolation(e)) throw new Conflict(`an organization with slug "${input.slug}" already exists`);
      throw e;
    } finally {
      this.changed();
    }
  }

  /**
   * Deletes the organization with its teams, agents (and with them their tokens, which stop
   * verifying at once), keys and webhooks. Each agent's deletion is an event of its own, so global
   * webhooks and the audit trail hear about the agents that went with it.
   */
  async remove(ctx: RequestContext, id: string): Promise<void> {
    requireGlobalAdmin(ctx, 'delete organizations');
    await this.get(ctx, id);
    await this.db.transaction(async (tx) => {
      // Locked first, so no agent can be added (its foreign key waits on this row) between the list and the delete.
      const [locked] = await tx.select({ id: organizations.id }).from(organizations).where(eq(organizations.id, id)).for('update');
      if (!locked) throw new NotFound('organization not found');
      const doomed = await tx.select({ id: agents.id, name: agents.name }).from(agents).where(eq(agents.organizationId, id));
      const [org] = await tx.delete(organizations).where(eq(organizations.id, id)).returning({ slug: organizations.slug });
      const events: DomainEvent[] = doomed.map((a) => ({ action: 'agent.deleted', agentId: a.id, organizationId: id, ctx, details: { name: a.name, reason: 'organization_deleted' } }));
      events.push({ action: 'organization.deleted', organizationId: id, ctx, details: { slug: org.slug, agents_deleted: doomed.length } });
      await recordEvents(tx, events);
    });
    this.changed();
  }

  /** Every origin some organization allows (for CORS preflights, which carry no credentials). */
  async allOrigins(): Promise<Map<string, Set<string>>> {
    const rows = await this.db.select({ id: organizations.id, origins: organizations.allowedOrigins }).from(organizations).where(sql`${organizations.allowedOrigins} <> ''`);
    const byOrigin = new Map<string, Set<string>>();
    for (const row of rows) {
      for (const origin of row.origins.split(',')) {
        if (!origin) continue;
        if (!byOrigin.has(origin)) byOrigin.set(origin, new Set());
        byOrigin.get(origin)!.add(row.id);
      }
    }
    return byOrigin;
  }

  // ---- teams ---------------------------------------------------------------------------

  async listTeams(ctx: RequestContext, organizationId: string): Promise<TeamRow[]> {
    await this.get(ctx, organizationId);
    return this.db.select().from(teams).where(eq(teams.organizationId, organizationId)).orderBy(asc(teams.createdAt), asc(teams.id));
  }

  async getTeam(ctx: RequestContext, organizationId: string, teamId: string): Promise<TeamRow> {
    await this.get(ctx, organizationId);
    if (!isUuid(teamId)) throw new NotFound('team not found');
    const [team] = await this.db.select().from(teams).where(eq(teams.id, teamId));
    if (!team || team.organizationId !== organizationId) throw new NotFound('team not found');
    return team;
  }

  async createTeam(ctx: RequestContext, organizationId: string, input: CreateTeamInput): Promise<TeamRow> {
    await this.get(ctx, organizationId);
    return this.db.transaction(async (tx) => {
      const [team] = await tx.insert(teams).values({ organizationId, name: input.name, description: input.description ?? '' }).returning();
      await recordEvents(tx, [{ action: 'team.created', organizationId, ctx, details: { team_id: team.id, name: team.name } }]);
      return team;
    });
  }

  async updateTeam(ctx: RequestContext, organizationId: string, teamId: string, input: UpdateTeamInput): Promise<TeamRow> {
    await this.getTeam(ctx, organizationId, teamId);
    if (Object.keys(input).length === 0) throw new InvalidRequest('nothing to update: give name or description');
    return this.db.transaction(async (tx) => {
      const [team] = await tx
        .update(teams)
        .set({ ...(input.name !== undefined ? { name: input.name } : {}), ...(input.description !== undefined ? { description: input.description } : {}), updatedAt: new Date() })
        .where(eq(teams.id, teamId))
        .returning();
      await recordEvents(tx, [{ action: 'team.updated', organizationId, ctx, details: { team_id: teamId, fields: Object.keys(input) } }]);
      return team;
    });
  }

  /** Deletes a team; its agents and keys stay in the organization without a team. */
  async removeTeam(ctx: RequestContext, organizationId: string, teamId: string): Promise<void> {
    await this.getTeam(ctx, organizationId, teamId);
    await this.db.transaction(async (tx) => {
      await tx.delete(teams).where(eq(teams.id, teamId));
      await recordEvents(tx, [{ action: 'team.deleted', organizationId, ctx, details: { team_id: teamId } }]);
    });
  }

  // ---- browsing (GraphQL views): keyset pages and batches ---------------------------------

  /** A newest-first page of the organizations the caller may see. */
  async page(ctx: RequestContext, filter: { search?: string }, page: PageRequest): Promise<Paged<OrganizationRow>[]> {
    return pageOf<OrganizationRow>(this.db, { table: organizations, columns: getTableColumns(organizations), at: organizations.createdAt, id: organizations.id, where: browseConditions(ctx, filter) }, page);
  }

  async count(ctx: RequestContext, filter: { search?: string }): Promise<number> {
    const [{ total }] = await this.db.select({ total: count() }).from(organizations).where(and(...browseConditions(ctx, filter)));
    return total;
  }

  /** Organizations by id, only those the caller may see (others are simply absent). */
  async byIds(ctx: RequestContext, ids: readonly string[]): Promise<OrganizationRow[]> {
    const visible = visibleOrganizations(ctx, ids);
    if (visible.length === 0) return [];
    return this.db.select().from(organizations).where(inArray(organizations.id, visible));
  }

  /** The same page of several organizations' teams, in one statement. */
  async teamsByOrganizations(ctx: RequestContext, organizationIds: readonly string[], page: PageRequest) {
    return pagePerParent<TeamRow>(this.db, { table: teams, columns: getTableColumns(teams), at: teams.createdAt, id: teams.id, parent: teams.organizationId }, visibleOrganizations(ctx, organizationIds), page);
  }

  /** Teams by id, only those the caller may see. */
  async teamsByIds(ctx: RequestContext, ids: readonly string[]): Promise<TeamRow[]> {
    const tenant = tenantOf(ctx);
    const wanted = ids.filter(isUuid);
    if (wanted.length === 0) return [];
    return this.db.select().from(teams).where(and(inArray(teams.id, wanted), tenant ? eq(teams.organizationId, tenant) : undefined));
  }

  private changed() {
    for (const listener of this.onChange) listener();
  }
}

/**
 * `allowed_origins` as browsers send `Origin` (lowercase host, no default port, no trailing
 * slash), so the CORS check is an exact string match. The schema has already validated each one.
 */
function normaliseOrigins(value: string | undefined): string {
  if (!value) return '';
  return [...new Set(value.split(',').map((s) => parseOrigin(s.trim())).filter((o): o is string => !!o))].join(',');
}

/**
 * Relying parties may trust an organization's tokens by their `iss`; two organizations sharing one
 * issuer would let either's agents pass for the other's.
 */
async function assertIssuerFree(tx: DbOrTx, issuer: string | undefined, exceptId?: string) {
  if (!issuer) return;
  // Check-then-write must not interleave: hold one lock for all issuer changes until commit.
  await tx.execute(sql`select pg_advisory_xact_lock(hashtext('machineauth:organizations.jwt_issuer'))`);
  const clash = await tx
    .select({ id: organizations.id })
    .from(organizations)
    .where(exceptId ? and(eq(organizations.jwtIssuer, issuer), ne(organizations.id, exceptId)) : eq(organizations.jwtIssuer, issuer))
    .limit(1);
  if (clash.length) throw new Conflict('another organization already uses this jwt_issuer');
}

/** The caller's tenant and an optional name/slug search. */
function browseConditions(ctx: RequestContext, filter: { search?: string }): SQL[] {
  const tenant = tenantOf(ctx);
  const conditions: SQL[] = [];
  if (tenant) conditions.push(eq(organizations.id, tenant));
  if (filter.search) {
    const pattern = `%${filter.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    conditions.push(or(ilike(organizations.name, pattern), ilike(organizations.slug, pattern))!);
  }
  return conditions;
}
