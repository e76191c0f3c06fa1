import { useCallback, useSyncExternalStore } from 'react';
import { chatEn } from './chat.en';
import { chatKo } from './chat.ko';
import { en as coreEn } from './en';
import { kbEn } from './kb.en';
import { kbKo } from './kb.ko';
import { ko as coreKo } from './ko';

// Feature areas keep their own dictionary pairs (kb.*, chat.*); each merges here with one spread.
const en = { ...coreEn, ...kbEn, ...chatEn };
const ko: Record<MessageKey, string> = { ...coreKo, ...kbKo, ...chatKo };

export type Lang = 'en' | 'ko';
export type MessageKey = keyof typeof en;
export type Params = Record<string, string | number>;

export const LANGS: readonly Lang[] = ['en', 'ko'];
export const dictionaries: Record<Lang, Record<MessageKey, string>> = { en, ko };

const STORAGE_KEY = 'nexus.lang';

function readStored(): Lang | null {
  try {
    const v = window.localStorage.getItem(STORAGE_KEY);
    return v === 'en' || v === 'ko' ? v : null;
  } catch {
    return null;
  }
}

/** The language a visitor gets before choosing one: Korean for any ko* browser language, else English. */
export function detectLanguage(languages: readonly string[] | undefined): Lang {
  for (const l of languages ?? []) {
    const tag = l.toLowerCase();
    if (tag === 'ko' || tag.startsWith('ko-')) return 'ko';
    if (tag === 'en' || tag.startsWith('en-')) return 'en';
  }
  return 'en';
}

function browserLanguages(): readonly string[] {
  if (typeof navigator === 'undefined') return [];
  if (navigator.languages && navigator.languages.length > 0) return navigator.languages;
  return navigator.language ? [navigator.language] : [];
}

export function initialLanguage(): Lang {
  return readStored() ?? detectLanguage(browserLanguages());
}

let current: Lang = initialLanguage();
const listeners = new Set<() => void>();

function applyToDocument(lang: Lang) {
  if (typeof document !== 'undefined') document.documentElement.lang = lang;
}
applyToDocument(current);

export function getLanguage(): Lang {
  return current;
}

/** Switches the UI language and remembers the choice. */
export function setLanguage(lang: Lang, persist = true): void {
  if (persist) {
    try {
      window.localStorage.setItem(STORAGE_KEY, lang);
    } catch {
      // Private mode or storage disabled: the choice lasts for this page only.
    }
  }
  if (lang === current) return;
  current = lang;
  applyToDocument(lang);
  listeners.forEach((l) => l());
}

/** For tests: forget the stored choice and re-detect. */
export function resetLanguageForTests(lang?: Lang): void {
  try {
    window.localStorage.removeItem(STORAGE_KEY);
  } catch {
    /* ignore */
  }
  current = lang ?? initialLanguage();
  applyToDocument(current);
  listeners.forEach((l) => l());
}

function subscribe(cb: () => void) {
  listeners.add(cb);
  return () => {
    listeners.delete(cb);
  };
}

const pluralRules = new Map<Lang, Intl.PluralRules>();
function pluralCategory(lang: Lang, n: number): 'one' | 'other' {
  let rules = pluralRules.get(lang);
  if (!rules) {
    rules = new Intl.PluralRules(lang);
    pluralRules.set(lang, rules);
  }
  return rules.select(n) === 'one' ? 'one' : 'other';
}

export type PluralBase = {
  [K in MessageKey]: K extends `${infer B}_one` ? B : never;
}[MessageKey];

export function translate(lang: Lang, key: MessageKey, params?: Params): string {
  const template = dictionaries[lang][key] ?? en[key];
  if (!params) return template;
  return template.replace(/\{(\w+)\}/g, (m, name: string) =>
    Object.prototype.hasOwnProperty.call(params, name) ? String(params[name]) : m,
  );
}

export function translatePlural(lang: Lang, base: PluralBase, count: number, params?: Params): string {
  const key = `${base}_${pluralCategory(lang, count)}` as MessageKey;
  return translate(lang, key, { count: count.toLocaleString(lang), ...params });
}

export interface Translator {
  lang: Lang;
  t: (key: MessageKey, params?: Params) => string;
  tp: (base: PluralBase, count: number, params?: Params) => string;
  setLanguage: (lang: Lang) => void;
}

/** The current language and translate functions; re-renders when the language changes. */
export function useI18n(): Translator {
  const lang = useSyncExternalStore(subscribe, getLanguage, getLanguage);
  const t = useCallback((key: MessageKey, params?: Params) => translate(lang, key, params), [lang]);
  const tp = useCallback(
    (base: PluralBase, count: number, params?: Params) => translatePlural(lang, base, count, params),
    [lang],
  );
  return { lang, t, tp, setLanguage };
}
