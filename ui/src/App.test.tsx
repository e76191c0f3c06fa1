import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { User } from './api/client';
import { dayPart } from './pages/HomePage';
import { navigate } from './router';
import { apiError, auth, fakeServer, json, minji } from './test/fakeServer';
import { renderApp } from './test/renderApp';

/** A server where Minji already has a session cookie (refresh succeeds). */
function signedInServer(user: User = minji) {
  return fakeServer((call) => {
    if (call.path === '/api/v1/setup') return json(200, { needed: false });
    if (call.path === '/api/v1/auth/refresh') return json(200, auth('t1', user));
    if (call.path === '/api/v1/auth/logout') return json(204);
    if (call.path === '/api/v1/me') {
      return call.authorization === 'Bearer t1' ? json(200, user) : apiError(401, 'unauthorized', 'no');
    }
    return apiError(404, 'not_found', 'no route');
  });
}

const greeting = /^Good (morning|afternoon|evening), Kim Minji$/;

async function openUserMenu() {
  const user = userEvent.setup();
  await user.click(await screen.findByRole('button', { name: 'Account menu, Kim Minji' }));
  return { user, menu: screen.getByRole('menu') };
}

describe('start-up', () => {
  it('shows the setup page when the server needs an owner, and signs in after creating it', async () => {
    let created = false;
    const server = fakeServer((call) => {
      if (call.path === '/api/v1/setup' && call.method === 'GET') return json(200, { needed: !created });
      if (call.path === '/api/v1/setup' && call.method === 'POST') {
        created = true;
        const b = call.body as { name: string; email: string; password: string };
        return json(201, auth('t1', { ...minji, name: b.name, email: b.email }));
      }
      return apiError(404, 'not_found', 'no route');
    });
    renderApp(server);
    expect(await screen.findByRole('heading', { name: 'Create the owner account' })).toBeTruthy();
    expect(screen.getByText('At least 8 characters.')).toBeTruthy();

    const user = userEvent.setup();
    await user.type(screen.getByLabelText('Name'), 'Kim Minji');
    await user.type(screen.getByLabelText('Email'), 'minji@example.com');
    await user.type(screen.getByLabelText('Password'), 'short');
    await user.click(screen.getByRole('button', { name: 'Create account' }));
    // The min-8 rule is enforced before anything is sent.
    expect(screen.getByText('Use at least 8 characters.')).toBeTruthy();
    expect(server.count('POST', '/api/v1/setup')).toBe(0);

    await user.type(screen.getByLabelText('Password'), 'enough!');
    await user.click(screen.getByRole('button', { name: 'Create account' }));
    expect(await screen.findByRole('heading', { name: greeting })).toBeTruthy();
    expect(server.calls.find((c) => c.method === 'POST')?.body).toEqual({
      name: 'Kim Minji',
      email: 'minji@example.com',
      password: 'shortenough!',
    });
  });

  it('shows the server’s field error on setup, and explains when setup was already done elsewhere', async () => {
    let calls = 0;
    const server = fakeServer((call) => {
      if (call.path === '/api/v1/setup' && call.method === 'GET') return json(200, { needed: true });
      if (call.path === '/api/v1/setup') {
        calls += 1;
        return calls === 1
          ? apiError(400, 'invalid', 'Enter a valid email address.', { field: 'email' })
          : apiError(409, 'conflict', 'Nexus is already set up.');
      }
      if (call.path === '/api/v1/auth/refresh') return apiError(401, 'unauthorized', 'no session');
      return apiError(404, 'not_found', 'no route');
    });
    renderApp(server);
    const user = userEvent.setup();
    await user.type(await screen.findByLabelText('Name'), 'Kim Minji');
    await user.type(screen.getByLabelText('Email'), 'minji@localhost');
    await user.type(screen.getByLabelText('Password'), 'long enough');
    await user.click(screen.getByRole('button', { name: 'Create account' }));

    const email = screen.getByLabelText('Email');
    await waitFor(() => expect(email.getAttribute('aria-invalid')).toBe('true'));
    expect(screen.getByText('Enter a valid email address, like name@example.com.')).toBeTruthy();
    expect(document.activeElement).toBe(email);

    await user.click(screen.getByRole('button', { name: 'Create account' }));
    expect((await screen.findByRole('alert')).textContent).toBe(
      'Nexus has already been set up. Sign in with your account instead.',
    );
    await user.click(screen.getByRole('button', { name: 'Go to sign in' }));
    expect(await screen.findByRole('heading', { name: 'Sign in to Nexus' })).toBeTruthy();
  });

  it('restores the session from the refresh cookie on load', async () => {
    const server = signedInServer();
    renderApp(server);
    expect(await screen.findByRole('heading', { name: greeting })).toBeTruthy();
    // GET /me tells whether an administrator requires MFA enrolment first.
    await waitFor(() =>
      expect(server.calls.filter((c) => /^\/api\/v1\/(setup|auth|me)\b/.test(c.path)).map((c) => `${c.method} ${c.path}`)).toEqual([
        'GET /api/v1/setup',
        'POST /api/v1/auth/refresh',
        'GET /api/v1/me',
      ]),
    );
  });

  it('offers a retry when the server is unreachable', async () => {
    let down = true;
    const base = signedInServer();
    renderApp({
      ...base,
      fetch: (async (i: RequestInfo | URL, init?: RequestInit) => {
        if (down) throw new TypeError('Failed to fetch');
        return base.fetch(i, init);
      }) as typeof fetch,
    });
    expect(await screen.findByRole('heading', { name: 'Can’t reach Nexus' })).toBeTruthy();
    down = false;
    await userEvent.setup().click(screen.getByRole('button', { name: 'Try again' }));
    expect(await screen.findByRole('heading', { name: greeting })).toBeTruthy();
  });
});

describe('language', () => {
  it('switching to 한국어 in the user menu changes the visible text and <html lang>', async () => {
    renderApp(signedInServer());
    expect(await screen.findByRole('heading', { name: greeting })).toBeTruthy();
    expect(screen.getByRole('link', { name: 'Home' })).toBeTruthy();

    const { user, menu } = await openUserMenu();
    const korean = within(menu).getByRole('menuitemradio', { name: '한국어' });
    expect(korean.getAttribute('aria-checked')).toBe('false');
    await user.click(korean);

    expect(
      await screen.findByRole('heading', { name: /^좋은 (아침이에요|오후예요|저녁이에요), Kim Minji님$/ }),
    ).toBeTruthy();
    expect(screen.getByRole('link', { name: '홈' })).toBeTruthy();
    expect(screen.queryByRole('link', { name: 'Home' })).toBeNull();
    expect(screen.queryByText(/Good (morning|afternoon|evening)/)).toBeNull();
    expect(document.documentElement.lang).toBe('ko');
    expect(window.localStorage.getItem('nexus.lang')).toBe('ko');
    await waitFor(() => expect(document.title).toBe('홈 · Nexus'));

    // The menu itself is Korean now too.
    await user.click(screen.getByRole('button', { name: '계정 메뉴, Kim Minji' }));
    expect(within(screen.getByRole('menu')).getByRole('menuitem', { name: '로그아웃' })).toBeTruthy();
    expect(within(screen.getByRole('menu')).getByRole('menuitemradio', { name: '한국어' }).getAttribute('aria-checked')).toBe(
      'true',
    );
  });
});

describe('user menu', () => {
  it('is operable with the keyboard', async () => {
    renderApp(signedInServer());
    const button = await screen.findByRole('button', { name: 'Account menu, Kim Minji' });
    const user = userEvent.setup();
    button.focus();

    await user.keyboard('{Enter}');
    const menu = screen.getByRole('menu');
    const items = [
      ...within(menu).getAllByRole('menuitem'),
      ...within(menu).getAllByRole('menuitemradio'),
    ].sort((a, b) => (a.compareDocumentPosition(b) & Node.DOCUMENT_POSITION_FOLLOWING ? -1 : 1));
    expect(items.map((i) => i.textContent)).toEqual(['Account settings', 'English', '한국어', 'Light', 'Dark', 'System', 'Sign out']);
    expect(button.getAttribute('aria-expanded')).toBe('true');
    expect(document.activeElement).toBe(items[0]);
    expect(items[0]?.textContent).toBe('Account settings');

    await user.keyboard('{ArrowDown}');
    expect(document.activeElement?.textContent).toBe('English');
    await user.keyboard('{ArrowUp}{ArrowUp}');
    expect(document.activeElement?.textContent).toBe('Sign out'); // wraps around
    await user.keyboard('{Home}');
    expect(document.activeElement).toBe(items[0]);

    await user.keyboard('{Escape}');
    expect(screen.queryByRole('menu')).toBeNull();
    expect(document.activeElement).toBe(button);
    expect(button.getAttribute('aria-expanded')).toBe('false');

    await user.keyboard(' ');
    expect(screen.getByRole('menu')).toBeTruthy();
    await user.keyboard('{Escape}');
    await user.keyboard('{ArrowUp}');
    expect(document.activeElement?.textContent).toBe('Sign out');
    await user.keyboard('{Escape}');
  });

  it('opens account settings on the profile with name, email, role and member-since', async () => {
    const server = signedInServer();
    renderApp(server);
    const { user, menu } = await openUserMenu();
    await user.click(within(menu).getByRole('menuitem', { name: 'Account settings' }));
    const heading = await screen.findByRole('heading', { name: 'Profile', level: 1 });
    expect(window.location.pathname).toBe('/account/profile');
    const main = screen.getByRole('main');
    expect((within(main).getByLabelText('Name') as HTMLInputElement).value).toBe('Kim Minji');
    expect(within(main).getAllByText('minji@example.com').length).toBeGreaterThan(0);
    expect(within(main).getByText('Owner')).toBeTruthy();
    expect(within(main).getByText('March 14, 2025')).toBeTruthy();
    const sub = screen.getByRole('navigation', { name: 'Account settings' });
    expect(within(sub).getAllByRole('link').map((l) => l.textContent)).toEqual([
      'Profile',
      'Password',
      'Email',
      'Two-factor authentication',
      'Sessions',
      'Access tokens',
      'Notifications',
    ]);
    expect(within(sub).getByRole('link', { name: 'Profile' }).getAttribute('aria-current')).toBe('page');
    await waitFor(() => expect(document.activeElement).toBe(heading));
  });

  it('sends the old /profile address to account settings', async () => {
    window.history.replaceState(null, '', '/profile');
    renderApp(signedInServer());
    expect(await screen.findByRole('heading', { name: 'Profile', level: 1 })).toBeTruthy();
    expect(window.location.pathname).toBe('/account/profile');
  });

  it('switches the theme and remembers it', async () => {
    renderApp(signedInServer());
    const { user, menu } = await openUserMenu();
    expect(within(menu).getByRole('menuitemradio', { name: 'System' }).getAttribute('aria-checked')).toBe('true');
    await user.click(within(menu).getByRole('menuitemradio', { name: 'Dark' }));
    expect(document.documentElement.getAttribute('data-theme')).toBe('dark');
    expect(window.localStorage.getItem('nexus.theme')).toBe('dark');
    const again = await openUserMenu();
    await again.user.click(within(again.menu).getByRole('menuitemradio', { name: 'System' }));
    expect(document.documentElement.hasAttribute('data-theme')).toBe(false);
  });

  it('signs out through the server and shows the sign-in page', async () => {
    const server = signedInServer();
    renderApp(server);
    const { user, menu } = await openUserMenu();
    await user.click(within(menu).getByRole('menuitem', { name: 'Sign out' }));
    expect(await screen.findByRole('heading', { name: 'Sign in to Nexus' })).toBeTruthy();
    expect(server.count('POST', '/api/v1/auth/logout')).toBe(1);
    expect(server.calls.find((c) => c.path === '/api/v1/auth/logout')?.authorization).toBe('Bearer t1');
  });
});

describe('frame', () => {
  it('shows a not-found page inside the frame for unknown routes', async () => {
    window.history.replaceState(null, '', '/no/such/page');
    renderApp(signedInServer());
    expect(await screen.findByRole('heading', { name: 'Page not found' })).toBeTruthy();
    expect(screen.getByRole('navigation', { name: 'Main navigation' })).toBeTruthy();
    await userEvent.setup().click(screen.getByRole('link', { name: 'Go to Home' }));
    expect(await screen.findByRole('heading', { name: greeting })).toBeTruthy();
    expect(window.location.pathname).toBe('/');
  });

  it('has a skip link, landmarks, and marks the current page in the navigation', async () => {
    renderApp(signedInServer());
    await screen.findByRole('heading', { name: greeting });
    const skip = screen.getByRole('link', { name: 'Skip to content' });
    expect(skip.getAttribute('href')).toBe('#main');
    expect(screen.getByRole('main').id).toBe('main');
    expect(screen.getByRole('banner')).toBeTruthy();
    const nav = screen.getByRole('navigation', { name: 'Main navigation' });
    const links = within(nav).getAllByRole('link');
    // An owner also sees Administration.
    expect(links.map((l) => l.textContent)).toEqual(['Home', 'Knowledge base', 'Chat', 'Administration']);
    expect(links[0]?.getAttribute('aria-current')).toBe('page');
    act(() => navigate('/account/profile'));
    await screen.findByRole('heading', { name: 'Profile', level: 1 });
    expect(within(nav).getByRole('link', { name: 'Home' }).getAttribute('aria-current')).toBeNull();
  });

  it('the menu button toggles the navigation drawer', async () => {
    renderApp(signedInServer());
    const toggle = await screen.findByRole('button', { name: 'Menu' });
    expect(toggle.getAttribute('aria-expanded')).toBe('false');
    expect(toggle.getAttribute('aria-controls')).toBe('sidebar');
    const user = userEvent.setup();
    await user.click(toggle);
    expect(toggle.getAttribute('aria-expanded')).toBe('true');
    expect(document.activeElement).toBe(screen.getByRole('link', { name: 'Home' }));
    await user.keyboard('{Escape}');
    expect(toggle.getAttribute('aria-expanded')).toBe('false');
    expect(document.activeElement).toBe(toggle);
  });

  it('shows owner-only getting-started steps and Administration only to owners and admins', async () => {
    renderApp(signedInServer({ ...minji, role: 'member' }));
    await screen.findByRole('heading', { name: greeting });
    expect(screen.getByRole('heading', { name: 'Getting started' })).toBeTruthy();
    expect(screen.queryByRole('heading', { name: 'Add your teammates' })).toBeNull();
    const nav = screen.getByRole('navigation', { name: 'Main navigation' });
    expect(within(nav).getAllByRole('link').map((l) => l.textContent)).toEqual(['Home', 'Knowledge base', 'Chat']);
    // And the admin pages do not exist for a member.
    act(() => navigate('/admin/users'));
    expect(await screen.findByRole('heading', { name: 'Page not found' })).toBeTruthy();
  });
});

describe('dayPart', () => {
  it.each([
    [4, 'evening'],
    [5, 'morning'],
    [11, 'morning'],
    [12, 'afternoon'],
    [17, 'afternoon'],
    [18, 'evening'],
    [23, 'evening'],
  ] as const)('%i h → %s', (h, want) => {
    expect(dayPart(h)).toBe(want);
  });
});
