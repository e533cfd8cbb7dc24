import autocannon from 'autocannon';
import { cpuSeconds } from './processes.ts';

export interface LoadOptions {
  connections: number;
  /** Seconds of warm-up (JIT, pools, caches), not counted. */
  warmup: number;
  /** Seconds measured. */
  duration: number;
}

export interface Figures {
  rps: number;
  p50: number;
  p99: number;
  max: number;
  /** Connection errors and timeouts. */
  errors: number;
  non2xx: number;
  /** 2xx answers, warm-up included (what the server must have recorded). */
  ok: number;
  /** CPU milliseconds per request of the server process, and of its children (the embedded PostgreSQL). */
  cpuMs?: number;
  dbCpuMs?: number;
}

/**
 * One measurement: a warm-up, then the measured run, with the same requests. `requests` are
 * cycled through by every connection (prebuilt by autocannon unless they have hooks).
 */
/**
 * `pids.server` is the server process; the database's CPU is that of `pids.db` and its
 * descendants when given (a PostgreSQL the bench started), else that of the server's descendants
 * (the embedded PostgreSQL MachineAuth started).
 */
export async function load(url: string, requests: autocannon.Request[], options: LoadOptions, pids?: { server: number; db?: number }): Promise<Figures> {
  const base = { url, connections: options.connections, pipelining: 1, timeout: 10, requests };
  let warmOk = 0;
  if (options.warmup > 0) {
    const warm = await autocannon({ ...base, duration: options.warmup });
    warmOk = warm['2xx'];
  }
  const sample = () => {
    if (!pids) return undefined;
    const server = cpuSeconds(pids.server);
    if (pids.db === undefined) return { server: server.self, db: server.descendants };
    const db = cpuSeconds(pids.db);
    return { server: server.self, db: db.self + db.descendants };
  };
  const before = sample();
  const r = await autocannon({ ...base, duration: options.duration });
  const after = sample();
  const perRequest = (a: number, b: number) => ((b - a) * 1000) / Math.max(1, r.requests.total);
  return {
    ...(before && after ? { cpuMs: perRequest(before.server, after.server), dbCpuMs: perRequest(before.db, after.db) } : {}),
    rps: r.requests.total / options.duration,
    p50: r.latency.p50,
    p99: r.latency.p99,
    max: r.latency.max,
    errors: r.errors + r.timeouts,
    non2xx: r.non2xx,
    ok: warmOk + r['2xx'],
  };
}

export const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

export function form(fields: Record<string, string>): string {
  return new URLSearchParams(fields).toString();
}
