import { describe, expect, it } from 'vitest';
import { applyMention, matchingSpecials, mentionAt } from './mentions';

describe('mentionAt', () => {
  it('finds the mention being typed at the caret', () => {
    expect(mentionAt('hi @min', 7)).toEqual({ start: 3, query: 'min' });
    expect(mentionAt('@', 1)).toEqual({ start: 0, query: '' });
    expect(mentionAt('회의 @김민', 6)).toEqual({ start: 3, query: '김민' });
    expect(mentionAt('(@jiho', 6)).toEqual({ start: 1, query: 'jiho' });
  });

  it('ignores emails, finished words and text after a space', () => {
    expect(mentionAt('mail minji@example.com', 22)).toBeNull();
    expect(mentionAt('hi @minji and', 13)).toBeNull();
    expect(mentionAt('no mention', 10)).toBeNull();
  });

  it('uses the caret, not the end of the text', () => {
    expect(mentionAt('@jiho hello', 3)).toEqual({ start: 0, query: 'ji' });
  });
});

describe('applyMention', () => {
  it('replaces the typed part with the handle and a space', () => {
    expect(applyMention('hi @min', { start: 3, query: 'min' }, 7, 'minji')).toEqual({ text: 'hi @minji ', caret: 10 });
    expect(applyMention('@ji hello', { start: 0, query: 'ji' }, 3, 'jiho')).toEqual({ text: '@jiho hello', caret: 5 });
    expect(applyMention('회의 @김', { start: 3, query: '김' }, 5, '김민지')).toEqual({ text: '회의 @김민지 ', caret: 8 });
  });
});

describe('matchingSpecials', () => {
  it('offers @channel and @here by prefix', () => {
    expect(matchingSpecials('')).toEqual(['channel', 'here']);
    expect(matchingSpecials('CH')).toEqual(['channel']);
    expect(matchingSpecials('x')).toEqual([]);
  });
});
