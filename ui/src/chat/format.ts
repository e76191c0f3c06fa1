import { useMemo } from 'react';
import { useAuth } from '../auth/AuthContext';
import { useI18n, type Lang } from '../i18n';
import { validTimeZone } from '../lib/format';
import { dayKey } from './timeline';

/** "1.2 MB" in the UI language. */
export function formatBytes(n: number, lang: Lang = 'en'): string {
  const units = ['B', 'KB', 'MB', 'GB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u += 1;
  }
  const digits = u === 0 || v >= 10 ? 0 : 1;
  return `${v.toLocaleString(lang, { maximumFractionDigits: digits })} ${units[u]}`;
}

export interface ChatFormat {
  timeZone: string | undefined;
  /** "9:41 AM" / "오전 9:41". */
  time: (iso: string) => string;
  /** "Friday, March 14, 2025 at 9:41 AM" for titles. */
  full: (iso: string) => string;
  /** "Today", "Yesterday", "Friday, March 14" (with the year when not this year). */
  day: (iso: string, labels: { today: string; yesterday: string }) => string;
  /** "Mar 14" or "9:41 AM" today: compact, for lists. */
  short: (iso: string) => string;
}

/** Date formatting for chat, in the UI language and the account's time zone. */
export function useChatFormat(): ChatFormat {
  const { lang } = useI18n();
  const { user } = useAuth();
  const timeZone = validTimeZone(user?.timezone);
  return useMemo(() => {
    const time = new Intl.DateTimeFormat(lang, { hour: 'numeric', minute: '2-digit', timeZone });
    const full = new Intl.DateTimeFormat(lang, { dateStyle: 'full', timeStyle: 'short', timeZone });
    const dayThisYear = new Intl.DateTimeFormat(lang, { weekday: 'long', month: 'long', day: 'numeric', timeZone });
    const dayOtherYear = new Intl.DateTimeFormat(lang, { weekday: 'long', year: 'numeric', month: 'long', day: 'numeric', timeZone });
    const shortDate = new Intl.DateTimeFormat(lang, { month: 'short', day: 'numeric', timeZone });
    const safe = (f: Intl.DateTimeFormat, iso: string) => {
      const t = Date.parse(iso);
      return Number.isNaN(t) ? '' : f.format(t);
    };
    return {
      timeZone,
      time: (iso) => safe(time, iso),
      full: (iso) => safe(full, iso),
      day: (iso, labels) => {
        const now = Date.now();
        const k = dayKey(iso, timeZone);
        if (k === dayKey(new Date(now).toISOString(), timeZone)) return labels.today;
        if (k === dayKey(new Date(now - 86_400_000).toISOString(), timeZone)) return labels.yesterday;
        const sameYear = k.slice(0, 4) === dayKey(new Date(now).toISOString(), timeZone).slice(0, 4);
        return safe(sameYear ? dayThisYear : dayOtherYear, iso);
      },
      short: (iso) => {
        const k = dayKey(iso, timeZone);
        return k === dayKey(new Date().toISOString(), timeZone) ? safe(time, iso) : safe(shortDate, iso);
      },
    };
  }, [lang, timeZone]);
}
