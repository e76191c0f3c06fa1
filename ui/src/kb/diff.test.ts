import { describe, expect, it } from 'vitest';
import { diffSequences, diffText, diffWords, hasConflictMarkers, merge3, sideBySide, splitWords, withContext, withWordSpans } from './diff';

const ops = (a: string, b: string) =>
  diffSequences(a.split(''), b.split('')).map((h) => `${h.op[0]}:${h.items.join('')}`);

describe('diffSequences', () => {
  it('finds a shortest edit script', () => {
    // Reconstructs both sides exactly.
    for (const [a, b] of [
      ['abcabba', 'cbabac'],
      ['', 'abc'],
      ['abc', ''],
      ['same', 'same'],
      ['kitten', 'sitting'],
    ] as const) {
      const hunks = diffSequences(a.split(''), b.split(''));
      expect(hunks.filter((h) => h.op !== 'insert').flatMap((h) => h.items).join('')).toBe(a);
      expect(hunks.filter((h) => h.op !== 'delete').flatMap((h) => h.items).join('')).toBe(b);
    }
    const edits = diffSequences('abcabba'.split(''), 'cbabac'.split('')).filter((h) => h.op !== 'equal');
    expect(edits.reduce((n, h) => n + h.items.length, 0)).toBe(5);
  });

  it('lists deletions before insertions within one change', () => {
    expect(ops('xay', 'xby')).toEqual(['e:x', 'd:a', 'i:b', 'e:y']);
  });

  it('falls back to a full replacement for huge unrelated inputs', () => {
    const a = Array.from({ length: 6000 }, (_, i) => `a${i}`);
    const b = Array.from({ length: 6000 }, (_, i) => `b${i}`);
    const hunks = diffSequences(a, b);
    expect(hunks.map((h) => [h.op, h.items.length])).toEqual([
      ['delete', 6000],
      ['insert', 6000],
    ]);
  });
});

describe('word diffs', () => {
  it('splits Korean eojeol and English words, spaces and punctuation', () => {
    expect(splitWords('안녕하세요, Nexus 팀!')).toEqual(['안녕하세요', ',', ' ', 'Nexus', ' ', '팀', '!']);
  });

  it('highlights only the changed words', () => {
    const w = diffWords('배포는 금요일에 합니다', '배포는 목요일에 합니다');
    expect(w.old).toEqual([
      { op: 'equal', text: '배포는 ' },
      { op: 'delete', text: '금요일에' },
      { op: 'equal', text: ' 합니다' },
    ]);
    expect(w.new.map((s) => s.op)).toEqual(['equal', 'insert', 'equal']);
  });

  it('pairs changed lines in a text diff and leaves rewritten lines whole', () => {
    const lines = diffText('# Title\nDeploy on Friday\nkeep\n', '# Title\nDeploy on Thursday\ncompletely different words here\nkeep\n');
    expect(lines.map((l) => l.op)).toEqual(['equal', 'delete', 'insert', 'insert', 'equal']);
    expect(lines[1]?.words?.find((s) => s.op === 'delete')?.text).toBe('Friday');
    expect(lines[2]?.words?.find((s) => s.op === 'insert')?.text).toBe('Thursday');
    expect(lines[3]?.words).toBeUndefined();
  });

  it('keeps word spans the server already sent', () => {
    const server = [
      { op: 'delete' as const, text: 'a b', words: [{ op: 'delete' as const, text: 'a b' }] },
      { op: 'insert' as const, text: 'a c', words: [{ op: 'insert' as const, text: 'a c' }] },
    ];
    expect(withWordSpans(server)).toEqual(server);
  });
});

describe('sideBySide', () => {
  it('puts deletions left and insertions right on shared rows, numbering each side', () => {
    const rows = sideBySide(diffText('one\ntwo\nthree', 'one\n2\nthree\nfour'));
    expect(rows.map((r) => [r.left?.n ?? null, r.left?.op ?? null, r.right?.n ?? null, r.right?.op ?? null])).toEqual([
      [1, 'equal', 1, 'equal'],
      [2, 'delete', 2, 'insert'],
      [3, 'equal', 3, 'equal'],
      [null, null, 4, 'insert'],
    ]);
  });

  it('collapses unchanged stretches', () => {
    const old = Array.from({ length: 20 }, (_, i) => `line ${i}`).join('\n');
    const next = old.replace('line 10', 'line ten');
    const shown = withContext(diffText(old, next), 2);
    expect(shown[0]).toBeNull();
    expect(shown.filter(Boolean).length).toBe(6);
    expect(shown[shown.length - 1]).toBeNull();
  });
});

describe('merge3', () => {
  const base = '# 회의록\n\n- 안건 1\n- 안건 2\n- 안건 3\n';
  it('takes non-overlapping changes from both sides', () => {
    const mine = base.replace('안건 1', '안건 1 (완료)');
    const theirs = base.replace('안건 3', 'Item 3 — moved to next week');
    const r = merge3(base, mine, theirs, 'yours', 'current');
    expect(r.conflicts).toBe(0);
    expect(r.text).toBe('# 회의록\n\n- 안건 1 (완료)\n- 안건 2\n- Item 3 — moved to next week\n');
  });

  it('marks overlapping different changes as a conflict', () => {
    const r = merge3(base, base.replace('안건 2', '안건 2: 예산'), base.replace('안건 2', 'Agenda 2: budget'), 'yours', 'current');
    expect(r.conflicts).toBe(1);
    expect(r.text).toContain('<<<<<<< yours\n- 안건 2: 예산\n=======\n- Agenda 2: budget\n>>>>>>> current');
    expect(hasConflictMarkers(r.text)).toBe(true);
    expect(hasConflictMarkers('no markers =======')).toBe(false);
  });

  it('accepts the same change made on both sides once', () => {
    const both = base.replace('안건 2', '안건 이');
    expect(merge3(base, both, both, 'a', 'b')).toEqual({ text: both, conflicts: 0 });
  });
});

describe('merge3 edge cases', () => {
  it('keeps an insertion next to a changed line without a conflict', () => {
    const base = '# Guide\n\nStart here.';
    const r = merge3(base, '# Guide\n\nStart here, 천천히.', '# Guide\n\nStart here.\n\n새 단락 from Jiho.', 'a', 'b');
    expect(r).toEqual({ text: '# Guide\n\nStart here, 천천히.\n\n새 단락 from Jiho.', conflicts: 0 });
  });

  it('conflicts on two different insertions at the same place', () => {
    const r = merge3('a\nz', 'a\nmine\nz', 'a\ntheirs\nz', 'yours', 'current');
    expect(r.conflicts).toBe(1);
    expect(r.text).toBe('a\n<<<<<<< yours\nmine\n=======\ntheirs\n>>>>>>> current\nz');
  });

  it('handles deletions on one side and edits elsewhere on the other', () => {
    const r = merge3('1\n2\n3\n4\n5', '1\n3\n4\n5', '1\n2\n3\n4\nfive', 'a', 'b');
    expect(r).toEqual({ text: '1\n3\n4\nfive', conflicts: 0 });
  });

  it('merges into an empty base', () => {
    expect(merge3('', 'mine', '', 'a', 'b')).toEqual({ text: 'mine', conflicts: 0 });
    expect(merge3('', 'mine', 'theirs', 'a', 'b').conflicts).toBe(1);
  });
});
