import pino from 'pino';
import postgres from 'postgres';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../../src/db/embedded.ts';

/**
 * The embedded PostgreSQL started by the bench itself, so that it can seed the database
 * directly; MachineAuth then runs in its DATABASE_URL mode against it.
 */
export function startBenchPostgres(dataDir: string): Promise<EmbeddedDatabase> {
  return startEmbeddedPostgres(dataDir, pino({ level: 'silent' }));
}

/**
 * A production-sized history, written with generate_series in a few statements: `agents` more
 * agents, and `tokens` issued tokens among them (access token rows with their refresh token rows
 * and token.issued audit rows), issued over the last week, so most of them have expired.
 */
export async function seedScale(databaseUrl: string, agents: number, tokens: number, log: (line: string) => void): Promise<void> {
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} });
  try {
    const started = Date.now();
    await sql`
      insert into agents (name, client_id, client_secret_hash, scopes, token_count, created_at, updated_at)
      select 'seed-agent-' || g, gen_random_uuid(), sha256(convert_to('seed-secret-' || g, 'UTF8')), '{read,write}',
             ${Math.ceil(tokens / agents)}, now() - make_interval(secs => g), now() - make_interval(secs => g)
      from generate_series(1, ${agents}::int) g`;
    log(`seeded ${agents.toLocaleString('en-US')} agents (${((Date.now() - started) / 1000).toFixed(0)} s)`);
    await sql`create temporary table seeded as select id, row_number() over (order by id) - 1 as n from agents where name like 'seed-agent-%'`;
    const chunk = 250_000;
    for (let from = 0; from < tokens; from += chunk) {
      const to = Math.min(tokens, from + chunk) - 1;
      await sql`
        with issued as (
          select gen_random_uuid() as jti, s.id as agent_id, now() - make_interval(secs => random() * 604800) as issued_at, g
          from generate_series(${from}::int, ${to}::int) g
          join seeded s on s.n = g % ${agents}::int
        ), tokens as (
          insert into access_tokens (jti, agent_id, grant_type, issued_at, expires_at, revoked_at)
          select jti, agent_id, 'client_credentials', issued_at, issued_at + interval '1 hour',
                 case when g % 100 = 0 then issued_at + interval '5 minutes' end
          from issued
          returning jti, agent_id, issued_at
        ), refreshes as (
          insert into refresh_tokens (token_hash, agent_id, family_id, access_jti, scopes, issued_at, expires_at, used_at)
          select sha256(convert_to(jti::text, 'UTF8')), agent_id, gen_random_uuid(), jti, '{read,write}',
                 issued_at, issued_at + interval '7 days', case when random() < 0.5 then issued_at + interval '50 minutes' end
          from tokens
        )
        insert into audit_logs (agent_id, action, actor, ip_address, user_agent, details, created_at)
        select agent_id, 'token.issued', 'agent', '127.0.0.1', 'seed', jsonb_build_object('jti', jti, 'grant_type', 'client_credentials'), issued_at
        from tokens`;
      log(`seeded ${(to + 1).toLocaleString('en-US')} tokens (${((Date.now() - started) / 1000).toFixed(0)} s)`);
    }
    await sql`vacuum analyze`;
    log(`vacuum analyze done (${((Date.now() - started) / 1000).toFixed(0)} s)`);
  } finally {
    await sql.end({ timeout: 5 });
  }
}

/** Rows in the tables a token touches, to show what the figures were measured against. */
export async function tableSizes(databaseUrl: string): Promise<Record<string, number>> {
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} });
  try {
    const [row] = await sql<{ agents: number; access_tokens: number; refresh_tokens: number; audit_logs: number }[]>`
      select (select count(*) from agents)::int as agents, (select count(*) from access_tokens)::int as access_tokens,
             (select count(*) from refresh_tokens)::int as refresh_tokens, (select count(*) from audit_logs)::int as audit_logs`;
    return { ...row };
  } finally {
    await sql.end({ timeout: 5 });
  }
}
