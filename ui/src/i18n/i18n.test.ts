import { describe, expect, it } from 'vitest';
import { chatEn } from './chat.en';
import { chatKo } from './chat.ko';
import { en } from './en';
import { kbEn } from './kb.en';
import { kbKo } from './kb.ko';
import { ko } from './ko';
import { detectLanguage, dictionaries, translate, translatePlural } from './index';

const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

type Dict = Record<string, string>;

/** Every dictionary pair, with the keys allowed to read the same in both languages. */
const AREAS: { name: string; en: Dict; ko: Dict; same: string[] }[] = [
  { name: 'core', en, ko, same: ['app.name', 'app.titleFormat', 'language.en', 'language.ko'] },
  { name: 'kb', en: kbEn, ko: kbKo, same: [] },
  { name: 'chat', en: chatEn, ko: chatKo, same: [] },
];

describe.each(AREAS)('dictionaries: $name', ({ en, ko, same: allowedSame }) => {
  it('English and Korean have exactly the same keys', () => {
    const enKeys = Object.keys(en).sort();
    const koKeys = Object.keys(ko).sort();
    expect(koKeys.filter((k) => !enKeys.includes(k))).toEqual([]);
    expect(enKeys.filter((k) => !koKeys.includes(k))).toEqual([]);
    expect(koKeys).toEqual(enKeys);
  });

  it('has no empty values', () => {
    for (const [lang, dict] of Object.entries({ en, ko })) {
      for (const [key, value] of Object.entries(dict)) {
        expect(typeof value, `${lang}:${key}`).toBe('string');
        expect(value.trim(), `${lang}:${key} is empty`).not.toBe('');
      }
    }
  });

  it('uses the same placeholders in both languages', () => {
    for (const key of Object.keys(en)) {
      expect(placeholders(ko[key] ?? ''), key).toEqual(placeholders(en[key] ?? ''));
    }
  });

  it('has Korean text for every key that is not a product name or language name', () => {
    const same = Object.keys(en).filter((k) => ko[k] === en[k]);
    expect(same.sort()).toEqual(allowedSame.filter((k) => k in en).sort());
  });
});

describe('merged dictionaries', () => {
  it('no area redefines another area’s key', () => {
    const seen = new Map<string, string>();
    for (const area of AREAS) {
      for (const key of Object.keys(area.en)) {
        expect(seen.get(key), `${area.name}:${key}`).toBeUndefined();
        seen.set(key, area.name);
      }
    }
    expect(Object.keys(dictionaries.en).length).toBe(seen.size);
    expect(Object.keys(dictionaries.ko).sort()).toEqual(Object.keys(dictionaries.en).sort());
  });
});

describe('translate', () => {
  it('fills placeholders', () => {
    expect(translate('en', 'home.greeting.morning', { name: 'Kim Minji' })).toBe('Good morning, Kim Minji');
    expect(translate('ko', 'home.greeting.morning', { name: '김민지' })).toBe('좋은 아침이에요, 김민지님');
  });

  it('picks English plural forms and one Korean form', () => {
    expect(translatePlural('en', 'errors.rateLimited', 1)).toBe('Too many attempts. Try again in 1 second.');
    expect(translatePlural('en', 'errors.rateLimited', 30)).toBe('Too many attempts. Try again in 30 seconds.');
    expect(translatePlural('ko', 'errors.rateLimited', 30)).toBe('시도 횟수가 너무 많아요. 30초 후에 다시 시도해 주세요.');
  });
});

describe('detectLanguage', () => {
  it.each([
    [['ko-KR', 'en-US'], 'ko'],
    [['ko'], 'ko'],
    [['en-US', 'ko-KR'], 'en'],
    [['fr-FR', 'ko'], 'ko'],
    [['ja-JP'], 'en'],
    [[], 'en'],
  ] as const)('%j → %s', (langs, want) => {
    expect(detectLanguage(langs)).toBe(want);
  });
});
