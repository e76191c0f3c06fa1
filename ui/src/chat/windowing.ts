// Windowing math for long lists whose rows have different heights (chat
// history): only the rows near the viewport are rendered; the rest is empty
// space of the right height. Heights are measured once a row has been
// rendered and estimated before that.
//
// The list is kept still while things change above the viewport (older
// messages loaded, a row re-measured, an image loaded) by remembering an
// anchor — the row at the top of the viewport and how far into it the
// viewport starts — and restoring it after the change.

/** offsets[i] is the top of row i; offsets[n] is the total height. */
export function prefixOffsets(heights: readonly number[]): number[] {
  const offsets = new Array<number>(heights.length + 1);
  offsets[0] = 0;
  for (let i = 0; i < heights.length; i++) offsets[i + 1] = offsets[i]! + Math.max(0, heights[i]!);
  return offsets;
}

/** The row containing y (the last row whose top is at or above y), clamped to the list. */
export function rowAt(offsets: readonly number[], y: number): number {
  const n = offsets.length - 1;
  if (n <= 0) return 0;
  if (y <= 0) return 0;
  if (y >= offsets[n]!) return n - 1;
  let lo = 0;
  let hi = n - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (offsets[mid]! <= y) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

export interface Range {
  /** First rendered row. */
  start: number;
  /** One past the last rendered row. */
  end: number;
}

/**
 * The rows to render for a viewport at scrollTop of the given height, with
 * `overscan` pixels of extra rows above and below (smooth scrolling, and
 * keyboard focus a little beyond the edge).
 */
export function visibleRange(offsets: readonly number[], scrollTop: number, viewport: number, overscan: number): Range {
  const n = offsets.length - 1;
  if (n <= 0) return { start: 0, end: 0 };
  const start = rowAt(offsets, scrollTop - overscan);
  const last = rowAt(offsets, scrollTop + viewport + overscan);
  return { start, end: Math.min(n, last + 1) };
}

export interface Anchor {
  key: string;
  /** Pixels from the row's top to the viewport's top (negative: the row starts below the top). */
  delta: number;
}

/**
 * The anchor for the current scroll position: the row at the top of the
 * viewport, or the next one that may anchor. Rows whose key can move (a day
 * separator, which goes up when older messages of that day load) should not.
 */
export function anchorAt(
  offsets: readonly number[],
  keys: readonly string[],
  scrollTop: number,
  canAnchor: (index: number) => boolean = () => true,
): Anchor | null {
  if (keys.length === 0) return null;
  let i = rowAt(offsets, scrollTop);
  while (i < keys.length - 1 && !canAnchor(i)) i++;
  return { key: keys[i]!, delta: scrollTop - offsets[i]! };
}

/** Where to scroll so the anchor row sits where it was; null when the row is gone. */
export function scrollTopFor(offsets: readonly number[], keys: readonly string[], anchor: Anchor): number | null {
  const i = keys.indexOf(anchor.key);
  if (i < 0) return null;
  return offsets[i]! + anchor.delta;
}

/** The anchor that shows row `key` in the viewport: centred, at the top or at the bottom. */
export function anchorToShow(
  offsets: readonly number[],
  keys: readonly string[],
  key: string,
  viewport: number,
  align: 'start' | 'center' | 'end',
): Anchor | null {
  const i = keys.indexOf(key);
  if (i < 0) return null;
  const height = offsets[i + 1]! - offsets[i]!;
  if (align === 'start') return { key, delta: 0 };
  if (align === 'end') return { key, delta: height - viewport };
  return { key, delta: Math.round((height - viewport) / 2) };
}

/** Clamps a scroll position to what the content allows. */
export function clampScroll(top: number, total: number, viewport: number): number {
  return Math.max(0, Math.min(top, Math.max(0, total - viewport)));
}
