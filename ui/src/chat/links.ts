// Addresses inside chat (kept small: the sidebar and the bell use them
// without loading the chat pages).

import type { Message } from './types';

export function channelHref(id: string): string {
  return `/chat/c/${encodeURIComponent(id)}`;
}

/** A message's permalink: the channel opened around it. */
export function permalink(m: Pick<Message, 'id' | 'channel_id'>): string {
  return `${channelHref(m.channel_id)}?m=${encodeURIComponent(m.id)}`;
}

/** A thread open in the side pane (keeping the channel, and optionally highlighting a reply). */
export function threadHref(channelId: string, rootId: string, highlight?: string | null): string {
  const q = new URLSearchParams();
  if (highlight) q.set('m', highlight);
  q.set('thread', rootId);
  return `${channelHref(channelId)}?${q.toString()}`;
}
