// Identity and access as people live it, against the real binary:
// the owner invites a member (the link comes from the mail outbox page),
// the member joins in another browser, turns on two-factor authentication
// and signs in with it, and is signed out at their next step once the
// owner disables the account.

import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { launchBrowser, newSession, reportFailure, startServer, visible, type Server, type Session } from './harness';
import { totp } from './totp';

const OWNER = { name: 'Kim Minji', email: 'minji@example.com', password: 'correct horse battery' };
const MEMBER = { name: 'Lee Jiho', email: 'jiho@example.com', password: 'purple monkey dishwasher' };
const greeting = (name: string) => new RegExp(`^Good (morning|afternoon|evening), ${name}$`);

async function signIn(page: Page, email: string, password: string) {
  await page.getByLabel('Email', { exact: true }).fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

async function signOut(page: Page, name: string) {
  await page.getByRole('button', { name: `Account menu, ${name}` }).click();
  await page.getByRole('menu').getByRole('menuitem', { name: 'Sign out' }).click();
  await visible(page.getByRole('heading', { name: 'Sign in to Nexus' }));
}

async function openAccountSettings(page: Page, name: string) {
  await page.getByRole('button', { name: `Account menu, ${name}` }).click();
  await page.getByRole('menu').getByRole('menuitem', { name: 'Account settings' }).click();
}

describe('invitations, two-factor sign-in and disabling a user', () => {
  let server: Server;
  let browser: Browser;
  let owner: Session;
  let member: Session | undefined;
  let current: Session | undefined;
  let inviteLink = '';
  let secret = '';

  beforeAll(async () => {
    server = await startServer();
    browser = await launchBrowser();
    owner = await newSession(browser, server.url);
  });

  afterAll(async () => {
    await member?.context.close();
    await owner?.context.close();
    await browser?.close();
    await server?.stop();
  });

  beforeEach(({ task, onTestFailed }) => {
    onTestFailed(() => reportFailure(task.name, server, current ?? owner));
  });

  it('the owner sets up the workspace', async () => {
    current = owner;
    const { page } = owner;
    await page.goto('/');
    await page.getByLabel('Name', { exact: true }).fill(OWNER.name);
    await page.getByLabel('Email', { exact: true }).fill(OWNER.email);
    await page.getByLabel('Password', { exact: true }).fill(OWNER.password);
    await page.getByRole('button', { name: 'Create account' }).click();
    await visible(page.getByRole('heading', { level: 1, name: greeting(OWNER.name) }));
  });

  it('the owner invites a member from the Users page', async () => {
    const { page } = owner;
    await page.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: 'Administration' }).click();
    await visible(page.getByRole('heading', { level: 1, name: 'Users' }));
    expect(new URL(page.url()).pathname).toBe('/admin/users');
    await page.getByRole('button', { name: 'Invite people' }).click();
    const dialog = page.getByRole('dialog', { name: 'Invite people' });
    await visible(dialog);
    await dialog.getByLabel('Email', { exact: true }).fill(MEMBER.email);
    await dialog.getByLabel('Role').selectOption('member');
    await dialog.getByRole('button', { name: 'Send invitation' }).click();
    await visible(page.getByText(`Invitation sent to ${MEMBER.email}.`));
    const pending = page.getByRole('list', { name: 'Pending invitations' });
    await visible(pending.getByText(MEMBER.email));
  });

  it('the invitation link is read from the message in the Mail outbox', async () => {
    const { page } = owner;
    await page.getByRole('navigation', { name: 'Administration' }).getByRole('link', { name: 'Mail outbox' }).click();
    await visible(page.getByRole('heading', { level: 1, name: 'Mail outbox' }));
    const row = page.getByRole('row').filter({ hasText: MEMBER.email });
    await visible(row);
    await row.getByRole('link').click();
    const links = page.getByRole('list', { name: 'Links in this message' });
    await visible(links);
    const texts = await links.getByRole('link').allTextContents();
    inviteLink = texts.find((t) => t.includes('/invite/')) ?? '';
    expect(inviteLink).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/invite\/\S+$/);
    // The HTML part is shown in a sandbox without scripts.
    const frame = page.locator('iframe.mail-frame');
    if ((await frame.count()) > 0) expect(await frame.getAttribute('sandbox')).toBe('');
  });

  it('the member opens the link in another browser, chooses a name and password, and is signed in', async () => {
    member = await newSession(browser, server.url);
    current = member;
    const { page } = member;
    await page.goto(inviteLink);
    await visible(page.getByRole('heading', { name: 'Join your team on Nexus' }));
    await visible(page.getByText(`${OWNER.name} invited you to join as Member.`, { exact: false }));
    expect(await page.getByLabel('Email', { exact: true }).inputValue()).toBe(MEMBER.email);
    await page.getByLabel('Name', { exact: true }).fill(MEMBER.name);
    await page.getByLabel('Password', { exact: true }).fill(MEMBER.password);
    await page.getByRole('button', { name: 'Join Nexus' }).click();
    await visible(page.getByRole('heading', { level: 1, name: greeting(MEMBER.name) }));
    expect(new URL(page.url()).pathname).toBe('/');
    // A member has no Administration.
    const nav = page.getByRole('navigation', { name: 'Main navigation' });
    expect(await nav.getByRole('link').allTextContents()).toEqual(['Home', 'Knowledge base', 'Chat']);
  });

  it('the same link no longer works', async () => {
    const other = await newSession(browser, server.url);
    try {
      await other.page.goto(inviteLink);
      await visible(other.page.getByRole('heading', { name: 'This invitation can’t be used' }));
      await visible(other.page.getByText('This invitation was already accepted.', { exact: false }));
    } finally {
      await other.context.close();
    }
  });

  it('the member signs out and back in', async () => {
    const { page } = member!;
    await signOut(page, MEMBER.name);
    await signIn(page, MEMBER.email, MEMBER.password);
    await visible(page.getByRole('heading', { level: 1, name: greeting(MEMBER.name) }));
  });

  it('the member turns on two-factor authentication from Account settings', async () => {
    const { page } = member!;
    await openAccountSettings(page, MEMBER.name);
    await visible(page.getByRole('heading', { level: 1, name: 'Profile' }));
    await page.getByRole('navigation', { name: 'Account settings' }).getByRole('link', { name: 'Two-factor authentication' }).click();
    await visible(page.getByRole('heading', { level: 1, name: 'Two-factor authentication' }));
    await page.getByRole('button', { name: 'Set up' }).click();
    await visible(page.getByRole('img', { name: 'QR code for adding Nexus to an authenticator app' }));
    expect(await page.getByRole('img', { name: /QR code/ }).getAttribute('src')).toMatch(/^data:image\/png;base64,/);
    // Read the setup key as a person typing it into their app would.
    secret = ((await page.getByTestId('totp-secret').textContent()) ?? '').replace(/\s+/g, '');
    expect(secret).toMatch(/^[A-Z2-7]{16,}$/);
    const code = page.getByLabel('Authentication code');
    expect(await code.getAttribute('autocomplete')).toBe('one-time-code');
    await code.fill(totp(secret));
    await page.getByRole('button', { name: 'Turn on' }).click();
    await visible(page.getByRole('heading', { name: 'Save your recovery codes' }));
    const codes = await page.getByRole('list', { name: 'Save your recovery codes' }).getByRole('listitem').allTextContents();
    expect(codes).toHaveLength(10);
    const done = page.getByRole('button', { name: 'Done' });
    expect(await done.isDisabled()).toBe(true);
    await page.getByLabel('I saved my recovery codes').check();
    await done.click();
    await visible(page.getByText('Two-factor authentication is on.'));
    await visible(page.getByText('10 unused recovery codes left.'));
  });

  it('the member signs in with password and a code from the app', async () => {
    const { page } = member!;
    await signOut(page, MEMBER.name);
    await signIn(page, MEMBER.email, MEMBER.password);
    await visible(page.getByRole('heading', { name: 'Two-factor authentication' }));
    const code = page.getByLabel('Authentication code');
    expect(await code.getAttribute('autocomplete')).toBe('one-time-code');
    expect(await code.getAttribute('inputmode')).toBe('numeric');
    // Each code is accepted once and enrolment spent the current one: use the
    // next 30-second window's code, which the server accepts as clock skew.
    await code.fill(totp(secret, Date.now() + 30_000));
    await page.getByRole('button', { name: 'Verify' }).click();
    await visible(page.getByRole('heading', { level: 1, name: greeting(MEMBER.name) }));
  });

  it('a disabled member’s open tab is signed out on its next action', async () => {
    const memberPage = member!.page;
    await visible(memberPage.getByRole('heading', { level: 1, name: greeting(MEMBER.name) }));

    current = owner;
    const { page } = owner;
    await page.getByRole('navigation', { name: 'Administration' }).getByRole('link', { name: 'Users' }).click();
    await visible(page.getByRole('heading', { level: 1, name: 'Users' }));
    const row = page.getByRole('row').filter({ hasText: MEMBER.email });
    await visible(row);
    await row.getByRole('button', { name: `Actions for ${MEMBER.name}` }).click();
    await page.getByRole('menu').getByRole('menuitem', { name: 'Disable' }).click();
    const confirm = page.getByRole('alertdialog', { name: `Disable ${MEMBER.name}?` });
    await visible(confirm);
    await confirm.getByRole('button', { name: 'Disable' }).click();
    await visible(page.getByText(`${MEMBER.name} is disabled.`));
    await visible(row.getByText('Disabled'));

    current = member;
    await openAccountSettings(memberPage, MEMBER.name);
    await visible(memberPage.getByRole('heading', { name: 'Sign in to Nexus' }));
    await visible(memberPage.getByText('Your session has ended. Please sign in again.'));
    // And they can't sign back in.
    await signIn(memberPage, MEMBER.email, MEMBER.password);
    await visible(memberPage.getByText('This account is disabled. Ask an administrator to enable it.'));
  });

  it('the owner re-enables the member from the same row menu', async () => {
    current = owner;
    const { page } = owner;
    const row = page.getByRole('row').filter({ hasText: MEMBER.email });
    await row.getByRole('button', { name: `Actions for ${MEMBER.name}` }).click();
    await page.getByRole('menu').getByRole('menuitem', { name: 'Enable' }).click();
    await visible(page.getByText(`${MEMBER.name} is enabled again.`));
    await visible(row.getByText('Active'));
  });

  it('the audit log shows what happened and exports it as CSV', async () => {
    const { page } = owner;
    await page.getByRole('navigation', { name: 'Administration' }).getByRole('link', { name: 'Audit log' }).click();
    await visible(page.getByRole('heading', { level: 1, name: 'Audit log' }));
    await visible(page.getByRole('cell', { name: 'user.disabled' }));
    await visible(page.getByRole('cell', { name: 'user.invitation_accepted' }));
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Export CSV' }).click();
    const file = await download;
    expect(file.suggestedFilename()).toMatch(/\.csv$/);
  });

  it('the owner creates an account with a password, and that person signs in with it', async () => {
    current = owner;
    const { page } = owner;
    await page.getByRole('navigation', { name: 'Administration' }).getByRole('link', { name: 'Users' }).click();
    await visible(page.getByRole('heading', { level: 1, name: 'Users' }));
    await page.getByRole('button', { name: 'Create account' }).click();
    const dialog = page.getByRole('dialog', { name: 'Create an account' });
    await dialog.getByLabel('Name', { exact: true }).fill('박민아');
    await dialog.getByLabel('Email', { exact: true }).fill('mina@example.com');
    // The server has the final word on passwords: a common one is refused under the field.
    await dialog.getByLabel('Password', { exact: true }).fill('qwertyuiop');
    await dialog.getByRole('button', { name: 'Create account' }).click();
    await visible(dialog.locator('.field--invalid').getByLabel('Password', { exact: true }));
    await dialog.getByLabel('Password', { exact: true }).fill('lantern harbour 47 quietly');
    await dialog.getByRole('button', { name: 'Create account' }).click();
    await visible(page.getByText('Created an account for 박민아.'));
    await visible(page.getByRole('row').filter({ hasText: 'mina@example.com' }));

    const mina = await newSession(browser, server.url);
    try {
      current = mina;
      await mina.page.goto('/');
      await signIn(mina.page, 'mina@example.com', 'lantern harbour 47 quietly');
      await visible(mina.page.getByRole('heading', { level: 1, name: greeting('박민아') }));
      expect(mina.problems).toEqual([]);
    } finally {
      await mina.context.close();
    }
  });

  it('never violated the Content-Security-Policy or threw a script error', () => {
    expect(owner.problems).toEqual([]);
    expect(member?.problems ?? []).toEqual([]);
  });
});
