// Text diffs for the conflict view (your text against the server's) and for
// filling in word-level detail when a diff from the server has only lines.
// Myers' O((N+M)·D) algorithm over lines, then over words inside changed
// lines; plus a line-based three-way merge with conflict markers.

import type { DiffLine, DiffOp, DiffSpan } from './api';

export interface Hunk<T> {
  op: DiffOp;
  items: T[];
}

/** Myers' shortest edit script between two sequences, as merged runs of equal / delete / insert. */
export function diffSequences<T>(a: readonly T[], b: readonly T[], eq: (x: T, y: T) => boolean = Object.is): Hunk<T>[] {
  // Trim the common prefix and suffix: most edits touch a small part of a document.
  let start = 0;
  while (start < a.length && start < b.length && eq(a[start] as T, b[start] as T)) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && eq(a[endA - 1] as T, b[endB - 1] as T)) {
    endA--;
    endB--;
  }
  const out: Hunk<T>[] = [];
  const push = (op: DiffOp, item: T) => {
    const last = out[out.length - 1];
    if (last && last.op === op) last.items.push(item);
    else out.push({ op, items: [item] });
  };
  for (let i = 0; i < start; i++) push('equal', a[i] as T);

  const A = a.slice(start, endA);
  const B = b.slice(start, endB);
  const n = A.length;
  const m = B.length;
  const max = n + m;
  const offset = max + 1;
  const v = new Int32Array(2 * max + 3);
  const trace: Int32Array[] = [];
  let found = n === 0 && m === 0;
  // The trace grows by one array per edit step: past ~16M cells (two very
  // different long texts), give up on precision and show a full replacement.
  const maxSteps = Math.max(64, Math.floor(16_000_000 / v.length));
  for (let d = 0; d <= max && !found; d++) {
    if (d > maxSteps) {
      A.forEach((item) => push('delete', item));
      B.forEach((item) => push('insert', item));
      for (let j = endA; j < a.length; j++) push('equal', a[j] as T);
      return out;
    }
    trace.push(v.slice());
    for (let k = -d; k <= d; k += 2) {
      let x: number;
      if (k === -d || (k !== d && (v[offset + k - 1] as number) < (v[offset + k + 1] as number))) x = v[offset + k + 1] as number;
      else x = (v[offset + k - 1] as number) + 1;
      let y = x - k;
      while (x < n && y < m && eq(A[x] as T, B[y] as T)) {
        x++;
        y++;
      }
      v[offset + k] = x;
      if (x >= n && y >= m) {
        found = true;
        break;
      }
    }
  }
  // Walk the trace backwards to recover the edit script.
  const script: { op: DiffOp; item: T }[] = [];
  let x = n;
  let y = m;
  for (let d = trace.length - 1; d >= 0 && (x > 0 || y > 0); d--) {
    const vd = trace[d] as Int32Array;
    const k = x - y;
    let prevK: number;
    if (k === -d || (k !== d && (vd[offset + k - 1] as number) < (vd[offset + k + 1] as number))) prevK = k + 1;
    else prevK = k - 1;
    const prevX = d === 0 ? 0 : (vd[offset + prevK] as number);
    const prevY = prevX - prevK;
    while (x > prevX && y > prevY) {
      script.push({ op: 'equal', item: A[x - 1] as T });
      x--;
      y--;
    }
    if (d === 0) break;
    if (x === prevX) script.push({ op: 'insert', item: B[y - 1] as T });
    else script.push({ op: 'delete', item: A[x - 1] as T });
    x = prevX;
    y = prevY;
  }
  while (x > 0 && y > 0) {
    script.push({ op: 'equal', item: A[x - 1] as T });
    x--;
    y--;
  }
  script.reverse();
  // Within one change, show deletions before insertions.
  let i = 0;
  while (i < script.length) {
    const s = script[i] as { op: DiffOp; item: T };
    if (s.op === 'equal') {
      push('equal', s.item);
      i++;
      continue;
    }
    const dels: T[] = [];
    const ins: T[] = [];
    while (i < script.length && (script[i] as { op: DiffOp }).op !== 'equal') {
      const c = script[i] as { op: DiffOp; item: T };
      (c.op === 'delete' ? dels : ins).push(c.item);
      i++;
    }
    dels.forEach((d) => push('delete', d));
    ins.forEach((d) => push('insert', d));
  }
  for (let j = endA; j < a.length; j++) push('equal', a[j] as T);
  return out;
}

/** Splits text into lines (a trailing newline does not make an extra empty line). */
export function splitLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/**
 * Words for the inner diff: runs of letters/digits (Hangul eojeol included),
 * runs of spaces, and single other characters, so "가나다 abc," → ["가나다"," ","abc",","].
 */
export function splitWords(line: string): string[] {
  return line.match(/[\p{L}\p{N}\p{M}_]+|\s+|[^\p{L}\p{N}\p{M}_\s]/gu) ?? [];
}

/** Word-level spans of an old and a new version of one line. */
export function diffWords(oldLine: string, newLine: string): { old: DiffSpan[]; new: DiffSpan[] } {
  const hunks = diffSequences(splitWords(oldLine), splitWords(newLine));
  const oldSpans: DiffSpan[] = [];
  const newSpans: DiffSpan[] = [];
  for (const h of hunks) {
    const text = h.items.join('');
    if (h.op !== 'insert') oldSpans.push({ op: h.op, text });
    if (h.op !== 'delete') newSpans.push({ op: h.op, text });
  }
  return { old: oldSpans, new: newSpans };
}

/** A line diff of two texts, with word-level spans on lines that changed in place. */
export function diffText(oldText: string, newText: string): DiffLine[] {
  const hunks = diffSequences(splitLines(oldText), splitLines(newText));
  const out: DiffLine[] = [];
  for (const h of hunks) for (const text of h.items) out.push({ op: h.op, text });
  return withWordSpans(out);
}

/**
 * Adds word spans to changed lines that lack them: within each run of
 * deletions followed by insertions, the i-th deleted line pairs with the
 * i-th inserted one (when they are similar enough to be "the same line, edited").
 */
export function withWordSpans(lines: readonly DiffLine[]): DiffLine[] {
  const out = lines.map((l) => ({ ...l }));
  let i = 0;
  while (i < out.length) {
    if ((out[i] as DiffLine).op !== 'delete') {
      i++;
      continue;
    }
    const delStart = i;
    while (i < out.length && (out[i] as DiffLine).op === 'delete') i++;
    const insStart = i;
    while (i < out.length && (out[i] as DiffLine).op === 'insert') i++;
    const pairs = Math.min(insStart - delStart, i - insStart);
    for (let p = 0; p < pairs; p++) {
      const del = out[delStart + p] as DiffLine;
      const ins = out[insStart + p] as DiffLine;
      if (del.words && ins.words) continue;
      const w = diffWords(del.text, ins.text);
      const kept = w.new.filter((s) => s.op === 'equal').reduce((n, s) => n + s.text.trim().length, 0);
      const longest = Math.max(del.text.trim().length, ins.text.trim().length, 1);
      if (kept / longest < 0.3) continue; // mostly rewritten: highlighting words would be noise
      del.words = del.words ?? w.old;
      ins.words = ins.words ?? w.new;
    }
  }
  return out;
}

export interface SideRow {
  left: (DiffLine & { n: number }) | null;
  right: (DiffLine & { n: number }) | null;
}

/** Pairs a line diff into side-by-side rows (old on the left, new on the right), with line numbers. */
export function sideBySide(lines: readonly DiffLine[]): SideRow[] {
  const rows: SideRow[] = [];
  let ln = 0;
  let rn = 0;
  let i = 0;
  while (i < lines.length) {
    const l = lines[i] as DiffLine;
    if (l.op === 'equal') {
      rows.push({ left: { ...l, n: ++ln }, right: { ...l, n: ++rn } });
      i++;
      continue;
    }
    const dels: DiffLine[] = [];
    const ins: DiffLine[] = [];
    while (i < lines.length && (lines[i] as DiffLine).op === 'delete') dels.push(lines[i++] as DiffLine);
    while (i < lines.length && (lines[i] as DiffLine).op === 'insert') ins.push(lines[i++] as DiffLine);
    for (let k = 0; k < Math.max(dels.length, ins.length); k++) {
      const d = dels[k];
      const s = ins[k];
      rows.push({ left: d ? { ...d, n: ++ln } : null, right: s ? { ...s, n: ++rn } : null });
    }
  }
  return rows;
}

export interface DiffStats {
  added: number;
  removed: number;
}

export function diffStats(lines: readonly DiffLine[]): DiffStats {
  let added = 0;
  let removed = 0;
  for (const l of lines) {
    if (l.op === 'insert') added++;
    else if (l.op === 'delete') removed++;
  }
  return { added, removed };
}

/** Only the changed lines and `context` lines around them; gaps become null. */
export function withContext<T extends { op: DiffOp }>(lines: readonly T[], context = 3): (T | null)[] {
  const keep = new Array<boolean>(lines.length).fill(false);
  lines.forEach((l, i) => {
    if (l.op === 'equal') return;
    for (let j = Math.max(0, i - context); j <= Math.min(lines.length - 1, i + context); j++) keep[j] = true;
  });
  const out: (T | null)[] = [];
  let gap = false;
  lines.forEach((l, i) => {
    if (keep[i]) {
      out.push(l);
      gap = false;
    } else if (!gap) {
      out.push(null);
      gap = true;
    }
  });
  return out;
}

export const MARK_MINE = '<<<<<<< ';
export const MARK_SPLIT = '=======';
export const MARK_THEIRS = '>>>>>>> ';

export interface MergeResult {
  text: string;
  conflicts: number;
}

/**
 * A line-based three-way merge of `mine` and `theirs`, both edited from
 * `base`. Each side's changes are hunks over base lines; hunks of the two
 * sides that overlap form a group. A group changed on one side only takes
 * that side's text; one changed identically on both takes it once; one
 * changed differently becomes a conflict block with markers labelled
 * `mineLabel` / `theirsLabel`. Changes that only touch (an insertion right
 * before or after a changed line) do not conflict.
 */
export function merge3(base: string, mine: string, theirs: string, mineLabel: string, theirsLabel: string): MergeResult {
  const b = splitLines(base);
  const sides = [splitLines(mine), splitLines(theirs)] as const;
  interface Change {
    side: 0 | 1;
    start: number;
    end: number;
    lines: string[];
  }
  const changes: Change[] = [];
  sides.forEach((lines, side) => {
    let bi = 0;
    let cur: Change | null = null;
    for (const h of diffSequences(b, lines)) {
      if (h.op === 'equal') {
        if (cur) changes.push(cur);
        cur = null;
        bi += h.items.length;
        continue;
      }
      cur ??= { side: side as 0 | 1, start: bi, end: bi, lines: [] };
      if (h.op === 'delete') {
        bi += h.items.length;
        cur.end = bi;
      } else cur.lines.push(...h.items);
    }
    if (cur) changes.push(cur);
  });
  // Insertions sort before changes starting at the same line.
  changes.sort((x, y) => x.start - y.start || x.end - y.end || x.side - y.side);

  const clash = (g: { start: number; end: number; changes: Change[] }, c: Change) => {
    if (c.start === c.end) {
      // An insertion clashes with a change it falls strictly inside, or with another insertion at the same place.
      return (c.start > g.start && c.start < g.end) || g.changes.some((x) => x.start === x.end && x.start === c.start);
    }
    return c.start < g.end;
  };
  const groups: { start: number; end: number; changes: Change[] }[] = [];
  for (const c of changes) {
    const g = groups[groups.length - 1];
    if (g && clash(g, c)) {
      g.changes.push(c);
      g.end = Math.max(g.end, c.end);
    } else groups.push({ start: c.start, end: c.end, changes: [c] });
  }

  const sideText = (g: { start: number; end: number; changes: Change[] }, side: 0 | 1) => {
    const out: string[] = [];
    let i = g.start;
    for (const c of g.changes.filter((x) => x.side === side)) {
      out.push(...b.slice(i, c.start), ...c.lines);
      i = c.end;
    }
    out.push(...b.slice(i, g.end));
    return out;
  };

  const out: string[] = [];
  let conflicts = 0;
  let i = 0;
  for (const g of groups) {
    out.push(...b.slice(i, g.start));
    const hasMine = g.changes.some((c) => c.side === 0);
    const hasTheirs = g.changes.some((c) => c.side === 1);
    const m = sideText(g, 0);
    const t = sideText(g, 1);
    if (!hasTheirs) out.push(...m);
    else if (!hasMine) out.push(...t);
    else if (m.length === t.length && m.every((v, k) => v === t[k])) out.push(...m);
    else {
      conflicts++;
      out.push(MARK_MINE + mineLabel, ...m, MARK_SPLIT, ...t, MARK_THEIRS + theirsLabel);
    }
    i = g.end;
  }
  out.push(...b.slice(i));
  const text = out.join('\n');
  const trailing = mine.endsWith('\n') || theirs.endsWith('\n');
  return { text: text && trailing ? `${text}\n` : text, conflicts };
}

/** True while the text still contains an unresolved conflict block. */
export function hasConflictMarkers(text: string): boolean {
  const lines = splitLines(text);
  return lines.some((l) => l.startsWith(MARK_MINE)) && lines.some((l) => l === MARK_SPLIT) && lines.some((l) => l.startsWith(MARK_THEIRS));
}
