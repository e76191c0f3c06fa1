// Turning a page of messages into the rows the history shows: day
// separators, the "new messages" divider, and consecutive messages by the
// same person grouped under one name.

import type { Message } from './types';

export type Row =
  | { kind: 'day'; key: string; day: string; at: string }
  | { kind: 'unread'; key: 'unread' }
  | { kind: 'message'; key: string; message: Message; grouped: boolean };

/** Messages by the same author this close together share a header. */
export const GROUP_WINDOW_MS = 5 * 60_000;

const dayFormats = new Map<string, Intl.DateTimeFormat>();

/** "2025-03-14": the calendar day of an instant in a time zone (undefined: the browser's). */
export function dayKey(iso: string, timeZone?: string): string {
  const cacheKey = timeZone ?? '';
  let f = dayFormats.get(cacheKey);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', { year: 'numeric', month: '2-digit', day: '2-digit', timeZone });
    dayFormats.set(cacheKey, f);
  }
  const t = Date.parse(iso);
  return Number.isNaN(t) ? '' : f.format(t);
}

/**
 * The message the "new messages" divider goes above: the first one after the
 * read position that someone else wrote. Your own messages never count as
 * unread (you posted from another device).
 */
export function firstUnread(messages: readonly Message[], lastReadSeq: number | null, myId: string): Message | null {
  if (lastReadSeq === null) return null;
  for (const m of messages) {
    if (m.seq > lastReadSeq && m.author.id !== myId && !m.deleted_at) return m;
  }
  return null;
}

/** How many messages after the read position others wrote (for "12 new messages"). */
export function unreadCount(messages: readonly Message[], lastReadSeq: number | null, myId: string): number {
  if (lastReadSeq === null) return 0;
  return messages.filter((m) => m.seq > lastReadSeq && m.author.id !== myId && !m.deleted_at).length;
}

export interface RowOptions {
  myId: string;
  /** The read position when the channel was opened; null: no divider. */
  dividerAfterSeq: number | null;
  timeZone?: string;
}

/** Rows for a run of messages, oldest first. */
export function buildRows(messages: readonly Message[], opts: RowOptions): Row[] {
  const rows: Row[] = [];
  const divider = firstUnread(messages, opts.dividerAfterSeq, opts.myId);
  let prev: Message | null = null;
  let prevDay = '';
  for (const m of messages) {
    const day = dayKey(m.created_at, opts.timeZone);
    let breakGroup = false;
    if (day !== prevDay) {
      rows.push({ kind: 'day', key: `day-${day}`, day, at: m.created_at });
      prevDay = day;
      breakGroup = true;
    }
    if (divider && m.id === divider.id) {
      rows.push({ kind: 'unread', key: 'unread' });
      breakGroup = true;
    }
    const grouped =
      !breakGroup &&
      prev !== null &&
      prev.author.id === m.author.id &&
      !prev.deleted_at &&
      !m.deleted_at &&
      Date.parse(m.created_at) - Date.parse(prev.created_at) < GROUP_WINDOW_MS;
    rows.push({ kind: 'message', key: m.id, message: m, grouped });
    prev = m;
  }
  return rows;
}

/** Inserts or replaces a message in a list sorted by sequence (returns a new list). */
export function upsertMessage(list: readonly Message[], m: Message): Message[] {
  const i = list.findIndex((x) => x.id === m.id);
  if (i >= 0) {
    const next = list.slice();
    next[i] = m;
    return next;
  }
  const next = list.slice();
  let at = next.length;
  while (at > 0 && next[at - 1]!.seq > m.seq) at--;
  next.splice(at, 0, m);
  return next;
}

/** Merges a page into a sorted list, dropping duplicates (the page wins). */
export function mergeMessages(list: readonly Message[], page: readonly Message[]): Message[] {
  const byId = new Map<string, Message>();
  for (const m of list) byId.set(m.id, m);
  for (const m of page) byId.set(m.id, m);
  return Array.from(byId.values()).sort((a, b) => a.seq - b.seq || a.created_at.localeCompare(b.created_at));
}

/** The last message the user wrote that can still be edited (for Up in an empty composer). */
export function lastOwnMessage(list: readonly Message[], myId: string): Message | null {
  for (let i = list.length - 1; i >= 0; i--) {
    const m = list[i]!;
    if (m.author.id === myId && !m.deleted_at) return m;
  }
  return null;
}
