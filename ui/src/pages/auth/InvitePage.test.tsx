import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { apiError, auth, fakeServer, json, makeUser, type Call } from '../../test/fakeServer';
import { renderApp } from '../../test/renderApp';

const jiho = makeUser({ id: 'u-jiho', name: 'Lee Jiho', email: 'jiho@example.com' });

function inviteServer(invitation: (call: Call) => Response) {
  return fakeServer((call) => {
    if (call.path === '/api/v1/setup') return json(200, { needed: false });
    if (call.path === '/api/v1/auth/refresh') return apiError(401, 'unauthorized', 'no session');
    if (call.path.startsWith('/api/v1/invitations/')) return invitation(call);
    if (call.path === '/api/v1/me') return call.authorization === 'Bearer t1' ? json(200, jiho) : apiError(401, 'unauthorized', 'no');
    return apiError(404, 'not_found', 'no route');
  });
}

describe('invitation page', () => {
  it('shows who invited you, then creates the account and signs you in', async () => {
    window.history.replaceState(null, '', '/invite/tok-123');
    const server = inviteServer((call) => {
      if (call.method === 'GET' && call.path === '/api/v1/invitations/tok-123') {
        return json(200, { email: 'jiho@example.com', role: 'member', inviter_name: 'Kim Minji', expires_at: '2030-01-01T00:00:00Z' });
      }
      if (call.method === 'POST' && call.path === '/api/v1/invitations/tok-123/accept') {
        const b = call.body as { name: string; password: string };
        if (b.password === 'password') {
          return apiError(400, 'invalid', 'This password is too common.', { field: 'password', reason: 'common_password' });
        }
        return json(201, auth('t1', { ...jiho, name: b.name }));
      }
      return apiError(404, 'not_found', 'no');
    });
    renderApp(server);
    expect(await screen.findByRole('heading', { name: 'Join your team on Nexus' })).toBeTruthy();
    expect(screen.getByText(/Kim Minji invited you to join as Member\./)).toBeTruthy();
    const email = screen.getByLabelText('Email') as HTMLInputElement;
    expect(email.value).toBe('jiho@example.com');
    expect(email.readOnly).toBe(true);

    const user = userEvent.setup();
    await user.click(screen.getByRole('button', { name: 'Join Nexus' }));
    expect(screen.getByText('Enter your name.')).toBeTruthy();
    expect(server.count('POST', '/api/v1/invitations/tok-123/accept')).toBe(0);

    await user.type(screen.getByLabelText('Name'), 'Lee Jiho');
    await user.type(screen.getByLabelText('Password'), 'password');
    await user.click(screen.getByRole('button', { name: 'Join Nexus' }));
    // The server's password policy, translated.
    expect(await screen.findByText('This password is too common. Choose one that’s harder to guess.')).toBeTruthy();

    await user.clear(screen.getByLabelText('Password'));
    await user.type(screen.getByLabelText('Password'), 'purple monkey dishwasher');
    await user.click(screen.getByRole('button', { name: 'Join Nexus' }));
    expect(await screen.findByRole('heading', { name: /^Good (morning|afternoon|evening), Lee Jiho$/ })).toBeTruthy();
    expect(window.location.pathname).toBe('/');
    expect(server.calls.filter((c) => c.method === 'POST' && c.path === '/api/v1/invitations/tok-123/accept').at(-1)?.body).toEqual({
      name: 'Lee Jiho',
      password: 'purple monkey dishwasher',
    });
  });

  it.each([
    ['expired', 'This invitation has expired. Ask the person who invited you to send a new one.'],
    ['used', 'This invitation was already accepted. Sign in with the account you created.'],
    ['revoked', 'This invitation was withdrawn. Ask an administrator if you still need access.'],
    ['unknown', 'This invitation link isn’t valid. Check that you copied the whole link, or ask for a new invitation.'],
  ])('explains a %s invitation', async (reason, text) => {
    window.history.replaceState(null, '', '/invite/dead');
    renderApp(inviteServer(() => apiError(404, 'not_found', 'Invitation not found.', { reason })));
    expect(await screen.findByRole('heading', { name: 'This invitation can’t be used' })).toBeTruthy();
    expect(screen.getByRole('alert').textContent).toBe(text);
    expect(screen.getByRole('link', { name: 'Back to sign in' })).toBeTruthy();
  });
});

describe('invitation link opened while signed in', () => {
  it('offers to sign out first, then shows the invitation', async () => {
    window.history.replaceState(null, '', '/invite/tok-9');
    let signedIn = true;
    const server = fakeServer((call) => {
      if (call.path === '/api/v1/setup') return json(200, { needed: false });
      if (call.path === '/api/v1/auth/refresh') return signedIn ? json(200, auth('t1')) : apiError(401, 'unauthorized', 'no');
      if (call.path === '/api/v1/auth/logout') {
        signedIn = false;
        return json(204);
      }
      if (call.path === '/api/v1/me') return json(200, { ...jiho, name: 'Kim Minji', email: 'minji@example.com' });
      if (call.path === '/api/v1/invitations/tok-9') {
        return json(200, { email: 'new@example.com', role: 'guest', inviter_name: 'Kim Minji', expires_at: '2030-01-01T00:00:00Z' });
      }
      return apiError(404, 'not_found', 'no route');
    });
    renderApp(server);
    expect(await screen.findByRole('heading', { name: 'You’re already signed in' })).toBeTruthy();
    expect(screen.getByText(/To accept this invitation with a new account, sign out first\./)).toBeTruthy();
    await userEvent.setup().click(screen.getByRole('button', { name: 'Sign out and continue' }));
    expect(await screen.findByRole('heading', { name: 'Join your team on Nexus' })).toBeTruthy();
    expect(window.location.pathname).toBe('/invite/tok-9');
    expect(server.count('POST', '/api/v1/auth/logout')).toBe(1);
  });
});
