import { count, gt, isNull, and, sql } from 'drizzle-orm';
import type { Database, DbOrTx } from '../db/index.ts';
import { accessTokens, agents, metricCounters } from '../db/schema.ts';
import { InvalidRequest } from '../errors.ts';
import { tenantOf, type RequestContext } from './context.ts';

export type CounterName = 'tokens_issued' | 'tokens_refreshed' | 'tokens_revoked';

/** Adds to the durable counters inside the caller's transaction. */
export async function bumpCounters(tx: DbOrTx, deltas: Partial<Record<CounterName, number>>): Promise<void> {
  const rows = Object.entries(deltas).filter(([, v]) => v && v > 0);
  if (rows.length === 0) return;
  await tx
    .insert(metricCounters)
    .values(rows.map(([name, value]) => ({ name, value: value! })))
    .onConflictDoUpdate({ target: metricCounters.name, set: { value: sql`${metricCounters.value} + excluded.value` } });
}

export type SeriesInterval = 'hour' | 'day';
const SERIES_STEP_MS: Record<SeriesInterval, number> = { hour: 3_600_000, day: 86_400_000 };
const MAX_SERIES_POINTS = 2000;

export interface SeriesPoint {
  /** Start of the hour or day, UTC. */
  bucket: Date;
  tokensIssued: number;
  tokensRefreshed: number;
  tokensRevoked: number;
  agentsCreated: number;
  /** Agents that exist now and had been created by the end of this bucket. */
  agentsTotal: number;
  deliveriesDelivered: number;
  deliveriesFailed: number;
  deliveriesPending: number;
}

export interface MetricsSnapshot {
  requests: number;
  tokens_issued: number;
  tokens_refreshed: number;
  tokens_revoked: number;
  active_tokens: number;
  total_agents: number;
  active_agents: number;
}

export class MetricsService {
  /** Requests served by this process (the seed's `requests`); everything else comes from the database. */
  requests = 0;

  constructor(private readonly db: Database) {}

  async snapshot(): Promise<MetricsSnapshot> {
    const [counters, [tokens], [agentCounts]] = await Promise.all([
      this.db.select().from(metricCounters),
      this.db
        .select({ active: count() })
        .from(accessTokens)
        .where(and(isNull(accessTokens.revokedAt), gt(accessTokens.expiresAt, sql`now()`))),
      this.db.select({ total: count(), active: sql<number>`count(*) filter (where ${agents.isActive})`.mapWith(Number) }).from(agents),
    ]);
    const c = Object.fromEntries(counters.map((r) => [r.name, r.value]));
    return {
      requests: this.requests,
      tokens_issued: c.tokens_issued ?? 0,
      tokens_refreshed: c.tokens_refreshed ?? 0,
      tokens_revoked: c.tokens_revoked ?? 0,
      active_tokens: tokens.active,
      total_agents: agentCounts.total,
      active_agents: agentCounts.active,
    };
  }

  /**
   * Activity per hour or day (UTC) for charts, from the rows themselves in one statement: tokens
   * issued, refreshed and revoked, agents created (and how many of today's agents existed by
   * then), and webhook deliveries by outcome. An API key sees only its organization's.
   */
  async timeSeries(ctx: RequestContext, range: { interval: SeriesInterval; from: Date; to: Date }): Promise<SeriesPoint[]> {
    const tenant = tenantOf(ctx);
    const { interval, from, to } = range;
    if (!(from.getTime() < to.getTime())) throw new InvalidRequest('from must be before to');
    const buckets = Math.ceil((to.getTime() - from.getTime()) / SERIES_STEP_MS[interval]);
    if (buckets > MAX_SERIES_POINTS) throw new InvalidRequest(`at most ${MAX_SERIES_POINTS} ${interval}s per series; narrow the range or use a longer interval`);
    const org = (column: string) => (tenant ? sql`and ${sql.identifier(column)} = ${tenant}::uuid` : sql``);
    const bucket = (column: string) => sql`date_trunc(${interval}, ${sql.identifier(column)}, 'UTC')`;
    const rows = await this.db.execute<{
      bucket: string; tokens_issued: number; tokens_refreshed: number; tokens_revoked: number;
      agents_created: number; agents_total: number; deliveries_delivered: number; deliveries_failed: number; deliveries_pending: number;
    }>(sql`
      with range as (
        select date_trunc(${interval}, ${from.toISOString()}::timestamptz, 'UTC') as first, ${to.toISOString()}::timestamptz as last
      ), buckets as (
        select generate_series(range.first, range.last - interval '1 microsecond', ${`1 ${interval}`}::interval) as bucket from range
      ), issued as (
        select ${bucket('issued_at')} as bucket, count(*)::int as n, (count(*) filter (where grant_type = 'refresh_token'))::int as refreshed
        from access_tokens, range where issued_at >= range.first and issued_at < range.last ${org('organization_id')} group by 1
      ), revoked as (
        select ${bucket('revoked_at')} as bucket, count(*)::int as n
        from access_tokens, range where revoked_at >= range.first and revoked_at < range.last ${org('organization_id')} group by 1
      ), created as (
        select ${bucket('created_at')} as bucket, count(*)::int as n
        from agents, range where created_at >= range.first and created_at < range.last ${org('organization_id')} group by 1
      ), before_range as (
        select count(*)::int as n from agents, range where created_at < range.first ${org('organization_id')}
      ), deliveries as (
        select ${bucket('created_at')} as bucket,
          (count(*) filter (where status = 'delivered'))::int as delivered,
          (count(*) filter (where status in ('failed', 'dead')))::int as failed,
          (count(*) filter (where status in ('pending', 'retrying')))::int as pending
        from webhook_deliveries, range where created_at >= range.first and created_at < range.last ${org('organization_id')} group by 1
      )
      select to_char(b.bucket at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') as bucket,
        coalesce(i.n, 0) as tokens_issued, coalesce(i.refreshed, 0) as tokens_refreshed, coalesce(r.n, 0) as tokens_revoked,
        coalesce(c.n, 0) as agents_created,
        ((select n from before_range) + sum(coalesce(c.n, 0)) over (order by b.bucket))::int as agents_total,
        coalesce(d.delivered, 0) as deliveries_delivered, coalesce(d.failed, 0) as deliveries_failed, coalesce(d.pending, 0) as deliveries_pending
      from buckets b
      left join issued i on i.bucket = b.bucket
      left join revoked r on r.bucket = b.bucket
      left join created c on c.bucket = b.bucket
      left join deliveries d on d.bucket = b.bucket
      order by b.bucket`);
    return rows.map((r) => ({
      bucket: new Date(r.bucket),
      tokensIssued: r.tokens_issued,
      tokensRefreshed: r.tokens_refreshed,
      tokensRevoked: r.tokens_revoked,
      agentsCreated: r.agents_created,
      agentsTotal: r.agents_total,
      deliveriesDelivered: r.deliveries_delivered,
      deliveriesFailed: r.deliveries_failed,
      deliveriesPending: r.deliveries_pending,
    }));
  }

  /** Prometheus text exposition format 0.0.4. */
  static prometheus(m: MetricsSnapshot): string {
    const line = (name: string, type: 'counter' | 'gauge', help: string, value: number) =>
      `# HELP machineauth_${name} ${help}\n# TYPE machineauth_${name} ${type}\nmachineauth_${name} ${value}\n`;
    return [
      line('http_requests_total', 'counter', 'HTTP requests served by this instance.', m.requests),
      line('tokens_issued_total', 'counter', 'Access tokens issued.', m.tokens_issued),
      line('tokens_refreshed_total', 'counter', 'Access tokens issued by the refresh_token grant.', m.tokens_refreshed),
      line('tokens_revoked_total', 'counter', 'Access tokens revoked.', m.tokens_revoked),
      line('active_tokens', 'gauge', 'Access tokens neither expired nor revoked.', m.active_tokens),
      line('agents', 'gauge', 'Registered agents.', m.total_agents),
      line('active_agents', 'gauge', 'Agents that are active.', m.active_agents),
    ].join('');
  }
}
