// A phone-sized screen, keyboard use, and two tabs sharing one session,
// against the real binary.

import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { launchBrowser, newSession, reportFailure, startServer, visible, type Server, type Session } from './harness';

const NAME = '김민지';
const EMAIL = 'minji@example.com';
const PASSWORD = 'correct horse battery';
const greeting = /^(Good (morning|afternoon|evening), 김민지|좋은 (아침이에요|오후예요|저녁이에요), 김민지님)$/;

describe('phone, keyboard and tabs', () => {
  let server: Server;
  let browser: Browser;
  let s: Session;

  beforeAll(async () => {
    server = await startServer();
    browser = await launchBrowser();
    // A Korean phone: the UI should pick Korean from the browser language.
    s = await newSession(browser, server.url, { viewport: { width: 375, height: 740 }, locale: 'ko-KR', isMobile: true });
  });

  afterAll(async () => {
    await s?.context.close();
    await browser?.close();
    await server?.stop();
  });

  beforeEach(({ task, onTestFailed }) => {
    onTestFailed(() => reportFailure(task.name, server, s));
  });

  it('picks Korean from the browser language and completes setup on a phone', async () => {
    const { page } = s;
    await page.goto('/');
    await visible(page.getByRole('heading', { name: '소유자 계정 만들기' }));
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('ko');
    await page.getByLabel('이름', { exact: true }).fill(NAME);
    await page.getByLabel('이메일', { exact: true }).fill(EMAIL);
    await page.getByLabel('비밀번호', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: '계정 만들기' }).click();
    await visible(page.getByRole('heading', { level: 1, name: greeting }));
  });

  it('on a 375×740 screen the navigation is reached through the menu button', async () => {
    const { page } = s;
    const nav = page.getByRole('navigation', { name: '주 메뉴' });
    const home = nav.getByRole('link', { name: '홈' });
    // The sidebar is tucked away behind the menu button.
    expect(await home.isVisible()).toBe(false);
    const toggle = page.getByRole('button', { name: '메뉴', exact: true });
    expect(await toggle.getAttribute('aria-expanded')).toBe('false');

    await toggle.click();
    await visible(home);
    expect(await toggle.getAttribute('aria-expanded')).toBe('true');

    await home.click();
    await page.waitForFunction(() => document.querySelector('[aria-controls="sidebar"]')?.getAttribute('aria-expanded') === 'false');
    await visible(page.getByRole('heading', { level: 1, name: greeting }));
  });

  it('nothing overflows the phone screen sideways', async () => {
    const { page } = s;
    const widths = await page.evaluate(() => ({ doc: document.documentElement.scrollWidth, win: window.innerWidth }));
    expect(widths.doc).toBeLessThanOrEqual(widths.win);
  });

  it('the user menu works from the keyboard', async () => {
    const { page } = s;
    const button = page.getByRole('button', { name: `계정 메뉴, ${NAME}` });
    await button.focus();
    await page.keyboard.press('Enter');
    const menu = page.getByRole('menu');
    await visible(menu);
    // Focus is on the first item; arrows move; Escape closes and returns focus.
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('계정 설정');
    await page.keyboard.press('ArrowUp');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('로그아웃');
    await page.keyboard.press('Escape');
    expect(await menu.count()).toBe(0);
    expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-haspopup'))).toBe('menu');
  });

  it('the chosen theme applies at once and survives a reload', async () => {
    const { page } = s;
    const background = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    const light = await background();
    await page.getByRole('button', { name: `계정 메뉴, ${NAME}` }).click();
    await page.getByRole('menu').getByRole('menuitemradio', { name: '다크' }).click();
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
    const dark = await background();
    expect(dark).not.toBe(light);
    await page.reload();
    await visible(page.getByRole('heading', { level: 1, name: greeting }));
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
    expect(await background()).toBe(dark);
    // Back to following the system.
    await page.getByRole('button', { name: `계정 메뉴, ${NAME}` }).click();
    await page.getByRole('menu').getByRole('menuitemradio', { name: '시스템 설정' }).click();
    expect(await page.evaluate(() => document.documentElement.hasAttribute('data-theme'))).toBe(false);
  });

  it('two tabs reloading at once share the session without tripping refresh-token reuse detection', async () => {
    const { context, page } = s;
    const second = await context.newPage();
    await second.goto('/');
    await visible(second.getByRole('heading', { level: 1, name: greeting }));

    // Both tabs restore the session at the same moment, several times over.
    // Each restore rotates the refresh cookie; without cross-tab
    // serialization two tabs would present the same cookie and the server
    // would revoke the whole session. Holding every refresh for a moment in
    // the browser makes the two tabs' refreshes overlap for certain.
    await context.route('**/api/v1/auth/refresh', async (route) => {
      await new Promise((r) => setTimeout(r, 400));
      await route.continue();
    });
    for (let round = 0; round < 3; round++) {
      await Promise.all([page.reload(), second.reload()]);
      await Promise.all([
        visible(page.getByRole('heading', { level: 1, name: greeting })),
        visible(second.getByRole('heading', { level: 1, name: greeting })),
      ]);
    }
    await second.close();
    await context.unroute('**/api/v1/auth/refresh');
    await page.bringToFront();

    // And the session is still alive afterwards.
    await page.reload();
    await visible(page.getByRole('heading', { level: 1, name: greeting }));
  });

  it('signing out in one tab signs out the other', async () => {
    const { context, page } = s;
    const second = await context.newPage();
    await second.goto('/');
    await visible(second.getByRole('heading', { level: 1, name: greeting }));

    await page.bringToFront();
    await page.getByRole('button', { name: `계정 메뉴, ${NAME}` }).click();
    await page.getByRole('menu').getByRole('menuitem', { name: '로그아웃' }).click();
    await visible(page.getByRole('heading', { name: 'Nexus에 로그인' }));
    await visible(second.getByRole('heading', { name: 'Nexus에 로그인' }));
    await second.close();
  });

  it('never violated the Content-Security-Policy or threw a script error', () => {
    expect(s.problems).toEqual([]);
  });
});
