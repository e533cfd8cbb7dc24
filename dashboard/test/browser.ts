import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

export const SCREENSHOT_DIR = fileURLToPath(new URL('../../docs/screenshots/', import.meta.url));
export const DESKTOP = { width: 1366, height: 860 };
export const PHONE = { width: 390, height: 844 };

/** Debian's chromium, headless; no browser download, no network beyond loopback. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
}

export interface BrowserSession {
  context: BrowserContext;
  page: Page;
  /** Uncaught page errors and failed same-origin requests (5xx): any of them fails the test. */
  problems: string[];
}

export async function openSession(browser: Browser, baseUrl: string, viewport = DESKTOP): Promise<BrowserSession> {
  const context = await browser.newContext({ baseURL: baseUrl, viewport, locale: 'en-US', timezoneId: 'UTC', permissions: ['clipboard-read', 'clipboard-write'] });
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  // The server's Content-Security-Policy must let the built app do everything it does.
  page.on('console', (msg) => {
    if (msg.type() === 'error' && /Content Security Policy/i.test(msg.text())) problems.push(`CSP: ${msg.text()}`);
  });
  page.on('response', (res) => {
    if (res.status() >= 500 && res.url().startsWith(baseUrl)) problems.push(`${res.status()} from ${res.request().method()} ${res.url()}`);
  });
  return { context, page, problems };
}

export async function screenshot(page: Page, name: string, options: { fullPage?: boolean } = {}) {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  // Let transitions and spinners settle so the picture shows the page as a person sees it.
  await page.waitForLoadState('networkidle').catch(() => {});
  await page.screenshot({
    path: path.join(SCREENSHOT_DIR, `${name}.png`),
    fullPage: options.fullPage ?? true,
    animations: 'disabled',
    // Passing confirmations would cover the page in the picture, and a full-page capture would
    // stretch the viewport under the sticky sidebar: pin both as a person sees them at the top.
    style: `.toasts { display: none !important; } .sidebar-inner { position: static !important; height: ${page.viewportSize()?.height ?? 860}px !important; }`,
  });
}
