// Markdown formatting commands for the editor toolbar and shortcuts, as pure
// functions of (text, selection) → one edit plus the new selection, so the
// same logic runs in CodeMirror and in tests.

export interface Edit {
  /** Replace text[from, to) with insert. */
  from: number;
  to: number;
  insert: string;
  /** The selection afterwards, in the new text. */
  anchor: number;
  head: number;
}

export type Format =
  | 'bold'
  | 'italic'
  | 'strike'
  | 'code'
  | 'h1'
  | 'h2'
  | 'h3'
  | 'bullet'
  | 'ordered'
  | 'task'
  | 'quote'
  | 'link'
  | 'codeblock'
  | 'table'
  | 'rule';

const WRAP: Partial<Record<Format, string>> = { bold: '**', italic: '_', strike: '~~', code: '`' };

/** Placeholder texts (translated by the caller) for empty selections. */
export interface Placeholders {
  bold: string;
  italic: string;
  strike: string;
  code: string;
  link: string;
  url: string;
  heading: string;
  column: string;
}

export const DEFAULT_PLACEHOLDERS: Placeholders = {
  bold: 'bold text',
  italic: 'italic text',
  strike: 'text',
  code: 'code',
  link: 'link text',
  url: 'https://',
  heading: 'Heading',
  column: 'Column',
};

function lineStart(text: string, pos: number): number {
  return text.lastIndexOf('\n', pos - 1) + 1;
}

function lineEnd(text: string, pos: number): number {
  const i = text.indexOf('\n', pos);
  return i < 0 ? text.length : i;
}

function wrap(text: string, from: number, to: number, marker: string, placeholder: string): Edit {
  const n = marker.length;
  const selected = text.slice(from, to);
  // Already wrapped (markers inside or just outside the selection): unwrap.
  if (selected.length >= 2 * n && selected.startsWith(marker) && selected.endsWith(marker)) {
    const inner = selected.slice(n, -n);
    return { from, to, insert: inner, anchor: from, head: from + inner.length };
  }
  if (from >= n && text.slice(from - n, from) === marker && text.slice(to, to + n) === marker) {
    return { from: from - n, to: to + n, insert: selected, anchor: from - n, head: to - n };
  }
  const inner = selected || placeholder;
  // Keep surrounding spaces outside the markers ("**word** " not "**word **").
  const lead = inner.match(/^\s*/)?.[0] ?? '';
  const trail = inner.slice(lead.length).match(/\s*$/)?.[0] ?? '';
  const core = inner.slice(lead.length, inner.length - trail.length) || placeholder;
  const insert = `${lead}${marker}${core}${marker}${trail}`;
  const start = from + lead.length + n;
  return { from, to, insert, anchor: start, head: start + core.length };
}

/** Applies a per-line transform to every line the selection touches. */
function eachLine(text: string, from: number, to: number, fn: (line: string, index: number, all: string[]) => string): Edit {
  const start = lineStart(text, from);
  const end = lineEnd(text, to > from && text[to - 1] === '\n' ? to - 1 : to);
  const lines = text.slice(start, end).split('\n');
  const next = lines.map((l, i) => fn(l, i, lines));
  const insert = next.join('\n');
  if (from === to && lines.length === 1) {
    // Keep the cursor at the same place in the line's text.
    const delta = insert.length - (end - start);
    const pos = Math.max(start, from + delta);
    return { from: start, to: end, insert, anchor: pos, head: pos };
  }
  return { from: start, to: end, insert, anchor: start, head: start + insert.length };
}

const LIST_PREFIX = /^(\s*)(?:[-*+] \[[ xX]\] |[-*+] |\d+[.)] |> ?)/;

function togglePrefix(text: string, from: number, to: number, kind: 'bullet' | 'ordered' | 'task' | 'quote'): Edit {
  const start = lineStart(text, from);
  const end = lineEnd(text, to);
  const lines = text.slice(start, end).split('\n');
  const test: Record<typeof kind, RegExp> = {
    bullet: /^\s*[-*+] (?!\[[ xX]\] )/,
    ordered: /^\s*\d+[.)] /,
    task: /^\s*[-*+] \[[ xX]\] /,
    quote: /^\s*> ?/,
  };
  const nonEmpty = lines.filter((l) => l.trim() !== '');
  const all = nonEmpty.length > 0 && nonEmpty.every((l) => test[kind].test(l));
  let n = 0;
  return eachLine(text, from, to, (line) => {
    if (all) return line.replace(LIST_PREFIX, '$1');
    if (line.trim() === '' && lines.length > 1) return line;
    const bare = line.replace(LIST_PREFIX, '$1');
    const indent = bare.match(/^\s*/)?.[0] ?? '';
    const rest = bare.slice(indent.length);
    n += 1;
    const prefix = kind === 'bullet' ? '- ' : kind === 'ordered' ? `${n}. ` : kind === 'task' ? '- [ ] ' : '> ';
    return indent + prefix + rest;
  });
}

function heading(text: string, from: number, to: number, level: number, placeholder: string): Edit {
  const start = lineStart(text, from);
  const end = lineEnd(text, from);
  const line = text.slice(start, end);
  const m = line.match(/^(#{1,6}) +/);
  const bare = m ? line.slice(m[0].length) : line;
  const same = m && (m[1] as string).length === level;
  const prefix = same ? '' : `${'#'.repeat(level)} `;
  const content = bare || (same ? '' : placeholder);
  const insert = prefix + content;
  if (!bare && !same) return { from: start, to: end, insert, anchor: start + prefix.length, head: start + insert.length };
  const pos = Math.min(start + insert.length, Math.max(start + prefix.length, from + (insert.length - line.length)));
  return { from: start, to: end, insert, anchor: from === to ? pos : start + prefix.length, head: from === to ? pos : start + insert.length };
}

function link(text: string, from: number, to: number, ph: Placeholders): Edit {
  const selected = text.slice(from, to);
  if (/^(https?:\/\/|mailto:|\/)\S*$/.test(selected)) {
    const insert = `[${ph.link}](${selected})`;
    return { from, to, insert, anchor: from + 1, head: from + 1 + ph.link.length };
  }
  const label = selected || ph.link;
  const insert = `[${label}](${ph.url})`;
  const urlStart = from + label.length + 3;
  return selected
    ? { from, to, insert, anchor: urlStart, head: urlStart + ph.url.length }
    : { from, to, insert, anchor: from + 1, head: from + 1 + label.length };
}

/** Text to insert as its own block: on a fresh line, with a blank line before and after. */
function block(text: string, from: number, to: number, body: string, selectFrom: number, selectLen: number): Edit {
  const before = text.slice(0, from);
  const after = text.slice(to);
  const lead = before === '' || before.endsWith('\n\n') ? '' : before.endsWith('\n') ? '\n' : '\n\n';
  const trail = after === '' ? '\n' : after.startsWith('\n\n') ? '' : after.startsWith('\n') ? '\n' : '\n\n';
  const insert = lead + body + trail;
  const anchor = from + lead.length + selectFrom;
  return { from, to, insert, anchor, head: anchor + selectLen };
}

/** The edit that applies `format` to text with the selection [from, to). */
export function formatEdit(text: string, from: number, to: number, format: Format, ph: Placeholders = DEFAULT_PLACEHOLDERS): Edit {
  if (from > to) [from, to] = [to, from];
  const marker = WRAP[format];
  if (marker) {
    const key = format as 'bold' | 'italic' | 'strike' | 'code';
    return wrap(text, from, to, marker, ph[key]);
  }
  switch (format) {
    case 'h1':
      return heading(text, from, to, 1, ph.heading);
    case 'h2':
      return heading(text, from, to, 2, ph.heading);
    case 'h3':
      return heading(text, from, to, 3, ph.heading);
    case 'bullet':
    case 'ordered':
    case 'task':
    case 'quote':
      return togglePrefix(text, from, to, format);
    case 'link':
      return link(text, from, to, ph);
    case 'codeblock': {
      const selected = text.slice(from, to);
      const inner = selected || ph.code;
      return block(text, from, to, `\`\`\`\n${inner}\n\`\`\``, 4, inner.length);
    }
    case 'table': {
      const c = ph.column;
      const body = `| ${c} 1 | ${c} 2 | ${c} 3 |\n| --- | --- | --- |\n|  |  |  |\n|  |  |  |`;
      return block(text, from, to, body, 2, `${c} 1`.length);
    }
    case 'rule':
      return block(text, from, to, '---', 3, 0);
    default:
      return { from, to, insert: text.slice(from, to), anchor: from, head: to };
  }
}

/** Applies an edit to a string (tests, and the plain-textarea fallback). */
export function applyEdit(text: string, e: Edit): string {
  return text.slice(0, e.from) + e.insert + text.slice(e.to);
}

/** Markdown for an uploaded file: an image embeds, anything else links. Brackets in names are escaped. */
export function attachmentMarkdown(name: string, url: string, image: boolean): string {
  const label = name.replace(/([\\[\]])/g, '\\$1');
  return `${image ? '!' : ''}[${label}](${url.replace(/ /g, '%20').replace(/\)/g, '%29')})`;
}
