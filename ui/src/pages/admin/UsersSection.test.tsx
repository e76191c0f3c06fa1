import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { User } from '../../api/client';
import type { Invitation } from '../../api/types';
import { apiError, json, makeUser, minji, signedInServer } from '../../test/fakeServer';
import { renderApp } from '../../test/renderApp';

const jiho = makeUser({ id: 'u-jiho', name: 'Lee Jiho', email: 'jiho@example.com', mfa_enabled: true, version: 3 });
const sora = makeUser({ id: 'u-sora', name: 'Han Sora', email: 'sora@example.com', role: 'admin', status: 'disabled', version: 7 });

function adminServer(me: User = minji) {
  const users = new Map<string, User>([minji, jiho, sora].map((u) => [u.id, { ...u }]));
  const invitations: Invitation[] = [
    {
      id: 'inv-1',
      email: 'yuna@example.com',
      role: 'guest',
      invited_by: { id: minji.id, name: minji.name },
      created_at: '2025-03-14T09:00:00Z',
      expires_at: '2999-03-21T09:00:00Z',
      status: 'pending',
    },
  ];
  const server = signedInServer(me, (call) => {
    if (call.path === '/api/v1/users' && call.method === 'GET') {
      const q = new URLSearchParams(call.search).get('query')?.toLowerCase() ?? '';
      return json(200, { items: [...users.values()].filter((u) => !q || u.name.toLowerCase().includes(q)), next_cursor: '' });
    }
    const m = /^\/api\/v1\/users\/([^/]+)(\/(sessions|mfa))?$/.exec(call.path);
    if (m) {
      const u = users.get(m[1]!);
      if (!u) return apiError(404, 'not_found', 'User not found.');
      if (call.method === 'PATCH') {
        const b = call.body as { role?: User['role']; status?: User['status']; version: number };
        if (b.version !== u.version) return apiError(409, 'conflict', 'stale', { reason: 'version_conflict', current_version: u.version });
        const next = { ...u, ...(b.role ? { role: b.role } : {}), ...(b.status ? { status: b.status } : {}), version: u.version + 1 };
        users.set(u.id, next);
        return json(200, next);
      }
      if (call.method === 'DELETE' && !m[3]) {
        users.set(u.id, { ...u, deleted: true, status: 'disabled' });
        return json(204);
      }
      if (call.method === 'DELETE' && m[3] === 'mfa') {
        users.set(u.id, { ...u, mfa_enabled: false });
        return json(204);
      }
      if (call.method === 'DELETE' && m[3] === 'sessions') return json(204);
    }
    if (call.path === '/api/v1/users' && call.method === 'POST') {
      const b = call.body as { name: string; email: string; password: string; role: User['role'] };
      if (b.password === 'qwertyuiop') {
        return apiError(400, 'invalid', 'This password is too common; choose another.', { field: 'password', reason: 'common' });
      }
      if ([...users.values()].some((u) => u.email === b.email)) return apiError(409, 'conflict', 'Email taken.');
      const u = makeUser({ id: 'u-mina', name: b.name, email: b.email, role: b.role, version: 1 });
      users.set(u.id, u);
      return json(201, u);
    }
    if (call.path === '/api/v1/invitations' && call.method === 'GET') return json(200, { items: invitations, next_cursor: '' });
    if (call.path === '/api/v1/invitations' && call.method === 'POST') {
      const b = call.body as { email: string; role: User['role'] };
      invitations.push({ ...invitations[0]!, id: 'inv-2', email: b.email, role: b.role });
      return json(201, invitations.at(-1));
    }
    if (call.path === '/api/v1/invitations/inv-1/resend' && call.method === 'POST') return json(200, invitations[0]);
    if (call.path === '/api/v1/invitations/inv-1' && call.method === 'DELETE') {
      invitations.splice(0, 1);
      return json(204);
    }
    return undefined;
  });
  return { server, users };
}

async function openUsers() {
  window.history.replaceState(null, '', '/admin/users');
  const ctx = adminServer();
  renderApp(ctx.server);
  await screen.findByRole('heading', { name: 'Users', level: 1 });
  await screen.findByText('Lee Jiho');
  return { ...ctx, user: userEvent.setup() };
}

function row(name: string) {
  return screen.getAllByRole('row').find((r) => within(r).queryByText(name))!;
}

async function act(user: ReturnType<typeof userEvent.setup>, name: string, action: string) {
  await user.click(within(row(name)).getByRole('button', { name: `Actions for ${name}` }));
  await user.click(within(screen.getByRole('menu')).getByRole('menuitem', { name: action }));
}

describe('admin: users', () => {
  it('lists people with role, status, two-factor and no actions on yourself', async () => {
    await openUsers();
    const table = screen.getByRole('table');
    const headers = within(table).getAllByRole('columnheader').map((h) => h.textContent);
    expect(headers).toEqual(['Name', 'Email', 'Role', 'Status', '2FA', 'Last seen', 'Actions']);
    expect(within(row('Lee Jiho')).getByText('Member')).toBeTruthy();
    expect(within(row('Lee Jiho')).getByText('On')).toBeTruthy();
    expect(within(row('Han Sora')).getByText('Disabled')).toBeTruthy();
    expect(within(row('Kim Minji')).getByText('You')).toBeTruthy();
    expect(within(row('Kim Minji')).queryByRole('button')).toBeNull();
  });

  it('disables after confirmation with PATCH status + version, and enables without', async () => {
    const { server, user } = await openUsers();
    await act(user, 'Lee Jiho', 'Disable');
    const dialog = screen.getByRole('alertdialog', { name: 'Disable Lee Jiho?' });
    await user.click(within(dialog).getByRole('button', { name: 'Disable' }));
    await waitFor(() => expect(within(row('Lee Jiho')).getByText('Disabled')).toBeTruthy());
    expect(server.calls.find((c) => c.method === 'PATCH')).toMatchObject({
      path: '/api/v1/users/u-jiho',
      body: { status: 'disabled', version: 3 },
    });

    await act(user, 'Han Sora', 'Enable');
    await waitFor(() => expect(within(row('Han Sora')).getByText('Active')).toBeTruthy());
    expect(server.calls.filter((c) => c.method === 'PATCH').at(-1)).toMatchObject({
      path: '/api/v1/users/u-sora',
      body: { status: 'active', version: 7 },
    });
    expect(screen.getByText('Han Sora is enabled again.')).toBeTruthy();
  });

  it('changes the role with PATCH role + version', async () => {
    const { server, user } = await openUsers();
    await act(user, 'Lee Jiho', 'Change role');
    const dialog = screen.getByRole('dialog', { name: 'Change the role of Lee Jiho' });
    // An owner can make owners.
    expect(within(dialog).getByLabelText('Owner')).toBeTruthy();
    await user.click(within(dialog).getByLabelText('Admin'));
    await user.click(within(dialog).getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(within(row('Lee Jiho')).getByText('Admin')).toBeTruthy());
    expect(server.calls.find((c) => c.method === 'PATCH')?.body).toEqual({ role: 'admin', version: 3 });
  });

  it('ends sessions, resets two-factor and deletes through their endpoints', async () => {
    const { server, user } = await openUsers();
    await act(user, 'Lee Jiho', 'Sign out everywhere');
    await user.click(within(screen.getByRole('alertdialog')).getByRole('button', { name: 'Sign out everywhere' }));
    await waitFor(() => expect(server.count('DELETE', '/api/v1/users/u-jiho/sessions')).toBe(1));

    await act(user, 'Lee Jiho', 'Reset two-factor authentication');
    await user.click(within(screen.getByRole('alertdialog')).getByRole('button', { name: 'Reset two-factor authentication' }));
    await waitFor(() => expect(server.count('DELETE', '/api/v1/users/u-jiho/mfa')).toBe(1));
    await waitFor(() => expect(within(row('Lee Jiho')).getByText('Off')).toBeTruthy());

    await act(user, 'Lee Jiho', 'Delete');
    const confirm = screen.getByRole('alertdialog', { name: 'Delete Lee Jiho?' });
    expect(within(confirm).getByText(/The account jiho@example.com is removed/)).toBeTruthy();
    await user.click(within(confirm).getByRole('button', { name: 'Delete' }));
    await waitFor(() => expect(server.count('DELETE', '/api/v1/users/u-jiho')).toBe(1));
    await waitFor(() => expect(screen.getByText('Deleted user')).toBeTruthy());
  });

  it('cancelling a confirmation sends nothing', async () => {
    const { server, user } = await openUsers();
    await act(user, 'Lee Jiho', 'Delete');
    await user.click(within(screen.getByRole('alertdialog')).getByRole('button', { name: 'Cancel' }));
    expect(screen.queryByRole('alertdialog')).toBeNull();
    expect(server.calls.filter((c) => c.method === 'DELETE')).toEqual([]);
  });

  it('reloads and explains when someone else changed the user first', async () => {
    const { users, user } = await openUsers();
    users.set('u-jiho', { ...users.get('u-jiho')!, version: 9 });
    await act(user, 'Lee Jiho', 'Disable');
    await user.click(within(screen.getByRole('alertdialog')).getByRole('button', { name: 'Disable' }));
    expect(
      await within(screen.getByRole('alertdialog')).findByText(
        'Someone else changed this meanwhile. The latest version is loaded now; please try again.',
      ),
    ).toBeTruthy();
  });

  it('searches by name', async () => {
    const { server, user } = await openUsers();
    await user.type(screen.getByRole('searchbox', { name: 'Search users' }), 'han');
    await waitFor(() => expect(screen.queryByText('Lee Jiho')).toBeNull());
    expect(screen.getByText('Han Sora')).toBeTruthy();
    expect(server.calls.some((c) => c.path === '/api/v1/users' && new URLSearchParams(c.search).get('query') === 'han')).toBe(true);
  });

  it('invites people and manages pending invitations', async () => {
    const { server, user } = await openUsers();
    const pending = await screen.findByRole('list', { name: 'Pending invitations' });
    expect(within(pending).getByText('yuna@example.com')).toBeTruthy();

    await user.click(screen.getByRole('button', { name: 'Invite people' }));
    const dialog = screen.getByRole('dialog', { name: 'Invite people' });
    expect(document.activeElement).toBe(within(dialog).getByLabelText('Email'));
    await user.type(within(dialog).getByLabelText('Email'), 'mina@example.com');
    await user.selectOptions(within(dialog).getByLabelText('Role'), 'admin');
    await user.click(within(dialog).getByRole('button', { name: 'Send invitation' }));
    expect(await screen.findByText('Invitation sent to mina@example.com.')).toBeTruthy();
    expect(server.calls.find((c) => c.method === 'POST' && c.path === '/api/v1/invitations')?.body).toEqual({
      email: 'mina@example.com',
      role: 'admin',
    });
    await waitFor(() => expect(within(screen.getByRole('list', { name: 'Pending invitations' })).getByText('mina@example.com')).toBeTruthy());

    await user.click(screen.getByRole('button', { name: 'Resend the invitation to yuna@example.com' }));
    await waitFor(() => expect(server.count('POST', '/api/v1/invitations/inv-1/resend')).toBe(1));

    await user.click(screen.getByRole('button', { name: 'Revoke the invitation for yuna@example.com' }));
    await user.click(within(screen.getByRole('alertdialog')).getByRole('button', { name: 'Revoke' }));
    await waitFor(() => expect(server.count('DELETE', '/api/v1/invitations/inv-1')).toBe(1));
    await waitFor(() => expect(screen.queryByText('yuna@example.com')).toBeNull());
  });

  it('creates an account with a password, showing the server’s word on it under the field', async () => {
    const { server, user } = await openUsers();
    await user.click(screen.getByRole('button', { name: 'Create account' }));
    const dialog = screen.getByRole('dialog', { name: 'Create an account' });
    await user.click(within(dialog).getByRole('button', { name: 'Create account' }));
    expect(within(dialog).getByText('Enter the person’s name.')).toBeTruthy();
    expect(within(dialog).getByText('Choose a password for them.')).toBeTruthy();
    expect(server.count('POST', '/api/v1/users')).toBe(0);

    await user.type(within(dialog).getByLabelText('Name'), '박민아');
    await user.type(within(dialog).getByLabelText('Email'), 'mina@example.com');
    await user.type(within(dialog).getByLabelText('Password'), 'qwertyuiop');
    await user.selectOptions(within(dialog).getByLabelText('Role'), 'guest');
    await user.click(within(dialog).getByRole('button', { name: 'Create account' }));
    expect(await within(dialog).findByText('This password is too common; choose another.')).toBeTruthy();
    expect(document.activeElement).toBe(within(dialog).getByLabelText('Password'));

    await user.clear(within(dialog).getByLabelText('Password'));
    await user.type(within(dialog).getByLabelText('Password'), 'a long and private phrase');
    await user.click(within(dialog).getByRole('button', { name: 'Create account' }));
    expect(await screen.findByText('Created an account for 박민아.')).toBeTruthy();
    expect(server.calls.filter((c) => c.method === 'POST' && c.path === '/api/v1/users').at(-1)?.body).toEqual({
      name: '박민아',
      email: 'mina@example.com',
      password: 'a long and private phrase',
      role: 'guest',
    });
    expect(await screen.findByText('박민아')).toBeTruthy();
  });

  it('an admin cannot act on owners or hand out the owner role', async () => {
    window.history.replaceState(null, '', '/admin/users');
    const admin = makeUser({ id: 'u-admin', name: 'Choi Admin', email: 'admin@example.com', role: 'admin' });
    const { server } = adminServer(admin);
    renderApp(server);
    await screen.findByText('Lee Jiho');
    expect(within(row('Kim Minji')).queryByRole('button')).toBeNull();
    const user = userEvent.setup();
    await act(user, 'Lee Jiho', 'Change role');
    expect(within(screen.getByRole('dialog')).queryByLabelText('Owner')).toBeNull();
  });
});
