// @mention autocomplete: finding the "@que" being typed at the caret and
// replacing it with the chosen handle. Handles are ASCII or Hangul (the
// server resolves the local part of an email, or a name without spaces).

/** Letters (any script, Hangul included), digits and . _ - */
const HANDLE_CHAR = /[\p{L}\p{N}._-]/u;

export interface MentionQuery {
  /** Index of the "@". */
  start: number;
  /** What follows it up to the caret. */
  query: string;
}

/** The mention being typed at `caret`, or null (the "@" must start a word). */
export function mentionAt(text: string, caret: number): MentionQuery | null {
  let i = caret;
  while (i > 0) {
    const ch = text[i - 1]!;
    if (ch === '@') {
      const before = i - 2 >= 0 ? text[i - 2]! : '';
      if (before && !/[\s([{"'“‘]/.test(before)) return null;
      const query = text.slice(i, caret);
      if (query.length > 40) return null;
      return { start: i - 1, query };
    }
    if (!HANDLE_CHAR.test(ch)) return null;
    i -= 1;
  }
  return null;
}

/** Replaces the mention being typed with "@handle " and returns the new text and caret. */
export function applyMention(text: string, q: MentionQuery, caret: number, handle: string): { text: string; caret: number } {
  const after = text.slice(caret);
  const insert = `@${handle}${after.startsWith(' ') ? '' : ' '}`;
  const next = text.slice(0, q.start) + insert + after;
  return { text: next, caret: q.start + insert.length };
}

/** The special mentions, offered when they match what was typed. */
export const SPECIAL_MENTIONS = ['channel', 'here'] as const;

export function matchingSpecials(query: string): (typeof SPECIAL_MENTIONS)[number][] {
  const q = query.toLowerCase();
  return SPECIAL_MENTIONS.filter((s) => s.startsWith(q));
}
