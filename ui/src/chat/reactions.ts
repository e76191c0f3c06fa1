// Reactions toggle at once on screen (optimistic) and settle with the
// server's answer; a failure puts them back.

import type { Message, ReactionSummary, UserRef } from './types';

/** The message with my reaction `emoji` added, or removed if it was there. */
export function toggleReactionLocal(m: Message, emoji: string, me: UserRef): Message {
  const list = m.reactions;
  const i = list.findIndex((r) => r.emoji === emoji);
  let next: ReactionSummary[];
  if (i < 0) {
    next = [...list, { emoji, count: 1, me: true, users: [me] }];
  } else {
    const r = list[i]!;
    if (r.me) {
      const users = r.users?.filter((u) => u.id !== me.id);
      const updated: ReactionSummary = users ? { emoji, count: r.count - 1, me: false, users } : { emoji, count: r.count - 1, me: false };
      next = updated.count > 0 ? list.map((x, j) => (j === i ? updated : x)) : list.filter((_, j) => j !== i);
    } else {
      const users = r.users ? [...r.users, me] : undefined;
      const updated: ReactionSummary = users ? { emoji, count: r.count + 1, me: true, users } : { emoji, count: r.count + 1, me: true };
      next = list.map((x, j) => (j === i ? updated : x));
    }
  }
  return { ...m, reactions: next };
}

/** Display names for "who reacted", me first as "You". */
export function reactorNames(users: readonly UserRef[], myId: string, you: string, max = 10): { names: string[]; others: number } {
  const sorted = [...users].sort((a, b) => (a.id === myId ? -1 : b.id === myId ? 1 : 0));
  const names = sorted.slice(0, max).map((u) => (u.id === myId ? you : u.name));
  return { names, others: Math.max(0, users.length - max) };
}
