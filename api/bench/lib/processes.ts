import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readdirSync, readFileSync } from 'node:fs';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/** tsx as an --import hook, by absolute URL, so the child may run in any working directory. */
const TSX = import.meta.resolve('tsx');

export interface Child {
  name: string;
  pid: number;
  url: string;
  process: ChildProcess;
  /** SIGTERM (graceful shutdown), SIGKILL if it has not exited after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Runs a TypeScript entry point as its own node process (no tsx wrapper process in between, so
 * the pid is the server's: RSS samples and --cpu-prof see the server itself). Output goes to
 * `logFile`, as a deployment's would go to a file.
 */
export async function startChild(options: {
  name: string;
  entry: string;
  port: number;
  env: Record<string, string>;
  cwd: string;
  logFile: string;
  nodeArgs?: string[];
  args?: string[];
  readyPath?: string;
  readyTimeoutMs?: number;
}): Promise<Child> {
  // The child writes straight to the file (not through a pipe to this process, which runs the load).
  const log = openSync(options.logFile, 'a');
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), '--import', TSX, options.entry, ...(options.args ?? [])], {
    cwd: options.cwd,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...options.env },
    stdio: ['ignore', log, log],
  });
  closeSync(log);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = `http://127.0.0.1:${options.port}`;
  const deadline = Date.now() + (options.readyTimeoutMs ?? 180_000);
  let ready = false;
  while (!ready) {
    if (child.exitCode !== null) throw new Error(`${options.name} exited with ${child.exitCode} before it was ready; see ${options.logFile}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${options.name} was not ready in time; see ${options.logFile}`);
    }
    try {
      const res = await fetch(`${url}${options.readyPath ?? '/health'}`, { signal: AbortSignal.timeout(2000) });
      ready = res.status < 500;
      await res.arrayBuffer();
    } catch {
      // not listening yet
    }
    if (!ready) await sleep(200);
  }
  return {
    name: options.name,
    pid: child.pid!,
    url,
    process: child,
    async stop(graceMs = 20_000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Resident set size of a process in MiB, from /proc (Linux). */
export function rssMiB(pid: number): number | undefined {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

/**
 * CPU seconds (user + system) used so far by a process and, separately, by all its descendants
 * (for MachineAuth in embedded mode: PostgreSQL). Dividing a difference by the requests served
 * gives CPU per request, a figure that noisy neighbours on the machine disturb far less than
 * throughput.
 */
export function cpuSeconds(pid: number): { self: number; descendants: number } {
  const TICKS = 100; // USER_HZ: /proc reports clock ticks of 1/100 s on Linux
  const stats = new Map<number, { ppid: number; ticks: number }>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // The command name may hold spaces and parentheses: fields start after the last ')'.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      stats.set(Number(entry), { ppid: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]) });
    } catch {
      // exited meanwhile
    }
  }
  const children = new Map<number, number[]>();
  for (const [p, s] of stats) children.set(s.ppid, [...(children.get(s.ppid) ?? []), p]);
  let descendants = 0;
  const stack = [...(children.get(pid) ?? [])];
  while (stack.length) {
    const p = stack.pop()!;
    descendants += stats.get(p)?.ticks ?? 0;
    stack.push(...(children.get(p) ?? []));
  }
  return { self: (stats.get(pid)?.ticks ?? 0) / TICKS, descendants: descendants / TICKS };
}

/** The first child of `parentPid` running `command` (e.g. the postmaster the bench started). */
export function childByCommand(parentPid: number, command: string): number | undefined {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === parentPid && comm === command) return Number(entry);
    } catch {
      // exited meanwhile
    }
  }
  return undefined;
}
