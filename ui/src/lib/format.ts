import { useMemo } from 'react';
import { useAuth } from '../auth/AuthContext';
import { useI18n, type Lang } from '../i18n';

/** True when Intl knows the zone (a stale or odd value must never break rendering). */
export function validTimeZone(zone: string | undefined | null): string | undefined {
  if (!zone) return undefined;
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return zone;
  } catch {
    return undefined;
  }
}

/** Every IANA zone the browser knows (sorted), or a short fallback list. */
export function timeZones(): string[] {
  const intl = Intl as typeof Intl & { supportedValuesOf?: (key: 'timeZone') => string[] };
  try {
    const zones = intl.supportedValuesOf?.('timeZone');
    if (zones && zones.length > 0) return [...zones].sort();
  } catch {
    // Older browsers: fall through.
  }
  return ['Asia/Seoul', 'Asia/Tokyo', 'Europe/London', 'America/New_York', 'America/Los_Angeles', 'UTC'];
}

const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['year', 365 * 24 * 3600],
  ['month', 30 * 24 * 3600],
  ['week', 7 * 24 * 3600],
  ['day', 24 * 3600],
  ['hour', 3600],
  ['minute', 60],
];

export function relativeTime(lang: Lang, iso: string, now = Date.now()): string {
  const at = Date.parse(iso);
  if (Number.isNaN(at)) return iso;
  const seconds = Math.round((at - now) / 1000);
  const rtf = new Intl.RelativeTimeFormat(lang, { numeric: 'auto' });
  for (const [unit, size] of UNITS) {
    if (Math.abs(seconds) >= size) return rtf.format(Math.trunc(seconds / size), unit);
  }
  return rtf.format(0, 'second');
}

export interface Formatters {
  /** "Mar 14, 2025, 9:00 AM" in the user's time zone. */
  dateTime: (iso: string | null | undefined) => string;
  /** "March 14, 2025". */
  date: (iso: string | null | undefined) => string;
  /** "3 minutes ago" / "in 2 days". */
  relative: (iso: string | null | undefined) => string;
}

/** Date formatting in the UI language and the account's time zone (or the browser's). */
export function useFormat(): Formatters {
  const { lang } = useI18n();
  const { user } = useAuth();
  const timeZone = validTimeZone(user?.timezone);
  return useMemo(() => {
    const dt = new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeStyle: 'short', timeZone });
    const d = new Intl.DateTimeFormat(lang, { year: 'numeric', month: 'long', day: 'numeric', timeZone });
    const safe = (f: Intl.DateTimeFormat) => (iso: string | null | undefined) => {
      if (!iso) return '';
      const t = Date.parse(iso);
      return Number.isNaN(t) ? iso : f.format(t);
    };
    return {
      dateTime: safe(dt),
      date: safe(d),
      relative: (iso) => (iso ? relativeTime(lang, iso) : ''),
    };
  }, [lang, timeZone]);
}
