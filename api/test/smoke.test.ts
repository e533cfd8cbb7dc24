import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAgent, getToken, startTestApp, type TestApp } from './helpers.ts';

let app: TestApp;
beforeAll(async () => { app = await startTestApp(); });
afterAll(async () => { await app?.close(); });

describe('quick start', () => {
  it('creates an agent, gets a token and calls /api/agents/me with it', async () => {
    const agent = await createAgent(app);
    const tokens = await getToken(app, agent);
    const res = await app.request('/api/agents/me', { bearer: tokens.access_token });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { agent: { id: string; token_count: number } };
    expect(body.agent.id).toBe(agent.id);
    expect(body.agent.token_count).toBe(1);
  });
});
