import { useEffect, useState, type CSSProperties } from 'react';
import type { ApiClient } from '../api/client';
import { useAuth } from '../auth/AuthContext';

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

// Avatars need the Bearer token, so they are fetched once and shown from
// blob: URLs. The URL carries a version, so a cached entry never goes stale.
const cache = new Map<string, Promise<string | null>>();

function loadAvatar(client: ApiClient, url: string): Promise<string | null> {
  let p = cache.get(url);
  if (!p) {
    p = client.blob(url).then(
      ({ blob }) => URL.createObjectURL(blob),
      () => {
        cache.delete(url);
        return null;
      },
    );
    cache.set(url, p);
  }
  return p;
}

/** The image URL to show for an avatar_url, or null while loading / when there is none. */
export function useAvatarSrc(url: string | undefined | null): string | null {
  const { client } = useAuth();
  const [src, setSrc] = useState<{ url: string; src: string | null } | null>(null);
  useEffect(() => {
    if (!url) return;
    // Local previews (blob:/data:) need no fetching.
    if (/^(blob|data):/.test(url)) return;
    let live = true;
    void loadAvatar(client, url).then((s) => {
      if (live) setSrc({ url, src: s });
    });
    return () => {
      live = false;
    };
  }, [client, url]);
  if (!url) return null;
  if (/^(blob|data):/.test(url)) return url;
  return src && src.url === url ? src.src : null;
}

export function Avatar({ name, url, size = 'md' }: { name: string; url?: string | null; size?: 'sm' | 'md' | 'lg' | 'xl' }) {
  const src = useAvatarSrc(url);
  return (
    <span className={`avatar avatar--${size}`} style={{ '--avatar-hue': hue(name) } as CSSProperties} aria-hidden="true">
      {src ? <img className="avatar__img" src={src} alt="" /> : initials(name)}
    </span>
  );
}
