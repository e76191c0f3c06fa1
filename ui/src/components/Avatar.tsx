import type { CSSProperties } from 'react';

const HANGUL = /[\u1100-\u11ff\u3130-\u318f\uac00-\ud7af]/;

/**
 * Initials for an avatar: "Kim Minji" → "KM"; a Korean name written without
 * spaces shows its given name ("김민지" → "민지"), as Korean apps usually do.
 */
export function initials(name: string): string {
  const trimmed = name.trim();
  if (!trimmed) return '?';
  const words = trimmed.split(/\s+/);
  if (words.length === 1) {
    const chars = Array.from(trimmed);
    if (HANGUL.test(trimmed)) return chars.length >= 3 ? chars.slice(-2).join('') : chars.join('');
    return chars.slice(0, 2).join('').toLocaleUpperCase();
  }
  const first = Array.from(words[0] ?? '')[0] ?? '';
  const last = Array.from(words[words.length - 1] ?? '')[0] ?? '';
  if (HANGUL.test(first + last)) return (words[words.length - 1] ?? '').slice(0, 2);
  return (first + last).toLocaleUpperCase();
}

/** A small stable hue per name, so teammates are told apart at a glance. */
function hue(name: string): number {
  let h = 0;
  for (const ch of name) h = (h * 31 + (ch.codePointAt(0) ?? 0)) % 360;
  return h;
}

export function Avatar({ name, size = 'md' }: { name: string; size?: 'md' | 'lg' | 'xl' }) {
  return (
    <span className={`avatar avatar--${size}`} style={{ '--avatar-hue': hue(name) } as CSSProperties} aria-hidden="true">
      {initials(name)}
    </span>
  );
}
