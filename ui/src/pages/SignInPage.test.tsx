import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { apiError, auth, fakeServer, json, minji } from '../test/fakeServer';
import { renderApp } from '../test/renderApp';

/** A server with one account (minji@example.com / "correct horse") and no session cookie. */
function signedOutServer(login?: (body: { email: string; password: string }) => Response) {
  return fakeServer((call) => {
    if (call.path === '/api/v1/setup') return json(200, { needed: false });
    if (call.path === '/api/v1/auth/refresh') return apiError(401, 'unauthorized', 'no session');
    if (call.path === '/api/v1/auth/login') {
      const body = call.body as { email: string; password: string };
      if (login) return login(body);
      return body.email === minji.email && body.password === 'correct horse'
        ? json(200, auth('t1'))
        : apiError(401, 'unauthorized', 'Incorrect email or password.');
    }
    return apiError(404, 'not_found', 'no route');
  });
}

async function fillAndSubmit(email: string, password: string) {
  const user = userEvent.setup();
  await user.type(await screen.findByLabelText('Email'), email);
  await user.type(screen.getByLabelText('Password'), password);
  await user.click(screen.getByRole('button', { name: 'Sign in' }));
  return user;
}

describe('Sign-in page', () => {
  it('shows the incorrect-credentials message in an alert on 401, and stays on the form', async () => {
    const server = signedOutServer();
    renderApp(server);
    expect(await screen.findByRole('heading', { name: 'Sign in to Nexus' })).toBeTruthy();
    await waitFor(() => expect(document.title).toBe('Sign in · Nexus'));

    await fillAndSubmit(minji.email, 'wrong password');

    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toBe('Incorrect email or password.');
    expect(server.count('POST', '/api/v1/auth/login')).toBe(1);
    expect(screen.getByRole('button', { name: 'Sign in' })).toBeTruthy();
    // Ready to retype: focus is on the password, with its text selected.
    const password = screen.getByLabelText('Password') as HTMLInputElement;
    expect(document.activeElement).toBe(password);
    expect([password.selectionStart, password.selectionEnd]).toEqual([0, 'wrong password'.length]);
    expect(screen.queryByRole('heading', { name: /Good (morning|afternoon|evening)/ })).toBeNull();
  });

  it('signs in with the right password and greets the user', async () => {
    renderApp(signedOutServer());
    await fillAndSubmit(minji.email, 'correct horse');
    expect(await screen.findByRole('heading', { name: /^Good (morning|afternoon|evening), Kim Minji$/ })).toBeTruthy();
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('translates the error when the language changes while it is shown', async () => {
    renderApp(signedOutServer());
    const user = await fillAndSubmit(minji.email, 'wrong password');
    await screen.findByText('Incorrect email or password.');
    await user.click(screen.getByRole('button', { name: '한국어' }));
    expect((await screen.findByRole('alert')).textContent).toBe('이메일 또는 비밀번호가 올바르지 않아요.');
    expect(screen.getByRole('button', { name: '로그인' })).toBeTruthy();
  });

  it('says how long to wait on 429, from Retry-After', async () => {
    renderApp(
      signedOutServer(() => apiError(429, 'rate_limited', 'slow down', undefined, { 'Retry-After': '37' })),
    );
    await fillAndSubmit(minji.email, 'whatever1');
    expect((await screen.findByRole('alert')).textContent).toBe('Too many attempts. Try again in 37 seconds.');
  });

  it('shows a connection error when the server cannot be reached', async () => {
    const base = signedOutServer();
    let offline = false;
    const server = {
      ...base,
      fetch: (async (input: RequestInfo | URL, init?: RequestInit) => {
        if (offline) throw new TypeError('Failed to fetch');
        return base.fetch(input, init);
      }) as typeof fetch,
    };
    renderApp(server);
    await screen.findByLabelText('Email');
    offline = true;
    await fillAndSubmit(minji.email, 'correct horse');
    expect((await screen.findByRole('alert')).textContent).toBe(
      'Can’t connect to the server. Check your connection and try again.',
    );
  });

  it('validates fields before sending anything, and marks them invalid', async () => {
    const server = signedOutServer();
    renderApp(server);
    const user = userEvent.setup();
    await user.type(await screen.findByLabelText('Email'), 'not-an-email');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));

    const email = screen.getByLabelText('Email');
    expect(email.getAttribute('aria-invalid')).toBe('true');
    expect(screen.getByText('Enter a valid email address, like name@example.com.')).toBeTruthy();
    expect(screen.getByText('Enter your password.')).toBeTruthy();
    expect(document.activeElement).toBe(email);
    expect(server.count('POST', '/api/v1/auth/login')).toBe(0);
  });

  it('shows a field message for a 400 naming the field', async () => {
    renderApp(
      signedOutServer(() => apiError(400, 'invalid', 'email: invalid address', { field: 'email' })),
    );
    await fillAndSubmit('odd@address', 'whatever1');
    const email = screen.getByLabelText('Email');
    await waitFor(() => expect(email.getAttribute('aria-invalid')).toBe('true'));
    const describedBy = email.getAttribute('aria-describedby') ?? '';
    const described = describedBy.split(' ').map((id) => document.getElementById(id)?.textContent);
    expect(described).toContain('Enter a valid email address, like name@example.com.');
  });
});
