// Chat as two people live it, against the real binary: Minji (owner) and
// Jiho (member), each in their own browser profile. Both accounts are made
// with `nexus user create` before the server first starts.
//
// A posts, B sees it live; B's unread badge appears and clears on view; a
// thread reply and a reaction show up live on the other side; the server
// restarts, both tabs reconnect by themselves (the banner comes and goes),
// and a message posted while B was still reconnecting reaches B.

import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  launchBrowser,
  newSession,
  reportFailure,
  startRestartableServer,
  visible,
  type RestartableServer,
  type Session,
} from './harness';

const A = { name: 'Kim Minji', email: 'minji@example.com', password: 'correct horse battery', role: 'owner' as const };
const B = { name: '이지호', email: 'jiho@example.com', password: 'purple monkey dishwasher', role: 'member' as const };
const CHANNEL = 'team-room';
const greeting = (name: string) => new RegExp(`^Good (morning|afternoon|evening), ${name}$`);
const OFFLINE = 'You’re offline. Reconnecting…';

async function signIn(page: Page, who: { name: string; email: string; password: string }) {
  await page.goto('/');
  await page.getByLabel('Email', { exact: true }).fill(who.email);
  await page.getByLabel('Password', { exact: true }).fill(who.password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await visible(page.getByRole('heading', { level: 1, name: greeting(who.name) }));
}

const nav = (page: Page) => page.getByRole('navigation', { name: 'Main navigation' });
const history = (page: Page) => page.getByRole('log', { name: `Messages in ${CHANNEL}` });
const composer = (page: Page) => page.getByRole('textbox', { name: `Message ${CHANNEL}` });

/** The message row (role article) whose text contains `text`. */
const messageRow = (page: Page, text: string) => history(page).getByRole('article').filter({ hasText: text });

describe('chat between two people', () => {
  let server: RestartableServer;
  let browser: Browser;
  let a: Session;
  let b: Session;
  let current: Session | undefined;

  beforeAll(async () => {
    server = await startRestartableServer({ users: [A, B] });
    browser = await launchBrowser();
    a = await newSession(browser, server.url);
    b = await newSession(browser, server.url);
  });

  afterAll(async () => {
    await a?.context.close();
    await b?.context.close();
    await browser?.close();
    await server?.stop();
  });

  beforeEach(({ task, onTestFailed }) => {
    onTestFailed(() => reportFailure(task.name, server, current));
  });

  it('A creates a public channel and B joins it from Browse channels', async () => {
    current = a;
    await signIn(a.page, A);
    await nav(a.page).getByRole('link', { name: 'Chat', exact: true }).click();
    await visible(a.page.getByRole('heading', { level: 1, name: 'Chat' }));
    await a.page.getByRole('button', { name: 'Create channel' }).click();
    const dialog = a.page.getByRole('dialog', { name: 'Create a channel' });
    await dialog.getByLabel('Name').fill(CHANNEL);
    await dialog.getByLabel('Topic').fill('Daily standup and 잡담');
    await dialog.getByRole('button', { name: 'Create channel' }).click();
    await visible(a.page.getByRole('heading', { level: 1, name: CHANNEL }));
    expect(new URL(a.page.url()).pathname).toMatch(/^\/chat\/c\/[\w-]+$/);
    await visible(nav(a.page).getByRole('link', { name: CHANNEL }));

    current = b;
    await signIn(b.page, B);
    await nav(b.page).getByRole('link', { name: 'Chat', exact: true }).click();
    await b.page.getByRole('button', { name: 'Browse channels' }).click();
    const browse = b.page.getByRole('dialog', { name: 'Browse channels' });
    await browse.getByRole('button', { name: `Join #${CHANNEL}` }).click();
    await visible(b.page.getByRole('heading', { level: 1, name: CHANNEL }));
    await visible(b.page.getByText('Daily standup and 잡담'));
    await visible(nav(b.page).getByRole('link', { name: CHANNEL }));
  });

  it('A posts and B sees it live, without reloading', async () => {
    current = a;
    await composer(a.page).fill('안녕하세요, 모두 반가워요 👋');
    await composer(a.page).press('Enter');
    await visible(messageRow(a.page, '안녕하세요, 모두 반가워요'));
    current = b;
    await visible(messageRow(b.page, '안녕하세요, 모두 반가워요'));
    await visible(messageRow(b.page, '안녕하세요').getByText(A.name));
  });

  it('B’s unread badge appears while B is elsewhere and clears when B opens the channel', async () => {
    current = b;
    await nav(b.page).getByRole('link', { name: 'Home' }).click();
    await visible(b.page.getByRole('heading', { level: 1, name: greeting(B.name) }));

    current = a;
    await composer(a.page).fill('Standup in 5 minutes');
    await composer(a.page).press('Enter');
    await visible(messageRow(a.page, 'Standup in 5 minutes'));

    current = b;
    const unread = nav(b.page).getByRole('link', { name: `${CHANNEL}, 1 unread message` });
    await visible(unread);
    expect(await unread.locator('.chat-badge').textContent()).toBe('1');
    await unread.click();
    await visible(messageRow(b.page, 'Standup in 5 minutes'));
    // Viewing the channel marks it read: the badge goes.
    await visible(nav(b.page).getByRole('link', { name: CHANNEL, exact: true }));
    expect(await nav(b.page).getByRole('link', { name: CHANNEL, exact: true }).locator('.chat-badge').count()).toBe(0);
    // And it stays read after a reload (the server has the read position).
    await b.page.reload();
    await visible(messageRow(b.page, 'Standup in 5 minutes'));
    await visible(nav(b.page).getByRole('link', { name: CHANNEL, exact: true }));
  });

  it('a thread reply from B shows up live for A', async () => {
    current = b;
    const root = messageRow(b.page, 'Standup in 5 minutes');
    await root.hover();
    await root.getByRole('button', { name: 'Reply in thread' }).click();
    const pane = b.page.getByRole('complementary', { name: 'Thread' });
    await visible(pane);
    const reply = pane.getByRole('textbox', { name: 'Reply in thread' });
    await reply.fill('네, 바로 갈게요');
    await reply.press('Enter');
    await visible(pane.getByText('네, 바로 갈게요'));

    current = a;
    const summary = messageRow(a.page, 'Standup in 5 minutes').getByRole('button', { name: /1 reply/ });
    await visible(summary);
    await summary.click();
    const thread = a.page.getByRole('complementary', { name: 'Thread' });
    await visible(thread.getByText('네, 바로 갈게요'));
    await thread.getByRole('button', { name: 'Close thread' }).click();
  });

  it('a reaction from A shows up live for B, with who reacted', async () => {
    current = a;
    const row = messageRow(a.page, '안녕하세요, 모두 반가워요');
    await row.hover();
    await row.getByRole('toolbar', { name: 'Message actions' }).getByRole('button', { name: 'Add reaction' }).click();
    await a.page.getByRole('dialog', { name: 'Choose a reaction' }).getByRole('button', { name: 'party popper' }).click();
    await visible(row.getByRole('button', { name: 'party popper, 1' }));

    current = b;
    const chip = messageRow(b.page, '안녕하세요, 모두 반가워요').getByRole('button', { name: 'party popper, 1' });
    await visible(chip);
    expect(await chip.getAttribute('aria-pressed')).toBe('false');
    const tipId = await chip.getAttribute('aria-describedby');
    await chip.hover();
    await visible(b.page.locator(`[id="${tipId}"]`).getByText(`${A.name} reacted with party popper`));
  });

  it('A makes B a channel admin from the Members pane, and B sees it live', async () => {
    current = b;
    await b.page.getByRole('link', { name: /^Members/ }).click();
    const bPane = b.page.getByRole('complementary', { name: 'Members' });
    await visible(bPane.getByText('(you)'));
    expect(await bPane.getByText('Channel admin').count()).toBe(1);

    current = a;
    await a.page.getByRole('link', { name: /^Members/ }).click();
    const pane = a.page.getByRole('complementary', { name: 'Members' });
    await pane.getByRole('button', { name: `Actions for ${B.name}` }).click();
    await a.page.getByRole('menuitem', { name: 'Make channel admin' }).click();
    await visible(a.page.getByText(`${B.name} is now a channel admin.`));
    await expect.poll(() => pane.getByText('Channel admin').count()).toBe(2);

    current = b;
    await expect.poll(() => bPane.getByText('Channel admin').count()).toBe(2);
    await b.page.getByRole('button', { name: 'Close members' }).click();
    current = a;
    await a.page.getByRole('button', { name: 'Close members' }).click();
  });

  it('B marks a message unread: the badge comes back and stays while B looks at the channel; opening the channel again reads it', async () => {
    current = b;
    const row = messageRow(b.page, 'Standup in 5 minutes');
    await row.hover();
    await row.getByRole('button', { name: 'More actions' }).click();
    await b.page.getByRole('menuitem', { name: 'Mark as unread' }).click();
    await visible(b.page.getByText('Marked as unread from this message.'));
    const unread = nav(b.page).getByRole('link', { name: `${CHANNEL}, 1 unread message` });
    await visible(unread);
    await b.page.waitForTimeout(300);
    await visible(unread);
    await b.page.reload();
    await visible(messageRow(b.page, 'Standup in 5 minutes'));
    // Opening it again reads it.
    await visible(nav(b.page).getByRole('link', { name: CHANNEL, exact: true }));
  });

  it('after a server restart both tabs reconnect by themselves and a message sent meanwhile arrives', async () => {
    // Hold B's reconnection until A has posted, so the message reaches B
    // through the resume (replay), not as a live event.
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    await b.context.route('**/api/v1/ws/ticket', async (route) => {
      await gate;
      await route.continue();
    });

    current = a;
    await server.halt();
    await visible(a.page.getByText(OFFLINE), 15_000);
    current = b;
    await visible(b.page.getByText(OFFLINE), 15_000);

    await server.resume();
    current = a;
    await visible(a.page.getByText('Back online'), 30_000);
    expect(await a.page.getByText(OFFLINE).count()).toBe(0);
    await composer(a.page).fill('Posted while 지호 was reconnecting');
    await composer(a.page).press('Enter');
    await visible(messageRow(a.page, 'Posted while 지호 was reconnecting'));

    current = b;
    expect(await b.page.getByText(OFFLINE).count()).toBe(1);
    release();
    await visible(messageRow(b.page, 'Posted while 지호 was reconnecting'), 30_000);
    await b.page.getByText(OFFLINE).waitFor({ state: 'detached', timeout: 15_000 });
    await b.context.unroute('**/api/v1/ws/ticket');

    // And live delivery works again both ways.
    await composer(b.page).fill('All good here');
    await composer(b.page).press('Enter');
    current = a;
    await visible(messageRow(a.page, 'All good here'));
  });

  it('never violated the Content-Security-Policy or threw a script error', () => {
    expect(a.problems).toEqual([]);
    expect(b.problems).toEqual([]);
  });
});
