import { describe, expect, it } from 'vitest';
import { applyReaction, applyThread, markDeleted, mergeUpdate } from './live';
import { reactorNames, toggleReactionLocal } from './reactions';
import type { Message } from './types';

const ME = { id: 'me', name: 'Kim Minji' };
const JIHO = { id: 'jiho', name: '이지호' };

const base: Message = {
  id: 'm1',
  channel_id: 'c1',
  seq: 3,
  author: JIHO,
  body: 'hello',
  html: '<p>hello</p>',
  created_at: '2025-03-14T09:00:00Z',
  reply_count: 0,
  reactions: [],
  attachments: [{ id: 'a1', name: '보고서.pdf', content_type: 'application/pdf', size: 1200 }],
  previews: [],
};

describe('toggleReactionLocal (optimistic)', () => {
  it('adds my reaction, then removes it again', () => {
    const once = toggleReactionLocal(base, '👍', ME);
    expect(once.reactions).toEqual([{ emoji: '👍', count: 1, me: true, users: [ME] }]);
    const twice = toggleReactionLocal(once, '👍', ME);
    expect(twice.reactions).toEqual([]);
  });

  it('joins an existing reaction by someone else and leaves theirs alone', () => {
    const theirs = { ...base, reactions: [{ emoji: '🎉', count: 1, me: false, users: [JIHO] }] };
    const mine = toggleReactionLocal(theirs, '🎉', ME);
    expect(mine.reactions[0]).toEqual({ emoji: '🎉', count: 2, me: true, users: [JIHO, ME] });
    expect(toggleReactionLocal(mine, '🎉', ME).reactions[0]).toEqual({ emoji: '🎉', count: 1, me: false, users: [JIHO] });
  });

  it('works when the server did not list who reacted', () => {
    const counted = { ...base, reactions: [{ emoji: '👀', count: 4, me: false }] };
    expect(toggleReactionLocal(counted, '👀', ME).reactions[0]).toEqual({ emoji: '👀', count: 5, me: true });
  });
});

describe('applyReaction (live)', () => {
  it('counts someone else’s reaction and ignores my own that is already shown', () => {
    const withJiho = applyReaction(base, true, '👍', JIHO, ME.id);
    expect(withJiho.reactions).toEqual([{ emoji: '👍', count: 1, me: false, users: [JIHO] }]);
    const mine = toggleReactionLocal(withJiho, '👍', ME);
    expect(applyReaction(mine, true, '👍', ME, ME.id)).toBe(mine);
    const removed = applyReaction(mine, false, '👍', JIHO, ME.id);
    expect(removed.reactions).toEqual([{ emoji: '👍', count: 1, me: true, users: [ME] }]);
    expect(applyReaction(removed, false, '👍', ME, ME.id).reactions).toEqual([]);
  });
});

describe('message events', () => {
  it('an edit keeps the reader’s reactions and attachments', () => {
    const mine = toggleReactionLocal(base, '👍', ME);
    const edited = mergeUpdate(mine, { ...base, body: 'hello!', html: '<p>hello!</p>', edited_at: '2025-03-14T09:05:00Z', reactions: [], attachments: [] });
    expect(edited.body).toBe('hello!');
    expect(edited.edited_at).toBe('2025-03-14T09:05:00Z');
    expect(edited.reactions).toHaveLength(1);
    expect(edited.attachments).toHaveLength(1);
  });

  it('a deletion keeps the place and the thread only', () => {
    const d = markDeleted({ ...base, reply_count: 2 }, '2025-03-14T10:00:00Z');
    expect(d).toMatchObject({ id: 'm1', seq: 3, body: '', html: '', attachments: [], reply_count: 2, deleted_at: '2025-03-14T10:00:00Z' });
  });

  it('thread.updated sets the count and names participants it knows', () => {
    const t = applyThread(base, { reply_count: 2, last_reply_at: '2025-03-14T09:30:00Z', participants: ['jiho', 'me'] }, { me: ME });
    expect(t.reply_count).toBe(2);
    expect(t.participants).toEqual([{ id: 'jiho', name: '' }, ME]);
  });
});

describe('reactorNames', () => {
  it('puts me first as "You" and counts the rest', () => {
    const users = [JIHO, ME, ...Array.from({ length: 11 }, (_, i) => ({ id: `u${i}`, name: `User ${i}` }))];
    const { names, others } = reactorNames(users, 'me', 'You', 10);
    expect(names[0]).toBe('You');
    expect(names).toHaveLength(10);
    expect(others).toBe(3);
  });
});
