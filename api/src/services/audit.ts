import { and, desc, eq, lt, or, type SQL } from 'drizzle-orm';
import type { Database } from '../db/index.ts';
import { auditLogs } from '../db/schema.ts';
import { tenantOf, type RequestContext } from './context.ts';

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
}
