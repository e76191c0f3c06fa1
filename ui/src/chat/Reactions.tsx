import { useEffect, useId, useLayoutEffect, useRef, useState, type KeyboardEvent } from 'react';
import { createPortal } from 'react-dom';
import { useAuth } from '../auth/AuthContext';
import { useI18n, type MessageKey } from '../i18n';
import { listReactions } from './api';
import { EMOJI, QUICK, emojiId } from './emoji';
import { SmileIcon } from './icons';
import { reactorNames } from './reactions';
import type { Message, UserRef } from './types';

const COLUMNS = 8;

/** The name of an emoji for screen readers ("thumbs up"), or the character itself. */
export function useEmojiName(): (char: string) => string {
  const { t } = useI18n();
  return (char) => {
    const id = emojiId(char);
    return id ? t(`chat.emoji.${id}` as MessageKey) : char;
  };
}

/**
 * A small emoji grid in a popover: arrows move (8 per row), Enter picks,
 * Escape closes and gives focus back to the button that opened it.
 */
export function EmojiPicker({
  anchor,
  onPick,
  onClose,
}: {
  anchor: HTMLElement;
  onPick: (char: string) => void;
  onClose: () => void;
}) {
  const { t } = useI18n();
  const name = useEmojiName();
  const ref = useRef<HTMLDivElement>(null);
  const [focus, setFocus] = useState(0);
  const [pos, setPos] = useState<{ top?: number; bottom?: number; left: number }>({ left: 0 });
  const id = useId();

  useLayoutEffect(() => {
    const r = anchor.getBoundingClientRect();
    const width = Math.min(COLUMNS * 38 + 18, window.innerWidth - 16);
    const left = Math.max(8, Math.min(r.right - width, window.innerWidth - width - 8));
    const up = r.top > window.innerHeight / 2;
    setPos(up ? { bottom: window.innerHeight - r.top + 6, left } : { top: r.bottom + 6, left });
  }, [anchor]);

  useEffect(() => {
    ref.current?.querySelector<HTMLElement>('[data-index="0"]')?.focus();
    const onDown = (e: MouseEvent) => {
      if (ref.current?.contains(e.target as Node) || anchor.contains(e.target as Node)) return;
      onClose();
    };
    document.addEventListener('mousedown', onDown);
    return () => document.removeEventListener('mousedown', onDown);
  }, [anchor, onClose]);

  const move = (i: number) => {
    const n = EMOJI.length;
    const next = (i + n) % n;
    setFocus(next);
    ref.current?.querySelector<HTMLElement>(`[data-index="${next}"]`)?.focus();
  };

  const onKeyDown = (e: KeyboardEvent) => {
    switch (e.key) {
      case 'ArrowRight':
        e.preventDefault();
        move(focus + 1);
        break;
      case 'ArrowLeft':
        e.preventDefault();
        move(focus - 1);
        break;
      case 'ArrowDown':
        e.preventDefault();
        move(Math.min(EMOJI.length - 1, focus + COLUMNS));
        break;
      case 'ArrowUp':
        e.preventDefault();
        move(Math.max(0, focus - COLUMNS));
        break;
      case 'Home':
        e.preventDefault();
        move(0);
        break;
      case 'End':
        e.preventDefault();
        move(EMOJI.length - 1);
        break;
      case 'Escape':
        e.preventDefault();
        e.stopPropagation();
        onClose();
        anchor.focus();
        break;
      case 'Tab':
        onClose();
        break;
    }
  };

  const cell = (i: number) => {
    const e = EMOJI[i]!;
    return (
      <button
        key={e.id}
        type="button"
        className="emoji-picker__item"
        data-index={i}
        tabIndex={i === focus ? 0 : -1}
        aria-label={name(e.char)}
        title={name(e.char)}
        onClick={() => {
          onPick(e.char);
          onClose();
          anchor.focus();
        }}
      >
        {e.char}
      </button>
    );
  };

  return createPortal(
    <div
      ref={ref}
      className="emoji-picker"
      role="dialog"
      aria-label={t('chat.reactions.pickerTitle')}
      style={{ top: pos.top, bottom: pos.bottom, left: pos.left }}
      onKeyDown={onKeyDown}
    >
      <p className="emoji-picker__label" id={`${id}-quick`}>
        {t('chat.reactions.frequent')}
      </p>
      <div className="emoji-picker__grid" role="group" aria-labelledby={`${id}-quick`}>
        {EMOJI.slice(0, QUICK).map((_, i) => cell(i))}
      </div>
      <p className="emoji-picker__label" id={`${id}-all`}>
        {t('chat.reactions.all')}
      </p>
      <div className="emoji-picker__grid" role="group" aria-labelledby={`${id}-all`}>
        {EMOJI.slice(QUICK).map((_, i) => cell(i + QUICK))}
      </div>
    </div>,
    document.body,
  );
}

/** The "add reaction" button and its picker. */
export function AddReactionButton({
  onPick,
  className = 'icon-button',
  label,
}: {
  onPick: (char: string) => void;
  className?: string;
  label?: string;
}) {
  const { t } = useI18n();
  const [open, setOpen] = useState(false);
  const ref = useRef<HTMLButtonElement>(null);
  const text = label ?? t('chat.reactions.add');
  return (
    <>
      <button
        ref={ref}
        type="button"
        className={className}
        aria-label={text}
        title={text}
        aria-haspopup="dialog"
        aria-expanded={open}
        onClick={() => setOpen((o) => !o)}
      >
        <SmileIcon width={18} height={18} />
      </button>
      {open && ref.current ? <EmojiPicker anchor={ref.current} onPick={onPick} onClose={() => setOpen(false)} /> : null}
    </>
  );
}

/**
 * The reactions under a message: one toggle per emoji with its count; hover
 * or focus tells who reacted (asked from the server when the message does not say).
 */
export function ReactionBar({
  message,
  onToggle,
  readOnly,
}: {
  message: Message;
  onToggle: (emoji: string) => void;
  readOnly: boolean;
}) {
  const { t, tp, lang } = useI18n();
  const { client, user } = useAuth();
  const name = useEmojiName();
  const [who, setWho] = useState<Record<string, UserRef[]> | null>(null);
  const asked = useRef(false);
  const myId = user?.id ?? '';
  const tipBase = useId();

  // A change to the reactions makes the fetched names stale.
  const signature = message.reactions.map((r) => `${r.emoji}:${r.count}`).join(',');
  useEffect(() => {
    asked.current = false;
    setWho(null);
  }, [signature]);

  if (message.reactions.length === 0) return null;

  const loadWho = () => {
    if (asked.current || message.reactions.every((r) => r.users)) return;
    asked.current = true;
    listReactions(client, message.id).then(
      (list) => setWho(Object.fromEntries(list.map((x) => [x.emoji, x.users]))),
      () => undefined,
    );
  };

  const list = new Intl.ListFormat(lang, { style: 'long', type: 'conjunction' });

  return (
    <div className="reactions" role="group" aria-label={t('chat.reactions.label')}>
      {message.reactions.map((r, i) => {
        const users = r.users ?? who?.[r.emoji];
        const emojiName = name(r.emoji);
        let tip: string;
        if (users && users.length > 0) {
          const { names, others } = reactorNames(users, myId, t('chat.reactions.you'));
          const all = others > 0 ? [...names, tp('chat.reactions.others', others)] : names;
          tip = t('chat.reactions.who', { names: list.format(all), emoji: emojiName });
        } else {
          tip = tp('chat.reactions.count', r.count, { emoji: emojiName });
        }
        const tipId = `${tipBase}-${i}`;
        return (
          <span key={r.emoji} className="reaction-wrap">
            <button
              type="button"
              className={`reaction${r.me ? ' is-mine' : ''}`}
              aria-pressed={r.me}
              aria-label={t('chat.reactions.toggle', { emoji: emojiName, count: r.count })}
              aria-describedby={tipId}
              disabled={readOnly}
              onMouseEnter={loadWho}
              onFocus={loadWho}
              onClick={() => onToggle(r.emoji)}
            >
              <span className="reaction__emoji" aria-hidden="true">
                {r.emoji}
              </span>
              <span className="reaction__count" aria-hidden="true">
                {r.count}
              </span>
            </button>
            <span role="tooltip" id={tipId} className="reaction__tip">
              {tip}
            </span>
          </span>
        );
      })}
      {readOnly ? null : <AddReactionButton className="reaction reaction--add" onPick={(e) => onToggle(e)} />}
    </div>
  );
}
