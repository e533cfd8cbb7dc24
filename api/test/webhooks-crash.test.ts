import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyDelivery } from '../src/lib/webhook-signature.ts';
import { ADMIN_AUTH, ADMIN_EMAIL, ADMIN_PASSWORD, createDatabase } from './helpers.ts';
import { WebhookReceiver } from './webhook-receiver.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** A port nobody listens on right now (PORT=0 would hide the real one inside the child). */
async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** The real server as a separate process: `npm start`'s entry point, in its own process group. */
class ServerProcess {
  private child?: ChildProcess;
  output = '';

  constructor(private readonly env: Record<string, string>, readonly url: string) {}

  async start() {
    const child = spawn('npx', ['tsx', 'api/src/main.ts'], {
      cwd: ROOT,
      env: { ...process.env, ...this.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own group, so a kill reaches npx, tsx and the node process serving requests alike.
      detached: true,
    });
    this.child = child;
    child.stdout!.on('data', (chunk: Buffer) => { this.output += chunk.toString(); });
    child.stderr!.on('data', (chunk: Buffer) => { this.output += chunk.toString(); });
    const deadline = Date.now() + 90_000;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}:\n${this.output}`);
      const ok = await fetch(`${this.url}/health`).then((r) => r.ok, () => false);
      if (ok) return;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`server did not become healthy:\n${this.output}`);
  }

  async kill(signal: NodeJS.Signals) {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    try {
      process.kill(-child.pid!, signal);
    } catch {
      return;
    }
    await exited;
  }
}

let receiver: WebhookReceiver;
let server: ServerProcess;
let db: postgres.Sql;

beforeAll(async () => {
  receiver = await WebhookReceiver.start();
  const databaseUrl = await createDatabase();
  db = postgres(databaseUrl, { max: 2, onnotice: () => {} });
  const port = await freePort();
  server = new ServerProcess(
    {
      DATABASE_URL: databaseUrl,
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR: mkdtempSync(path.join(os.tmpdir(), 'machineauth-crash-')),
      ADMIN_EMAIL,
      ADMIN_PASSWORD,
      LOG_LEVEL: 'warn',
      DB_POOL_SIZE: '5',
      WEBHOOK_TIMEOUT_SECS: '1',
      WEBHOOK_BACKOFF_UNIT_MS: '50',
      WEBHOOK_WORKER_COUNT: '3',
    },
    `http://127.0.0.1:${port}`,
  );
  await server.start();
}, 120_000);

afterAll(async () => {
  await server?.kill('SIGKILL');
  await db?.end({ timeout: 5 });
  await receiver?.close();
});

const admin = (pathname: string, body?: unknown) =>
  fetch(`${server.url}${pathname}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { authorization: ADMIN_AUTH, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });

describe('crash in the middle of a burst', () => {
  it('delivers every acknowledged event after a restart, at least once, under one delivery id', async () => {
    const created = await admin('/api/webhooks', { name: 'crash', url: receiver.at('crash'), events: ['agent.created'], max_retries: 20, retry_backoff_base: 2 });
    expect(created.status).toBe(201);
    const { secret } = (await created.json()) as { secret: string };

    // A slow receiver that also fails every third request: deliveries queue up, some retry, three are in flight.
    receiver.on('crash', (_r, n) => ({ status: n % 3 === 2 ? 503 : 200, delayMs: 300 }));
    const acknowledged: string[] = [];
    let stop = false;
    const burst = Array.from({ length: 6 }, async (_, worker) => {
      for (let i = 0; !stop; i++) {
        try {
          const res = await admin('/api/agents', { name: `burst-${worker}-${i}` });
          if (res.status === 201) acknowledged.push(((await res.json()) as { agent: { id: string } }).agent.id);
        } catch {
          // The server died under this request: it was never acknowledged.
        }
      }
    });
    while (acknowledged.length < 40) await new Promise((r) => setTimeout(r, 5));
    await server.kill('SIGKILL');
    stop = true;
    await Promise.all(burst);

    // The kill really interrupted delivery: work was queued and jobs were held by the dead worker.
    const [open] = await db`select count(*)::int as n from webhook_deliveries where status in ('pending', 'retrying')`;
    const [locked] = await db`select count(*)::int as n from graphile_worker.jobs where locked_by is not null`;
    expect(open.n).toBeGreaterThan(0);
    expect(locked.n).toBeGreaterThan(0);
    const deliveredBefore = receiver.matching('crash').length;

    receiver.on('crash', () => 200);
    await server.start();

    const heard = (agentId: string) => receiver.matching('crash').filter((r) => r.json.agent_id === agentId);
    const deadline = Date.now() + 90_000;
    while (acknowledged.some((id) => heard(id).length === 0 || false)) {
      if (Date.now() > deadline) throw new Error(`undelivered: ${acknowledged.filter((id) => heard(id).length === 0).join(', ')}\n${server.output}`);
      await new Promise((r) => setTimeout(r, 250));
    }

    // One delivery row per committed event (acknowledged or not), and every copy of it carries its id.
    const rows = await db<{ id: string; agent_id: string; status: string }[]>`
      select id, payload::jsonb ->> 'agent_id' as agent_id, status from webhook_deliveries`;
    const [agents] = await db`select count(*)::int as n from agents`;
    const [audits] = await db`select count(*)::int as n from audit_logs where action = 'agent.created'`;
    expect(rows.length).toBe(agents.n);
    expect(audits.n).toBe(agents.n);
    const byAgent = new Map(rows.map((r) => [r.agent_id, r]));
    expect(byAgent.size).toBe(rows.length);
    for (const agentId of acknowledged) {
      const row = byAgent.get(agentId);
      expect(row, agentId).toBeDefined();
      for (const request of heard(agentId)) {
        expect(request.headers['x-webhook-id']).toBe(row!.id);
        expect(verifyDelivery(secret, request.headers, request.body).ok).toBe(true);
      }
    }
    // Nothing is left behind: committed but unacknowledged events are delivered too.
    const deadline2 = Date.now() + 30_000;
    for (;;) {
      const [left] = await db`select count(*)::int as n from webhook_deliveries where status <> 'delivered'`;
      if (left.n === 0) break;
      if (Date.now() > deadline2) throw new Error(`${left.n} deliveries not delivered`);
      await new Promise((r) => setTimeout(r, 250));
    }
    const total = receiver.matching('crash').length;
    console.info(`crash test: ${acknowledged.length} acknowledged, ${agents.n} committed, ${deliveredBefore} requests before the kill, ${total} in all`);
    await server.kill('SIGTERM');
  }, 180_000);
});
