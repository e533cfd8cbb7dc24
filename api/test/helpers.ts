import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { spawn } from 'node:child_process';
import net from 'node:net';
import { pathToFileURL } from 'node:url';
import postgres from 'postgres';
import type { Logger } from 'pino';
import { inject } from 'vitest';
import { startApp, type App } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';

export const ADMIN_EMAIL = 'admin@example.com';
export const ADMIN_PASSWORD = 'test-admin-password';
export const ADMIN_AUTH = `Basic ${Buffer.from(`${ADMIN_EMAIL}:${ADMIN_PASSWORD}`).toString('base64')}`;

/** A fresh, empty database on the run's embedded PostgreSQL. */
export async function createDatabase(): Promise<string> {
  const base = inject('postgresUrl');
  const name = `t_${randomBytes(6).toString('hex')}`;
  const admin = postgres(base, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  await admin.end();
  const url = new URL(base);
  url.pathname = `/${name}`;
  return url.toString();
}

export interface TestApp extends App {
  /** fetch against the app; `admin: true` adds the admin's Basic credentials. */
  request(pathname: string, init?: RequestInit & { admin?: boolean; json?: unknown; bearer?: string }): Promise<Response>;
  databaseUrl: string;
}

/** Starts the real app (real HTTP on loopback, real Postgres) with test-friendly settings. */
export async function startTestApp(env: Record<string, string> = {}, options: { databaseUrl?: string; log?: Logger } = {}): Promise<TestApp> {
  const databaseUrl = options.databaseUrl ?? (await createDatabase());
  const config = loadConfig(
    {
      PORT: '0',
      HOST: '127.0.0.1',
      DATABASE_URL: databaseUrl,
      DATA_DIR: mkdtempSync(path.join(os.tmpdir(), 'machineauth-test-')),
      ADMIN_EMAIL,
      ADMIN_PASSWORD,
      LOG_LEVEL: 'silent',
      DB_POOL_SIZE: '5',
      ...env,
    },
    { dotenv: false },
  );
  const app = await startApp(config, options.log ? { log: options.log } : {});
  return Object.assign(app, {
    databaseUrl,
    request(pathname: string, init: RequestInit & { admin?: boolean; json?: unknown; bearer?: string } = {}) {
      const { admin, json, bearer, ...rest } = init;
      const headers = new Headers(rest.headers);
      if (admin) headers.set('authorization', ADMIN_AUTH);
      if (bearer) headers.set('authorization', `Bearer ${bearer}`);
      if (json !== undefined) headers.set('content-type', 'application/json');
      return fetch(`${app.url}${pathname}`, { ...rest, headers, body: json !== undefined ? JSON.stringify(json) : rest.body });
    },
  });
}

export interface CreatedAgent {
  id: string;
  clientId: string;
  clientSecret: string;
  agent: Record<string, unknown>;
}

export async function createAgent(app: TestApp, body: Record<string, unknown> = { name: 'test-agent', scopes: ['read', 'write'] }, pathname = '/api/agents', auth: { bearer?: string } = {}): Promise<CreatedAgent> {
  const res = await app.request(pathname, { method: 'POST', json: body, ...(auth.bearer ? { bearer: auth.bearer } : { admin: true }) });
  if (res.status !== 201) throw new Error(`create agent: ${res.status} ${await res.text()}`);
  const json = (await res.json()) as { agent: Record<string, unknown>; client_id: string; client_secret: string };
  return { id: json.agent.id as string, clientId: json.client_id, clientSecret: json.client_secret, agent: json.agent };
}

export interface Tokens {
  access_token: string;
  refresh_token: string;
  expires_in: number;
  scope: string;
  token_type: string;
  issued_at: number;
}

export async function getToken(app: TestApp, agent: Pick<CreatedAgent, 'clientId' | 'clientSecret'>, scope?: string): Promise<Tokens> {
  const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: agent.clientId, client_secret: agent.clientSecret });
  if (scope) form.set('scope', scope);
  const res = await fetch(`${app.url}/oauth/token`, { method: 'POST', body: form });
  if (res.status !== 200) throw new Error(`token: ${res.status} ${await res.text()}`);
  return (await res.json()) as Tokens;
}

/** Decodes a JWT's payload without verifying it (tests verify with jose separately). */
export function decodeJwt(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8'));
}

// ---- OAuth-core helpers (additive) -------------------------------------------------------

/** A postgres.js client on the app's own database, for checking what really got stored. */
export function dbClient(app: Pick<TestApp, 'databaseUrl'>) {
  return postgres(app.databaseUrl, { max: 2, onnotice: () => {} });
}

/** HTTP Basic client authentication as RFC 6749 §2.3.1 wants it: each half form-urlencoded first. */
export function clientBasic(clientId: string, clientSecret: string): string {
  const enc = (s: string) => encodeURIComponent(s).replace(/%20/g, '+');
  return `Basic ${Buffer.from(`${enc(clientId)}:${enc(clientSecret)}`).toString('base64')}`;
}

/** POSTs an application/x-www-form-urlencoded body. */
export function postForm(app: Pick<TestApp, 'url'>, pathname: string, params: Record<string, string> | URLSearchParams, headers: Record<string, string> = {}): Promise<Response> {
  const body = params instanceof URLSearchParams ? params : new URLSearchParams(params);
  return fetch(`${app.url}${pathname}`, { method: 'POST', body, headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers } });
}

/** Reads a response as JSON and checks it is an RFC 6749 error of the given code and status. */
export async function expectOAuthError(res: Response, status: number, error: string): Promise<{ error: string; error_description: string }> {
  const text = await res.text();
  if (res.status !== status) throw new Error(`expected ${status} ${error}, got ${res.status} ${text}`);
  if (!/^application\/json/.test(res.headers.get('content-type') ?? '')) throw new Error(`expected a JSON error body, got ${res.headers.get('content-type')}: ${text}`);
  const body = JSON.parse(text) as { error: string; error_description: string };
  if (body.error !== error) throw new Error(`expected error ${error}, got ${text}`);
  if (typeof body.error_description !== 'string' || body.error_description.length === 0) throw new Error(`missing error_description: ${text}`);
  return body;
}

/** Introspects a token and returns the RFC 7662 answer. */
export async function introspect(app: Pick<TestApp, 'url'>, token: string, hint?: string): Promise<Record<string, unknown>> {
  const res = await postForm(app, '/oauth/introspect', hint ? { token, token_type_hint: hint } : { token });
  if (res.status !== 200) throw new Error(`introspect: ${res.status} ${await res.text()}`);
  return (await res.json()) as Record<string, unknown>;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export const REPO_ROOT = path.resolve(import.meta.dirname, '../..');

/**
 * Runs a TypeScript entry point (main.ts, a CLI) in a child process the way `tsx` does, with
 * exactly the given environment (plus PATH/HOME), from `cwd` (the repository root by default).
 */
export function spawnTsx(script: string, env: Record<string, string>, options: { cwd?: string } = {}) {
  const child = spawn(process.execPath, ['--import', pathToFileURL(path.join(REPO_ROOT, 'node_modules/tsx/dist/esm/index.mjs')).href, path.join(REPO_ROOT, script)], {
    cwd: options.cwd ?? REPO_ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) => {
    child.on('exit', (code, signal) => {
      // Let the pipes drain before reporting what was printed.
      setImmediate(() => resolve({ code, signal, stdout, stderr }));
    });
  });
  return { child, exited, output: () => ({ stdout, stderr }) };
}

/** A loopback port nothing listens on (at the time of asking). */
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
