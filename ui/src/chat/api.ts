// The chat endpoints (docs/api/openapi.yaml), typed and normalized. Every
// function takes the tab's ApiClient, so tests drive them with a fake server.

import type { ApiClient } from '../api/client';
import { withParams } from '../lib/usePaged';
import {
  readChannel,
  readReactions,
  readMessage,
  readNotification,
  readUnread,
  readUser,
  type Attachment,
  type Channel,
  type Member,
  type Message,
  type Notification,
  type NotificationPreferences,
  type ReactionSummary,
  type Space,
  type UnreadState,
  type UserRef,
} from './types';

const V1 = '/api/v1';
const enc = encodeURIComponent;

type Raw = Record<string, unknown>;

/** The items of a list response ({items:[…]} or a bare array). */
function itemsOf(res: unknown): unknown[] {
  if (Array.isArray(res)) return res;
  if (res && typeof res === 'object' && Array.isArray((res as Raw).items)) return (res as Raw).items as unknown[];
  return [];
}

function nextCursor(res: unknown): string | null {
  if (res && typeof res === 'object') {
    const c = (res as Raw).next_cursor;
    if (typeof c === 'string' && c) return c;
  }
  return null;
}

function compact<T>(list: (T | null)[]): T[] {
  return list.filter((x): x is T => x !== null);
}

// ---- channels --------------------------------------------------------------

/** My channels and DMs, plus public channels I could join (is_member false). */
export async function listChannels(api: ApiClient): Promise<Channel[]> {
  const res = await api.request<unknown>(`${V1}/channels`);
  return compact(itemsOf(res).map(readChannel));
}

/** My direct messages (newest activity first). */
export async function listDms(api: ApiClient): Promise<Channel[]> {
  const res = await api.request<unknown>(`${V1}/dms`);
  return compact(itemsOf(res).map(readChannel)).map((c) => ({ ...c, kind: 'dm' as const }));
}

/** Public channels I am not in, matching q. */
export async function browseChannels(api: ApiClient, q = ''): Promise<Channel[]> {
  const res = await api.request<unknown>(withParams(`${V1}/channels`, { browse: 'true', q, limit: 200 }));
  return compact(itemsOf(res).map(readChannel));
}

export async function getChannel(api: ApiClient, id: string): Promise<Channel> {
  const c = readChannel(await api.request<unknown>(`${V1}/channels/${enc(id)}`));
  if (!c) throw new Error('invalid channel');
  return c;
}

export interface ChannelInput {
  name: string;
  visibility: 'public' | 'private';
  topic: string;
  purpose: string;
}

export async function createChannel(api: ApiClient, input: ChannelInput): Promise<Channel> {
  const c = readChannel(await api.request<unknown>(`${V1}/channels`, { method: 'POST', body: input }));
  if (!c) throw new Error('invalid channel');
  return c;
}

export async function updateChannel(
  api: ApiClient,
  id: string,
  patch: { name?: string; topic?: string; purpose?: string; version: number },
): Promise<Channel> {
  const c = readChannel(await api.request<unknown>(`${V1}/channels/${enc(id)}`, { method: 'PATCH', body: patch }));
  if (!c) throw new Error('invalid channel');
  return c;
}

export async function archiveChannel(api: ApiClient, id: string): Promise<void> {
  await api.request<unknown>(`${V1}/channels/${enc(id)}/archive`, { method: 'POST' });
}

export async function unarchiveChannel(api: ApiClient, id: string): Promise<Channel | null> {
  return readChannel(await api.request<unknown>(`${V1}/channels/${enc(id)}/unarchive`, { method: 'POST' }));
}

export async function joinChannel(api: ApiClient, id: string): Promise<void> {
  await api.request<unknown>(`${V1}/channels/${enc(id)}/join`, { method: 'POST' });
}

export async function leaveChannel(api: ApiClient, id: string): Promise<void> {
  await api.request<unknown>(`${V1}/channels/${enc(id)}/leave`, { method: 'POST' });
}

function readMember(v: unknown): Member | null {
  if (!v || typeof v !== 'object') return null;
  const r = v as Raw;
  const user = readUser(r.user ?? r, typeof r.user_id === 'string' ? r.user_id : '', typeof r.name === 'string' ? r.name : '');
  if (!user.id) return null;
  if (typeof r.handle === 'string' && r.handle) user.handle = r.handle;
  const m: Member = { user, role: r.role === 'admin' ? 'admin' : 'member' };
  if (typeof r.joined_at === 'string') m.joined_at = r.joined_at;
  if (r.presence === 'online' || r.presence === 'away' || r.presence === 'offline') m.presence = r.presence;
  return m;
}

export async function listMembers(api: ApiClient, channelId: string, q = ''): Promise<Member[]> {
  const res = await api.request<unknown>(withParams(`${V1}/channels/${enc(channelId)}/members`, { q, limit: 500 }));
  return compact(itemsOf(res).map(readMember));
}

/** Adds a person (optionally as channel admin) or every member of a team; for someone already in the channel, sets their role. Returns the ids added. */
export async function addMember(
  api: ApiClient,
  channelId: string,
  who: { user_id: string; role?: 'member' | 'admin' } | { team_id: string },
): Promise<string[]> {
  const res = await api.request<{ added?: unknown }>(`${V1}/channels/${enc(channelId)}/members`, { method: 'POST', body: who });
  return Array.isArray(res?.added) ? res.added.filter((x): x is string => typeof x === 'string') : [];
}

export async function removeMember(api: ApiClient, channelId: string, userId: string): Promise<void> {
  await api.request<unknown>(`${V1}/channels/${enc(channelId)}/members/${enc(userId)}`, { method: 'DELETE' });
}

export async function setMuted(api: ApiClient, channelId: string, muted: boolean): Promise<void> {
  await api.request<unknown>(`${V1}/channels/${enc(channelId)}/mute`, { method: muted ? 'PUT' : 'DELETE' });
}

export async function markRead(api: ApiClient, channelId: string, seq: number): Promise<void> {
  await api.request<unknown>(`${V1}/channels/${enc(channelId)}/read`, { method: 'POST', body: { seq } });
}

/** Opens the DM with these people (existing or new); at most 8 people including me. */
export async function openDm(api: ApiClient, userIds: string[]): Promise<Channel> {
  const c = readChannel(await api.request<unknown>(`${V1}/dms`, { method: 'POST', body: { user_ids: userIds } }));
  if (!c) throw new Error('invalid channel');
  return c;
}

/** "Mark as unread": the channel's read position goes back to just before this (channel) message. */
export async function markUnread(api: ApiClient, messageId: string): Promise<UnreadState> {
  const u = readUnread(await api.request<unknown>(`${V1}/messages/${enc(messageId)}/unread`, { method: 'POST' }));
  if (!u) throw new Error('invalid read state');
  return u;
}

export async function listUnread(api: ApiClient): Promise<UnreadState[]> {
  const res = await api.request<unknown>(`${V1}/unread`);
  let items = itemsOf(res);
  // Also accept {channels: {id: {...}}} / {id: {...}}.
  if (items.length === 0 && res && typeof res === 'object' && !Array.isArray(res)) {
    const obj = ((res as Raw).channels as Raw | undefined) ?? (res as Raw);
    if (!('items' in obj)) {
      items = Object.entries(obj)
        .filter(([, v]) => v && typeof v === 'object')
        .map(([id, v]) => ({ channel_id: id, ...(v as Raw) }));
    }
  }
  return compact(items.map(readUnread));
}

// ---- messages --------------------------------------------------------------

export interface HistoryPage {
  items: Message[];
  /** null when the server did not say (decided by the page size). */
  moreBefore: boolean | null;
  moreAfter: boolean | null;
}

export async function listMessages(
  api: ApiClient,
  channelId: string,
  q: { before?: string; after?: string; around?: string; limit?: number },
  myId: string,
): Promise<HistoryPage> {
  const res = await api.request<unknown>(withParams(`${V1}/channels/${enc(channelId)}/messages`, { ...q, limit: q.limit ?? 50 }));
  const items = compact(itemsOf(res).map((m) => readMessage(m, myId))).sort((a, b) => a.seq - b.seq);
  const r = (res && typeof res === 'object' ? res : {}) as Raw;
  return {
    items,
    moreBefore: typeof r.has_more_before === 'boolean' ? r.has_more_before : null,
    moreAfter: typeof r.has_more_after === 'boolean' ? r.has_more_after : null,
  };
}

export async function getMessage(api: ApiClient, id: string, myId: string): Promise<Message> {
  const m = readMessage(await api.request<unknown>(`${V1}/messages/${enc(id)}`), myId);
  if (!m) throw new Error('invalid message');
  return m;
}

export async function postMessage(
  api: ApiClient,
  channelId: string,
  input: { body: string; parent_id?: string; attachment_ids?: string[] },
  myId: string,
): Promise<Message> {
  const m = readMessage(await api.request<unknown>(`${V1}/channels/${enc(channelId)}/messages`, { method: 'POST', body: input }), myId);
  if (!m) throw new Error('invalid message');
  return m;
}

export async function editMessage(api: ApiClient, id: string, body: string, myId: string): Promise<Message | null> {
  return readMessage(await api.request<unknown>(`${V1}/messages/${enc(id)}`, { method: 'PATCH', body: { body } }), myId);
}

export async function deleteMessage(api: ApiClient, id: string): Promise<void> {
  await api.request<unknown>(`${V1}/messages/${enc(id)}`, { method: 'DELETE' });
}

export interface Thread {
  root: Message | null;
  replies: Message[];
  following: boolean | null;
  nextCursor: string | null;
}

export async function getThread(api: ApiClient, rootId: string, myId: string, afterSeq?: string): Promise<Thread> {
  const res = await api.request<unknown>(withParams(`${V1}/messages/${enc(rootId)}/thread`, { after_seq: afterSeq, limit: 200 }));
  const r = (res && typeof res === 'object' && !Array.isArray(res) ? res : {}) as Raw;
  const all = compact(itemsOf(res).map((m) => readMessage(m, myId)));
  const root = readMessage(r.root, myId) ?? all.find((m) => m.id === rootId) ?? null;
  return {
    root,
    replies: all.filter((m) => m.id !== rootId).sort((a, b) => a.seq - b.seq),
    following: typeof r.following === 'boolean' ? r.following : (root?.following ?? null),
    nextCursor: nextCursor(res),
  };
}

export async function setFollowing(api: ApiClient, rootId: string, follow: boolean): Promise<void> {
  await api.request<unknown>(`${V1}/messages/${enc(rootId)}/follow`, { method: follow ? 'PUT' : 'DELETE' });
}

/** Toggles my reaction; returns the message's reactions as they are now (null if the server did not say). */
export async function toggleReaction(api: ApiClient, messageId: string, emoji: string, myId: string): Promise<ReactionSummary[] | null> {
  const res = await api.request<unknown>(`${V1}/messages/${enc(messageId)}/reactions`, { method: 'POST', body: { emoji } });
  if (!res || typeof res !== 'object' || !Array.isArray((res as Raw).reactions)) return null;
  return readReactions((res as Raw).reactions, myId);
}

/** Who reacted with what (GET …/reactions: [{emoji, count, me, users}]). */
export async function listReactions(api: ApiClient, messageId: string): Promise<{ emoji: string; users: UserRef[] }[]> {
  const res = await api.request<unknown>(`${V1}/messages/${enc(messageId)}/reactions`);
  const items = itemsOf(res);
  const byEmoji = new Map<string, UserRef[]>();
  for (const it of items) {
    if (!it || typeof it !== 'object') continue;
    const r = it as Raw;
    const emoji = typeof r.emoji === 'string' ? r.emoji : '';
    if (!emoji) continue;
    const list = byEmoji.get(emoji) ?? [];
    if (Array.isArray(r.users)) list.push(...r.users.map((u) => readUser(u)));
    else if (r.user || r.user_id) list.push(readUser(r.user ?? r.user_id, String(r.user_id ?? ''), String(r.user_name ?? '')));
    byEmoji.set(emoji, list);
  }
  return Array.from(byEmoji, ([emoji, users]) => ({ emoji, users }));
}

export async function setPinned(api: ApiClient, messageId: string, pinned: boolean): Promise<void> {
  await api.request<unknown>(`${V1}/messages/${enc(messageId)}/pin`, { method: pinned ? 'PUT' : 'DELETE' });
}

export async function listPins(api: ApiClient, channelId: string, myId: string): Promise<Message[]> {
  const res = await api.request<unknown>(`${V1}/channels/${enc(channelId)}/pins`);
  return compact(itemsOf(res).map((m) => readMessage(m, myId)));
}

/** Promotes a message to a knowledge-base document; returns the new document's id. */
export async function promoteMessage(api: ApiClient, messageId: string, input: { space_id: string; title: string }): Promise<string> {
  // The server answers with the message, now carrying promoted_document_id.
  const res = await api.request<unknown>(`${V1}/messages/${enc(messageId)}/promote`, { method: 'POST', body: input });
  const r = (res && typeof res === 'object' ? res : {}) as Raw;
  const id = r.promoted_document_id ?? r.document_id ?? (r.document && typeof r.document === 'object' ? (r.document as Raw).id : undefined);
  if (typeof id !== 'string' || !id) throw new Error('invalid promote response');
  return id;
}

/** Uploads a file as a draft attachment of the channel, before the message is posted. */
export async function uploadDraft(api: ApiClient, channelId: string, file: File): Promise<Attachment> {
  const form = new FormData();
  form.append('owner_type', 'draft');
  form.append('owner_id', channelId);
  form.append('file', file, file.name);
  const r = await api.request<Raw>(`${V1}/attachments`, { method: 'POST', body: form });
  return {
    id: String(r.id ?? ''),
    name: String(r.name ?? file.name),
    content_type: String(r.content_type ?? file.type),
    size: typeof r.size === 'number' ? r.size : file.size,
    has_thumbnail: r.has_thumbnail === true,
  };
}

export async function deleteAttachment(api: ApiClient, id: string): Promise<void> {
  await api.request<unknown>(`${V1}/attachments/${enc(id)}`, { method: 'DELETE' });
}

// ---- people ------------------------------------------------------------------

/** People who can be mentioned or messaged, matching q (name or handle): [{id, name, handle}]. */
export async function searchPeople(api: ApiClient, q: string): Promise<UserRef[]> {
  const res = await api.request<unknown>(withParams(`${V1}/mentions/users`, { q, limit: 20 }));
  return itemsOf(res)
    .map((u) => readUser(u))
    .filter((u) => u.id && !u.deleted);
}

export async function listSpaces(api: ApiClient): Promise<Space[]> {
  const res = await api.request<unknown>(withParams(`${V1}/spaces`, { limit: 200 }));
  return itemsOf(res)
    .filter((s): s is Raw => !!s && typeof s === 'object')
    .map((s) => ({ id: String(s.id ?? ''), name: String(s.name ?? ''), archived_at: (s.archived_at as string | null) ?? null }))
    .filter((s) => s.id && !s.archived_at);
}

// ---- notifications -------------------------------------------------------------

export interface NotificationPage {
  items: Notification[];
  nextCursor: string | null;
  unreadCount: number | null;
}

export async function listNotifications(api: ApiClient, opts: { cursor?: string; unreadOnly?: boolean; limit?: number } = {}): Promise<NotificationPage> {
  const res = await api.request<unknown>(
    withParams(`${V1}/notifications`, { cursor: opts.cursor, unread: opts.unreadOnly ? 'true' : undefined, limit: opts.limit ?? 30 }),
  );
  const r = (res && typeof res === 'object' && !Array.isArray(res) ? res : {}) as Raw;
  return {
    items: compact(itemsOf(res).map(readNotification)),
    nextCursor: nextCursor(res),
    unreadCount: typeof r.unread_count === 'number' ? r.unread_count : typeof r.unread === 'number' ? r.unread : null,
  };
}

export async function markNotificationsRead(api: ApiClient, which: { ids: string[] } | { all: true }): Promise<void> {
  await api.request<unknown>(`${V1}/notifications/read`, { method: 'POST', body: which });
}

export async function getPreferences(api: ApiClient): Promise<NotificationPreferences> {
  const r = await api.request<Raw>(`${V1}/notifications/preferences`);
  const level = r.notify ?? r.level ?? r.default;
  return { notify: level === 'mentions' || level === 'none' ? level : 'all' };
}

export async function putPreferences(api: ApiClient, prefs: NotificationPreferences): Promise<NotificationPreferences> {
  const r = await api.request<Raw>(`${V1}/notifications/preferences`, { method: 'PUT', body: prefs });
  const level = r?.notify ?? r?.level ?? prefs.notify;
  return { notify: level === 'mentions' || level === 'none' ? level : 'all' };
}

export async function setChannelNotify(api: ApiClient, channelId: string, level: '' | 'all' | 'mentions' | 'none'): Promise<void> {
  await api.request<unknown>(`${V1}/channels/${enc(channelId)}/notify`, { method: 'PUT', body: { notify: level } });
}
