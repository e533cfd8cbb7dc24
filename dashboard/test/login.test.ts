import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_EMAIL, ADMIN_PASSWORD, startTestApp, type TestApp } from '../../api/test/helpers.ts';
import { launchBrowser, openSession, PHONE, screenshot, type BrowserSession } from './browser.ts';
import type { Browser } from 'playwright-core';

describe('dashboard login', () => {
  let app: TestApp;
  let browser: Browser;
  let s: BrowserSession;

  beforeAll(async () => {
    [app, browser] = await Promise.all([startTestApp(), launchBrowser()]);
    s = await openSession(browser, app.url);
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  it('sends a visitor without a session to the login page', async () => {
    await s.page.goto('/dashboard/agents');
    await s.page.waitForURL(/\/dashboard\/login\?next=%2Fagents/);
    await s.page.getByRole('button', { name: 'Log in' }).waitFor();
    await screenshot(s.page, 'login');
  });

  it('refuses a wrong password and says so', async () => {
    await s.page.getByLabel('Email').fill(ADMIN_EMAIL);
    await s.page.getByLabel('Password').fill('not-the-password');
    await s.page.getByRole('button', { name: 'Log in' }).click();
    const alert = s.page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toMatch(/invalid|incorrect|wrong/i);
    expect(s.page.url()).toContain('/dashboard/login');
    expect((await s.context.cookies()).find((c) => c.name === 'machineauth_session')).toBeUndefined();
    // No Basic challenge: a browser would turn it into its own password prompt and hang the page.
    const res = await app.request('/api/auth/login', { method: 'POST', json: { email: ADMIN_EMAIL, password: 'nope' } });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBeNull();
    expect(await res.json()).toEqual({ error: 'unauthorized', error_description: 'invalid email or password' });
  });

  it('logs in with an HttpOnly, SameSite=Strict session cookie and returns to the page asked for', async () => {
    await s.page.getByLabel('Email').fill(ADMIN_EMAIL);
    await s.page.getByLabel('Password').fill(ADMIN_PASSWORD);
    await s.page.getByRole('button', { name: 'Log in' }).click();
    await s.page.waitForURL(/\/dashboard\/agents$/);
    const cookie = (await s.context.cookies()).find((c) => c.name === 'machineauth_session');
    expect(cookie?.httpOnly).toBe(true);
    expect(cookie?.sameSite).toBe('Strict');
    // The page's script cannot read the session.
    expect(await s.page.evaluate(() => document.cookie)).not.toContain('machineauth_session');
  });

  it('keeps the session across a reload', async () => {
    await s.page.reload();
    await s.page.getByRole('navigation', { name: 'Main' }).waitFor();
    expect(s.page.url()).toMatch(/\/dashboard\/agents$/);
  });

  it('sends the user back to log in when the session ends elsewhere, then returns to the page', async () => {
    const cookie = (await s.context.cookies()).find((c) => c.name === 'machineauth_session')!;
    const { csrf_token } = await s.page.evaluate(() => fetch('/api/auth/session').then((r) => r.json()));
    // The session is ended behind the page's back (another tab logged out, or it expired).
    const out = await app.request('/api/auth/logout', { method: 'POST', headers: { cookie: `machineauth_session=${cookie.value}`, 'x-csrf-token': csrf_token } });
    expect(out.status).toBe(200);
    await s.page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Organizations', exact: true }).click();
    await s.page.waitForURL(/\/dashboard\/login\?next=%2Forganizations/);
    await s.page.getByText('Your session has ended. Please log in again.').waitFor();
    await s.page.getByLabel('Email').fill(ADMIN_EMAIL);
    await s.page.getByLabel('Password').fill(ADMIN_PASSWORD);
    await s.page.getByRole('button', { name: 'Log in' }).click();
    await s.page.waitForURL(/\/dashboard\/organizations$/);
    await s.page.getByRole('heading', { name: 'Organizations' }).waitFor();
  });

  it('logs out, and the old cookie no longer opens anything', async () => {
    const cookie = (await s.context.cookies()).find((c) => c.name === 'machineauth_session')!;
    await s.page.getByRole('button', { name: 'Log out' }).click();
    await s.page.waitForURL(/\/dashboard\/login/);
    const res = await app.request('/api/auth/session', { headers: { cookie: `machineauth_session=${cookie.value}` } });
    expect(await res.json()).toMatchObject({ authenticated: false });
    await s.page.goto('/dashboard/');
    await s.page.waitForURL(/\/dashboard\/login/);
    expect(s.problems).toEqual([]);
  });

  it('fits a phone screen', async () => {
    const phone = await openSession(browser, app.url, PHONE);
    await phone.page.goto('/dashboard/login');
    await phone.page.getByRole('button', { name: 'Log in' }).waitFor();
    const overflow = await phone.page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await phone.context.close();
  });
});
