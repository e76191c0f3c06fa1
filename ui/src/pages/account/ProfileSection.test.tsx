import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { User } from '../../api/client';
import { apiError, auth, fakeServer, json, minji } from '../../test/fakeServer';
import { renderApp } from '../../test/renderApp';

/** Minji's profile on the server; `bumpBehindOurBack` simulates an edit from another tab. */
function profileServer() {
  let me: User = { ...minji };
  const server = fakeServer((call) => {
    if (call.path === '/api/v1/setup') return json(200, { needed: false });
    if (call.path === '/api/v1/auth/refresh') return json(200, auth('t1', me));
    if (call.path === '/api/v1/me' && call.method === 'GET') return json(200, me);
    if (call.path === '/api/v1/me' && call.method === 'PATCH') {
      const b = call.body as Partial<User> & { version: number };
      if (b.version !== me.version) return apiError(409, 'conflict', 'stale', { reason: 'version_conflict', current_version: me.version });
      me = { ...me, ...b, version: me.version + 1 };
      return json(200, me);
    }
    return apiError(404, 'not_found', 'no route');
  });
  return {
    server,
    bumpBehindOurBack(name: string) {
      me = { ...me, name, version: me.version + 1 };
    },
  };
}

describe('profile settings', () => {
  it('saves name, language and time zone with the version, and switches the UI language', async () => {
    window.history.replaceState(null, '', '/account/profile');
    const { server } = profileServer();
    renderApp(server);
    const name = (await screen.findByLabelText('Name')) as HTMLInputElement;
    await waitFor(() => expect(name.value).toBe('Kim Minji'));
    const user = userEvent.setup();
    await user.clear(name);
    await user.type(name, '김민지');
    await user.selectOptions(screen.getByLabelText('Language'), 'ko');
    await user.selectOptions(screen.getByLabelText('Time zone'), 'Asia/Seoul');
    await user.click(screen.getByRole('button', { name: 'Save' }));
    // Saved in Korean, so the page is Korean now.
    expect(await screen.findByRole('heading', { name: '프로필', level: 1 })).toBeTruthy();
    expect(document.documentElement.lang).toBe('ko');
    expect(screen.getByText('프로필을 저장했어요.')).toBeTruthy();
    expect(server.calls.find((c) => c.method === 'PATCH')?.body).toEqual({
      name: '김민지',
      language: 'ko',
      timezone: 'Asia/Seoul',
      version: 1,
    });
    // The account menu shows the new name.
    expect(screen.getByRole('button', { name: '계정 메뉴, 김민지' })).toBeTruthy();
  });

  it('on a version conflict, says so and loads the latest version', async () => {
    window.history.replaceState(null, '', '/account/profile');
    const ctx = profileServer();
    renderApp(ctx.server);
    const name = (await screen.findByLabelText('Name')) as HTMLInputElement;
    await waitFor(() => expect(name.value).toBe('Kim Minji'));
    ctx.bumpBehindOurBack('Minji Kim');
    const user = userEvent.setup();
    await user.type(name, ' (PM)');
    await user.click(screen.getByRole('button', { name: 'Save' }));
    expect(await screen.findByText(/Your profile was changed somewhere else/)).toBeTruthy();
    await waitFor(() => expect(name.value).toBe('Minji Kim'));
    // Saving again now uses the new version and works.
    await user.type(name, ' (PM)');
    await user.click(screen.getByRole('button', { name: 'Save' }));
    expect(await screen.findByText('Profile saved.')).toBeTruthy();
    expect(ctx.server.calls.filter((c) => c.method === 'PATCH').map((c) => (c.body as { version: number }).version)).toEqual([1, 2]);
  });
});

describe('profile picture', () => {
  it('uploads a picture (multipart) and then saves details with the new version', async () => {
    window.history.replaceState(null, '', '/account/profile');
    let me: User = { ...minji };
    const server = fakeServer((call) => {
      if (call.path === '/api/v1/setup') return json(200, { needed: false });
      if (call.path === '/api/v1/auth/refresh') return json(200, auth('t1', me));
      if (call.path === '/api/v1/me' && call.method === 'GET') return json(200, me);
      if (call.path === '/api/v1/me/avatar' && call.method === 'PUT') {
        me = { ...me, avatar_url: '/api/v1/users/x/avatar?v=1', version: me.version + 1 };
        return json(200, me);
      }
      if (call.path.startsWith('/api/v1/users/')) return new Response(new Blob(['png']), { status: 200, headers: { 'Content-Type': 'image/png' } });
      if (call.path === '/api/v1/me' && call.method === 'PATCH') {
        const b = call.body as Partial<User> & { version: number };
        if (b.version !== me.version) return apiError(409, 'conflict', 'stale', { current_version: me.version });
        me = { ...me, ...b, version: me.version + 1 };
        return json(200, me);
      }
      return apiError(404, 'not_found', 'no route');
    });
    renderApp(server);
    const user = userEvent.setup();
    await screen.findByRole('heading', { name: 'Profile picture' });
    const input = document.querySelector<HTMLInputElement>('input[type="file"]')!;
    await user.upload(input, new File(['fake'], 'me.png', { type: 'image/png' }));
    expect(await screen.findByText('Profile picture updated.')).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Remove' })).toBeTruthy();

    await user.type(screen.getByLabelText('Name'), '!');
    await user.click(screen.getByRole('button', { name: 'Save' }));
    expect(await screen.findByText('Profile saved.')).toBeTruthy();
    expect((server.calls.find((c) => c.method === 'PATCH')?.body as { version: number }).version).toBe(2);
  });

  it('refuses files that are not images or are too large, before uploading', async () => {
    window.history.replaceState(null, '', '/account/profile');
    const { server } = profileServer();
    renderApp(server);
    await screen.findByRole('heading', { name: 'Profile picture' });
    const input = document.querySelector<HTMLInputElement>('input[type="file"]')!;
    const user = userEvent.setup({ applyAccept: false });
    await user.upload(input, new File(['%PDF'], 'cv.pdf', { type: 'application/pdf' }));
    expect((await screen.findByRole('alert')).textContent).toBe('Use a PNG, JPEG, GIF or WebP image.');
    const big = new File([new Uint8Array(5 * 1024 * 1024 + 1)], 'big.png', { type: 'image/png' });
    await user.upload(input, big);
    expect((await screen.findByRole('alert')).textContent).toBe('This image is larger than 5 MB. Choose a smaller one.');
    expect(server.count('PUT', '/api/v1/me/avatar')).toBe(0);
  });
});
