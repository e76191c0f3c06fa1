// Test helpers for chat: a fake chat API (on top of test/fakeServer) and a
// scriptable WebSocket standing in for the realtime gateway.

import { vi } from 'vitest';
import type { User } from '../api/client';
import { apiError, json, makeUser, minji, signedInServer, type Call } from '../test/fakeServer';

export const jiho: User = makeUser({ id: '01934e7a-0000-7000-8000-000000000002', name: '이지호', email: 'jiho@example.com' });

/** A WebSocket the test drives: open it, send frames, drop it. */
export class FakeWebSocket {
  static instances: FakeWebSocket[] = [];
  static readonly OPEN = 1;
  readyState = 0;
  onopen: ((ev: Event) => void) | null = null;
  onmessage: ((ev: MessageEvent) => void) | null = null;
  onclose: ((ev: CloseEvent) => void) | null = null;
  onerror: ((ev: Event) => void) | null = null;
  sent: Record<string, unknown>[] = [];
  constructor(readonly url: string) {
    FakeWebSocket.instances.push(this);
  }
  send(data: string) {
    this.sent.push(JSON.parse(data) as Record<string, unknown>);
  }
  close() {
    this.readyState = 3;
  }
  open(helloSeq = 0) {
    this.readyState = 1;
    this.onopen?.(new Event('open'));
    this.frame({ type: 'hello', user_id: minji.id, seq: helloSeq });
  }
  frame(f: unknown) {
    this.onmessage?.(new MessageEvent('message', { data: JSON.stringify(f) }));
  }
  drop(code = 1006) {
    this.readyState = 3;
    this.onclose?.({ code } as CloseEvent);
  }
  static last(): FakeWebSocket | undefined {
    return FakeWebSocket.instances[FakeWebSocket.instances.length - 1];
  }
}

export function installFakeWebSocket() {
  FakeWebSocket.instances = [];
  vi.stubGlobal('WebSocket', FakeWebSocket);
}

export interface ChatFixture {
  channels: Record<string, unknown>[];
  dms: Record<string, unknown>[];
  messages: Record<string, Record<string, unknown>[]>;
  unread: Record<string, unknown>[];
  notifications: Record<string, unknown>[];
  members: { user: { id: string; name: string }; role: string }[];
}

/** Teams an org admin can add to a channel. */
export const teams = [
  { id: 't-design', name: '디자인팀', description: '', member_count: 2, version: 1, created_at: '2025-03-14T09:00:00Z', people: [
    { id: jiho.id, name: jiho.name },
    { id: '01934e7a-0000-7000-8000-000000000003', name: '박서연' },
  ] },
];

let seq = 100;

export function message(channelId: string, s: number, author: User, body: string, over: Record<string, unknown> = {}) {
  return {
    id: `m-${channelId}-${s}`,
    channel_id: channelId,
    seq: s,
    parent_id: null,
    author: { id: author.id, name: author.name, email: author.email },
    body,
    html: `<p>${body}</p>`,
    created_at: new Date(Date.UTC(2025, 2, 14, 9, s)).toISOString(),
    edited_at: null,
    deleted_at: null,
    deleted: false,
    mentions: [],
    mentions_channel: false,
    mentions_here: false,
    reply_count: 0,
    last_reply_at: null,
    participants: [],
    pinned_at: null,
    reactions: [],
    attachments: [],
    previews: [],
    has_previews: false,
    ...over,
  };
}

export function channel(id: string, name: string, over: Record<string, unknown> = {}) {
  return {
    id,
    kind: 'public',
    name,
    topic: '',
    purpose: '',
    archived_at: null,
    created_at: '2025-03-01T00:00:00Z',
    updated_at: '2025-03-01T00:00:00Z',
    version: 1,
    member_count: 2,
    is_member: true,
    role: 'member',
    can_post: true,
    muted: false,
    ...over,
  };
}

/**
 * A signed-in server with a small chat: #general (read) and #random (2 unread),
 * and routes for the chat endpoints the UI calls. `calls` records everything.
 */
export function chatServer(fx: Partial<ChatFixture> = {}, extra: (call: Call) => Response | undefined = () => undefined) {
  const state: ChatFixture = {
    channels: fx.channels ?? [channel('c-general', 'general', { last_read_seq: 2 }), channel('c-random', 'random', { last_read_seq: 1 })],
    dms: fx.dms ?? [],
    messages: fx.messages ?? {
      'c-general': [message('c-general', 1, jiho, 'hello'), message('c-general', 2, minji, 'hi 지호')],
      'c-random': [
        message('c-random', 1, jiho, 'old news'),
        message('c-random', 2, jiho, '점심 뭐 먹을까요?'),
        message('c-random', 3, jiho, 'pizza?', { reactions: [{ emoji: '👍', count: 1, me: false, users: [{ id: jiho.id, name: jiho.name }] }] }),
      ],
    },
    unread: fx.unread ?? [
      { channel_id: 'c-general', unread: 0, mentions: 0, last_read_seq: 2, last_seq: 2, first_unread_seq: 0 },
      { channel_id: 'c-random', unread: 2, mentions: 1, last_read_seq: 1, last_seq: 3, first_unread_seq: 2 },
    ],
    notifications: fx.notifications ?? [],
    members: fx.members ?? [
      { user: { id: minji.id, name: minji.name }, role: 'admin' },
      { user: { id: jiho.id, name: jiho.name }, role: 'member' },
    ],
  };
  const server = signedInServer(minji, (call) => {
    const p = call.path;
    const m = /^\/api\/v1\/channels\/([^/]+)(\/.*)?$/.exec(p);
    if (p === '/api/v1/ws/ticket' && call.method === 'POST') return json(200, { ticket: `ticket-${++seq}`, expires_in: 30 });
    if (p === '/api/v1/channels' && call.method === 'GET') {
      if (call.search.includes('browse=true')) return json(200, { items: [] });
      return json(200, { items: state.channels });
    }
    if (p === '/api/v1/dms' && call.method === 'GET') return json(200, { items: state.dms });
    if (p === '/api/v1/unread') return json(200, { items: state.unread });
    if (p === '/api/v1/teams' && call.method === 'GET') return json(200, { items: teams.map(({ people: _, ...t }) => t) });
    if (p === '/api/v1/notifications' && call.method === 'GET') {
      const unreadOnly = call.search.includes('unread=true');
      const items = state.notifications.filter((n) => !unreadOnly || !n.read_at);
      return json(200, { items, next_cursor: '', unread_count: state.notifications.filter((n) => !n.read_at).length });
    }
    if (p === '/api/v1/notifications/read') return json(200, { updated: 1 });
    if (p === '/api/v1/mentions/users') {
      return json(200, { items: [{ id: jiho.id, name: jiho.name, handle: 'jiho' }, { id: minji.id, name: minji.name, handle: 'minji' }] });
    }
    if (m) {
      const id = decodeURIComponent(m[1]!);
      const rest = m[2] ?? '';
      const ch = [...state.channels, ...state.dms].find((c) => c.id === id);
      if (!ch) return apiError(404, 'not_found', 'Channel not found.');
      if (rest === '' && call.method === 'GET') return json(200, ch);
      if (rest === '/messages' && call.method === 'GET') {
        const list = state.messages[id] ?? [];
        return json(200, { items: list, has_more_before: false, has_more_after: false });
      }
      if (rest === '/messages' && call.method === 'POST') {
        const body = (call.body as { body: string }).body;
        const list = (state.messages[id] ??= []);
        const next = message(id, (list.length ? Number(list[list.length - 1]!.seq) : 0) + 1, minji, body);
        list.push(next);
        return json(201, next);
      }
      if (rest === '/read' && call.method === 'POST') {
        const u = state.unread.find((x) => x.channel_id === id);
        if (u) Object.assign(u, { unread: 0, mentions: 0, last_read_seq: (call.body as { seq: number }).seq, first_unread_seq: 0 });
        return json(200, u ?? {});
      }
      if (rest === '/members' && call.method === 'GET') return json(200, { items: state.members });
      if (rest === '/members' && call.method === 'POST') {
        const body = call.body as { user_id?: string; role?: string; team_id?: string };
        if (body.team_id) {
          const team = teams.find((x) => x.id === body.team_id);
          if (!team) return apiError(404, 'not_found', 'No such team.');
          const added = team.people.filter((u) => !state.members.some((m) => m.user.id === u.id));
          state.members.push(...added.map((u) => ({ user: u, role: 'member' })));
          return json(200, { added: added.map((u) => u.id) });
        }
        const m = state.members.find((x) => x.user.id === body.user_id);
        if (m) {
          if (body.role === 'member' && m.role === 'admin' && state.members.filter((x) => x.role === 'admin').length === 1) {
            return apiError(409, 'conflict', 'A channel needs at least one admin.');
          }
          m.role = body.role ?? m.role;
          return json(200, { added: [] });
        }
        return json(200, { added: [body.user_id] });
      }
      if (rest === '/pins') return json(200, { items: [] });
    }
    const ru = /^\/api\/v1\/messages\/([^/]+)\/unread$/.exec(p);
    if (ru && call.method === 'POST') {
      const all = Object.values(state.messages).flat();
      const msg = all.find((x) => x.id === ru[1]);
      if (!msg) return apiError(404, 'not_found', 'Message not found.');
      const channelId = String(msg.channel_id);
      const seq = Number(msg.seq);
      const list = state.messages[channelId] ?? [];
      const later = list.filter((x) => Number(x.seq) >= seq && !x.parent_id);
      const u = {
        channel_id: channelId,
        kind: 'public',
        unread: later.length,
        mentions: 0,
        last_read_seq: seq - 1,
        last_seq: Math.max(...list.map((x) => Number(x.seq))),
        first_unread_seq: seq,
        muted: false,
      };
      state.unread = [...state.unread.filter((x) => x.channel_id !== channelId), u];
      return json(200, u);
    }
    const rx = /^\/api\/v1\/messages\/([^/]+)\/reactions$/.exec(p);
    if (rx && call.method === 'POST') {
      const all = Object.values(state.messages).flat();
      const msg = all.find((x) => x.id === rx[1]);
      if (!msg) return apiError(404, 'not_found', 'Message not found.');
      // Toggle Minji's reaction and answer with the message's reactions, as the server does.
      const emoji = (call.body as { emoji: string }).emoji;
      type R = { emoji: string; count: number; me: boolean; users: { id: string; name: string }[] };
      const list = (msg.reactions as R[]).map((r) => ({ ...r, users: [...r.users] }));
      let r = list.find((x) => x.emoji === emoji);
      if (!r) list.push((r = { emoji, count: 0, me: false, users: [] }));
      const added = !r.users.some((u) => u.id === minji.id);
      r.users = added ? [...r.users, { id: minji.id, name: minji.name }] : r.users.filter((u) => u.id !== minji.id);
      msg.reactions = list
        .map((x) => ({ ...x, count: x.users.length, me: x.users.some((u) => u.id === minji.id) }))
        .filter((x) => x.count > 0);
      return json(200, { emoji, added, reactions: msg.reactions });
    }
    return extra(call);
  });
  return { server, state };
}
