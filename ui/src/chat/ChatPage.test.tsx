import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { minji } from '../test/fakeServer';
import { renderApp } from '../test/renderApp';
import { FakeWebSocket, channel, chatServer, installFakeWebSocket, jiho, message } from './testing';

beforeEach(() => {
  installFakeWebSocket();
});

afterEach(() => {
  vi.unstubAllGlobals();
});

const sidebar = () => screen.getByRole('navigation', { name: 'Main navigation' });

/** The socket, once the app has fetched a ticket and connected. */
async function connected(helloSeq = 10): Promise<FakeWebSocket> {
  await waitFor(() => expect(FakeWebSocket.last()).toBeTruthy());
  const ws = FakeWebSocket.last()!;
  act(() => ws.open(helloSeq));
  return ws;
}

describe('chat in the sidebar', () => {
  it('lists channels with unread and mention badges, and clears them when the channel is read', async () => {
    const { server } = chatServer();
    renderApp(server);
    await screen.findByRole('navigation', { name: 'Main navigation' });
    const random = await within(sidebar()).findByRole('link', { name: /^random, 1 mention/ });
    const general = within(sidebar()).getByRole('link', { name: 'general' });
    expect(random.className).toContain('is-unread');
    expect(general.className).not.toContain('is-unread');
    expect(random.querySelector('.chat-badge')?.textContent).toBe('1');

    await userEvent.setup().click(random);
    expect(await screen.findByRole('heading', { level: 1, name: 'random' })).toBeTruthy();
    // The "new messages" line sits above the first unread message.
    const log = await screen.findByRole('log', { name: 'Messages in random' });
    const rows = () =>
      Array.from(log.querySelectorAll('.unread-sep, .msg')).map((el) =>
        el.classList.contains('unread-sep') ? 'NEW' : el.querySelector('.msg__text')?.textContent,
      );
    await waitFor(() => expect(rows()).toEqual(['old news', 'NEW', '점심 뭐 먹을까요?', 'pizza?']));
    // Viewing it marks it read, up to the newest message.
    await waitFor(() => expect(server.calls.find((c) => c.method === 'POST' && c.path === '/api/v1/channels/c-random/read')?.body).toEqual({ seq: 3 }));
    await waitFor(() => expect(within(sidebar()).getByRole('link', { name: 'random' }).querySelector('.chat-badge')).toBeNull());
  });

  it('counts a live message in another channel, and shows one in the open channel at once', async () => {
    window.history.replaceState(null, '', '/chat/c/c-general');
    const { server } = chatServer();
    renderApp(server);
    expect(await screen.findByRole('heading', { level: 1, name: 'general' })).toBeTruthy();
    const ws = await connected();
    await screen.findByText('hi 지호');

    act(() => ws.frame({ seq: 11, type: 'message.created', data: { channel_id: 'c-random', message: message('c-random', 4, jiho, 'anyone?') } }));
    await waitFor(() => expect(within(sidebar()).getByRole('link', { name: /^random, 1 mention/ }).querySelector('.chat-badge')?.textContent).toBe('1'));
    act(() =>
      ws.frame({
        seq: 12,
        type: 'message.created',
        data: { channel_id: 'c-random', message: message('c-random', 5, jiho, '@minji 점심?', { mentions: [minji.id] }) },
      }),
    );
    await waitFor(() => expect(within(sidebar()).getByRole('link', { name: /^random, 2 mentions/ })).toBeTruthy());

    act(() => ws.frame({ seq: 13, type: 'message.created', data: { channel_id: 'c-general', message: message('c-general', 3, jiho, '실시간 메시지') } }));
    expect(await screen.findByText('실시간 메시지')).toBeTruthy();
    // Seen as it arrived: general stays read, and the server is told.
    expect(within(sidebar()).getByRole('link', { name: 'general' }).className).not.toContain('is-unread');
    await waitFor(() => expect(server.calls.some((c) => c.path === '/api/v1/channels/c-general/read' && (c.body as { seq: number }).seq === 3)).toBe(true));
    // A duplicate delivery (at least once) changes nothing.
    act(() => ws.frame({ seq: 13, type: 'message.created', data: { channel_id: 'c-general', message: message('c-general', 3, jiho, '실시간 메시지') } }));
    expect(screen.getAllByText('실시간 메시지')).toHaveLength(1);
  });

  it('shows the offline banner while disconnected, resumes from the last sequence, and refetches on resync', async () => {
    window.history.replaceState(null, '', '/chat/c/c-general');
    const { server } = chatServer();
    renderApp(server);
    await screen.findByText('hi 지호');
    const ws = await connected(40);
    act(() => ws.frame({ seq: 41, type: 'typing', channel_id: 'c-general', user_id: jiho.id }));
    act(() => ws.drop());
    expect(await screen.findByText('You’re offline. Reconnecting…')).toBeTruthy();

    await waitFor(() => expect(FakeWebSocket.instances.length).toBe(2), { timeout: 3000 });
    const again = FakeWebSocket.last()!;
    const historyCalls = () => server.calls.filter((c) => c.method === 'GET' && c.path === '/api/v1/channels/c-general/messages').length;
    const before = historyCalls();
    act(() => again.open(45));
    expect(again.url).toMatch(/\/api\/v1\/ws\?ticket=ticket-\d+&last_seq=41$/);
    expect(await screen.findByText('Back online')).toBeTruthy();
    expect(screen.queryByText('You’re offline. Reconnecting…')).toBeNull();

    // Missed too much: everything on screen is fetched again.
    act(() => again.frame({ type: 'resync' }));
    await waitFor(() => expect(historyCalls()).toBe(before + 1));
  });
});

describe('in a channel', () => {
  beforeEach(() => {
    window.history.replaceState(null, '', '/chat/c/c-random');
  });

  it('sends with Enter, keeps Shift+Enter as a new line', async () => {
    const { server } = chatServer();
    renderApp(server);
    const box = await screen.findByRole('textbox', { name: 'Message random' });
    const user = userEvent.setup();
    await user.type(box, '첫 줄{Shift>}{Enter}{/Shift}둘째 줄');
    expect((box as HTMLTextAreaElement).value).toBe('첫 줄\n둘째 줄');
    expect(server.count('POST', '/api/v1/channels/c-random/messages')).toBe(0);
    await user.keyboard('{Enter}');
    await waitFor(() => expect(server.calls.find((c) => c.method === 'POST' && c.path === '/api/v1/channels/c-random/messages')?.body).toEqual({ body: '첫 줄\n둘째 줄' }));
    expect((box as HTMLTextAreaElement).value).toBe('');
    expect(await screen.findByText(/둘째 줄/)).toBeTruthy();
  });

  it('toggles a reaction at once and tells who reacted', async () => {
    const { server } = chatServer();
    renderApp(server);
    const chip = await screen.findByRole('button', { name: 'thumbs up, 1' });
    expect(chip.getAttribute('aria-pressed')).toBe('false');
    expect(document.getElementById(chip.getAttribute('aria-describedby')!)?.textContent).toBe('이지호 reacted with thumbs up');
    await userEvent.setup().click(chip);
    const mine = screen.getByRole('button', { name: 'thumbs up, 2' });
    expect(mine.getAttribute('aria-pressed')).toBe('true');
    expect(document.getElementById(mine.getAttribute('aria-describedby')!)?.textContent).toBe('You and 이지호 reacted with thumbs up');
    await waitFor(() => expect(server.calls.find((c) => c.method === 'POST' && c.path === '/api/v1/messages/m-c-random-3/reactions')?.body).toEqual({ emoji: '👍' }));
  });

  it('adds a reaction from the picker with the keyboard', async () => {
    const { server } = chatServer();
    renderApp(server);
    await screen.findByText('pizza?');
    const msg = screen.getByText('pizza?').closest('.msg') as HTMLElement;
    const user = userEvent.setup();
    await user.click(within(msg).getAllByRole('button', { name: 'Add reaction' })[0]!);
    const picker = screen.getByRole('dialog', { name: 'Choose a reaction' });
    expect(document.activeElement?.getAttribute('aria-label')).toBe('thumbs up');
    await user.keyboard('{ArrowRight}{ArrowRight}{ArrowRight}{Enter}');
    expect(screen.queryByRole('dialog', { name: 'Choose a reaction' })).toBeNull();
    expect(picker.isConnected).toBe(false);
    await waitFor(() => expect(server.calls.find((c) => c.path === '/api/v1/messages/m-c-random-3/reactions')?.body).toEqual({ emoji: '🎉' }));
    expect(within(msg).getByRole('button', { name: 'party popper, 1' }).getAttribute('aria-pressed')).toBe('true');
  });

  it('edits my last message with Up in the empty box', async () => {
    window.history.replaceState(null, '', '/chat/c/c-general');
    const { server } = chatServer();
    renderApp(server);
    const box = await screen.findByRole('textbox', { name: 'Message general' });
    await screen.findByText('hi 지호');
    fireEvent.keyDown(box, { key: 'ArrowUp' });
    const editor = await screen.findByRole('textbox', { name: 'Edit message' });
    expect((editor as HTMLTextAreaElement).value).toBe('hi 지호');
    fireEvent.keyDown(editor, { key: 'Escape' });
    expect(screen.queryByRole('textbox', { name: 'Edit message' })).toBeNull();
    expect(server.calls.some((c) => c.method === 'PATCH')).toBe(false);
  });

  it('marks the channel unread from a message and keeps it unread while open', async () => {
    window.history.replaceState(null, '', '/chat/c/c-general');
    const { server } = chatServer();
    renderApp(server);
    const text = await screen.findByText('hello');
    const user = userEvent.setup();
    const row = text.closest('.msg') as HTMLElement;
    await user.click(within(row).getByRole('button', { name: 'More actions' }));
    await user.click(await screen.findByRole('menuitem', { name: 'Mark as unread' }));
    await waitFor(() => expect(server.count('POST', '/api/v1/messages/m-c-general-1/unread')).toBe(1));
    expect(await screen.findByText('Marked as unread from this message.')).toBeTruthy();
    // The sidebar counts both messages again, and the "new messages" line sits above the first.
    await waitFor(() => expect(within(sidebar()).getByRole('link', { name: /^general/ }).querySelector('.chat-badge')?.textContent).toBe('2'));
    const log = screen.getByRole('log', { name: 'Messages in general' });
    await waitFor(() =>
      expect(Array.from(log.querySelectorAll('.unread-sep, .msg')).map((el) => (el.classList.contains('unread-sep') ? 'NEW' : el.querySelector('.msg__text')?.textContent))).toEqual([
        'NEW',
        'hello',
        'hi 지호',
      ]),
    );
    // Still on screen, it is not read again behind my back.
    fireEvent.focus(window);
    await new Promise((r) => setTimeout(r, 50));
    expect(server.calls.some((c) => c.method === 'POST' && c.path === '/api/v1/channels/c-general/read')).toBe(false);
  });

  it('opens a permalink around the message and highlights it', async () => {
    window.history.replaceState(null, '', '/chat/c/c-random?m=m-c-random-2');
    const { server } = chatServer();
    renderApp(server);
    const text = await screen.findByText('점심 뭐 먹을까요?');
    expect(server.calls.find((c) => c.path === '/api/v1/channels/c-random/messages')?.search).toContain('around=m-c-random-2');
    await waitFor(() => expect(text.closest('.msg')?.className).toContain('msg--highlight'));
  });
});

describe('channel members', () => {
  it('lets a channel admin change roles and add a team', async () => {
    window.history.replaceState(null, '', '/chat/c/c-random');
    const { server, state } = chatServer({
      channels: [channel('c-random', 'random', { role: 'admin', can_manage: true })],
      unread: [],
    });
    renderApp(server);
    const user = userEvent.setup();
    await user.click(await screen.findByRole('link', { name: /^Members/ }));
    const pane = await screen.findByRole('complementary', { name: 'Members' });
    await within(pane).findByText('이지호');

    await user.click(within(pane).getByRole('button', { name: 'Actions for 이지호' }));
    await user.click(await screen.findByRole('menuitem', { name: 'Make channel admin' }));
    await waitFor(() =>
      expect(server.calls.find((c) => c.method === 'POST' && c.path === '/api/v1/channels/c-random/members')?.body).toEqual({ user_id: jiho.id, role: 'admin' }),
    );
    expect(await screen.findByText('이지호 is now a channel admin.')).toBeTruthy();
    await waitFor(() => expect(within(pane).getAllByText('Channel admin')).toHaveLength(2));
    expect(state.members.find((m) => m.user.id === jiho.id)?.role).toBe('admin');

    await user.selectOptions(within(pane).getByLabelText('Add a team'), '디자인팀');
    await user.click(within(pane).getByRole('button', { name: 'Add team' }));
    expect(await screen.findByText('Added 1 person from 디자인팀.')).toBeTruthy();
    expect(await within(pane).findByText('박서연')).toBeTruthy();
  });

  it('shows why a role change was refused', async () => {
    window.history.replaceState(null, '', '/chat/c/c-random');
    const { server } = chatServer({
      channels: [channel('c-random', 'random', { role: 'admin', can_manage: true })],
      unread: [],
      members: [
        { user: { id: jiho.id, name: jiho.name }, role: 'admin' },
        { user: { id: minji.id, name: minji.name }, role: 'member' },
      ],
    });
    renderApp(server);
    const user = userEvent.setup();
    await user.click(await screen.findByRole('link', { name: /^Members/ }));
    const pane = await screen.findByRole('complementary', { name: 'Members' });
    await user.click(await within(pane).findByRole('button', { name: 'Actions for 이지호' }));
    await user.click(await screen.findByRole('menuitem', { name: 'Remove admin role' }));
    expect(await within(pane).findByText('A channel needs at least one admin.')).toBeTruthy();
  });
});

describe('notifications', () => {
  it('shows the unread count on the bell, and a notification leads to its message', async () => {
    const { server } = chatServer({
      notifications: [
        {
          id: 'n1',
          kind: 'mention',
          channel_id: 'c-random',
          channel_name: 'random',
          channel_kind: 'public',
          message_id: 'm-c-random-2',
          parent_id: null,
          actor: { id: jiho.id, name: jiho.name },
          excerpt: '@minji 점심 뭐 먹을까요?',
          created_at: '2025-03-14T09:02:00Z',
          read_at: null,
        },
      ],
    });
    renderApp(server);
    const bell = await screen.findByRole('button', { name: 'Notifications, 1 unread' });
    const user = userEvent.setup();
    await user.click(bell);
    const panel = screen.getByRole('dialog', { name: 'Notifications' });
    const item = await within(panel).findByRole('button', { name: /이지호 mentioned you in #random/ });
    await user.click(item);
    await waitFor(() => expect(window.location.pathname + window.location.search).toBe('/chat/c/c-random?m=m-c-random-2'));
    expect(server.calls.find((c) => c.path === '/api/v1/notifications/read')?.body).toEqual({ ids: ['n1'] });
    expect(await screen.findByRole('button', { name: 'Notifications' })).toBeTruthy();
    expect(screen.queryByRole('dialog', { name: 'Notifications' })).toBeNull();
  });

  it('counts a live notification', async () => {
    const { server } = chatServer();
    renderApp(server);
    await screen.findByRole('button', { name: 'Notifications' });
    const ws = await connected();
    act(() =>
      ws.frame({
        seq: 11,
        type: 'notification.created',
        resource_type: 'notification',
        data: { user_id: minji.id, notification: { id: 'n2', kind: 'dm', channel_id: 'd1', message_id: 'm9', created_at: '2025-03-14T10:00:00Z' } },
      }),
    );
    expect(await screen.findByRole('button', { name: 'Notifications, 1 unread' })).toBeTruthy();
  });
});
