import { and, count, desc, eq, getTableColumns, gte, lt, lte, or, sql, type SQL } from 'drizzle-orm';
import type { Database } from '../db/index.ts';
import { auditLogs } from '../db/schema.ts';
import { tenantOf, type RequestContext } from './context.ts';
import { pageOf, pagePerParent, type PageRequest, type Paged } from './pagination.ts';
import { isUuid } from '../lib/secrets.ts';

export type AuditRow = typeof auditLogs.$inferSelect;

export interface AuditFilter {
  agentId?: string;
  organizationId?: string;
  action?: string;
  /** Keyset cursor: entries strictly older than this (createdAt, id). */
  before?: { createdAt: Date; id: string };
  limit?: number;
}

/** The audit trail, newest first. An API key sees only its organization's entries. */
export class AuditService {
  constructor(private readonly db: Database) {}

  async list(ctx: RequestContext, filter: AuditFilter = {}): Promise<AuditRow[]> {
    const tenant = tenantOf(ctx);
    if (tenant && filter.organizationId && filter.organizationId !== tenant) return [];
    const conditions: SQL[] = [];
    const org = tenant ?? filter.organizationId;
    if (org) conditions.push(eq(auditLogs.organizationId, org));
    if (filter.agentId) conditions.push(eq(auditLogs.agentId, filter.agentId));
    if (filter.action) conditions.push(eq(auditLogs.action, filter.action));
    if (filter.before) {
      const { createdAt, id } = filter.before;
      conditions.push(or(lt(auditLogs.createdAt, createdAt), and(eq(auditLogs.createdAt, createdAt), lt(auditLogs.id, id)))!);
    }
    return this.db
      .select()
      .from(auditLogs)
      .where(conditions.length ? and(...conditions) : undefined)
      .orderBy(desc(auditLogs.createdAt), desc(auditLogs.id))
      .limit(Math.min(filter.limit ?? 100, 1000));
  }

  // ---- browsing (GraphQL views): keyset pages and batches ---------------------------------

  async page(ctx: RequestContext, filter: AuditBrowseFilter, page: PageRequest): Promise<Paged<AuditRow>[]> {
    return pageOf<AuditRow>(this.db, { table: auditLogs, columns: getTableColumns(auditLogs), at: auditLogs.createdAt, id: auditLogs.id, where: browseConditions(ctx, filter) }, page);
  }

  async count(ctx: RequestContext, filter: AuditBrowseFilter): Promise<number> {
    const [{ total }] = await this.db.select({ total: count() }).from(auditLogs).where(and(...browseConditions(ctx, filter)));
    return total;
  }

  /** The same page of several agents' audit trails, in one statement. */
  async pageByAgents(ctx: RequestContext, agentIds: readonly string[], filter: Omit<AuditBrowseFilter, 'agentId'>, page: PageRequest) {
    return pagePerParent<AuditRow>(
      this.db,
      { table: auditLogs, columns: getTableColumns(auditLogs), at: auditLogs.createdAt, id: auditLogs.id, parent: auditLogs.agentId, where: browseConditions(ctx, filter) },
      agentIds.filter(isUuid),
      page,
    );
  }
}

/** What an administrator browses the audit log by (GraphQL). */
export interface AuditBrowseFilter {
  organizationId?: string;
  agentId?: string;
  action?: string;
  since?: Date;
  until?: Date;
}

/** The filters within the caller's tenant; a malformed id matches nothing. */
function browseConditions(ctx: RequestContext, filter: AuditBrowseFilter): SQL[] {
  const tenant = tenantOf(ctx);
  const conditions: SQL[] = [];
  if (tenant) conditions.push(eq(auditLogs.organizationId, tenant));
  if (filter.organizationId) conditions.push(isUuid(filter.organizationId) ? eq(auditLogs.organizationId, filter.organizationId) : sql`false`);
  if (filter.agentId) conditions.push(isUuid(filter.agentId) ? eq(auditLogs.agentId, filter.agentId) : sql`false`);
  if (filter.action) conditions.push(eq(auditLogs.action, filter.action));
  if (filter.since) conditions.push(gte(auditLogs.createdAt, filter.since));
  if (filter.until) conditions.push(lte(auditLogs.createdAt, filter.until));
  return conditions;
}
