import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { apiError, auth, fakeServer, json, minji, type Call } from '../../test/fakeServer';
import { renderApp } from '../../test/renderApp';

const greeting = /^Good (morning|afternoon|evening), Kim Minji$/;

/** Minji has MFA on: the password step answers with a challenge; "123456" and "abcd-efgh" are the good codes. */
function mfaServer(second?: (call: Call) => Response | undefined) {
  let used = false;
  return fakeServer((call) => {
    if (call.path === '/api/v1/setup') return json(200, { needed: false });
    if (call.path === '/api/v1/auth/refresh') return apiError(401, 'unauthorized', 'no session');
    if (call.path === '/api/v1/auth/options') return json(200, { password_login: true, registration: 'invite', providers: [] });
    if (call.path === '/api/v1/auth/login') {
      return json(200, { mfa_required: true, mfa_token: 'mfa-tok', methods: ['totp', 'recovery_code'] });
    }
    if (call.path === '/api/v1/auth/mfa') {
      const custom = second?.(call);
      if (custom) return custom;
      const b = call.body as { mfa_token: string; code?: string; recovery_code?: string };
      if (b.mfa_token !== 'mfa-tok') return apiError(401, 'unauthorized', 'bad token', { reason: 'mfa_token_invalid' });
      if (b.code === '123456' && !used) {
        used = true;
        return json(200, auth('t1'));
      }
      if (b.code === '123456') return apiError(401, 'unauthorized', 'used', { reason: 'mfa_code_used' });
      if (b.recovery_code === 'abcd-efgh') return json(200, auth('t1'));
      return apiError(401, 'unauthorized', 'That code is not right.', { reason: 'mfa_code_invalid' });
    }
    if (call.path === '/api/v1/me') return call.authorization === 'Bearer t1' ? json(200, minji) : apiError(401, 'unauthorized', 'no');
    return apiError(404, 'not_found', 'no route');
  });
}

async function passwordStep() {
  const user = userEvent.setup();
  await user.type(await screen.findByLabelText('Email'), minji.email);
  await user.type(screen.getByLabelText('Password'), 'correct horse');
  await user.click(screen.getByRole('button', { name: 'Sign in' }));
  await screen.findByRole('heading', { name: 'Two-factor authentication' });
  return user;
}

describe('sign-in with two-factor authentication', () => {
  it('continues an SSO sign-in that needs the second factor, from the URL fragment, and drops the fragment', async () => {
    window.history.replaceState(null, '', '/signin#mfa_token=mfa-tok&methods=totp,recovery_code');
    const server = mfaServer();
    renderApp(server);
    await screen.findByRole('heading', { name: 'Two-factor authentication' });
    await waitFor(() => expect(window.location.hash).toBe(''));
    const user = userEvent.setup();
    await user.type(screen.getByLabelText('Authentication code'), '123456');
    await user.click(screen.getByRole('button', { name: 'Verify' }));
    expect(await screen.findByRole('heading', { name: greeting })).toBeTruthy();
    const mfaCall = server.calls.find((c) => c.path === '/api/v1/auth/mfa');
    expect((mfaCall?.body as { mfa_token: string }).mfa_token).toBe('mfa-tok');
    expect(server.calls.some((c) => c.path === '/api/v1/auth/login')).toBe(false);
  });

  it('asks for the 6-digit code after the password, then signs in', async () => {
    const server = mfaServer();
    renderApp(server);
    const user = await passwordStep();

    const code = screen.getByLabelText('Authentication code') as HTMLInputElement;
    expect(code.getAttribute('autocomplete')).toBe('one-time-code');
    expect(code.getAttribute('inputmode')).toBe('numeric');
    expect(document.activeElement).toBe(code);

    // Checked before anything is sent.
    await user.type(code, '12345');
    await user.click(screen.getByRole('button', { name: 'Verify' }));
    expect(screen.getByText('Enter the 6 digits shown in your app.')).toBeTruthy();
    expect(server.count('POST', '/api/v1/auth/mfa')).toBe(0);

    // A wrong code: a clear message on the field, nothing else changes.
    await user.clear(code);
    await user.type(code, '000000');
    await user.click(screen.getByRole('button', { name: 'Verify' }));
    expect(await screen.findByText('That code didn’t work. Wait for a new code in your app and try again.')).toBeTruthy();
    expect(code.getAttribute('aria-invalid')).toBe('true');

    // Spaces are fine ("123 456").
    await user.clear(code);
    await user.type(code, '123 456');
    await user.click(screen.getByRole('button', { name: 'Verify' }));
    expect(await screen.findByRole('heading', { name: greeting })).toBeTruthy();
    const sent = server.calls.filter((c) => c.path === '/api/v1/auth/mfa').map((c) => c.body);
    expect(sent).toEqual([
      { mfa_token: 'mfa-tok', code: '000000' },
      { mfa_token: 'mfa-tok', code: '123456' },
    ]);
  });

  it('accepts a recovery code instead', async () => {
    const server = mfaServer();
    renderApp(server);
    const user = await passwordStep();
    await user.click(screen.getByRole('button', { name: 'Use a recovery code instead' }));
    const field = screen.getByLabelText('Recovery code');
    expect(screen.queryByLabelText('Authentication code')).toBeNull();
    await user.type(field, 'wrong-code');
    await user.click(screen.getByRole('button', { name: 'Verify' }));
    expect(await screen.findByText('That recovery code didn’t work. Each code can be used only once.')).toBeTruthy();
    await user.clear(field);
    await user.type(field, 'abcd-efgh');
    await user.click(screen.getByRole('button', { name: 'Verify' }));
    expect(await screen.findByRole('heading', { name: greeting })).toBeTruthy();
    expect(server.calls.filter((c) => c.path === '/api/v1/auth/mfa').at(-1)?.body).toEqual({
      mfa_token: 'mfa-tok',
      recovery_code: 'abcd-efgh',
    });
  });

  it('goes back to the password step when the attempt expired', async () => {
    renderApp(mfaServer(() => apiError(401, 'unauthorized', 'took too long', { reason: 'mfa_token_expired' })));
    const user = await passwordStep();
    await user.type(screen.getByLabelText('Authentication code'), '123456');
    await user.click(screen.getByRole('button', { name: 'Verify' }));
    expect(await screen.findByRole('heading', { name: 'Sign in to Nexus' })).toBeTruthy();
    expect((await screen.findByRole('alert')).textContent).toBe('That sign-in attempt expired. Please sign in again.');
  });

  it('says so when a code was already used', async () => {
    renderApp(mfaServer(() => apiError(401, 'unauthorized', 'used', { reason: 'mfa_code_used' })));
    const user = await passwordStep();
    await user.type(screen.getByLabelText('Authentication code'), '123456');
    await user.click(screen.getByRole('button', { name: 'Verify' }));
    await waitFor(() =>
      expect(screen.getByText('That code was already used. Wait for the next code in your app and enter it.')).toBeTruthy(),
    );
  });
});

describe('sign-in page options', () => {
  function optionsServer(options: unknown) {
    return fakeServer((call) => {
      if (call.path === '/api/v1/setup') return json(200, { needed: false });
      if (call.path === '/api/v1/auth/refresh') return apiError(401, 'unauthorized', 'no session');
      if (call.path === '/api/v1/auth/options') return json(200, options);
      return apiError(404, 'not_found', 'no route');
    });
  }

  it('shows a button per SSO provider, a forgot-password link, and registration only when open', async () => {
    renderApp(
      optionsServer({
        password_login: true,
        registration: 'open',
        providers: [
          { id: 'google', name: 'Google Workspace' },
          { id: 'okta', name: 'Okta' },
        ],
      }),
    );
    const google = await screen.findByRole('link', { name: 'Continue with Google Workspace' });
    expect(google.getAttribute('href')).toBe('/api/v1/auth/sso/google/start');
    expect(screen.getByRole('link', { name: 'Continue with Okta' }).getAttribute('href')).toBe('/api/v1/auth/sso/okta/start');
    expect(screen.getByLabelText('Password')).toBeTruthy();
    expect(screen.getByRole('link', { name: 'Forgot password?' }).getAttribute('href')).toBe('/forgot-password');
    expect(screen.getByRole('link', { name: 'Create an account' }).getAttribute('href')).toBe('/register');
  });

  it('hides the password form when password sign-in is off, and registration when invite-only', async () => {
    renderApp(optionsServer({ password_login: false, registration: 'invite', providers: [{ id: 'corp', name: 'Corp SSO' }] }));
    expect(await screen.findByRole('link', { name: 'Continue with Corp SSO' })).toBeTruthy();
    expect(screen.queryByLabelText('Password')).toBeNull();
    expect(screen.queryByRole('link', { name: 'Forgot password?' })).toBeNull();
    expect(screen.queryByRole('link', { name: 'Create an account' })).toBeNull();
    expect(screen.getByText('Sign in with your organization’s account.')).toBeTruthy();
  });

  it.each([
    ['no_account', 'There’s no Nexus account for this email. Ask an administrator for an invitation.'],
    ['email_unverified', 'Your identity provider hasn’t verified your email address, so Nexus can’t sign you in with it.'],
    ['state_mismatch', 'The sign-in took too long or was started in another window. Please try again.'],
    ['something_new', 'Single sign-on didn’t work. Please try again.'],
  ])('explains /signin?sso_error=%s', async (code, text) => {
    window.history.replaceState(null, '', `/signin?sso_error=${code}`);
    renderApp(optionsServer({ password_login: true, registration: 'invite', providers: [] }));
    expect((await screen.findByRole('alert')).textContent).toBe(text);
    // The code is dropped from the address so a reload does not repeat it
    // (by an effect, which may run just after the alert is on screen).
    await waitFor(() => expect(window.location.search).toBe(''));
  });
});
