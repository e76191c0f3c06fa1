import { describe, expect, it } from 'vitest';
import { anchorAt, anchorToShow, clampScroll, prefixOffsets, rowAt, scrollTopFor, visibleRange } from './windowing';

describe('windowing', () => {
  const heights = [40, 60, 100, 20, 80]; // tops: 0 40 100 200 220, total 300
  const offsets = prefixOffsets(heights);
  const keys = ['a', 'b', 'c', 'd', 'e'];

  it('sums heights into offsets', () => {
    expect(offsets).toEqual([0, 40, 100, 200, 220, 300]);
    expect(prefixOffsets([])).toEqual([0]);
  });

  it('finds the row under a y position', () => {
    expect(rowAt(offsets, -5)).toBe(0);
    expect(rowAt(offsets, 0)).toBe(0);
    expect(rowAt(offsets, 39)).toBe(0);
    expect(rowAt(offsets, 40)).toBe(1);
    expect(rowAt(offsets, 199)).toBe(2);
    expect(rowAt(offsets, 219)).toBe(3);
    expect(rowAt(offsets, 299)).toBe(4);
    expect(rowAt(offsets, 1000)).toBe(4);
  });

  it('renders only the rows in and near the viewport', () => {
    expect(visibleRange(offsets, 0, 50, 0)).toEqual({ start: 0, end: 2 });
    expect(visibleRange(offsets, 110, 50, 0)).toEqual({ start: 2, end: 3 });
    expect(visibleRange(offsets, 110, 100, 0)).toEqual({ start: 2, end: 4 });
    expect(visibleRange(offsets, 110, 50, 30)).toEqual({ start: 1, end: 3 });
    expect(visibleRange(prefixOffsets([]), 0, 500, 100)).toEqual({ start: 0, end: 0 });
  });

  it('handles a 100,000-row history with a logarithmic search', () => {
    const many = prefixOffsets(Array.from({ length: 100_000 }, (_, i) => 30 + (i % 5) * 10));
    const r = visibleRange(many, 2_500_000, 800, 400);
    expect(r.end - r.start).toBeLessThan(60);
    expect(many[r.start]!).toBeLessThanOrEqual(2_500_000 - 400);
    expect(many[r.end]!).toBeGreaterThanOrEqual(2_500_000 + 800 + 400 - 80);
  });

  it('keeps the viewport still when older rows are prepended', () => {
    // The viewport starts 15 px into row "c".
    const anchor = anchorAt(offsets, keys, 115)!;
    expect(anchor).toEqual({ key: 'c', delta: 15 });
    const newKeys = ['y', 'z', ...keys];
    const newOffsets = prefixOffsets([50, 70, ...heights]);
    expect(scrollTopFor(newOffsets, newKeys, anchor)).toBe(120 + 115);
  });

  it('keeps the viewport still when a row above it grows (an image loaded)', () => {
    const anchor = anchorAt(offsets, keys, 230)!; // 10 px into "e"
    const grown = prefixOffsets([40, 260, 100, 20, 80]);
    expect(scrollTopFor(grown, keys, anchor)).toBe(430);
  });

  it('anchors on a stable row when the top row can move', () => {
    // "a" is a day separator: older rows of the same day would go above it.
    const anchor = anchorAt(offsets, keys, 10, (i) => keys[i] !== 'a')!;
    expect(anchor).toEqual({ key: 'b', delta: -30 });
    const older = prefixOffsets([40, 50, 60, 100, 20, 80]); // the separator moved to the top, a row came in under it
    expect(scrollTopFor(older, ['a', 'x', 'b', 'c', 'd', 'e'], anchor)).toBe(60);
  });

  it('returns null for an anchor whose row is gone', () => {
    expect(scrollTopFor(offsets, ['a'], { key: 'c', delta: 0 })).toBeNull();
    expect(anchorAt(prefixOffsets([]), [], 0)).toBeNull();
  });

  it('aligns a row to show it', () => {
    expect(anchorToShow(offsets, keys, 'c', 300, 'center')).toEqual({ key: 'c', delta: -100 });
    expect(anchorToShow(offsets, keys, 'c', 300, 'start')).toEqual({ key: 'c', delta: 0 });
    expect(anchorToShow(offsets, keys, 'c', 300, 'end')).toEqual({ key: 'c', delta: -200 });
    expect(scrollTopFor(offsets, keys, anchorToShow(offsets, keys, 'c', 300, 'center')!)).toBe(0);
    expect(anchorToShow(offsets, keys, 'x', 300, 'center')).toBeNull();
  });

  it('clamps a scroll position to the content', () => {
    expect(clampScroll(-10, 300, 100)).toBe(0);
    expect(clampScroll(250, 300, 100)).toBe(200);
    expect(clampScroll(50, 80, 100)).toBe(0);
  });
});
