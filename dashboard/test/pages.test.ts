import { createHmac } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_EMAIL, ADMIN_PASSWORD, createAgent, getToken, startTestApp, type TestApp } from '../../api/test/helpers.ts';
import { launchBrowser, openSession, PHONE, screenshot, type BrowserSession } from './browser.ts';

/**
 * The dashboard in a real browser against the real server: every page, and the actions an
 * administrator performs, checked both on screen and against the API itself.
 */
describe('dashboard pages', () => {
  let app: TestApp;
  let browser: Browser;
  let s: BrowserSession;
  let page: Page;
  const agent = { id: '', name: 'checkout-bot', clientId: '', secret: '' };

  async function tokenStatus(clientId: string, clientSecret: string): Promise<number> {
    const res = await fetch(`${app.url}/oauth/token`, { method: 'POST', body: new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret }) });
    await res.body?.cancel();
    return res.status;
  }

  /** The secret shown once on screen, read from the element that displays it. */
  async function shownSecret(label: string): Promise<string> {
    const row = page.locator('.secret-row', { has: page.locator('.secret-label', { hasText: new RegExp(`^${label}$`) }) });
    return (await row.locator('.secret-value').textContent())!.trim();
  }

  /** A webhook receiver on loopback: 200 on /hook, 500 on /fail; it keeps what it received. */
  const received: { path: string; headers: http.IncomingHttpHeaders; body: string }[] = [];
  const receiver = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      received.push({ path: req.url ?? '', headers: req.headers, body });
      res.writeHead(req.url === '/fail' ? 500 : 200, { 'content-type': 'text/plain' }).end(req.url === '/fail' ? 'receiver is down' : 'ok');
    });
  });
  let receiverUrl = '';

  const nav = (name: string) => page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true });

  beforeAll(async () => {
    // Retries a few milliseconds apart, so a failing delivery reaches its end within the test.
    [app, browser] = await Promise.all([startTestApp({ WEBHOOK_BACKOFF_UNIT_MS: '20' }), launchBrowser()]);
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
    s = await openSession(browser, app.url);
    page = s.page;
    await page.goto('/dashboard/login');
    await page.getByLabel('Email').fill(ADMIN_EMAIL);
    await page.getByLabel('Password').fill(ADMIN_PASSWORD);
    await page.getByRole('button', { name: 'Log in', exact: true }).click();
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
  });
  // What the browser showed when a test failed, for whoever reads the failure.
  afterEach(async (ctx) => {
    if (ctx.task.result?.state === 'fail') await page?.screenshot({ path: `${os.tmpdir()}/dashboard-failure-${process.pid}-${ctx.task.name.replace(/\W+/g, '-').slice(0, 60)}.png` }).catch(() => {});
  });
  afterAll(async () => {
    receiver.close();
    await browser?.close();
    await app?.close();
  });

  it('agents: the empty state offers to create the first agent', async () => {
    await nav('Agents').click();
    await page.getByText('No agents yet').waitFor();
    await page.getByRole('button', { name: 'Create the first agent', exact: true }).waitFor();
  });

  it('agents: creates an agent, shows its secret once with a copy button, and lists it', async () => {
    await page.getByRole('button', { name: 'New agent', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'New agent' });
    await dialog.getByLabel('Name').fill(agent.name);
    await dialog.getByLabel('Scopes').fill('orders:read, orders:write');
    await dialog.getByRole('button', { name: 'Create agent', exact: true }).click();
    await page.getByText(`Agent “${agent.name}” created`, { exact: false }).first().waitFor();

    agent.clientId = await shownSecret('client_id');
    agent.secret = await shownSecret('client_secret');
    expect(agent.secret.length).toBeGreaterThan(30);
    // The secret on screen is the real one.
    expect(await tokenStatus(agent.clientId, agent.secret)).toBe(200);

    const copy = page.locator('.secret-row', { hasText: 'client_secret' }).getByRole('button', { name: 'Copy', exact: true });
    await copy.click();
    await page.locator('.secret-row', { hasText: 'client_secret' }).getByRole('button', { name: 'Copied', exact: true }).waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(agent.secret);

    const row = page.getByRole('table', { name: 'Agents' }).getByRole('row', { name: new RegExp(agent.name) });
    await row.waitFor();
    expect(await row.textContent()).toContain(agent.clientId);
    expect(await row.textContent()).toContain('orders:write');
    await screenshot(page, 'agents');

    await page.getByRole('button', { name: 'I have stored it', exact: true }).click();
    expect(await page.locator('.secret-value').count()).toBe(0);
    // Nothing on the page or in the API ever shows the secret again.
    const listed = await (await app.request('/api/agents', { admin: true })).text();
    expect(listed).not.toContain(agent.secret);
    agent.id = JSON.parse(listed).agents.find((a: { client_id: string }) => a.client_id === agent.clientId).id;
  });

  it('agents: shows the server\'s error when creation is refused', async () => {
    await page.getByRole('button', { name: 'New agent', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'New agent' });
    await dialog.getByLabel('Name').fill('bad-scopes');
    await dialog.getByLabel('Scopes').fill('has"quote');
    await dialog.getByRole('button', { name: 'Create agent', exact: true }).click();
    const alert = dialog.getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toMatch(/scope/i);
    await dialog.getByRole('button', { name: 'Cancel', exact: true }).click();
    const res = await app.request('/api/agents?search=bad-scopes', { admin: true });
    expect((await res.json()).agents).toHaveLength(0);
  });

  it('agents: search, status and organization filters, and paging', async () => {
    const org = await (await app.request('/api/organizations', { method: 'POST', admin: true, json: { name: 'Acme', slug: 'acme' } })).json();
    for (let i = 0; i < 22; i++) await createAgent(app, { name: `fleet-${String(i).padStart(2, '0')}`, scopes: ['read'], organization_id: org.id });
    await page.reload();
    const table = page.getByRole('table', { name: 'Agents' });
    await page.getByText('1–20 of 23').waitFor();
    expect(await table.locator('tbody tr').count()).toBe(20);
    await page.getByRole('button', { name: 'Next →', exact: true }).click();
    await page.getByText('21–23 of 23').waitFor();
    expect(await table.locator('tbody tr').count()).toBe(3);
    await page.getByRole('button', { name: '← Previous', exact: true }).click();
    await page.getByText('1–20 of 23').waitFor();

    await page.getByLabel('Search').fill('checkout');
    await page.getByText('1–1 of 1').waitFor();
    expect(page.url()).toContain('q=checkout');
    await page.getByLabel('Search').fill('');
    await page.getByText('1–20 of 23').waitFor();

    await page.getByLabel('Organization').selectOption({ label: 'Acme' });
    await page.getByText('1–20 of 22').waitFor();
    expect(await table.textContent()).not.toContain(agent.name);
    await page.getByLabel('Organization').selectOption({ label: 'All organizations' });

    await app.request(`/api/agents/${agent.id}/deactivate`, { method: 'POST', admin: true });
    await page.getByLabel('Status').selectOption({ label: 'Inactive' });
    await page.getByText('1–1 of 1').waitFor();
    expect(await table.textContent()).toContain(agent.name);
    await app.request(`/api/agents/${agent.id}/activate`, { method: 'POST', admin: true });
    await page.getByLabel('Status').selectOption({ label: 'All' });
    await page.getByText('1–20 of 23').waitFor();
  });

  it('agent detail: credentials, usage, rotation with the new secret shown once, audit events', async () => {
    await getToken(app, { clientId: agent.clientId, clientSecret: agent.secret });
    await page.getByLabel('Search').fill(agent.name);
    await page.getByText('1–1 of 1').waitFor();
    await page.getByRole('link', { name: agent.name }).click();
    await page.getByRole('heading', { name: agent.name, level: 1 }).waitFor();
    await page.getByText('The secret has never been rotated').waitFor();

    await page.getByRole('button', { name: 'Rotate secret', exact: true }).click();
    await page.getByRole('dialog', { name: 'Rotate the client secret?' }).getByRole('button', { name: 'Rotate secret', exact: true }).click();
    await page.getByText('New client secret').waitFor();
    const rotated = await shownSecret('client_secret');
    expect(rotated).not.toBe(agent.secret);
    expect(await tokenStatus(agent.clientId, agent.secret)).toBe(401);
    expect(await tokenStatus(agent.clientId, rotated)).toBe(200);
    agent.secret = rotated;

    await page.getByRole('table', { name: 'Rotation history' }).locator('tbody tr').first().waitFor();
    const events = page.getByRole('list', { name: 'Audit events' });
    await events.getByText('agent.credentials_rotated').waitFor();
    await events.getByText('agent.created').waitFor();
    expect(await page.locator('.stat', { hasText: 'Tokens issued' }).locator('.stat-value').textContent()).not.toBe('0');
    await page.getByRole('table', { name: 'Recent tokens' }).getByText('active').first().waitFor();
    await screenshot(page, 'agent-detail');
    await page.getByRole('button', { name: 'I have stored it', exact: true }).click();
  });

  it('agent detail: deactivate and activate', async () => {
    await page.getByRole('button', { name: 'Deactivate', exact: true }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Deactivate', exact: true }).click();
    await page.getByRole('button', { name: 'Activate', exact: true }).waitFor();
    expect(await tokenStatus(agent.clientId, agent.secret)).not.toBe(200);
    await page.getByRole('button', { name: 'Activate', exact: true }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Activate', exact: true }).click();
    await page.getByRole('button', { name: 'Deactivate', exact: true }).waitFor();
    expect(await tokenStatus(agent.clientId, agent.secret)).toBe(200);
  });

  it('organizations: create, edit, teams, agents and an API key shown once', async () => {
    await nav('Organizations').click();
    await page.getByRole('table', { name: 'Organizations' }).getByText('Acme', { exact: true }).waitFor();
    await page.getByRole('button', { name: 'New organization', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'New organization' });
    await dialog.getByLabel('Name').fill('Globex Corp');
    expect(await dialog.getByLabel('Slug').inputValue()).toBe('globex-corp');
    await dialog.getByLabel('Owner email').fill('ops@globex.example');
    await dialog.getByRole('button', { name: 'Create organization', exact: true }).click();
    await page.getByRole('heading', { name: 'Globex Corp', level: 1 }).waitFor();

    // A duplicate slug is refused with the server's words.
    await page.getByRole('button', { name: 'Edit', exact: true }).first().click();
    const edit = page.getByRole('dialog', { name: 'Edit organization' });
    await edit.getByLabel('Slug').fill('acme');
    await edit.getByRole('button', { name: 'Save', exact: true }).click();
    expect(await edit.getByRole('alert').textContent()).toContain('already exists');
    await edit.getByLabel('Slug').fill('globex');
    await edit.getByLabel('Plan').selectOption('pro');
    await edit.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByText('globex', { exact: true }).waitFor();

    await page.getByRole('button', { name: 'New team', exact: true }).click();
    await page.getByRole('dialog', { name: 'New team' }).getByLabel('Name').fill('Payments');
    await page.getByRole('dialog', { name: 'New team' }).getByRole('button', { name: 'Create team', exact: true }).click();
    await page.getByRole('table', { name: 'Teams' }).getByText('Payments').waitFor();

    await page.getByRole('button', { name: 'New agent', exact: true }).click();
    const agentDialog = page.getByRole('dialog', { name: /New agent in Globex/ });
    await agentDialog.getByLabel('Name').fill('globex-worker');
    await agentDialog.getByLabel('Team').selectOption({ label: 'Payments' });
    await agentDialog.getByRole('button', { name: 'Create agent', exact: true }).click();
    await page.getByRole('table', { name: 'Organization agents' }).getByText('globex-worker').waitFor();
    await page.getByRole('button', { name: 'I have stored it', exact: true }).click();

    await page.getByRole('button', { name: 'New API key', exact: true }).click();
    await page.getByRole('dialog', { name: 'New API key' }).getByLabel('Name').fill('ci-deploy');
    await page.getByRole('dialog', { name: 'New API key' }).getByRole('button', { name: 'Create key', exact: true }).click();
    const key = await shownSecret('API key');
    expect(key).toMatch(/^mach_/);
    const verify = await app.request('/api/agents', { bearer: key });
    expect(verify.status).toBe(200);
    // The key sees its own organization's agents only.
    expect((await verify.json()).agents.map((a: { name: string }) => a.name)).toEqual(['globex-worker']);
    await page.getByRole('table', { name: 'API keys' }).getByText('ci-deploy').waitFor();
    await screenshot(page, 'organization-detail');
    await page.getByRole('button', { name: 'I have stored it', exact: true }).click();

    await page.getByRole('table', { name: 'API keys' }).getByRole('button', { name: 'Revoke', exact: true }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Revoke key', exact: true }).click();
    await page.getByRole('table', { name: 'API keys' }).getByText('revoked').waitFor();
    expect((await app.request('/api/agents', { bearer: key })).status).toBe(401);

    await nav('Organizations').click();
    await page.getByRole('table', { name: 'Organizations' }).getByText('Globex Corp').waitFor();
    await screenshot(page, 'organizations');
  });

  it('webhooks: create one, its secret shown once, send a test, see the delivery', async () => {
    await nav('Webhooks').click();
    await page.getByText('No webhooks', { exact: true }).waitFor();
    await page.getByRole('button', { name: 'New webhook', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'New webhook' });
    await dialog.getByLabel('Name').fill('audit-sink');
    await dialog.getByLabel('URL').fill(`${receiverUrl}/hook`);
    await dialog.getByRole('group', { name: 'Events' }).getByText('webhook.test').waitFor();
    await dialog.getByRole('checkbox', { name: 'token.issued' }).check();
    await dialog.getByRole('button', { name: 'Create webhook', exact: true }).click();
    await page.getByRole('heading', { name: 'audit-sink', level: 1 }).waitFor();
    const secret = await shownSecret('Secret');
    expect(secret.length).toBeGreaterThan(20);

    await page.getByRole('button', { name: 'Send test', exact: true }).click();
    await page.getByRole('dialog', { name: 'Send a test delivery' }).getByLabel('Extra payload (JSON object, optional)').fill('{"note": "from the dashboard"}');
    await page.getByRole('dialog', { name: 'Send a test delivery' }).getByRole('button', { name: 'Send test', exact: true }).click();
    const result = page.getByRole('status', { name: 'Test result' });
    await result.getByText('Test delivered').waitFor();
    expect(await result.textContent()).toContain('HTTP 200');

    // The receiver got it, signed with the secret the page showed.
    const test = received.find((r) => r.path === '/hook' && r.headers['x-webhook-event'] === 'webhook.test')!;
    expect(test).toBeDefined();
    expect(test.headers['x-webhook-signature']).toBe(createHmac('sha256', secret).update(test.body).digest('hex'));
    expect(JSON.parse(test.body)).toMatchObject({ note: 'from the dashboard' });

    const deliveries = page.getByRole('table', { name: 'Deliveries' });
    await deliveries.getByText('delivered', { exact: true }).waitFor();
    await deliveries.getByRole('button', { name: 'Details', exact: true }).first().click();
    await deliveries.getByText('from the dashboard').waitFor();
    await page.getByRole('button', { name: 'I have stored it', exact: true }).click();
    await screenshot(page, 'webhook-detail');

    await page.getByRole('button', { name: 'Edit', exact: true }).click();
    const edit = page.getByRole('dialog', { name: 'Edit webhook' });
    await edit.getByLabel('URL').fill('ftp://example.com/nope');
    await edit.getByRole('button', { name: 'Save', exact: true }).click();
    expect(await edit.getByRole('alert').textContent()).toMatch(/url/i);
    await edit.getByLabel('URL').fill(`${receiverUrl}/hook`);
    await edit.getByLabel('Name').fill('audit-sink-2');
    await edit.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByRole('heading', { name: 'audit-sink-2', level: 1 }).waitFor();
  });

  it('webhooks: a failing receiver shows retries, the last error and the final status', async () => {
    const created = await app.request('/api/webhooks', {
      method: 'POST', admin: true,
      json: { name: 'flaky-receiver', url: `${receiverUrl}/fail`, events: ['agent.created'], max_retries: 2, retry_backoff_base: 2 },
    });
    const { webhook } = await created.json();
    await createAgent(app, { name: 'trigger-bot', scopes: ['read'] });
    // Three attempts (the first and two retries), then dead.
    for (let i = 0; i < 200 && received.filter((r) => r.path === '/fail').length < 3; i++) await new Promise((r) => setTimeout(r, 50));
    await page.goto(`/dashboard/webhooks/${webhook.id}`);
    const deliveries = page.getByRole('table', { name: 'Deliveries' });
    for (let i = 0; i < 40 && !(await deliveries.getByText('dead', { exact: true }).count()); i++) {
      await page.getByRole('button', { name: 'Refresh', exact: true }).click();
      await page.waitForTimeout(250);
    }
    await deliveries.getByText('dead', { exact: true }).waitFor();
    const row = await deliveries.locator('tbody tr').first().textContent();
    expect(row).toContain('agent.created');
    expect(row).toContain('3 / 3');
    expect(row).toContain('HTTP 500');
    expect(row).toContain('gave up after 3 of 3 attempts');
    await page.getByLabel('Delivery status').selectOption('DELIVERED');
    await page.getByText('No delivered deliveries').waitFor();
    await page.getByLabel('Delivery status').selectOption('');

    await nav('Webhooks').click();
    await page.getByRole('table', { name: 'Webhooks' }).getByText('flaky-receiver').waitFor();
    expect(await page.getByRole('table', { name: 'Webhooks' }).textContent()).toMatch(/failing/);
    await screenshot(page, 'webhooks');
  });

  it('token tools: issue a token, decode and introspect it, revoke it', async () => {
    await nav('Token tools').click();
    const form = page.getByRole('form', { name: 'Issue a token' });
    await form.getByLabel('client_id').fill(agent.clientId);
    await form.getByLabel('client_secret').fill('wrong-secret');
    await form.getByRole('button', { name: 'Issue token', exact: true }).click();
    expect(await form.getByRole('alert').textContent()).toMatch(/client/i);

    await form.getByLabel('client_secret').fill(agent.secret);
    await form.getByRole('button', { name: 'Issue token', exact: true }).click();
    await page.getByRole('region', { name: 'Issued token' }).waitFor();
    const accessToken = await page.getByLabel('Access token', { exact: true }).inputValue();
    expect(accessToken.split('.')).toHaveLength(3);

    await page.getByRole('button', { name: 'Inspect this token', exact: true }).click();
    const decoded = page.getByRole('region', { name: 'Decoded token' });
    await decoded.waitFor();
    expect(await decoded.textContent()).toContain(agent.clientId);
    await page.getByRole('button', { name: 'Introspect', exact: true }).click();
    const introspection = page.getByRole('region', { name: 'Introspection' });
    await introspection.getByText('active', { exact: true }).waitFor();
    await screenshot(page, 'token-tools');

    await page.getByRole('button', { name: 'Revoke', exact: true }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Revoke token', exact: true }).click();
    await introspection.getByText('inactive', { exact: true }).waitFor();
    const check = await fetch(`${app.url}/oauth/introspect`, { method: 'POST', body: new URLSearchParams({ token: accessToken }) });
    expect((await check.json()).active).toBe(false);
  });

  it('dashboard: health, key figures and recent activity', async () => {
    await nav('Dashboard').click();
    await page.getByRole('status', { name: 'Health' }).getByText('Healthy').waitFor();
    expect(await page.locator('.stat', { hasText: 'Agents' }).locator('.stat-value').textContent()).toBe('25');
    const feed = page.getByRole('list', { name: 'Recent activity' });
    // The token tools' revocation just before is among the newest events.
    await feed.getByText('token.revoked', { exact: true }).waitFor();
    expect(await feed.locator('li').count()).toBe(12);
    await screenshot(page, 'dashboard');
  });

  it('metrics: charts over time', async () => {
    await nav('Metrics').click();
    await page.getByRole('heading', { name: 'Token issuance' }).waitFor();
    expect(await page.locator('svg.chart').count()).toBe(4);
    const legend = await page.locator('figure', { hasText: 'Issued' }).first().locator('figcaption').textContent();
    expect(legend).toMatch(/Issued: [1-9]/);
    const outcomes = await page.locator('figure', { hasText: 'Delivered' }).locator('figcaption').textContent();
    expect(outcomes).toMatch(/Delivered: [1-9]/);
    expect(outcomes).toMatch(/Failed or dead: [1-9]/);
    await page.getByLabel('Period').selectOption('30d');
    await page.waitForURL(/range=30d/);
    await page.getByRole('heading', { name: 'Agents', level: 2 }).waitFor();
    await screenshot(page, 'metrics');
  });

  it('webhooks: delete', async () => {
    await nav('Webhooks').click();
    await page.getByRole('table', { name: 'Webhooks' }).getByRole('link', { name: 'flaky-receiver' }).click();
    const id = page.url().split('/').pop()!;
    await page.getByRole('button', { name: 'Delete', exact: true }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete webhook', exact: true }).click();
    await page.waitForURL(/\/dashboard\/webhooks$/);
    expect((await app.request(`/api/webhooks/${id}`, { admin: true })).status).toBe(404);
    expect(await page.getByRole('table', { name: 'Webhooks' }).textContent()).not.toContain('flaky-receiver');
  });

  it('agent detail: delete', async () => {
    await page.goto(`/dashboard/agents/${agent.id}`);
    await page.getByRole('button', { name: 'Delete', exact: true }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete agent', exact: true }).click();
    await page.waitForURL(/\/dashboard\/agents$/);
    expect((await app.request(`/api/agents/${agent.id}`, { admin: true })).status).toBe(404);
  });

  it('shows a missing record as an error, and an unknown page as not found', async () => {
    await page.goto(`/dashboard/agents/${agent.id}`);
    expect(await page.getByRole('alert').textContent()).toContain('not found');
    await page.goto('/dashboard/no-such-page');
    await page.getByText('This page does not exist').waitFor();
  });

  it('works at phone width: menu, pages without sideways scrolling', async () => {
    const phone = await openSession(browser, app.url, PHONE);
    await phone.context.addCookies(await s.context.cookies());
    const p = phone.page;
    for (const path of ['/dashboard/', '/dashboard/agents', '/dashboard/organizations', '/dashboard/tokens', '/dashboard/webhooks', '/dashboard/metrics']) {
      await p.goto(path);
      await p.locator('.content h1').waitFor();
      await p.waitForLoadState('networkidle');
      const overflow = await p.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow, path).toBeLessThanOrEqual(0);
    }
    await p.goto('/dashboard/');
    await p.getByRole('status', { name: 'Health' }).getByText('Healthy').waitFor();
    await screenshot(p, 'dashboard-phone');
    await p.getByRole('button', { name: 'Menu', exact: true }).click();
    await p.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Agents', exact: true }).click();
    await p.getByRole('heading', { name: 'Agents' }).waitFor();
    await phone.context.close();
    expect(phone.problems).toEqual([]);
  });

  it('no page failed with a server error or a script error', () => {
    expect(s.problems).toEqual([]);
  });
});
