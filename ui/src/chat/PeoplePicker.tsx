import { useEffect, useId, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import { useAuth } from '../auth/AuthContext';
import { errorFrom, type FormError } from '../auth/formErrors';
import { Avatar } from '../components/Avatar';
import { ErrorAlert, SubmitButton } from '../components/Form';
import { CheckIcon, CloseIcon, SearchIcon } from '../components/Icons';
import { useI18n } from '../i18n';
import { useDebounced } from '../lib/usePaged';
import { searchPeople } from './api';
import { PresenceDot } from './Presence';
import { useChat } from './store';
import type { UserRef } from './types';

/**
 * Search people and pick several (chips), then submit: new DMs (up to 7
 * others) and adding channel members. Arrow keys move through the results,
 * Enter picks, Backspace in an empty search removes the last chip.
 */
export function PeoplePicker({
  label,
  submitLabel,
  exclude = [],
  max,
  onSubmit,
  onCancel,
  autoFocus = true,
}: {
  label: string;
  submitLabel: string;
  exclude?: string[];
  max: number;
  onSubmit: (people: UserRef[]) => Promise<void>;
  onCancel?: () => void;
  autoFocus?: boolean;
}) {
  const { t } = useI18n();
  const { client, user } = useAuth();
  const chat = useChat();
  const id = useId();
  const [q, setQ] = useState('');
  const query = useDebounced(q, 150);
  const [results, setResults] = useState<UserRef[] | null>(null);
  const [picked, setPicked] = useState<UserRef[]>([]);
  const [active, setActive] = useState(0);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<FormError | null>(null);
  const inputRef = useRef<HTMLInputElement>(null);

  useEffect(() => {
    let live = true;
    searchPeople(client, query.trim()).then(
      (list) => {
        if (!live) return;
        setResults(list.filter((u) => u.id !== user?.id && !exclude.includes(u.id)));
        setActive(0);
      },
      (err: unknown) => {
        if (live) setError(errorFrom(err));
      },
    );
    return () => {
      live = false;
    };
    // exclude is a fresh array each render; its content only matters when the query changes.
  }, [client, query, user?.id]);

  useEffect(() => {
    if (autoFocus) inputRef.current?.focus();
  }, [autoFocus]);

  const full = picked.length >= max;
  const toggle = (u: UserRef) => {
    setPicked((p) => (p.some((x) => x.id === u.id) ? p.filter((x) => x.id !== u.id) : p.length >= max ? p : [...p, u]));
    setQ('');
    inputRef.current?.focus();
  };

  const onKeyDown = (e: KeyboardEvent<HTMLInputElement>) => {
    const list = results ?? [];
    if (e.key === 'ArrowDown' && list.length) {
      e.preventDefault();
      setActive((i) => (i + 1) % list.length);
    } else if (e.key === 'ArrowUp' && list.length) {
      e.preventDefault();
      setActive((i) => (i - 1 + list.length) % list.length);
    } else if (e.key === 'Enter' && q.trim() && list[active]) {
      e.preventDefault();
      toggle(list[active]!);
    } else if (e.key === 'Backspace' && q === '' && picked.length) {
      setPicked((p) => p.slice(0, -1));
    }
  };

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (busy || picked.length === 0) return;
    setBusy(true);
    setError(null);
    try {
      await onSubmit(picked);
    } catch (err) {
      setError(errorFrom(err));
      setBusy(false);
    }
  }

  const listId = `${id}-results`;
  return (
    <form className="people-picker" onSubmit={submit} noValidate aria-busy={busy}>
      <ErrorAlert error={error} />
      <label className="field__label" htmlFor={`${id}-q`}>
        {label}
      </label>
      <div className="people-picker__box">
        {picked.map((u) => (
          <span key={u.id} className="person-chip">
            <Avatar name={u.name} url={u.avatar_url} size="sm" />
            <span>{u.name}</span>
            <button type="button" aria-label={t('chat.people.remove', { name: u.name })} onClick={() => toggle(u)}>
              <CloseIcon width={12} height={12} />
            </button>
          </span>
        ))}
        <span className="people-picker__search">
          <SearchIcon width={16} height={16} />
          <input
            ref={inputRef}
            id={`${id}-q`}
            className="people-picker__input"
            value={q}
            placeholder={full ? t('chat.people.full', { count: max }) : t('chat.people.search')}
            autoComplete="off"
            role="combobox"
            aria-expanded={!!results?.length}
            aria-controls={listId}
            aria-activedescendant={results?.length ? `${id}-opt-${active}` : undefined}
            aria-autocomplete="list"
            onChange={(e) => setQ(e.target.value)}
            onKeyDown={onKeyDown}
          />
        </span>
      </div>
      <ul id={listId} role="listbox" aria-multiselectable="true" aria-label={t('chat.people.results')} className="picker__results people-picker__results">
        {results === null ? null : results.length === 0 ? (
          <li className="picker__none" role="presentation">
            {t('chat.people.none')}
          </li>
        ) : (
          results.map((u, i) => {
            const on = picked.some((x) => x.id === u.id);
            return (
              <li
                key={u.id}
                id={`${id}-opt-${i}`}
                role="option"
                aria-selected={on}
                aria-disabled={!on && full ? true : undefined}
                className={`picker__item people-picker__item${i === active ? ' is-active' : ''}`}
                onMouseDown={(e) => e.preventDefault()}
                onClick={() => toggle(u)}
              >
                <span className="member__avatar">
                  <Avatar name={u.name} url={u.avatar_url} size="sm" />
                  <PresenceDot status={chat.presence[u.id]} className="presence--on-avatar" />
                </span>
                <span className="person__text">
                  <span className="person__name">{u.name}</span>
                  {u.handle || u.email ? <span className="person__sub">@{u.handle ?? u.email}</span> : null}
                </span>
                {on ? <CheckIcon width={16} height={16} /> : null}
              </li>
            );
          })
        )}
      </ul>
      <div className="dialog__actions">
        {onCancel ? (
          <button type="button" className="button" onClick={onCancel}>
            {t('common.cancel')}
          </button>
        ) : null}
        <SubmitButton busy={busy} disabled={picked.length === 0}>
          {submitLabel}
        </SubmitButton>
      </div>
    </form>
  );
}
