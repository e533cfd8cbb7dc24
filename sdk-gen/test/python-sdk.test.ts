import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_EMAIL, ADMIN_PASSWORD, createAgent, startTestApp, type TestApp } from '../../api/test/helpers.ts';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

let app: TestApp;
beforeAll(async () => { app = await startTestApp(); });
afterAll(async () => { await app?.close(); });

/** Runs a command without blocking this process (the server under test lives in it). */
function run(command: string, args: string[], env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: REPO_ROOT, env: { ...process.env, ...env } });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => { output += chunk.toString(); });
    child.stderr.on('data', (chunk: Buffer) => { output += chunk.toString(); });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

describe('machineauth (Python SDK) against a live server', () => {
  it('passes its unittest suite (sync and async clients, tokens, admin, typed errors, webhooks)', async () => {
    const agent = await createAgent(app, { name: 'python-sdk', scopes: ['read', 'write'] });
    const { code, output } = await run('python3', ['-m', 'unittest', 'discover', '-s', 'sdk-gen/python/tests', '-v'], {
      MACHINEAUTH_URL: app.url,
      MACHINEAUTH_ADMIN_EMAIL: ADMIN_EMAIL,
      MACHINEAUTH_ADMIN_PASSWORD: ADMIN_PASSWORD,
      MACHINEAUTH_CLIENT_ID: agent.clientId,
      MACHINEAUTH_CLIENT_SECRET: agent.clientSecret,
      PYTHONDONTWRITEBYTECODE: '1',
      PYTHONUNBUFFERED: '1',
    });
    expect(code, output).toBe(0);
    // Every test ran: none skipped for want of a server.
    const summary = /Ran (\d+) tests?/.exec(output);
    expect(Number(summary?.[1]), output).toBeGreaterThanOrEqual(12);
    expect(output).toMatch(/\nOK\s*$/);
  }, 120_000);
});
