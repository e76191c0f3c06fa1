// Chat state shared by the sidebar, the chat page and the notification bell:
// my channels and DMs with unread and mention counts, who is online and who
// is typing, and the unread notification count. One store per tab (per
// ApiClient), kept current by realtime events and refetched on resync.
//
// Counts are kept locally between fetches (a message arriving in a channel
// you are not looking at adds one) and reconciled with GET /unread when the
// tab regains focus or the connection comes back, so thousands of clients
// never refetch on every message.

import { useEffect, useSyncExternalStore } from 'react';
import type { ApiClient } from '../api/client';
import { ApiError } from '../api/client';
import { useAuth } from '../auth/AuthContext';
import { realtimeFor, ensureStarted, type RealtimeClient, type RealtimeEvent } from '../realtime';
import * as api from './api';
import { eventMessage, readChannel, readUser, type Channel, type PresenceStatus, type UnreadState, type UserRef } from './types';

export interface TypingEntry {
  user: UserRef;
  until: number;
}

export interface Counts {
  unread: number;
  mentions: number;
  lastReadSeq: number;
  firstUnreadSeq: number;
}

export interface ChatSnapshot {
  status: 'idle' | 'loading' | 'ready' | 'error' | 'unavailable';
  /** Channels and DMs I am a member of (not archived). */
  channels: readonly Channel[];
  counts: Readonly<Record<string, Counts>>;
  presence: Readonly<Record<string, PresenceStatus>>;
  /** Key: channel id, or "channel/root" for a thread. */
  typing: Readonly<Record<string, readonly TypingEntry[]>>;
  users: Readonly<Record<string, UserRef>>;
  notificationsUnread: number;
  /** Bumped when notifications change (the centre refetches). */
  notificationsVersion: number;
}

const EMPTY_COUNTS: Counts = { unread: 0, mentions: 0, lastReadSeq: 0, firstUnreadSeq: 0 };
const TYPING_TTL_MS = 6_000;
const FOCUS_REFRESH_MS = 10_000;

type Listener = () => void;

/** Fired for notifications as they arrive (desktop notifications). */
export type NotificationListener = (e: RealtimeEvent) => void;

export class ChatStore {
  private snap: ChatSnapshot = {
    status: 'idle',
    channels: [],
    counts: {},
    presence: {},
    typing: {},
    users: {},
    notificationsUnread: 0,
    notificationsVersion: 0,
  };
  private readonly listeners = new Set<Listener>();
  private readonly notificationListeners = new Set<NotificationListener>();
  private started = false;
  private unsubscribers: (() => void)[] = [];
  private reloadTimer: ReturnType<typeof setTimeout> | null = null;
  private typingTimer: ReturnType<typeof setInterval> | null = null;
  private lastUnreadFetch = 0;
  private loadGen = 0;
  /** The channel on screen, and whether the newest messages are visible in it. */
  private active: { channelId: string; seeingLatest: boolean } | null = null;

  constructor(
    private readonly client: ApiClient,
    private readonly rt: RealtimeClient,
    private readonly myId: () => string,
  ) {}

  // ---- subscription (useSyncExternalStore) ---------------------------------

  subscribe = (l: Listener): (() => void) => {
    this.listeners.add(l);
    return () => {
      this.listeners.delete(l);
    };
  };

  getSnapshot = (): ChatSnapshot => this.snap;

  onNotification(l: NotificationListener): () => void {
    this.notificationListeners.add(l);
    return () => {
      this.notificationListeners.delete(l);
    };
  }

  private set(patch: Partial<ChatSnapshot>): void {
    this.snap = { ...this.snap, ...patch };
    this.listeners.forEach((l) => l());
  }

  // ---- lifecycle -------------------------------------------------------------

  /** Loads and starts following realtime events (idempotent). */
  start(): void {
    if (this.started) return;
    this.started = true;
    const rt = this.rt;
    this.unsubscribers = [
      rt.subscribe('message.*', (e) => this.onMessageEvent(e)),
      rt.subscribe('channel.*', (e) => this.onChannelEvent(e)),
      rt.subscribe('member.*', (e) => this.onChannelEvent(e)),
      rt.subscribe('read.updated', (e) => this.onChannelEvent(e)),
      rt.subscribe('preferences.updated', (e) => this.onChannelEvent(e)),
      rt.subscribe('notification.*', (e) => this.onNotificationEvent(e)),
      rt.subscribe('typing', (e) => this.onTyping(e)),
      rt.subscribe('presence', (e) => this.onPresence(e)),
      rt.subscribe('presence.*', (e) => this.onPresence(e)),
      rt.onResync(() => void this.load()),
      rt.onState((s) => {
        if (s === 'online') {
          // Typing indicators from before the outage are stale; counts may have moved.
          this.set({ typing: {} });
          void this.refreshUnread(true);
          void this.refreshNotificationCount();
        }
      }),
    ];
    if (typeof window !== 'undefined') {
      window.addEventListener('focus', this.onFocus);
      this.unsubscribers.push(() => window.removeEventListener('focus', this.onFocus));
    }
    void this.load();
  }

  stop(): void {
    this.started = false;
    this.unsubscribers.forEach((u) => u());
    this.unsubscribers = [];
    if (this.reloadTimer) clearTimeout(this.reloadTimer);
    if (this.typingTimer) clearInterval(this.typingTimer);
    this.reloadTimer = null;
    this.typingTimer = null;
  }

  private readonly onFocus = () => {
    void this.refreshUnread(false);
  };

  // ---- loading ---------------------------------------------------------------

  /** (Re)loads my channels, their read state and the notification count. */
  async load(): Promise<void> {
    const gen = ++this.loadGen;
    if (this.snap.status === 'idle' || this.snap.status === 'error') this.set({ status: 'loading' });
    try {
      const [channels, dms, unread] = await Promise.all([
        api.listChannels(this.client),
        api.listDms(this.client).catch(() => [] as Channel[]),
        api.listUnread(this.client).catch(() => null),
      ]);
      if (gen !== this.loadGen) return;
      const seen = new Set<string>();
      const mine = [...channels, ...dms].filter((c) => {
        if (seen.has(c.id) || c.is_member === false || c.archived_at) return false;
        seen.add(c.id);
        return true;
      });
      const users = { ...this.snap.users };
      for (const c of mine) for (const u of c.members ?? []) if (u.name) users[u.id] = u;
      const counts = unread ? this.countsFrom(unread) : this.countsFromChannels(mine);
      this.lastUnreadFetch = Date.now();
      this.set({ status: 'ready', channels: mine, counts, users });
      void this.refreshNotificationCount();
      void this.loadPresence(mine);
    } catch (err) {
      if (gen !== this.loadGen) return;
      this.set({ status: err instanceof ApiError && err.status === 404 ? 'unavailable' : 'error' });
    }
  }

  private countsFrom(list: UnreadState[]): Record<string, Counts> {
    const counts: Record<string, Counts> = {};
    for (const u of list) {
      counts[u.channel_id] = {
        unread: u.unread,
        mentions: u.mentions,
        lastReadSeq: u.last_read_seq,
        firstUnreadSeq: u.first_unread_seq,
      };
    }
    return counts;
  }

  private countsFromChannels(list: Channel[]): Record<string, Counts> {
    const counts: Record<string, Counts> = {};
    for (const c of list) {
      const read = c.last_read_seq ?? 0;
      counts[c.id] = { unread: Math.max(0, (c.last_seq ?? read) - read), mentions: 0, lastReadSeq: read, firstUnreadSeq: 0 };
    }
    return counts;
  }

  /** Reconciles counts with the server (throttled unless forced). */
  async refreshUnread(force: boolean): Promise<void> {
    if (this.snap.status !== 'ready') return;
    if (!force && Date.now() - this.lastUnreadFetch < FOCUS_REFRESH_MS) return;
    this.lastUnreadFetch = Date.now();
    try {
      const list = await api.listUnread(this.client);
      const counts = this.countsFrom(list);
      // A channel on screen showing its newest messages stays read.
      if (this.active?.seeingLatest && counts[this.active.channelId]) {
        counts[this.active.channelId] = { ...counts[this.active.channelId]!, unread: 0, mentions: 0 };
      }
      const known = new Set(this.snap.channels.map((c) => c.id));
      const unknown = list.some((u) => !known.has(u.channel_id));
      this.set({ counts });
      if (unknown) this.scheduleReload();
    } catch {
      /* keep what we have */
    }
  }

  async refreshNotificationCount(): Promise<void> {
    try {
      const page = await api.listNotifications(this.client, { unreadOnly: true, limit: 50 });
      const n = page.unreadCount ?? page.items.filter((x) => !x.read_at).length;
      this.set({ notificationsUnread: n, notificationsVersion: this.snap.notificationsVersion + 1 });
    } catch {
      /* the bell shows what it had */
    }
  }

  /**
   * Presence of the people in my most recent DMs (the sidebar's dots): the
   * member lists carry it. Later changes arrive as presence frames.
   */
  private async loadPresence(channels: Channel[]): Promise<void> {
    const dms = channels
      .filter((c) => c.kind === 'dm')
      .sort((a, b) => (b.last_message_at ?? '').localeCompare(a.last_message_at ?? ''))
      .slice(0, 8);
    const results = await Promise.all(dms.map((c) => api.listMembers(this.client, c.id).catch(() => [])));
    const presence: Record<string, PresenceStatus> = {};
    for (const list of results) for (const m of list) if (m.presence && m.user.id !== this.myId()) presence[m.user.id] = m.presence;
    if (Object.keys(presence).length > 0) this.rememberPresence(presence);
  }

  private scheduleReload(): void {
    if (this.reloadTimer) return;
    this.reloadTimer = setTimeout(() => {
      this.reloadTimer = null;
      void this.load();
    }, 250);
  }

  // ---- local changes ---------------------------------------------------------

  channel(id: string): Channel | undefined {
    return this.snap.channels.find((c) => c.id === id);
  }

  counts(id: string): Counts {
    return this.snap.counts[id] ?? EMPTY_COUNTS;
  }

  /** Adds or updates a channel I belong to (after create, join, open DM, edit). */
  upsertChannel(c: Channel): void {
    if (c.is_member === false || c.archived_at) {
      this.removeChannel(c.id);
      return;
    }
    const i = this.snap.channels.findIndex((x) => x.id === c.id);
    const prev = i >= 0 ? this.snap.channels[i] : undefined;
    const merged: Channel = prev ? { ...prev, ...c, members: c.members ?? prev.members } : c;
    const channels = i >= 0 ? this.snap.channels.map((x, j) => (j === i ? merged : x)) : [...this.snap.channels, merged];
    const users = { ...this.snap.users };
    for (const u of merged.members ?? []) if (u.name) users[u.id] = u;
    this.set({ channels, users });
  }

  removeChannel(id: string): void {
    if (!this.snap.channels.some((c) => c.id === id)) return;
    const counts = { ...this.snap.counts };
    delete counts[id];
    this.set({ channels: this.snap.channels.filter((c) => c.id !== id), counts });
  }

  rememberPresence(presence: Record<string, PresenceStatus>): void {
    this.set({ presence: { ...this.snap.presence, ...presence } });
  }

  rememberUsers(users: UserRef[]): void {
    let changed = false;
    const next = { ...this.snap.users };
    for (const u of users) {
      if (!u.id || !u.name) continue;
      const prev = next[u.id];
      if (prev && prev.name === u.name && prev.avatar_url === u.avatar_url && (prev.email ?? '') === (u.email ?? '')) continue;
      next[u.id] = { ...prev, ...u };
      changed = true;
    }
    if (changed) this.set({ users: next });
  }

  /** The channel on screen (null when none), and whether its newest message is in view. */
  setActive(channelId: string | null, seeingLatest = false): void {
    this.active = channelId ? { channelId, seeingLatest } : null;
  }

  /**
   * Marks a channel read up to seq: the badge clears at once and the server is
   * told (it keeps the furthest position, so a late or repeated call is harmless).
   */
  markRead(channelId: string, seq: number): void {
    const c = this.counts(channelId);
    if (seq <= c.lastReadSeq && c.unread === 0 && c.mentions === 0) return;
    this.set({
      counts: {
        ...this.snap.counts,
        [channelId]: { unread: 0, mentions: 0, lastReadSeq: Math.max(seq, c.lastReadSeq), firstUnreadSeq: 0 },
      },
    });
    if (seq > c.lastReadSeq) void api.markRead(this.client, channelId, seq).catch(() => undefined);
  }

  /** Takes a channel's read state as the server answered it (after "mark as unread"). */
  applyUnread(u: UnreadState): void {
    this.set({ counts: { ...this.snap.counts, ...this.countsFrom([u]) } });
  }

  setMutedLocal(channelId: string, muted: boolean): void {
    const c = this.channel(channelId);
    if (c) this.upsertChannel({ ...c, muted });
  }

  setNotificationsUnread(n: number): void {
    this.set({ notificationsUnread: Math.max(0, n) });
  }

  // ---- realtime --------------------------------------------------------------

  private onMessageEvent(e: RealtimeEvent): void {
    if (e.type !== 'message.created') return;
    const m = eventMessage(e.data, this.myId());
    if (!m) return;
    if (m.author.name) this.rememberUsers([m.author]);
    this.clearTyping(m.channel_id, m.parent_id ?? null, m.author.id);
    const channel = this.channel(m.channel_id);
    if (!channel) {
      // A DM someone just opened with me, or a channel I was added to.
      this.scheduleReload();
      return;
    }
    if (m.parent_id) return; // thread replies notify through follows, not the channel badge
    const channels = this.snap.channels.map((c) =>
      c.id === channel.id ? { ...c, last_seq: Math.max(c.last_seq ?? 0, m.seq), last_message_at: m.created_at } : c,
    );
    const counts = { ...this.snap.counts };
    const prev = counts[channel.id] ?? EMPTY_COUNTS;
    const mine = m.author.id === this.myId();
    const watching = this.active?.channelId === channel.id && this.active.seeingLatest && isVisible();
    if (mine) {
      // Posting moves my own read position on the server.
      counts[channel.id] = { ...prev, unread: 0, mentions: 0, lastReadSeq: Math.max(prev.lastReadSeq, m.seq), firstUnreadSeq: 0 };
    } else if (watching) {
      // Seen as it arrives; the channel view tells the server (markRead).
      counts[channel.id] = { ...prev, unread: 0, mentions: 0, firstUnreadSeq: 0 };
    } else if (m.seq > prev.lastReadSeq) {
      const me = this.myId();
      // DMs badge their unread count; channels count mentions of me, @channel and @here.
      const mentioned = channel.kind !== 'dm' && (!!m.mentions?.includes(me) || !!m.mentions_channel || !!m.mentions_here);
      counts[channel.id] = {
        ...prev,
        unread: prev.unread + 1,
        mentions: prev.mentions + (mentioned ? 1 : 0),
        firstUnreadSeq: prev.firstUnreadSeq || m.seq,
      };
    }
    this.set({ channels, counts });
  }

  private onChannelEvent(e: RealtimeEvent): void {
    const data = (e.data ?? {}) as Record<string, unknown>;
    const me = this.myId();
    const userId = typeof data.user_id === 'string' ? data.user_id : undefined;
    const channelId = typeof data.channel_id === 'string' ? data.channel_id : e.resource_id;
    switch (e.type) {
      case 'read.updated': {
        // My read position moved (another tab or device).
        if (!channelId || (userId && userId !== me)) return;
        const seq = typeof data.last_read_seq === 'number' ? data.last_read_seq : typeof data.seq === 'number' ? data.seq : 0;
        const c = this.counts(channelId);
        if (seq >= c.lastReadSeq) {
          this.set({ counts: { ...this.snap.counts, [channelId]: { ...c, unread: 0, mentions: 0, lastReadSeq: seq, firstUnreadSeq: 0 } } });
        }
        // Unread roots after seq (if any; all of them after "mark as unread") are counted by the server.
        void this.refreshUnread(true);
        return;
      }
      case 'preferences.updated': {
        // Changed in another tab: mute or the channel's notification level.
        const c = channelId ? this.channel(channelId) : undefined;
        if (!c) return;
        const next = { ...c };
        if (typeof data.muted === 'boolean') next.muted = data.muted;
        if (typeof data.notify === 'string') next.notify = data.notify as Channel['notify'];
        this.upsertChannel(next);
        return;
      }
      case 'member.removed':
        if (userId === me && channelId) this.removeChannel(channelId);
        return;
      case 'member.added':
        if (userId === me || (channelId && !this.channel(channelId))) this.scheduleReload();
        return;
      case 'member.updated':
        if (userId === me) this.scheduleReload();
        return;
      case 'channel.archived':
        if (channelId) this.removeChannel(channelId);
        return;
      case 'channel.updated': {
        const prev = channelId ? this.channel(channelId) : undefined;
        const c = readChannel(data);
        if (prev && c && data.name !== undefined) {
          this.upsertChannel({ ...prev, name: c.name, topic: c.topic, purpose: c.purpose, version: c.version || prev.version });
        } else {
          this.scheduleReload();
        }
        return;
      }
      default:
        // channel.created (a DM opened with me, a channel I was added to), channel.unarchived…
        this.scheduleReload();
    }
  }

  private onNotificationEvent(e: RealtimeEvent): void {
    if (e.type === 'notification.created') {
      this.set({ notificationsUnread: this.snap.notificationsUnread + 1, notificationsVersion: this.snap.notificationsVersion + 1 });
      this.notificationListeners.forEach((l) => l(e));
    } else {
      void this.refreshNotificationCount();
    }
  }

  private onTyping(e: RealtimeEvent): void {
    const data = (e.data && typeof e.data === 'object' ? e.data : e) as Record<string, unknown>;
    const channelId = typeof data.channel_id === 'string' ? data.channel_id : '';
    const user = readUser(data.user ?? data.user_id, String(data.user_id ?? ''), String(data.name ?? data.user_name ?? ''));
    if (!channelId || !user.id || user.id === this.myId()) return;
    const known = this.snap.users[user.id];
    const who = user.name ? user : (known ?? user);
    const key = typeof data.parent_id === 'string' && data.parent_id ? `${channelId}/${data.parent_id}` : channelId;
    const now = Date.now();
    const list = (this.snap.typing[key] ?? []).filter((t) => t.user.id !== user.id && t.until > now);
    this.set({ typing: { ...this.snap.typing, [key]: [...list, { user: who, until: now + TYPING_TTL_MS }] } });
    if (!this.typingTimer) {
      this.typingTimer = setInterval(() => this.expireTyping(), 1_000);
    }
  }

  private clearTyping(channelId: string, parentId: string | null, userId: string): void {
    const key = parentId ? `${channelId}/${parentId}` : channelId;
    const list = this.snap.typing[key];
    if (!list?.some((t) => t.user.id === userId)) return;
    this.set({ typing: { ...this.snap.typing, [key]: list.filter((t) => t.user.id !== userId) } });
  }

  private expireTyping(): void {
    const now = Date.now();
    let changed = false;
    const next: Record<string, TypingEntry[]> = {};
    for (const [k, list] of Object.entries(this.snap.typing)) {
      const live = list.filter((t) => t.until > now);
      if (live.length !== list.length) changed = true;
      if (live.length > 0) next[k] = live;
    }
    if (changed) this.set({ typing: next });
    if (Object.keys(next).length === 0 && this.typingTimer) {
      clearInterval(this.typingTimer);
      this.typingTimer = null;
    }
  }

  /** Presence frames: {"data":{"users":{"<id>":"online"|"away"|"offline"}}}, changes only. */
  private onPresence(e: RealtimeEvent): void {
    const data = (e.data && typeof e.data === 'object' ? e.data : e) as Record<string, unknown>;
    const users = data.users && typeof data.users === 'object' ? (data.users as Record<string, unknown>) : null;
    const changes: Record<string, PresenceStatus> = {};
    if (users) {
      for (const [id, st] of Object.entries(users)) if (st === 'online' || st === 'away' || st === 'offline') changes[id] = st;
    } else if (typeof data.user_id === 'string' && (data.status === 'online' || data.status === 'away' || data.status === 'offline')) {
      changes[data.user_id] = data.status;
    }
    if (Object.entries(changes).some(([id, st]) => this.snap.presence[id] !== st)) this.rememberPresence(changes);
  }
}

function isVisible(): boolean {
  return typeof document === 'undefined' || document.visibilityState !== 'hidden';
}

const stores = new WeakMap<ApiClient, ChatStore>();

/** The chat store of this tab. */
export function chatStoreFor(client: ApiClient): ChatStore {
  let s = stores.get(client);
  if (!s) {
    const store = new ChatStore(client, realtimeFor(client), () => client.user?.id ?? '');
    s = store;
    stores.set(client, store);
    client.onSession(({ user }) => {
      if (!user) {
        store.stop();
        stores.delete(client);
      }
    });
  }
  return s;
}

/** The chat store, started (loading and following events) while signed in. */
export function useChatStore(): ChatStore {
  const { client } = useAuth();
  const store = chatStoreFor(client);
  useEffect(() => {
    if (!client.signedIn) return;
    ensureStarted(client);
    store.start();
  }, [client, store]);
  return store;
}

/** The chat snapshot, re-rendering on changes. */
export function useChat(): ChatSnapshot {
  const store = useChatStore();
  return useSyncExternalStore(store.subscribe, store.getSnapshot, store.getSnapshot);
}
