import './chat.css';
import { useEffect, useState } from 'react';
import { useAuth } from '../auth/AuthContext';
import { PlusIcon, SearchIcon } from '../components/Icons';
import { useI18n } from '../i18n';
import { NotFoundPage } from '../pages/NotFoundPage';
import { useConnectionState } from '../realtime';
import { ChannelView } from './ChannelView';
import { BrowseChannelsDialog, CreateChannelDialog, NewMessageDialog } from './ChatDialogs';
import { ChannelLink, sortedChannels } from './ChatNav';
import { EditIcon } from './icons';
import { useChat } from './store';
import { channelTitle } from './types';

/** /chat and /chat/c/:channelId (?m=message, ?thread=root, ?pane=pins|members). */
export function ChatPage({ path }: { path: string[] }) {
  if (path.length === 0) return <ChatHome />;
  if (path.length === 2 && path[0] === 'c' && path[1]) return <ChannelPage channelId={path[1]} />;
  return <NotFoundPage />;
}

function ChannelPage({ channelId }: { channelId: string }) {
  const { t, lang } = useI18n();
  const { user } = useAuth();
  const chat = useChat();
  const c = chat.channels.find((x) => x.id === channelId);
  const counts = chat.counts;
  const unreadElsewhere = chat.channels.filter((x) => x.id !== channelId && ((x.kind === 'dm' ? counts[x.id]?.unread : counts[x.id]?.mentions) ?? 0) > 0).length;
  // "(2) general · Nexus": the title tells about mentions waiting elsewhere.
  useEffect(() => {
    const name = c ? (c.kind === 'dm' ? channelTitle(c, user?.id ?? '', (n) => new Intl.ListFormat(lang).format(n)) : `#${c.name}`) : t('nav.chat');
    const base = t('app.titleFormat', { page: name });
    document.title = unreadElsewhere > 0 ? `(${unreadElsewhere}) ${base}` : base;
  }, [c, user?.id, lang, t, unreadElsewhere]);
  return (
    <div className="chat">
      <ChannelView channelId={channelId} />
    </div>
  );
}

/** The chat start page: new conversation actions and every channel and DM with unread state. */
function ChatHome() {
  const { t, lang } = useI18n();
  const snap = useChat();
  const state = useConnectionState();
  const [dialog, setDialog] = useState<'create' | 'browse' | 'dm' | null>(null);
  const { channels, dms } = sortedChannels(snap, lang);
  useEffect(() => {
    document.title = t('app.titleFormat', { page: t('nav.chat') });
  }, [t]);

  return (
    <div className="page chat-home">
      <div className="page__header chat-home__header">
        <div>
          <h1 className="page__title" tabIndex={-1}>
            {t('chat.home.title')}
          </h1>
          <p className="page__lead">{t('chat.home.lead')}</p>
        </div>
        <div className="chat-home__actions">
          <button type="button" className="button button--primary" onClick={() => setDialog('dm')}>
            <EditIcon width={16} height={16} /> {t('chat.home.newMessage')}
          </button>
          <button type="button" className="button" onClick={() => setDialog('create')}>
            <PlusIcon width={16} height={16} /> {t('chat.home.createChannel')}
          </button>
          <button type="button" className="button" onClick={() => setDialog('browse')}>
            <SearchIcon width={16} height={16} /> {t('chat.home.browse')}
          </button>
        </div>
      </div>
      {snap.status === 'error' && state !== 'offline' ? <p className="muted">{t('chat.home.loadFailed')}</p> : null}
      <section className="card chat-home__section" aria-labelledby="chat-home-channels">
        <h2 id="chat-home-channels" className="card__title">
          {t('chat.nav.channels')}
        </h2>
        {channels.length === 0 ? (
          <p className="muted">{snap.status === 'ready' ? t('chat.home.noChannels') : t('common.loading')}</p>
        ) : (
          <ul className="chat-home__list">
            {channels.map((c) => (
              <li key={c.id}>
                <ChannelLink channel={c} snap={snap} active={false} className="chat-home__link" />
              </li>
            ))}
          </ul>
        )}
      </section>
      <section className="card chat-home__section" aria-labelledby="chat-home-dms">
        <h2 id="chat-home-dms" className="card__title">
          {t('chat.nav.dms')}
        </h2>
        {dms.length === 0 ? (
          <p className="muted">{snap.status === 'ready' ? t('chat.home.noDms') : t('common.loading')}</p>
        ) : (
          <ul className="chat-home__list">
            {dms.map((c) => (
              <li key={c.id}>
                <ChannelLink channel={c} snap={snap} active={false} className="chat-home__link" />
              </li>
            ))}
          </ul>
        )}
      </section>
      {dialog === 'create' ? <CreateChannelDialog onClose={() => setDialog(null)} /> : null}
      {dialog === 'browse' ? <BrowseChannelsDialog onClose={() => setDialog(null)} /> : null}
      {dialog === 'dm' ? <NewMessageDialog onClose={() => setDialog(null)} /> : null}
    </div>
  );
}
