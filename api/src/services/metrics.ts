import { count, gt, isNull, and, sql } from 'drizzle-orm';
import type { Database, DbOrTx } from '../db/index.ts';
import { accessTokens, agents, metricCounters } from '../db/schema.ts';

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
