// The first-run story, as a person would live it, against the real binary:
// setup → greeting → sign out → wrong password → sign in → reload → Korean.

import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { launchBrowser, newSession, reportFailure, startServer, visible, type Server, type Session } from './harness';

const NAME = 'Kim Minji';
const EMAIL = 'minji@example.com';
const PASSWORD = 'correct horse battery';

const englishGreeting = /^Good (morning|afternoon|evening), Kim Minji$/;
const koreanGreeting = /^좋은 (아침이에요|오후예요|저녁이에요), Kim Minji님$/;

describe('first run, sign-in and language', () => {
  let server: Server;
  let browser: Browser;
  let s: Session;

  beforeAll(async () => {
    server = await startServer();
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

  it('the first visit shows the setup page', async () => {
    const { page } = s;
    await page.goto('/');
    await visible(page.getByRole('heading', { name: 'Create the owner account' }));
    expect(await page.title()).toBe('Set up Nexus · Nexus');
    await visible(page.getByText('At least 8 characters.'));
  });

  it('creating the owner signs them in and greets them by name', async () => {
    const { page } = s;
    await page.getByLabel('Name', { exact: true }).fill(NAME);
    await page.getByLabel('Email', { exact: true }).fill(EMAIL);
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Create account' }).click();

    await visible(page.getByRole('heading', { level: 1, name: englishGreeting }));
    expect(await page.title()).toBe('Home · Nexus');
    await visible(page.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: 'Home' }));
    await visible(page.getByRole('heading', { name: 'Getting started' }));
  });

  it('keeps the access token out of storage and the refresh cookie out of reach of scripts', async () => {
    const { page, context } = s;
    const visibleToScripts = await page.evaluate(() => ({
      cookie: document.cookie,
      local: JSON.stringify({ ...localStorage }),
      session: JSON.stringify({ ...sessionStorage }),
    }));
    expect(visibleToScripts.cookie).not.toContain('nexus_refresh');
    expect(visibleToScripts.local).not.toMatch(/eyJ/); // no JWT
    expect(visibleToScripts.session).not.toMatch(/eyJ/);
    const cookies = await context.cookies();
    const refresh = cookies.find((c) => c.name === 'nexus_refresh');
    expect(refresh?.httpOnly).toBe(true);
    expect(refresh?.sameSite).toBe('Strict');
  });

  it('signs out from the user menu', async () => {
    const { page } = s;
    await page.getByRole('button', { name: `Account menu, ${NAME}` }).click();
    const menu = page.getByRole('menu');
    await visible(menu);
    await menu.getByRole('menuitem', { name: 'Sign out' }).click();
    await visible(page.getByRole('heading', { name: 'Sign in to Nexus' }));
    expect(await page.title()).toBe('Sign in · Nexus');
  });

  it('a wrong password shows the error message', async () => {
    const { page } = s;
    await page.getByLabel('Email', { exact: true }).fill(EMAIL);
    await page.getByLabel('Password', { exact: true }).fill('not my password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    const alert = page.getByRole('alert');
    await visible(alert);
    expect((await alert.textContent())?.trim()).toBe('Incorrect email or password.');
    // Still on the sign-in page.
    await visible(page.getByRole('heading', { name: 'Sign in to Nexus' }));
  });

  it('the right password signs in', async () => {
    const { page } = s;
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await visible(page.getByRole('heading', { level: 1, name: englishGreeting }));
    expect(await page.getByRole('alert').count()).toBe(0);
  });

  it('a reload keeps the user signed in', async () => {
    const { page } = s;
    await page.reload();
    await visible(page.getByRole('heading', { level: 1, name: englishGreeting }));
    expect(await page.getByRole('heading', { name: 'Sign in to Nexus' }).count()).toBe(0);
  });

  it('account settings open on the profile and show the account', async () => {
    const { page } = s;
    await page.getByRole('button', { name: `Account menu, ${NAME}` }).click();
    await page.getByRole('menu').getByRole('menuitem', { name: 'Account settings' }).click();
    await visible(page.getByRole('heading', { level: 1, name: 'Profile' }));
    expect(new URL(page.url()).pathname).toBe('/account/profile');
    const main = page.getByRole('main');
    expect(await main.getByLabel('Name', { exact: true }).inputValue()).toBe(NAME);
    await visible(main.getByText(EMAIL).first());
    await visible(main.getByText('Owner'));
    await visible(main.getByText('Member since'));
  });

  it('switching to 한국어 in the user menu shows Korean text', async () => {
    const { page } = s;
    await page.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: 'Home' }).click();
    await visible(page.getByRole('heading', { level: 1, name: englishGreeting }));

    await page.getByRole('button', { name: `Account menu, ${NAME}` }).click();
    await page.getByRole('menu').getByRole('menuitemradio', { name: '한국어' }).click();

    await visible(page.getByRole('heading', { level: 1, name: koreanGreeting }));
    await visible(page.getByRole('navigation', { name: '주 메뉴' }).getByRole('link', { name: '홈' }));
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('ko');
    expect(await page.title()).toBe('홈 · Nexus');

    await page.getByRole('button', { name: `계정 메뉴, ${NAME}` }).click();
    await visible(page.getByRole('menu').getByRole('menuitem', { name: '로그아웃' }));
    await page.keyboard.press('Escape');
    expect(await page.getByRole('menu').count()).toBe(0);
  });

  it('a reload keeps Korean', async () => {
    const { page } = s;
    await page.reload();
    await visible(page.getByRole('heading', { level: 1, name: koreanGreeting }));
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('ko');
    await visible(page.getByRole('heading', { name: '시작하기' }));
  });

  it('an unknown address shows the not-found page inside the frame', async () => {
    const { page } = s;
    await page.goto('/no/such/page');
    await visible(page.getByRole('heading', { level: 1, name: '페이지를 찾을 수 없어요' }));
    await visible(page.getByRole('navigation', { name: '주 메뉴' }));
    await page.getByRole('main').getByRole('link', { name: '홈으로 가기', exact: true }).click();
    await visible(page.getByRole('heading', { level: 1, name: koreanGreeting }));
  });

  it('never violated the Content-Security-Policy or threw a script error', () => {
    expect(s.problems).toEqual([]);
  });
});
