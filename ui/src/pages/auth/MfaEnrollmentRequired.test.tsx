import { act, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { navigate } from '../../router';
import { apiError, auth, fakeServer, json, minji } from '../../test/fakeServer';
import { renderApp } from '../../test/renderApp';

const CODES = Array.from({ length: 10 }, (_, i) => `code-${i}`);

/** An administrator requires MFA; Minji has none until she confirms a code. */
function requiredServer(opts: { meSays: boolean }) {
  let enrolled = false;
  return fakeServer((call) => {
    if (call.path === '/api/v1/setup') return json(200, { needed: false });
    if (call.path === '/api/v1/auth/refresh') return json(200, auth('t1'));
    if (call.path === '/api/v1/me') {
      return json(200, { ...minji, mfa_enabled: enrolled, mfa_enrollment_required: opts.meSays && !enrolled });
    }
    if (call.path === '/api/v1/me/mfa/totp') {
      return json(200, { secret: 'JBSWY3DPEHPK3PXP', otpauth_uri: 'otpauth://totp/Nexus:minji', qr_png: 'data:image/png;base64,iVBORw0KGgo=' });
    }
    if (call.path === '/api/v1/me/mfa/totp/confirm') {
      if ((call.body as { code: string }).code !== '654321') {
        return apiError(400, 'invalid', 'wrong', { field: 'code', reason: 'mfa_code_invalid' });
      }
      enrolled = true;
      return json(200, { recovery_codes: CODES });
    }
    if (!enrolled) return apiError(403, 'forbidden', 'Set it up to continue.', { reason: 'mfa_enrollment_required' });
    if (call.path === '/api/v1/me/sessions') return json(200, { items: [] });
    return apiError(404, 'not_found', 'no route');
  });
}

describe('MFA enrolment required by an administrator', () => {
  it('shows only the enrolment walkthrough until it is done', async () => {
    renderApp(requiredServer({ meSays: true }));
    expect(await screen.findByRole('heading', { name: 'Set up two-factor authentication' })).toBeTruthy();
    // Nothing else: no app frame, no navigation.
    expect(screen.queryByRole('navigation', { name: 'Main navigation' })).toBeNull();
    expect((await screen.findByRole('img', { name: 'QR code for adding Nexus to an authenticator app' })).getAttribute('src')).toMatch(/^data:image\/png/);
    expect(screen.getByText('JBSW Y3DP EHPK 3PXP')).toBeTruthy();

    const user = userEvent.setup();
    await user.type(screen.getByLabelText('Authentication code'), '111111');
    await user.click(screen.getByRole('button', { name: 'Turn on' }));
    expect(await screen.findByText('That code didn’t work. Wait for a new code in your app and try again.')).toBeTruthy();

    await user.clear(screen.getByLabelText('Authentication code'));
    await user.type(screen.getByLabelText('Authentication code'), '654321');
    await user.click(screen.getByRole('button', { name: 'Turn on' }));
    const list = await screen.findByRole('list', { name: 'Save your recovery codes' });
    expect(list.querySelectorAll('li')).toHaveLength(10);
    expect(screen.getByRole('button', { name: 'Download .txt' })).toBeTruthy();
    const done = screen.getByRole('button', { name: 'Done' }) as HTMLButtonElement;
    expect(done.disabled).toBe(true);
    await user.click(screen.getByLabelText('I saved my recovery codes'));
    await user.click(done);
    expect(await screen.findByRole('heading', { name: /^Good (morning|afternoon|evening), Kim Minji$/ })).toBeTruthy();
  });

  it('routes there when any call answers 403 mfa_enrollment_required', async () => {
    renderApp(requiredServer({ meSays: false }));
    expect(await screen.findByRole('heading', { name: /^Good (morning|afternoon|evening), Kim Minji$/ })).toBeTruthy();
    act(() => navigate('/account/sessions'));
    await waitFor(() => expect(screen.getByRole('heading', { name: 'Set up two-factor authentication' })).toBeTruthy());
  });
});
