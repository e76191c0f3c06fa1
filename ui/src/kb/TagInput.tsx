import { useEffect, useId, useRef, useState, type KeyboardEvent } from 'react';
import { useI18n } from '../i18n';
import { useDebounced } from '../lib/usePaged';
import { CloseIcon } from '../components/Icons';
import type { Tag } from './api';

export const MAX_TAGS = 30;

/** How the server stores a tag: trimmed, no leading '#', single spaces, lower case (Hangul unchanged). */
export function normalizeTag(raw: string): string {
  return raw.trim().replace(/^#+/, '').replace(/\s+/g, ' ').toLowerCase().slice(0, 50);
}

/**
 * Tags as removable chips with a combobox to add more: suggestions from
 * existing tags (GET /tags?prefix=), Enter or comma adds, Backspace in an
 * empty box removes the last one.
 */
export function TagInput({
  label,
  value,
  onChange,
  suggest,
}: {
  label: string;
  value: string[];
  onChange: (tags: string[]) => void;
  suggest: (prefix: string) => Promise<Tag[]>;
}) {
  const { t } = useI18n();
  const id = useId();
  const [text, setText] = useState('');
  const [options, setOptions] = useState<Tag[]>([]);
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(-1);
  const input = useRef<HTMLInputElement>(null);
  const query = useDebounced(normalizeTag(text), 200);
  const [announce, setAnnounce] = useState('');

  useEffect(() => {
    if (!open) return;
    let live = true;
    suggest(query).then(
      (list) => {
        if (!live) return;
        setOptions(list.filter((o) => o.name && !value.includes(o.name)).slice(0, 8));
        setActive(-1);
      },
      () => live && setOptions([]),
    );
    return () => {
      live = false;
    };
  }, [query, open, value.join('\n')]);

  const add = (raw: string) => {
    const tag = normalizeTag(raw);
    setText('');
    setActive(-1);
    if (!tag || value.includes(tag) || value.length >= MAX_TAGS) return;
    onChange([...value, tag]);
    setAnnounce(t('kb.tags.added', { tag }));
  };

  const remove = (tag: string) => {
    onChange(value.filter((x) => x !== tag));
    setAnnounce(t('kb.tags.removed', { tag }));
    input.current?.focus();
  };

  const onKeyDown = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.nativeEvent.isComposing) return; // Korean IME: Enter confirms the syllable first
    if (e.key === 'ArrowDown' && options.length > 0) {
      e.preventDefault();
      setOpen(true);
      setActive((i) => (i + 1) % options.length);
    } else if (e.key === 'ArrowUp' && options.length > 0) {
      e.preventDefault();
      setActive((i) => (i <= 0 ? options.length - 1 : i - 1));
    } else if (e.key === 'Enter' || e.key === ',') {
      if (e.key === 'Enter' && !text.trim() && active < 0) return;
      e.preventDefault();
      const chosen = active >= 0 ? options[active] : undefined;
      add(chosen ? chosen.name : text);
    } else if (e.key === 'Escape' && open) {
      e.preventDefault();
      e.stopPropagation();
      setOpen(false);
    } else if (e.key === 'Backspace' && text === '' && value.length > 0) {
      e.preventDefault();
      remove(value[value.length - 1] as string);
    }
  };

  const listId = `${id}-list`;
  const showList = open && options.length > 0;
  return (
    <div className="field kb-tags">
      <label className="field__label" htmlFor={`${id}-input`}>
        {label}
      </label>
      <div className="kb-tags__box" onClick={() => input.current?.focus()}>
        <ul className="kb-tags__chips" aria-label={t('kb.tags.current')}>
          {value.map((tag) => (
            <li key={tag} className="kb-chip kb-chip--removable">
              <span>#{tag}</span>
              <button type="button" className="kb-chip__remove" aria-label={t('kb.tags.remove', { tag })} onClick={() => remove(tag)}>
                <CloseIcon width={12} height={12} />
              </button>
            </li>
          ))}
        </ul>
        <input
          id={`${id}-input`}
          ref={input}
          className="kb-tags__input"
          role="combobox"
          aria-autocomplete="list"
          aria-expanded={showList}
          aria-controls={listId}
          aria-activedescendant={showList && active >= 0 ? `${id}-opt-${active}` : undefined}
          aria-describedby={`${id}-hint`}
          autoComplete="off"
          value={text}
          placeholder={value.length === 0 ? t('kb.tags.placeholder') : ''}
          onChange={(e) => {
            setText(e.target.value.replace(/,/g, ''));
            setOpen(true);
          }}
          onFocus={() => setOpen(true)}
          onBlur={() => {
            setOpen(false);
            if (text.trim()) add(text);
          }}
          onKeyDown={onKeyDown}
          disabled={value.length >= MAX_TAGS}
        />
      </div>
      <p id={`${id}-hint`} className="visually-hidden">
        {t('kb.tags.hint')}
      </p>
      <ul id={listId} role="listbox" aria-label={t('kb.tags.suggestions')} className="kb-tags__list" hidden={!showList}>
        {options.map((o, i) => (
          <li
            key={o.name}
            id={`${id}-opt-${i}`}
            role="option"
            aria-selected={i === active}
            className={`kb-tags__option${i === active ? ' is-active' : ''}`}
            onMouseDown={(e) => {
              e.preventDefault();
              add(o.name);
            }}
          >
            <span>#{o.name}</span>
            {o.count ? <span className="kb-tags__count">{o.count}</span> : null}
          </li>
        ))}
      </ul>
      <span className="visually-hidden" role="status">
        {announce}
      </span>
    </div>
  );
}
