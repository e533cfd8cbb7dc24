import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { freePort, startChild, type Child } from './processes.ts';

export type Algorithm = 'RS256' | 'ES256' | 'EdDSA';

/** An agent's credentials, as every server under test (and each reference) is given them. */
export interface BenchClient {
  clientId: string;
  clientSecret: string;
  agentId: string;
  scopes: string[];
}

export interface IssuedTokens {
  access_token: string;
  refresh_token: string;
}

const MAIN = fileURLToPath(new URL('../../src/main.ts', import.meta.url));
export const ADMIN_EMAIL = 'bench-admin@example.com';

export interface MachineAuth extends Child {
  adminAuth: string;
}

/**
 * MachineAuth as the README runs it, in production mode: its own data directory (embedded
 * PostgreSQL in it unless `databaseUrl` is given), a non-default admin password, a free port.
 */
export async function startMachineAuth(options: {
  dataDir: string;
  algorithm: Algorithm;
  adminPassword: string;
  databaseUrl?: string;
  nodeArgs?: string[];
  env?: Record<string, string>;
}): Promise<MachineAuth> {
  const port = await freePort();
  const child = await startChild({
    name: `MachineAuth ${options.algorithm}`,
    entry: MAIN,
    port,
    cwd: options.dataDir,
    logFile: path.join(options.dataDir, 'server.log'),
    nodeArgs: options.nodeArgs,
    env: {
      ENV: 'production',
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      PORT: String(port),
      DATA_DIR: options.dataDir,
      ADMIN_EMAIL,
      ADMIN_PASSWORD: options.adminPassword,
      JWT_SIGNING_ALGORITHM: options.algorithm,
      ...(options.databaseUrl ? { DATABASE_URL: options.databaseUrl } : {}),
      ...options.env,
    },
  });
  return Object.assign(child, { adminAuth: `Basic ${Buffer.from(`${ADMIN_EMAIL}:${options.adminPassword}`).toString('base64')}` });
}

async function call<T>(url: string, init: RequestInit & { expect: number }): Promise<T> {
  const res = await fetch(url, init);
  const text = await res.text();
  if (res.status !== init.expect) throw new Error(`${init.method ?? 'GET'} ${url}: ${res.status} ${text}`);
  return JSON.parse(text) as T;
}

/** Creates agents through the admin API, a few requests at a time. */
export async function createAgents(server: MachineAuth, count: number): Promise<BenchClient[]> {
  const clients: BenchClient[] = [];
  for (let i = 0; i < count; i += 10) {
    const batch = Array.from({ length: Math.min(10, count - i) }, (_, j) =>
      call<{ agent: { id: string }; client_id: string; client_secret: string }>(`${server.url}/api/agents`, {
        method: 'POST',
        headers: { authorization: server.adminAuth, 'content-type': 'application/json' },
        body: JSON.stringify({ name: `bench-agent-${i + j}`, scopes: ['read', 'write'] }),
        expect: 201,
      }),
    );
    for (const created of await Promise.all(batch)) {
      clients.push({ clientId: created.client_id, clientSecret: created.client_secret, agentId: created.agent.id, scopes: ['read', 'write'] });
    }
  }
  return clients;
}

export function getToken(url: string, client: BenchClient): Promise<IssuedTokens> {
  return call<IssuedTokens>(`${url}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: client.clientId, client_secret: client.clientSecret }).toString(),
    expect: 200,
  });
}

/** `count` token pairs, round-robin over the clients, a few requests at a time. */
export async function mintTokens(url: string, clients: BenchClient[], count: number): Promise<IssuedTokens[]> {
  const out: IssuedTokens[] = [];
  for (let i = 0; i < count; i += 20) {
    const batch = Array.from({ length: Math.min(20, count - i) }, (_, j) => getToken(url, clients[(i + j) % clients.length]));
    out.push(...(await Promise.all(batch)));
  }
  return out;
}

/** The durable tokens_issued counter (it commits in the same transaction as the token rows). */
export async function tokensIssued(server: MachineAuth): Promise<number> {
  const metrics = await call<{ tokens_issued: number }>(`${server.url}/metrics`, { expect: 200, headers: { accept: 'application/json' } });
  return metrics.tokens_issued;
}

export { freePort };
