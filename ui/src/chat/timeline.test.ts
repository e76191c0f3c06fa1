import { describe, expect, it } from 'vitest';
import { buildRows, dayKey, firstUnread, lastOwnMessage, mergeMessages, unreadCount, upsertMessage } from './timeline';
import type { Message } from './types';

const ME = 'u-me';
const MINJI = { id: 'u-minji', name: '김민지' };
const JIHO = { id: 'u-jiho', name: 'Lee Jiho' };

let n = 0;
function msg(seq: number, author: { id: string; name: string }, at: string, over: Partial<Message> = {}): Message {
  n += 1;
  return {
    id: `m${seq}-${n}`,
    channel_id: 'c1',
    seq,
    author,
    body: `message ${seq}`,
    html: `<p>message ${seq}</p>`,
    created_at: at,
    reply_count: 0,
    reactions: [],
    attachments: [],
    previews: [],
    ...over,
  };
}

describe('dayKey', () => {
  it('uses the calendar day in the given time zone', () => {
    // 23:30 UTC on the 14th is already the 15th in Seoul.
    expect(dayKey('2025-03-14T23:30:00Z', 'UTC')).toBe('2025-03-14');
    expect(dayKey('2025-03-14T23:30:00Z', 'Asia/Seoul')).toBe('2025-03-15');
    expect(dayKey('not a date', 'UTC')).toBe('');
  });
});

describe('unread divider', () => {
  const list = [
    msg(1, MINJI, '2025-03-14T09:00:00Z'),
    msg(2, { id: ME, name: 'Me' }, '2025-03-14T09:01:00Z'),
    msg(3, { id: ME, name: 'Me' }, '2025-03-14T09:02:00Z'),
    msg(4, JIHO, '2025-03-14T09:03:00Z'),
    msg(5, MINJI, '2025-03-14T09:04:00Z'),
  ];

  it('goes above the first message after the read position that someone else wrote', () => {
    expect(firstUnread(list, 1, ME)?.seq).toBe(4);
    expect(unreadCount(list, 1, ME)).toBe(2);
    expect(firstUnread(list, 0, ME)?.seq).toBe(1);
  });

  it('is absent when everything was read or there is no read position', () => {
    expect(firstUnread(list, 5, ME)).toBeNull();
    expect(firstUnread(list, null, ME)).toBeNull();
    expect(unreadCount(list, 5, ME)).toBe(0);
  });

  it('skips deleted messages', () => {
    const withDeleted = [msg(1, MINJI, '2025-03-14T09:00:00Z', { deleted_at: '2025-03-14T09:05:00Z' }), msg(2, JIHO, '2025-03-14T09:01:00Z')];
    expect(firstUnread(withDeleted, 0, ME)?.seq).toBe(2);
  });

  it('is one row, placed in the history', () => {
    const rows = buildRows(list, { myId: ME, dividerAfterSeq: 3, timeZone: 'UTC' });
    expect(rows.map((r) => (r.kind === 'message' ? r.message.seq : r.kind))).toEqual(['day', 1, 2, 3, 'unread', 4, 5]);
  });
});

describe('buildRows', () => {
  it('adds a separator for each new day in the user’s time zone', () => {
    const list = [
      msg(1, MINJI, '2025-03-14T10:00:00Z'),
      msg(2, MINJI, '2025-03-14T14:59:00Z'), // 23:59 in Seoul
      msg(3, MINJI, '2025-03-14T15:01:00Z'), // 00:01 on the 15th in Seoul
    ];
    const seoul = buildRows(list, { myId: ME, dividerAfterSeq: null, timeZone: 'Asia/Seoul' });
    expect(seoul.filter((r) => r.kind === 'day').map((r) => r.key)).toEqual(['day-2025-03-14', 'day-2025-03-15']);
    const utc = buildRows(list, { myId: ME, dividerAfterSeq: null, timeZone: 'UTC' });
    expect(utc.filter((r) => r.kind === 'day')).toHaveLength(1);
  });

  it('groups consecutive messages by the same person within five minutes', () => {
    const list = [
      msg(1, MINJI, '2025-03-14T09:00:00Z'),
      msg(2, MINJI, '2025-03-14T09:04:59Z'),
      msg(3, MINJI, '2025-03-14T09:10:00Z'), // more than 5 min later
      msg(4, JIHO, '2025-03-14T09:10:30Z'),
      msg(5, MINJI, '2025-03-14T09:11:00Z'),
      msg(6, MINJI, '2025-03-14T09:11:30Z', { deleted_at: '2025-03-14T09:12:00Z' }),
      msg(7, MINJI, '2025-03-14T09:12:00Z'),
    ];
    const rows = buildRows(list, { myId: ME, dividerAfterSeq: null, timeZone: 'UTC' });
    const grouped = rows.flatMap((r) => (r.kind === 'message' ? [[r.message.seq, r.grouped]] : []));
    expect(grouped).toEqual([
      [1, false],
      [2, true],
      [3, false],
      [4, false],
      [5, false],
      [6, false],
      [7, false],
    ]);
  });

  it('starts a new group after the divider', () => {
    const list = [msg(1, MINJI, '2025-03-14T09:00:00Z'), msg(2, MINJI, '2025-03-14T09:01:00Z')];
    const rows = buildRows(list, { myId: ME, dividerAfterSeq: 1, timeZone: 'UTC' });
    expect(rows.map((r) => r.kind)).toEqual(['day', 'message', 'unread', 'message']);
    expect(rows[3]!.kind === 'message' && rows[3]!.grouped).toBe(false);
  });
});

describe('list updates', () => {
  it('inserts by sequence, replaces by id and merges pages without duplicates', () => {
    const a = msg(1, MINJI, '2025-03-14T09:00:00Z');
    const c = msg(3, MINJI, '2025-03-14T09:02:00Z');
    const b = msg(2, JIHO, '2025-03-14T09:01:00Z');
    let list = upsertMessage([a, c], b);
    expect(list.map((m) => m.seq)).toEqual([1, 2, 3]);
    list = upsertMessage(list, { ...b, body: 'edited' });
    expect(list.map((m) => m.body)).toEqual(['message 1', 'edited', 'message 3']);
    const merged = mergeMessages(list, [msg(0, JIHO, '2025-03-14T08:00:00Z'), { ...a, body: 'fresh' }]);
    expect(merged.map((m) => m.seq)).toEqual([0, 1, 2, 3]);
    expect(merged[1]!.body).toBe('fresh');
  });

  it('finds the last message I can edit', () => {
    const list = [
      msg(1, { id: ME, name: 'Me' }, '2025-03-14T09:00:00Z'),
      msg(2, { id: ME, name: 'Me' }, '2025-03-14T09:01:00Z', { deleted_at: '2025-03-14T09:02:00Z' }),
      msg(3, MINJI, '2025-03-14T09:03:00Z'),
    ];
    expect(lastOwnMessage(list, ME)?.seq).toBe(1);
    expect(lastOwnMessage([list[2]!], ME)).toBeNull();
  });
});
