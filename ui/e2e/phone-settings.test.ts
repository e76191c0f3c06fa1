// On a 375×740 phone, Account settings and every Administration page can be
// reached and nothing overflows the screen sideways.

import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { launchBrowser, newSession, reportFailure, startServer, visible, type Server, type Session } from './harness';

const NAME = 'Park Seoyeon';

async function noSidewaysOverflow(page: Page) {
  const widths = await page.evaluate(() => ({ doc: document.documentElement.scrollWidth, win: window.innerWidth }));
  expect(widths.doc).toBeLessThanOrEqual(widths.win);
}

describe('account settings and administration on a phone', () => {
  let server: Server;
  let browser: Browser;
  let s: Session;

  beforeAll(async () => {
    server = await startServer();
    browser = await launchBrowser();
    s = await newSession(browser, server.url, { viewport: { width: 375, height: 740 }, isMobile: true });
  });

  afterAll(async () => {
    await s?.context.close();
    await browser?.close();
    await server?.stop();
  });

  beforeEach(({ task, onTestFailed }) => {
    onTestFailed(() => reportFailure(task.name, server, s));
  });

  it('sets up the owner', async () => {
    const { page } = s;
    await page.goto('/');
    await page.getByLabel('Name', { exact: true }).fill(NAME);
    await page.getByLabel('Email', { exact: true }).fill('seoyeon@example.com');
    await page.getByLabel('Password', { exact: true }).fill('correct horse battery');
    await page.getByRole('button', { name: 'Create account' }).click();
    await visible(page.getByRole('heading', { level: 1, name: /Park Seoyeon$/ }));
  });

  it('reaches Account settings from the account menu, and each section from the sub-navigation', async () => {
    const { page } = s;
    await page.getByRole('button', { name: `Account menu, ${NAME}` }).click();
    await page.getByRole('menu').getByRole('menuitem', { name: 'Account settings' }).click();
    await visible(page.getByRole('heading', { level: 1, name: 'Profile' }));
    await noSidewaysOverflow(page);
    const sub = page.getByRole('navigation', { name: 'Account settings' });
    for (const [link, heading] of [
      ['Password', 'Password'],
      ['Email', 'Email address'],
      ['Two-factor authentication', 'Two-factor authentication'],
      ['Sessions', 'Sessions'],
      ['Access tokens', 'Access tokens'],
    ] as const) {
      const a = sub.getByRole('link', { name: link });
      await a.scrollIntoViewIfNeeded();
      await a.click();
      await visible(page.getByRole('heading', { level: 1, name: heading }));
      await noSidewaysOverflow(page);
    }
    // This device is listed, and marked.
    await page.getByRole('navigation', { name: 'Account settings' }).getByRole('link', { name: 'Sessions' }).click();
    await visible(page.getByText('This device'));
  });

  it('reaches Administration through the menu button, and each admin page', async () => {
    const { page } = s;
    const toggle = page.getByRole('button', { name: 'Menu', exact: true });
    await toggle.click();
    const admin = page.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: 'Administration' });
    await visible(admin);
    await admin.click();
    await visible(page.getByRole('heading', { level: 1, name: 'Users' }));
    expect(await toggle.getAttribute('aria-expanded')).toBe('false');
    await noSidewaysOverflow(page);
    const sub = page.getByRole('navigation', { name: 'Administration' });
    for (const [link, heading] of [
      ['Teams', 'Teams'],
      ['Audit log', 'Audit log'],
      ['Mail outbox', 'Mail outbox'],
      ['Security', 'Security'],
      ['Users', 'Users'],
    ] as const) {
      const a = sub.getByRole('link', { name: link });
      await a.scrollIntoViewIfNeeded();
      await a.click();
      await visible(page.getByRole('heading', { level: 1, name: heading }));
      await noSidewaysOverflow(page);
    }
  });

  it('opens the invite dialog and the row menu on a phone', async () => {
    const { page } = s;
    await page.getByRole('button', { name: 'Invite people' }).click();
    const dialog = page.getByRole('dialog', { name: 'Invite people' });
    await visible(dialog);
    await page.keyboard.press('Escape');
    expect(await dialog.count()).toBe(0);
    await noSidewaysOverflow(page);
  });

  it('never violated the Content-Security-Policy or threw a script error', () => {
    expect(s.problems).toEqual([]);
  });
});
