import '../chat/chat.css';
import { useCallback, useEffect, useId, useRef, useState, type RefObject } from 'react';
import { useAuth } from '../auth/AuthContext';
import { errorFrom, type FormError } from '../auth/formErrors';
import { Avatar } from '../components/Avatar';
import { ErrorAlert, Spinner } from '../components/Form';
import { getLanguage, translate, useI18n, type MessageKey } from '../i18n';
import { navigate } from '../router';
import { listNotifications, markNotificationsRead } from '../chat/api';
import { useChatFormat } from '../chat/format';
import { BellIcon } from '../chat/icons';
import { useChat, useChatStore } from '../chat/store';
import { readNotification, type Notification } from '../chat/types';
import { threadHref } from '../chat/links';
import { desktopEnabled } from './desktop';

/** Where a notification leads: the message (in its thread for replies), or the channel. */
export function notificationHref(n: Notification): string | null {
  if (!n.channel_id) return null;
  if (n.message_id && n.parent_id) return threadHref(n.channel_id, n.parent_id, n.message_id);
  const base = `/chat/c/${encodeURIComponent(n.channel_id)}`;
  return n.message_id ? `${base}?m=${encodeURIComponent(n.message_id)}` : base;
}

const KIND_KEYS: Record<string, MessageKey> = {
  mention: 'notifications.kind.mention',
  channel: 'notifications.kind.channel',
  here: 'notifications.kind.here',
  dm: 'notifications.kind.dm',
  reply: 'notifications.kind.reply',
};

/** "Minji mentioned you in #general", in the current language. */
export function notificationText(n: Notification, t: (k: MessageKey, p?: Record<string, string>) => string): string {
  const actor = n.actor?.name || t('chat.unknownUser');
  const where = n.channel_kind === 'dm' || !n.channel_name ? '' : `#${n.channel_name}`;
  const key = KIND_KEYS[n.kind] ?? 'notifications.kind.other';
  const text = t(key, { actor });
  return where && n.kind !== 'dm' ? t('notifications.where', { text, where }) : text;
}

/**
 * The header bell: the unread count as a badge, and the notification centre
 * (mentions, DMs, replies in followed threads) in a panel. Also raises
 * desktop notifications while the tab is in the background, if allowed.
 */
export function NotificationBell() {
  const { t } = useI18n();
  const chat = useChat();
  const store = useChatStore();
  const [open, setOpen] = useState(false);
  const buttonRef = useRef<HTMLButtonElement>(null);
  const panelId = useId();
  const count = chat.notificationsUnread;

  // Desktop notifications for what arrives while the tab is hidden.
  useEffect(
    () =>
      store.onNotification((e) => {
        const n = readNotification((e.data as { notification?: unknown } | undefined)?.notification ?? e.data);
        if (!n || !desktopEnabled() || typeof Notification === 'undefined' || Notification.permission !== 'granted') return;
        if (document.visibilityState !== 'hidden') return;
        const lang = getLanguage();
        const note = new Notification(notificationText(n, (k, p) => translate(lang, k, p)), { body: n.excerpt ?? '', tag: n.id });
        note.onclick = () => {
          window.focus();
          const href = notificationHref(n);
          if (href) navigate(href);
          note.close();
        };
      }),
    [store],
  );

  return (
    <div className="bell">
      <button
        ref={buttonRef}
        type="button"
        className="icon-button bell__button"
        aria-label={count > 0 ? t('notifications.buttonUnread', { count }) : t('notifications.button')}
        title={t('notifications.title')}
        aria-haspopup="dialog"
        aria-expanded={open}
        aria-controls={open ? panelId : undefined}
        onClick={() => setOpen((o) => !o)}
      >
        <BellIcon width={20} height={20} />
        {count > 0 ? (
          <span className="bell__badge" aria-hidden="true">
            {count > 99 ? '99+' : count}
          </span>
        ) : null}
      </button>
      {open ? (
        <NotificationPanel
          id={panelId}
          anchor={buttonRef}
          onClose={(returnFocus) => {
            setOpen(false);
            if (returnFocus) buttonRef.current?.focus();
          }}
        />
      ) : null}
    </div>
  );
}

function NotificationPanel({
  id,
  anchor,
  onClose,
}: {
  id: string;
  anchor: RefObject<HTMLButtonElement | null>;
  onClose: (returnFocus: boolean) => void;
}) {
  const { t } = useI18n();
  const { client } = useAuth();
  const chat = useChat();
  const store = useChatStore();
  const fmt = useChatFormat();
  const headingId = useId();
  const ref = useRef<HTMLDivElement>(null);
  const [unreadOnly, setUnreadOnly] = useState(false);
  const [items, setItems] = useState<Notification[] | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  const [error, setError] = useState<FormError | null>(null);

  const load = useCallback(() => {
    listNotifications(client, { unreadOnly, limit: 30 }).then(
      (page) => {
        setItems(page.items);
        setCursor(page.nextCursor);
        setError(null);
        if (page.unreadCount !== null) store.setNotificationsUnread(page.unreadCount);
      },
      (err: unknown) => setError(errorFrom(err)),
    );
  }, [client, unreadOnly, store]);

  useEffect(load, [load, chat.notificationsVersion]);

  useEffect(() => {
    ref.current?.querySelector<HTMLElement>('[data-autofocus]')?.focus();
    const onDown = (e: MouseEvent) => {
      if (ref.current?.contains(e.target as Node) || anchor.current?.contains(e.target as Node)) return;
      onClose(false);
    };
    document.addEventListener('mousedown', onDown);
    return () => document.removeEventListener('mousedown', onDown);
  }, [anchor, onClose]);

  const more = async () => {
    if (!cursor) return;
    setLoadingMore(true);
    try {
      const page = await listNotifications(client, { unreadOnly, cursor, limit: 30 });
      setItems((prev) => [...(prev ?? []), ...page.items.filter((n) => !prev?.some((p) => p.id === n.id))]);
      setCursor(page.nextCursor);
    } catch (err) {
      setError(errorFrom(err));
    } finally {
      setLoadingMore(false);
    }
  };

  const markAll = async () => {
    try {
      await markNotificationsRead(client, { all: true });
      const now = new Date().toISOString();
      setItems((prev) => (unreadOnly ? [] : (prev ?? []).map((n) => ({ ...n, read_at: n.read_at ?? now }))));
      store.setNotificationsUnread(0);
    } catch (err) {
      setError(errorFrom(err));
    }
  };

  const openItem = (n: Notification) => {
    if (!n.read_at) {
      const now = new Date().toISOString();
      setItems((prev) => (prev ?? []).map((x) => (x.id === n.id ? { ...x, read_at: now } : x)));
      store.setNotificationsUnread(chat.notificationsUnread - 1);
      void markNotificationsRead(client, { ids: [n.id] }).catch(() => undefined);
    }
    const href = notificationHref(n);
    onClose(false);
    if (href) navigate(href);
  };

  return (
    <div
      ref={ref}
      id={id}
      className="notif-panel"
      role="dialog"
      aria-labelledby={headingId}
      onKeyDown={(e) => {
        if (e.key === 'Escape') {
          e.preventDefault();
          e.stopPropagation();
          onClose(true);
        }
      }}
    >
      <div className="notif-panel__header">
        <h2 id={headingId} className="notif-panel__title">
          {t('notifications.title')}
        </h2>
        <button type="button" className="link-button" onClick={() => void markAll()} disabled={chat.notificationsUnread === 0}>
          {t('notifications.markAll')}
        </button>
      </div>
      <div className="segmented segmented--tabs notif-panel__filter" role="group" aria-label={t('notifications.filter')}>
        <button type="button" className="segmented__item" aria-pressed={!unreadOnly} onClick={() => setUnreadOnly(false)} data-autofocus>
          {t('notifications.all')}
        </button>
        <button type="button" className="segmented__item" aria-pressed={unreadOnly} onClick={() => setUnreadOnly(true)}>
          {t('notifications.unread')}
        </button>
      </div>
      <ErrorAlert error={error} />
      <div className="notif-panel__body">
        {items === null && !error ? (
          <div className="chat-pane__loading">
            <Spinner />
          </div>
        ) : items && items.length === 0 ? (
          <p className="notif-panel__empty">{unreadOnly ? t('notifications.emptyUnread') : t('notifications.empty')}</p>
        ) : (
          <ul className="notif-list" aria-label={t('notifications.title')}>
            {(items ?? []).map((n) => (
              <li key={n.id}>
                <button type="button" className={`notif${n.read_at ? '' : ' is-unread'}`} onClick={() => openItem(n)}>
                  <Avatar name={n.actor?.name || '?'} url={n.actor?.avatar_url} size="sm" />
                  <span className="notif__text">
                    <span className="notif__what">{notificationText(n, t)}</span>
                    {n.excerpt ? <span className="notif__excerpt">{n.excerpt}</span> : null}
                    <time className="notif__time" dateTime={n.created_at} title={fmt.full(n.created_at)}>
                      {fmt.short(n.created_at)}
                    </time>
                  </span>
                  {n.read_at ? null : (
                    <>
                      <span className="notif__dot" aria-hidden="true" />
                      <span className="visually-hidden">{t('notifications.unreadItem')}</span>
                    </>
                  )}
                </button>
              </li>
            ))}
          </ul>
        )}
        {cursor ? (
          <button type="button" className="button button--small notif-panel__more" onClick={() => void more()} aria-disabled={loadingMore || undefined}>
            {loadingMore ? <Spinner /> : null}
            {t('common.loadMore')}
          </button>
        ) : null}
      </div>
      <div className="notif-panel__footer">
        <a
          href="/account/notifications"
          className="small-link"
          onClick={(e) => {
            e.preventDefault();
            onClose(false);
            navigate('/account/notifications');
          }}
        >
          {t('notifications.settings')}
        </a>
      </div>
    </div>
  );
}
