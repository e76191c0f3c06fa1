import {
  forwardRef,
  useCallback,
  useEffect,
  useId,
  useImperativeHandle,
  useLayoutEffect,
  useRef,
  useState,
  type ChangeEvent,
  type ClipboardEvent,
  type KeyboardEvent,
} from 'react';
import { errorFrom, type FormError } from '../auth/formErrors';
import { Avatar } from '../components/Avatar';
import { ErrorAlert, Spinner, useErrorText } from '../components/Form';
import { CloseIcon } from '../components/Icons';
import { useI18n } from '../i18n';
import { formatBytes } from './format';
import { PaperclipIcon, SendIcon } from './icons';
import { applyMention, matchingSpecials, mentionAt, type MentionQuery } from './mentions';
import { mentionHandle, type Attachment, type UserRef } from './types';

/** Longest message the server accepts, in characters. */
export const MAX_BODY = 16_000;

// Unsent text per conversation, kept while the tab lives (switching channels keeps drafts).
const drafts = new Map<string, string>();

interface PendingFile {
  localId: number;
  name: string;
  size: number;
  status: 'uploading' | 'done' | 'error';
  attachment?: Attachment;
  error?: FormError;
}

type Suggestion = { kind: 'user'; user: UserRef } | { kind: 'special'; name: 'channel' | 'here' };

export interface ComposerHandle {
  focus: () => void;
  addFiles: (files: File[]) => void;
}

export interface ComposerProps {
  /** Keeps the draft (a channel id, or channel/root for a thread). */
  draftKey: string;
  label: string;
  placeholder: string;
  disabled?: boolean;
  /** Posts the message; throwing keeps the text so nothing is lost. */
  onSend: (body: string, attachmentIds: string[]) => Promise<void>;
  /** Up in an empty box: edit my last message. Returns whether an edit started. */
  onEditLast?: () => boolean;
  onTyping?: () => void;
  /** Uploads a file as a draft attachment; without it, attaching is not offered. */
  upload?: (file: File) => Promise<Attachment>;
  /** Called for files removed before sending (deletes the draft upload). */
  discard?: (attachment: Attachment) => void;
  searchPeople?: (q: string) => Promise<UserRef[]>;
  /** Offer @channel and @here (not in DMs). */
  allowSpecialMentions?: boolean;
  autoFocus?: boolean;
}

/**
 * The message box: Enter sends, Shift+Enter starts a new line (Enter while a
 * Korean/Japanese/Chinese input method is composing only commits the
 * syllable), Up in an empty box edits your last message, @ suggests people,
 * files can be attached, pasted or dropped.
 */
export const Composer = forwardRef<ComposerHandle, ComposerProps>(function Composer(
  {
    draftKey,
    label,
    placeholder,
    disabled = false,
    onSend,
    onEditLast,
    onTyping,
    upload,
    discard,
    searchPeople,
    allowSpecialMentions = true,
    autoFocus = false,
  },
  ref,
) {
  const { t } = useI18n();
  const errText = useErrorText();
  const id = useId();
  const inputRef = useRef<HTMLTextAreaElement>(null);
  const fileRef = useRef<HTMLInputElement>(null);
  const [text, setText] = useState(() => drafts.get(draftKey) ?? '');
  const [files, setFiles] = useState<PendingFile[]>([]);
  const [error, setError] = useState<FormError | null>(null);
  const [mention, setMention] = useState<MentionQuery | null>(null);
  const [suggestions, setSuggestions] = useState<Suggestion[]>([]);
  const [active, setActive] = useState(0);
  const nextLocalId = useRef(1);
  const textRef = useRef(text);
  textRef.current = text;

  // Switching conversations: keep this draft, load the other one.
  const keyRef = useRef(draftKey);
  useEffect(() => {
    if (keyRef.current === draftKey) return;
    drafts.set(keyRef.current, textRef.current);
    keyRef.current = draftKey;
    setText(drafts.get(draftKey) ?? '');
    setFiles([]);
    setError(null);
    setMention(null);
  }, [draftKey]);
  useEffect(
    () => () => {
      drafts.set(keyRef.current, textRef.current);
    },
    [],
  );

  // Grow with the text, up to a limit (then it scrolls).
  useLayoutEffect(() => {
    const el = inputRef.current;
    if (!el) return;
    el.style.height = 'auto';
    el.style.height = `${Math.min(el.scrollHeight, 240)}px`;
  }, [text]);

  // Opening a conversation puts the cursor in its box, as chat apps do. It
  // waits a frame: the frame first moves focus to the page heading after
  // navigation, and the box (labelled with the channel) comes after that.
  useEffect(() => {
    if (!autoFocus) return;
    const frame = requestAnimationFrame(() => {
      const active = document.activeElement;
      const idle = !active || active === document.body || active.tagName === 'H1' || active.id === 'main';
      if (idle) inputRef.current?.focus({ preventScroll: true });
    });
    return () => cancelAnimationFrame(frame);
  }, [autoFocus, draftKey]);

  // Suggestions for the mention being typed.
  useEffect(() => {
    if (!mention) {
      setSuggestions([]);
      return;
    }
    let live = true;
    const specials: Suggestion[] = allowSpecialMentions
      ? matchingSpecials(mention.query).map((name) => ({ kind: 'special', name }))
      : [];
    setSuggestions((prev) => (prev.length === 0 ? specials : prev));
    const timer = setTimeout(() => {
      if (!searchPeople) {
        setSuggestions(specials);
        return;
      }
      searchPeople(mention.query).then(
        (people) => {
          if (!live) return;
          const users: Suggestion[] = people.slice(0, 8).map((user) => ({ kind: 'user', user }));
          setSuggestions([...users, ...specials]);
          setActive(0);
        },
        () => {
          if (live) setSuggestions(specials);
        },
      );
    }, 120);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [mention, searchPeople, allowSpecialMentions]);

  const open = mention !== null && suggestions.length > 0;

  const addFiles = useCallback(
    (list: File[]) => {
      if (!upload || list.length === 0 || disabled) return;
      for (const file of list) {
        const localId = nextLocalId.current++;
        setFiles((fs) => [...fs, { localId, name: file.name, size: file.size, status: 'uploading' }]);
        upload(file).then(
          (attachment) =>
            setFiles((fs) => {
              if (!fs.some((f) => f.localId === localId)) {
                // Removed while uploading.
                discard?.(attachment);
                return fs;
              }
              return fs.map((f) => (f.localId === localId ? { ...f, status: 'done', attachment } : f));
            }),
          (err: unknown) =>
            setFiles((fs) =>
              fs.map((f) =>
                f.localId === localId
                  ? {
                      ...f,
                      status: 'error',
                      error: errorFrom(err, {
                        'status:413': 'chat.composer.fileTooLarge',
                        too_large: 'chat.composer.fileTooLarge',
                        'status:415': 'chat.composer.fileType',
                        unsupported_type: 'chat.composer.fileType',
                      }),
                    }
                  : f,
              ),
            ),
        );
      }
    },
    [upload, discard, disabled],
  );

  useImperativeHandle(ref, () => ({ focus: () => inputRef.current?.focus(), addFiles }), [addFiles]);

  const updateMention = (value: string, caret: number) => {
    const q = mentionAt(value, caret);
    setMention((prev) => (prev?.start === q?.start && prev?.query === q?.query ? prev : q));
    if (!q) setActive(0);
  };

  const onChange = (e: ChangeEvent<HTMLTextAreaElement>) => {
    const value = e.target.value;
    setText(value);
    setError(null);
    updateMention(value, e.target.selectionStart ?? value.length);
    if (value.trim()) onTyping?.();
  };

  const choose = (s: Suggestion) => {
    const el = inputRef.current;
    if (!el || !mention) return;
    const handle = s.kind === 'special' ? s.name : mentionHandle(s.user);
    const caret = el.selectionStart ?? text.length;
    const next = applyMention(text, mention, caret, handle);
    setText(next.text);
    setMention(null);
    requestAnimationFrame(() => {
      el.focus();
      el.setSelectionRange(next.caret, next.caret);
    });
  };

  const uploading = files.some((f) => f.status === 'uploading');
  const ready = files.filter((f) => f.status === 'done' && f.attachment);
  const tooLong = Array.from(text).length > MAX_BODY;
  const canSend = !disabled && !uploading && !tooLong && (text.trim() !== '' || ready.length > 0);

  const send = async () => {
    if (!canSend) {
      if (tooLong) setError({ kind: 'message', key: 'chat.composer.tooLong' });
      return;
    }
    const body = text.trim();
    const sent = ready;
    // Clear at once, so fast typists can go on; put it back if posting fails.
    setText('');
    drafts.delete(draftKey);
    setFiles((fs) => fs.filter((f) => !sent.includes(f)));
    setMention(null);
    setError(null);
    try {
      await onSend(body, sent.map((f) => f.attachment!.id));
    } catch (err) {
      setText((cur) => (cur === '' ? body : cur));
      setFiles((fs) => [...sent, ...fs]);
      setError(errorFrom(err, { archived: 'chat.errors.archived', not_member: 'chat.errors.notMember' }));
    }
  };

  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    // Enter while an input method is composing (Korean!) only commits the syllable.
    if (e.nativeEvent.isComposing || e.keyCode === 229) return;
    if (open) {
      if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
        e.preventDefault();
        const d = e.key === 'ArrowDown' ? 1 : -1;
        setActive((i) => (i + d + suggestions.length) % suggestions.length);
        return;
      }
      if (e.key === 'Enter' || e.key === 'Tab') {
        e.preventDefault();
        const s = suggestions[active];
        if (s) choose(s);
        return;
      }
      if (e.key === 'Escape') {
        e.preventDefault();
        e.stopPropagation();
        setMention(null);
        return;
      }
    }
    if (e.key === 'Enter' && !e.shiftKey && !e.altKey) {
      e.preventDefault();
      void send();
      return;
    }
    if (e.key === 'ArrowUp' && text === '' && files.length === 0 && onEditLast) {
      if (onEditLast()) e.preventDefault();
    }
  };

  const onPaste = (e: ClipboardEvent<HTMLTextAreaElement>) => {
    const pasted = Array.from(e.clipboardData?.files ?? []);
    if (pasted.length > 0 && upload) {
      e.preventDefault();
      addFiles(pasted);
    }
  };

  const removeFile = (f: PendingFile) => {
    setFiles((fs) => fs.filter((x) => x.localId !== f.localId));
    if (f.attachment) discard?.(f.attachment);
    inputRef.current?.focus();
  };

  const listId = `${id}-mentions`;
  const optionId = (i: number) => `${id}-opt-${i}`;
  const hintId = `${id}-hint`;

  return (
    <div className={`composer${disabled ? ' is-disabled' : ''}`}>
      {open ? (
        <ul id={listId} role="listbox" className="composer__suggest" aria-label={t('chat.composer.suggestions')}>
          {suggestions.map((s, i) => (
            <li
              key={s.kind === 'user' ? s.user.id : s.name}
              id={optionId(i)}
              role="option"
              aria-selected={i === active}
              className={`composer__option${i === active ? ' is-active' : ''}`}
              onMouseDown={(e) => {
                e.preventDefault();
                choose(s);
              }}
              onMouseEnter={() => setActive(i)}
            >
              {s.kind === 'user' ? (
                <>
                  <Avatar name={s.user.name} url={s.user.avatar_url} size="sm" />
                  <span className="composer__option-name">{s.user.name}</span>
                  <span className="composer__option-handle">@{mentionHandle(s.user)}</span>
                </>
              ) : (
                <>
                  <span className="composer__option-at" aria-hidden="true">
                    @
                  </span>
                  <span className="composer__option-name">@{s.name}</span>
                  <span className="composer__option-handle">
                    {s.name === 'channel' ? t('chat.composer.mentionChannel') : t('chat.composer.mentionHere')}
                  </span>
                </>
              )}
            </li>
          ))}
        </ul>
      ) : null}
      <div className="composer__box">
        <textarea
          ref={inputRef}
          className="composer__input"
          rows={1}
          value={text}
          placeholder={placeholder}
          aria-label={label}
          aria-describedby={hintId}
          aria-autocomplete="list"
          aria-controls={open ? listId : undefined}
          aria-activedescendant={open ? optionId(active) : undefined}
          disabled={disabled}
          enterKeyHint="send"
          onChange={onChange}
          onKeyDown={onKeyDown}
          onPaste={onPaste}
          onSelect={(e) => updateMention(e.currentTarget.value, e.currentTarget.selectionStart ?? 0)}
          onBlur={() => setTimeout(() => setMention(null), 150)}
        />
        {files.length > 0 ? (
          <ul className="composer__files" aria-label={t('chat.composer.attachments')}>
            {files.map((f) => (
              <li key={f.localId} className={`file-chip file-chip--${f.status}`}>
                {f.status === 'uploading' ? <Spinner /> : null}
                <span className="file-chip__name">{f.name}</span>
                <span className="file-chip__meta">
                  {f.status === 'uploading'
                    ? t('chat.composer.uploading')
                    : f.status === 'error'
                      ? t('chat.composer.uploadFailed')
                      : formatBytes(f.size)}
                </span>
                <button
                  type="button"
                  className="file-chip__remove"
                  aria-label={t('chat.composer.removeFile', { name: f.name })}
                  title={t('chat.composer.removeFile', { name: f.name })}
                  onClick={() => removeFile(f)}
                >
                  <CloseIcon width={14} height={14} />
                </button>
              </li>
            ))}
          </ul>
        ) : null}
        <div className="composer__bar">
          {upload ? (
            <>
              <input
                ref={fileRef}
                type="file"
                multiple
                className="visually-hidden"
                tabIndex={-1}
                aria-hidden="true"
                onChange={(e) => {
                  addFiles(Array.from(e.target.files ?? []));
                  e.target.value = '';
                }}
              />
              <button
                type="button"
                className="icon-button composer__attach"
                aria-label={t('chat.composer.attach')}
                title={t('chat.composer.attach')}
                disabled={disabled}
                onClick={() => fileRef.current?.click()}
              >
                <PaperclipIcon width={18} height={18} />
              </button>
            </>
          ) : null}
          <span id={hintId} className="composer__hint">
            {t('chat.composer.hint')}
          </span>
          <button
            type="button"
            className="composer__send"
            aria-label={uploading ? t('chat.composer.waitUpload') : t('chat.composer.send')}
            title={t('chat.composer.send')}
            aria-disabled={!canSend || undefined}
            disabled={disabled}
            onClick={() => void send()}
          >
            <SendIcon width={18} height={18} />
          </button>
        </div>
      </div>
      {files.some((f) => f.status === 'error') ? (
        <p className="composer__error" role="alert">
          {files
            .filter((f) => f.error)
            .map((f) => `${f.name}: ${errText(f.error!)}`)
            .join(' ')}
        </p>
      ) : null}
      <ErrorAlert error={error} />
    </div>
  );
});

/** A box for editing a message in place: Enter saves, Shift+Enter new line, Escape cancels. */
export function MessageEditor({
  initial,
  label,
  onSave,
  onCancel,
}: {
  initial: string;
  label: string;
  onSave: (body: string) => Promise<void>;
  onCancel: () => void;
}) {
  const { t } = useI18n();
  const [text, setText] = useState(initial);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<FormError | null>(null);
  const ref = useRef<HTMLTextAreaElement>(null);

  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    el.focus();
    el.setSelectionRange(el.value.length, el.value.length);
  }, []);

  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    el.style.height = 'auto';
    el.style.height = `${Math.min(el.scrollHeight, 320)}px`;
  }, [text]);

  const save = async () => {
    const body = text.trim();
    if (busy) return;
    if (body === initial.trim()) {
      onCancel();
      return;
    }
    if (!body) {
      setError({ kind: 'message', key: 'chat.edit.empty' });
      return;
    }
    if (Array.from(body).length > MAX_BODY) {
      setError({ kind: 'message', key: 'chat.composer.tooLong' });
      return;
    }
    setBusy(true);
    try {
      await onSave(body);
    } catch (err) {
      setError(errorFrom(err));
      setBusy(false);
    }
  };

  return (
    <div className="msg-edit">
      <textarea
        ref={ref}
        className="composer__input msg-edit__input"
        aria-label={label}
        value={text}
        onChange={(e) => {
          setText(e.target.value);
          setError(null);
        }}
        onKeyDown={(e) => {
          if (e.nativeEvent.isComposing || e.keyCode === 229) return;
          if (e.key === 'Escape') {
            e.preventDefault();
            e.stopPropagation();
            onCancel();
          } else if (e.key === 'Enter' && !e.shiftKey) {
            e.preventDefault();
            void save();
          }
        }}
      />
      <ErrorAlert error={error} />
      <div className="msg-edit__bar">
        <span className="composer__hint">{t('chat.edit.hint')}</span>
        <button type="button" className="button button--small" onClick={onCancel}>
          {t('common.cancel')}
        </button>
        <button type="button" className="button button--small button--primary" aria-disabled={busy || undefined} onClick={() => void save()}>
          {busy ? <Spinner /> : null}
          {t('common.save')}
        </button>
      </div>
    </div>
  );
}
