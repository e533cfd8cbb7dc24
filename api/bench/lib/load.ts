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
export async function load(url: string, requests: autocannon.Request[], options: LoadOptions, serverPid?: number): Promise<Figures> {
  const base = { url, connections: options.connections, pipelining: 1, timeout: 10, requests };
  let warmOk = 0;
  if (options.warmup > 0) {
    const warm = await autocannon({ ...base, duration: options.warmup });
    warmOk = warm['2xx'];
  }
  const before = serverPid ? cpuSeconds(serverPid) : undefined;
  const r = await autocannon({ ...base, duration: options.duration });
  const after = serverPid ? cpuSeconds(serverPid) : undefined;
  const perRequest = (a: number, b: number) => ((b - a) * 1000) / Math.max(1, r.requests.total);
  return {
    ...(before && after ? { cpuMs: perRequest(before.self, after.self), dbCpuMs: perRequest(before.descendants, after.descendants) } : {}),
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
