// Applying realtime events to messages already on screen. Events carry the
// same JSON as the API (docs/chat.md), but some parts are per reader and
// not in events: reactions' "me", attachments' and previews' lists. These
// helpers merge what an event says into what is shown.

import { readUser, type Message, type UserRef } from './types';

/** An edit from message.updated: the text changes, the reader's own view of the rest stays. */
export function mergeUpdate(prev: Message, next: Message): Message {
  return {
    ...prev,
    body: next.body,
    html: next.html,
    edited_at: next.edited_at ?? prev.edited_at,
    mentions: next.mentions ?? prev.mentions,
    mentions_channel: next.mentions_channel ?? prev.mentions_channel,
    mentions_here: next.mentions_here ?? prev.mentions_here,
    promoted_document_id: next.promoted_document_id ?? prev.promoted_document_id,
    deleted_at: next.deleted_at ?? prev.deleted_at,
    reactions: next.reactions.length > 0 ? next.reactions : prev.reactions,
    attachments: next.attachments.length > 0 ? next.attachments : prev.attachments,
  };
}

/** A deleted message keeps its place (and its thread), nothing else. */
export function markDeleted(prev: Message, at = new Date().toISOString()): Message {
  return { ...prev, deleted_at: prev.deleted_at ?? at, body: '', html: '', reactions: [], attachments: [], previews: [], pinned_at: null };
}

/** reaction.added / reaction.removed by someone (maybe me in another tab). */
export function applyReaction(m: Message, added: boolean, emoji: string, who: UserRef, myId: string): Message {
  const i = m.reactions.findIndex((r) => r.emoji === emoji);
  const r = i >= 0 ? m.reactions[i]! : null;
  const listed = r?.users?.some((u) => u.id === who.id) ?? (who.id === myId ? !!r?.me : null);
  if (added) {
    if (listed === true) return m; // already shown (my own optimistic toggle)
    if (!r) return { ...m, reactions: [...m.reactions, { emoji, count: 1, me: who.id === myId, users: [who] }] };
    const users = r.users ? [...r.users, who] : undefined;
    const next = { ...r, count: r.count + 1, me: r.me || who.id === myId, ...(users ? { users } : {}) };
    return { ...m, reactions: m.reactions.map((x, j) => (j === i ? next : x)) };
  }
  if (!r || listed === false) return m;
  const users = r.users?.filter((u) => u.id !== who.id);
  const count = r.count - 1;
  if (count <= 0) return { ...m, reactions: m.reactions.filter((_, j) => j !== i) };
  const next = { ...r, count, me: who.id === myId ? false : r.me, ...(users ? { users } : {}) };
  return { ...m, reactions: m.reactions.map((x, j) => (j === i ? next : x)) };
}

/** thread.updated: a root's reply count, last reply time and participants (ids, named from `users`). */
export function applyThread(
  m: Message,
  data: Record<string, unknown>,
  users: Readonly<Record<string, UserRef>>,
): Message {
  const next: Message = { ...m };
  if (typeof data.reply_count === 'number') next.reply_count = data.reply_count;
  if (typeof data.last_reply_at === 'string') next.last_reply_at = data.last_reply_at;
  if (Array.isArray(data.participants)) {
    const known = new Map((m.participants ?? []).map((p) => [p.id, p]));
    next.participants = data.participants
      .map((p) => (typeof p === 'string' ? (known.get(p) ?? users[p] ?? { id: p, name: '' }) : readUser(p)))
      .filter((p) => p.id);
  }
  return next;
}

/** Who an event is by: data.user {id,name} or data.user_id. */
export function eventUser(data: Record<string, unknown>, users: Readonly<Record<string, UserRef>>): UserRef | null {
  if (data.user && typeof data.user === 'object') return readUser(data.user);
  const id = typeof data.user_id === 'string' ? data.user_id : '';
  return id ? (users[id] ?? { id, name: '' }) : null;
}
