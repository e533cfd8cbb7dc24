import { asc, desc, eq, sql } from 'drizzle-orm';
import type { Database } from '../db/index.ts';
import { organizations, teams } from '../db/schema.ts';
import { Conflict, Forbidden, NotFound } from '../errors.ts';
import { isUuid } from '../lib/secrets.ts';
import type { CreateOrganizationInput, CreateTeamInput, UpdateOrganizationInput, UpdateTeamInput } from '../schemas/organizations.ts';
import { assertVisible, tenantOf, type RequestContext } from './context.ts';
import { recordEvents } from './events.ts';

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
    if (tenantOf(ctx) !== null) throw new Forbidden('an API key cannot create organizations');
    try {
      return await this.db.transaction(async (tx) => {
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

  async update(ctx: RequestContext, id: string, input: UpdateOrganizationInput): Promise<OrganizationRow> {
    await this.get(ctx, id);
    const changes: Partial<typeof organizations.$inferInsert> = { updatedAt: new Date() };
    if (input.name !== undefined) changes.name = input.name;
    if (input.slug !== undefined) changes.slug = input.slug;
    if (input.owner_email !== undefined) changes.ownerEmail = input.owner_email;
    if (input.jwt_issuer !== undefined) changes.jwtIssuer = input.jwt_issuer;
    if (input.jwt_expiry_secs !== undefined) changes.jwtExpirySecs = input.jwt_expiry_secs;
    if (input.allowed_origins !== undefined) changes.allowedOrigins = normaliseOrigins(input.allowed_origins);
    if (input.plan !== undefined) {
      if (tenantOf(ctx) !== null) throw new Forbidden('an API key cannot change its organization\'s plan');
      changes.plan = input.plan;
    }
    try {
      return await this.db.transaction(async (tx) => {
        const [org] = await tx.update(organizations).set(changes).where(eq(organizations.id, id)).returning();
        if (!org) throw new NotFound('organization not found');
        await recordEvents(tx, [{ action: 'organization.updated', organizationId: id, ctx, details: { fields: Object.keys(input) } }]);
        return org;
      });
    } catch (e) {
      if (isUniqueViolation(e)) throw new Conflict(`an organization with slug "${input.slug}" already exists`);
      throw e;
    } finally {
      this.changed();
    }
  }

  /** Deletes the organization with its teams, agents (and so their tokens), keys and webhooks. */
  async remove(ctx: RequestContext, id: string): Promise<void> {
    if (tenantOf(ctx) !== null) throw new Forbidden('an API key cannot delete its organization');
    const org = await this.get(ctx, id);
    await this.db.transaction(async (tx) => {
      await tx.delete(organizations).where(eq(organizations.id, id));
      await recordEvents(tx, [{ action: 'organization.deleted', organizationId: id, ctx, details: { slug: org.slug } }]);
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

  private changed() {
    for (const listener of this.onChange) listener();
  }
}

/** `allowed_origins` is a comma-separated list of exact origins (scheme://host[:port]). */
function normaliseOrigins(value: string | undefined): string {
  if (!value) return '';
  return [...new Set(value.split(',').map((s) => s.trim().replace(/\/+$/, '')).filter(Boolean))].join(',');
}
