import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { apiError, fakeServer, json } from '../../test/fakeServer';
import { renderApp } from '../../test/renderApp';

function publicServer(reset?: (body: { token: string; password: string }) => Response) {
  return fakeServer((call) => {
    if (call.path === '/api/v1/setup') return json(200, { needed: false });
    if (call.path === '/api/v1/auth/refresh') return apiError(401, 'unauthorized', 'no session');
    if (call.path === '/api/v1/auth/options') return json(200, { password_login: true, registration: 'invite', providers: [] });
    if (call.path === '/api/v1/auth/password/forgot') return json(202, {});
    if (call.path === '/api/v1/auth/password/reset' && reset) return reset(call.body as { token: string; password: string });
    return apiError(404, 'not_found', 'no route');
  });
}

describe('forgot password', () => {
  it('is linked from sign-in and always answers that a link was sent if the account exists', async () => {
    const server = publicServer();
    renderApp(server);
    const user = userEvent.setup();
    await user.click(await screen.findByRole('link', { name: 'Forgot password?' }));
    expect(await screen.findByRole('heading', { name: 'Reset your password' })).toBeTruthy();
    expect(window.location.pathname).toBe('/forgot-password');
    await user.type(screen.getByLabelText('Email'), 'nobody@example.com');
    await user.click(screen.getByRole('button', { name: 'Send reset link' }));
    expect(await screen.findByRole('heading', { name: 'Check your email' })).toBeTruthy();
    expect(screen.getByText('If an account exists for nobody@example.com, we sent it a link to reset the password.')).toBeTruthy();
    expect(server.calls.find((c) => c.path === '/api/v1/auth/password/forgot')?.body).toEqual({ email: 'nobody@example.com' });
  });
});

describe('reset password', () => {
  it('sets the new password with the token from the link, then shows sign-in with a notice', async () => {
    window.history.replaceState(null, '', '/reset-password?token=reset-tok');
    const server = publicServer(() => json(204));
    renderApp(server);
    expect(await screen.findByRole('heading', { name: 'Choose a new password' })).toBeTruthy();
    const user = userEvent.setup();
    await user.type(screen.getByLabelText('New password'), 'short');
    await user.click(screen.getByRole('button', { name: 'Change password' }));
    expect(screen.getByText('Use at least 8 characters.')).toBeTruthy();
    expect(server.count('POST', '/api/v1/auth/password/reset')).toBe(0);

    await user.type(screen.getByLabelText('New password'), ' and longer');
    await user.click(screen.getByRole('button', { name: 'Change password' }));
    expect(await screen.findByRole('heading', { name: 'Sign in to Nexus' })).toBeTruthy();
    expect(screen.getByText('Your password has been changed. Sign in with your new password.')).toBeTruthy();
    expect(server.calls.find((c) => c.path === '/api/v1/auth/password/reset')?.body).toEqual({
      token: 'reset-tok',
      password: 'short and longer',
    });
    await waitFor(() => expect(window.location.search).toBe(''));
  });

  it('explains a used or expired link and offers a new one', async () => {
    window.history.replaceState(null, '', '/reset-password?token=old');
    renderApp(
      publicServer(() =>
        apiError(400, 'invalid', 'This link is invalid or has expired.', { reason: 'token_invalid', field: 'token' }),
      ),
    );
    const user = userEvent.setup();
    await user.type(await screen.findByLabelText('New password'), 'a fine new password');
    await user.click(screen.getByRole('button', { name: 'Change password' }));
    expect(await screen.findByRole('heading', { name: 'This link can’t be used' })).toBeTruthy();
    expect(screen.getByRole('alert').textContent).toBe('The password reset link is invalid, was already used, or has expired.');
    await user.click(screen.getByRole('link', { name: 'Request a new link' }));
    expect(await screen.findByRole('heading', { name: 'Reset your password' })).toBeTruthy();
  });

  it('says the link is unusable when it has no token at all', async () => {
    window.history.replaceState(null, '', '/reset-password');
    renderApp(publicServer());
    expect(await screen.findByRole('heading', { name: 'This link can’t be used' })).toBeTruthy();
  });
});
