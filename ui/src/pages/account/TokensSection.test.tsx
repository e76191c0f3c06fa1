import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { AccessToken } from '../../api/types';
import { json, makeUser, minji, signedInServer } from '../../test/fakeServer';
import { renderApp } from '../../test/renderApp';

const SECRET = 'nxp_s3cr3t_shown_only_once';

function tokenServer(user = minji) {
  const tokens: AccessToken[] = [];
  const server = signedInServer(user, (call) => {
    if (call.path === '/api/v1/me/tokens' && call.method === 'GET') return json(200, { items: tokens });
    if (call.path === '/api/v1/me/tokens' && call.method === 'POST') {
      const b = call.body as { name: string; scopes: AccessToken['scopes']; expires_in_days: number | null };
      const tok: AccessToken = {
        id: `tok-${tokens.length + 1}`,
        name: b.name,
        scopes: b.scopes,
        created_at: '2025-03-14T09:00:00Z',
        expires_at: b.expires_in_days === null ? null : '2025-06-12T09:00:00Z',
        last_used_at: null,
      };
      tokens.push(tok);
      return json(201, { ...tok, token: SECRET });
    }
    if (call.path.startsWith('/api/v1/me/tokens/') && call.method === 'DELETE') {
      const i = tokens.findIndex((t) => call.path.endsWith(t.id));
      tokens.splice(i, 1);
      return json(204);
    }
    return undefined;
  });
  return server;
}

describe('access tokens', () => {
  it('creates a token and shows its secret once', async () => {
    window.history.replaceState(null, '', '/account/tokens');
    const server = tokenServer();
    renderApp(server);
    expect(await screen.findByText('You have no access tokens.')).toBeTruthy();
    const user = userEvent.setup();
    await user.click(screen.getByRole('button', { name: 'New token' }));
    const dialog = screen.getByRole('dialog', { name: 'New access token' });
    // An owner may give a token the admin scope.
    expect(within(dialog).getByLabelText('Admin')).toBeTruthy();
    expect((within(dialog).getByLabelText('Read') as HTMLInputElement).checked).toBe(true);

    await user.click(within(dialog).getByRole('button', { name: 'Create token' }));
    expect(within(dialog).getByText('Give the token a name so you can recognize it later.')).toBeTruthy();

    await user.type(within(dialog).getByLabelText('Name'), 'Backup script');
    await user.click(within(dialog).getByLabelText('Write'));
    await user.selectOptions(within(dialog).getByLabelText('Expires'), 'never');
    await user.click(within(dialog).getByRole('button', { name: 'Create token' }));

    const shown = await screen.findByRole('dialog', { name: 'Copy your new token' });
    expect(within(shown).getByText('This is the only time the token is shown. Copy it now and keep it somewhere safe.')).toBeTruthy();
    expect((within(shown).getByLabelText('Token “Backup script”') as HTMLInputElement).value).toBe(SECRET);
    expect(server.calls.find((c) => c.method === 'POST' && c.path === '/api/v1/me/tokens')?.body).toEqual({
      name: 'Backup script',
      scopes: ['read', 'write'],
      expires_in_days: null,
    });

    await user.click(within(shown).getByRole('button', { name: 'Done' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    // Listed (without its secret), and the secret is nowhere on the page any more.
    const list = await screen.findByRole('list', { name: 'Access tokens' });
    expect(within(list).getByText('Backup script')).toBeTruthy();
    expect(within(list).getByText('No expiry')).toBeTruthy();
    expect(within(list).getByText('Never used')).toBeTruthy();
    expect(document.body.innerHTML).not.toContain(SECRET);
    expect(document.activeElement?.textContent).toContain('New token');
  });

  it('revokes a token after confirmation', async () => {
    window.history.replaceState(null, '', '/account/tokens');
    const server = tokenServer();
    renderApp(server);
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'New token' }));
    await user.type(screen.getByLabelText('Name'), 'CI');
    await user.click(screen.getByRole('button', { name: 'Create token' }));
    await user.click(await screen.findByRole('button', { name: 'Done' }));
    await user.click(await screen.findByRole('button', { name: 'Revoke CI' }));
    const confirm = screen.getByRole('alertdialog', { name: 'Revoke this token?' });
    // Cancel is focused first for a destructive action.
    expect(document.activeElement).toBe(within(confirm).getByRole('button', { name: 'Cancel' }));
    await user.click(within(confirm).getByRole('button', { name: 'Revoke' }));
    expect(await screen.findByText('You have no access tokens.')).toBeTruthy();
    expect(server.count('DELETE', '/api/v1/me/tokens/tok-1')).toBe(1);
    expect(screen.getByText('Token “CI” revoked.')).toBeTruthy();
  });

  it('does not offer the admin scope to a member', async () => {
    window.history.replaceState(null, '', '/account/tokens');
    renderApp(tokenServer(makeUser({ id: 'u2', name: 'Lee Jiho', email: 'jiho@example.com', role: 'member' })));
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'New token' }));
    const dialog = screen.getByRole('dialog', { name: 'New access token' });
    expect(within(dialog).getByLabelText('Read')).toBeTruthy();
    expect(within(dialog).getByLabelText('Write')).toBeTruthy();
    expect(within(dialog).queryByLabelText('Admin')).toBeNull();
  });
});
