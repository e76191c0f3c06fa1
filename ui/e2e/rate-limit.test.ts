// Too many sign-in attempts: the server answers 429 with Retry-After and the
// form says how long to wait. The server runs with a low per-IP limit.

import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { launchBrowser, newSession, reportFailure, startServer, visible, type Server, type Session } from './harness';

describe('sign-in rate limit', () => {
  let server: Server;
  let browser: Browser;
  let s: Session;

  beforeAll(async () => {
    server = await startServer({ NEXUS_AUTH_LOGIN_IP_LIMIT: '3' });
    browser = await launchBrowser();
    s = await newSession(browser, server.url);
  });

  afterAll(async () => {
    await s?.context.close();
    await browser?.close();
    await server?.stop();
  });

  beforeEach(({ task, onTestFailed }) => {
    onTestFailed(() => reportFailure(task.name, server, s));
  });

  it('after too many attempts the form says how long to wait', async () => {
    const { page, context } = s;
    // Create the owner, then sign out, through the UI.
    await page.goto('/');
    await page.getByLabel('Name', { exact: true }).fill('Lee Jiho');
    await page.getByLabel('Email', { exact: true }).fill('jiho@example.com');
    await page.getByLabel('Password', { exact: true }).fill('a long passphrase');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByRole('button', { name: 'Account menu, Lee Jiho' }).click();
    await page.getByRole('menu').getByRole('menuitem', { name: 'Sign out' }).click();
    await visible(page.getByRole('heading', { name: 'Sign in to Nexus' }));

    const statuses: number[] = [];
    context.on('response', (r) => {
      if (r.url().endsWith('/api/v1/auth/login')) statuses.push(r.status());
    });
    const alert = page.getByRole('alert');
    await page.getByLabel('Email', { exact: true }).fill('jiho@example.com');
    let text = '';
    for (let attempt = 1; attempt <= 6; attempt++) {
      const answered = page.waitForResponse((r) => r.url().endsWith('/api/v1/auth/login'));
      await page.getByLabel('Password', { exact: true }).fill(`wrong guess ${attempt}`);
      await page.getByRole('button', { name: 'Sign in' }).click();
      const res = await answered;
      await visible(alert);
      await page.waitForFunction(() => !document.querySelector('form[aria-busy="true"]'));
      text = ((await alert.textContent()) ?? '').trim();
      if (res.status() === 429) break;
      expect(text).toBe('Incorrect email or password.');
    }
    expect(statuses).toContain(429);
    expect(text).toMatch(/^Too many attempts\. Try again in (\d+ seconds?|a moment)\.$/);
  });
});
