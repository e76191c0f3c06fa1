import { useCallback, useEffect, useId, useState } from 'react';
import { useAuth } from '../auth/AuthContext';
import { errorFrom, type FormError } from '../auth/formErrors';
import { Avatar } from '../components/Avatar';
import { ErrorAlert, Spinner } from '../components/Form';
import { CloseIcon } from '../components/Icons';
import { useI18n } from '../i18n';
import { Link } from '../router';
import { useRealtimeEvent } from '../realtime';
import * as api from './api';
import { useChatFormat } from './format';
import { onRichTextClick } from './Message';
import type { Channel, Message } from './types';
import { permalink } from './links';

/** The side pane listing a channel's pinned messages, newest pin first. */
export function PinsPane({ channel, onClose }: { channel: Channel; onClose: () => void }) {
  const { t } = useI18n();
  const { client, user } = useAuth();
  const fmt = useChatFormat();
  const headingId = useId();
  const [pins, setPins] = useState<Message[] | null>(null);
  const [error, setError] = useState<FormError | null>(null);

  const load = useCallback(() => {
    api.listPins(client, channel.id, user?.id ?? '').then(
      (list) => {
        setPins(list);
        setError(null);
      },
      (err: unknown) => setError(errorFrom(err)),
    );
  }, [client, channel.id, user?.id]);

  useEffect(load, [load]);
  useRealtimeEvent('pin.*', (e) => {
    if ((e.data as { channel_id?: string } | undefined)?.channel_id === channel.id) load();
  });

  return (
    <aside className="chat-pane" aria-labelledby={headingId} onKeyDown={(e) => e.key === 'Escape' && !document.querySelector('.dialog-layer, .menu') && onClose()}>
      <div className="chat-pane__header">
        <div className="chat-pane__title">
          <h2 id={headingId} tabIndex={-1}>
            {t('chat.pins.title')}
          </h2>
          <span className="chat-pane__sub">{channel.kind === 'dm' ? '' : `#${channel.name}`}</span>
        </div>
        <button type="button" className="icon-button" aria-label={t('chat.pins.close')} title={t('chat.pins.close')} onClick={onClose}>
          <CloseIcon width={18} height={18} />
        </button>
      </div>
      <div className="chat-pane__body">
        <ErrorAlert error={error} />
        {pins === null && !error ? (
          <div className="chat-pane__loading">
            <Spinner />
          </div>
        ) : pins && pins.length === 0 ? (
          <p className="chat-pane__empty">{t('chat.pins.empty')}</p>
        ) : (
          <ul className="pin-list">
            {(pins ?? []).map((m) => (
              <li key={m.id} className="pin">
                <div className="pin__head">
                  <Avatar name={m.author.name || '?'} url={m.author.avatar_url} size="sm" />
                  <span className="pin__author">{m.author.name}</span>
                  <time className="pin__time" dateTime={m.created_at}>
                    {fmt.short(m.created_at)}
                  </time>
                </div>
                {m.html ? (
                  <div className="pin__text rich" onClick={onRichTextClick} dangerouslySetInnerHTML={{ __html: m.html }} />
                ) : (
                  <div className="pin__text">{m.body}</div>
                )}
                <Link to={permalink(m)} className="small-link">
                  {t('chat.pins.jump')}
                </Link>
              </li>
            ))}
          </ul>
        )}
      </div>
    </aside>
  );
}
