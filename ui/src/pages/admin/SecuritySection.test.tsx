import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { SecuritySettings } from '../../api/types';
import { apiError, json, minji, signedInServer } from '../../test/fakeServer';
import { renderApp } from '../../test/renderApp';
import { parseDomains } from './SecuritySection';

function securityServer(providers: { id: string; name: string }[]) {
  let saved: SecuritySettings = { registration: 'invite', registration_domains: [], mfa_required: false, password_login: true, version: 4 };
  return signedInServer(minji, (call) => {
    if (call.path === '/api/v1/auth/options') return json(200, { password_login: saved.password_login, registration: saved.registration, providers });
    if (call.path === '/api/v1/settings/security' && call.method === 'GET') return json(200, saved);
    if (call.path === '/api/v1/settings/security' && call.method === 'PATCH') {
      const b = call.body as SecuritySettings;
      if (b.version !== saved.version) return apiError(409, 'conflict', 'stale');
      saved = { ...b, version: saved.version + 1 };
      return json(200, saved);
    }
    return undefined;
  });
}

describe('security settings', () => {
  it('saves the registration policy, domains and MFA requirement with the version', async () => {
    window.history.replaceState(null, '', '/admin/security');
    const server = securityServer([]);
    renderApp(server);
    await screen.findByRole('heading', { name: 'Security', level: 1 });
    const user = userEvent.setup();
    const save = await screen.findByRole('button', { name: 'Save changes' });
    expect((save as HTMLButtonElement).disabled).toBe(true);
    await user.click(screen.getByLabelText('Allowed email domains'));
    await user.click(save);
    expect(screen.getByText('List at least one domain.')).toBeTruthy();
    await user.type(screen.getByLabelText('Email domains'), 'Example.com, @example.co.kr');
    await user.click(screen.getByRole('switch', { name: 'Require two-factor authentication' }));
    await user.click(save);
    expect(await screen.findByText('Security settings saved.')).toBeTruthy();
    expect(server.calls.find((c) => c.method === 'PATCH')?.body).toEqual({
      registration: 'domain',
      registration_domains: ['example.com', 'example.co.kr'],
      mfa_required: true,
      password_login: true,
      version: 4,
    });
  });

  it('explains that password sign-in can only be turned off once SSO exists', async () => {
    window.history.replaceState(null, '', '/admin/security');
    renderApp(securityServer([]));
    const toggle = (await screen.findByRole('switch', { name: 'Allow sign-in with a password' })) as HTMLInputElement;
    expect(toggle.disabled).toBe(true);
    expect(toggle.checked).toBe(true);
    const describedBy = toggle.getAttribute('aria-describedby') ?? '';
    expect(document.getElementById(describedBy)?.textContent).toMatch(/only be turned off once a single sign-on provider is configured/);
  });

  it('lets password sign-in be turned off when a provider exists', async () => {
    window.history.replaceState(null, '', '/admin/security');
    const server = securityServer([{ id: 'corp', name: 'Corp' }]);
    renderApp(server);
    const toggle = (await screen.findByRole('switch', { name: 'Allow sign-in with a password' })) as HTMLInputElement;
    await waitFor(() => expect(toggle.disabled).toBe(false));
    const user = userEvent.setup();
    await user.click(toggle);
    await user.click(screen.getByRole('button', { name: 'Save changes' }));
    await waitFor(() => expect((server.calls.find((c) => c.method === 'PATCH')?.body as SecuritySettings).password_login).toBe(false));
    expect(within(document.body).getByText('Security settings saved.')).toBeTruthy();
  });
});

describe('parseDomains', () => {
  it('splits, lowercases, drops @ and duplicates', () => {
    expect(parseDomains(' Example.com,example.com; @corp.kr\nfoo.org ')).toEqual(['example.com', 'corp.kr', 'foo.org']);
  });
});
