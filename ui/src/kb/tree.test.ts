import { describe, expect, it } from 'vitest';
import type { TreeDoc } from './api';
import {
  ancestorsOf,
  applyMove,
  buildTree,
  computeMove,
  dropPositionAt,
  indentMove,
  parentChoices,
  stepMove,
  visibleRows,
} from './tree';

const doc = (id: string, parent: string | null, rank: string, title = id): TreeDoc => ({
  id,
  parent_id: parent,
  rank,
  title,
  status: 'published',
  has_children: false,
});

// Guide (a0)
//   Install (a0)
//   설정 (a1)
//     Advanced (a0)
// FAQ (a1)
// 용어집 (a2)
const DOCS = [
  doc('faq', null, 'a1', 'FAQ'),
  doc('adv', 'setup', 'a0', 'Advanced'),
  doc('glossary', null, 'a2', '용어집'),
  doc('setup', 'guide', 'a1', '설정'),
  doc('guide', null, 'a0', 'Guide'),
  doc('install', 'guide', 'a0', 'Install'),
];

const titles = (docs: TreeDoc[], expanded: string[] = []) =>
  visibleRows(buildTree(docs), new Set(expanded)).map((r) => `${'  '.repeat(r.level - 1)}${r.node.doc.title}`);

describe('buildTree and visibleRows', () => {
  it('orders siblings by rank (by code unit, ties by id) and nests children', () => {
    expect(titles(DOCS, ['guide', 'setup'])).toEqual(['Guide', '  Install', '  설정', '    Advanced', 'FAQ', '용어집']);
    // Fractional ranks compare as strings, not numbers or by locale.
    const ranked = [doc('x', null, 'a0V'), doc('y', null, 'a0'), doc('z', null, 'Zz'), doc('w', null, 'a0V')];
    expect(titles(ranked)).toEqual(['z', 'y', 'w', 'x']);
  });

  it('shows children only under expanded nodes, with aria level, position and set size', () => {
    const rows = visibleRows(buildTree(DOCS), new Set(['guide']));
    expect(rows.map((r) => [r.node.doc.id, r.level, r.pos, r.size, r.expanded])).toEqual([
      ['guide', 1, 1, 3, true],
      ['install', 2, 1, 2, false],
      ['setup', 2, 2, 2, false],
      ['faq', 1, 2, 3, false],
      ['glossary', 1, 3, 3, false],
    ]);
  });

  it('lifts orphans and cycles to the top level instead of losing them', () => {
    const docs = [doc('a', 'missing', 'a0'), doc('b', 'c', 'a1'), doc('c', 'b', 'a2')];
    const tree = buildTree(docs);
    expect(tree.byId.size).toBe(3);
    expect(visibleRows(tree, new Set(['b', 'c'])).map((r) => r.node.doc.id).sort()).toEqual(['a', 'b', 'c']);
  });

  it('knows ancestors', () => {
    expect(ancestorsOf(buildTree(DOCS), 'adv')).toEqual(['guide', 'setup']);
  });
});

describe('computeMove', () => {
  const tree = buildTree(DOCS);

  it('drops before or after a row as its sibling', () => {
    expect(computeMove(tree, 'glossary', 'install', 'before')).toEqual({ parent_id: 'guide', before_id: 'install' });
    expect(computeMove(tree, 'glossary', 'setup', 'after')).toEqual({ parent_id: 'guide', after_id: 'setup' });
    expect(computeMove(tree, 'adv', 'faq', 'after')).toEqual({ parent_id: null, after_id: 'faq' });
  });

  it('drops inside a row as its last child', () => {
    expect(computeMove(tree, 'faq', 'guide', 'inside')).toEqual({ parent_id: 'guide', after_id: 'setup' });
    expect(computeMove(tree, 'faq', 'glossary', 'inside')).toEqual({ parent_id: 'glossary' });
  });

  it('refuses a drop onto itself or into its own subtree', () => {
    expect(computeMove(tree, 'guide', 'guide', 'inside')).toBeNull();
    expect(computeMove(tree, 'guide', 'adv', 'inside')).toBeNull();
    expect(computeMove(tree, 'guide', 'setup', 'before')).toBeNull();
  });

  it('ignores drops that change nothing', () => {
    expect(computeMove(tree, 'guide', 'faq', 'before')).toBeNull();
    expect(computeMove(tree, 'faq', 'guide', 'after')).toBeNull();
    expect(computeMove(tree, 'setup', 'guide', 'inside')).toBeNull();
    expect(computeMove(tree, 'install', 'setup', 'before')).toBeNull();
    expect(computeMove(tree, 'install', 'setup', 'after')).toEqual({ parent_id: 'guide', after_id: 'setup' });
  });

  it('picks before / inside / after from the pointer position', () => {
    expect(dropPositionAt(102, 100, 32)).toBe('before');
    expect(dropPositionAt(116, 100, 32)).toBe('inside');
    expect(dropPositionAt(130, 100, 32)).toBe('after');
  });
});

describe('keyboard moves', () => {
  const tree = buildTree(DOCS);
  it('moves one step among siblings', () => {
    expect(stepMove(tree, 'faq', 'up')).toEqual({ parent_id: null, before_id: 'guide' });
    expect(stepMove(tree, 'faq', 'down')).toEqual({ parent_id: null, after_id: 'glossary' });
    expect(stepMove(tree, 'guide', 'up')).toBeNull();
    expect(stepMove(tree, 'glossary', 'down')).toBeNull();
  });

  it('indents under the previous sibling and outdents after the parent', () => {
    expect(indentMove(tree, 'faq', 'in')).toEqual({ parent_id: 'guide', after_id: 'setup' });
    expect(indentMove(tree, 'guide', 'in')).toBeNull();
    expect(indentMove(tree, 'adv', 'out')).toEqual({ parent_id: 'guide', after_id: 'setup' });
    expect(indentMove(tree, 'faq', 'out')).toBeNull();
  });
});

describe('applyMove (optimistic order)', () => {
  it('re-parents and sorts into place before the server answers', () => {
    const p = computeMove(buildTree(DOCS), 'glossary', 'install', 'after');
    expect(p).toEqual({ parent_id: 'guide', after_id: 'install' });
    expect(titles(applyMove(DOCS, 'glossary', p!), ['guide', 'setup'])).toEqual([
      'Guide',
      '  Install',
      '  용어집',
      '  설정',
      '    Advanced',
      'FAQ',
    ]);
  });

  it('moves to the top and to the end', () => {
    expect(titles(applyMove(DOCS, 'glossary', { parent_id: null, before_id: 'guide' }))).toEqual(['용어집', 'Guide', 'FAQ']);
    expect(titles(applyMove(DOCS, 'install', { parent_id: null }))).toEqual(['Guide', 'FAQ', '용어집', 'Install']);
  });
});

describe('parentChoices', () => {
  it('excludes the document and everything below it', () => {
    expect(parentChoices(buildTree(DOCS), 'setup').map((c) => `${c.depth}:${c.doc.id}`)).toEqual([
      '0:guide',
      '1:install',
      '0:faq',
      '0:glossary',
    ]);
  });
});
