import './chat.css';
import { useAuth } from '../auth/AuthContext';
import { useI18n } from '../i18n';
import { Link, usePathname } from '../router';
import { ChannelGlyph } from './glyph';
import { UsersIcon } from './icons';
import { PresenceDot } from './Presence';
import { useChat, type ChatSnapshot } from './store';
import { channelTitle, dmOthers, type Channel } from './types';

/** My channels by name, then DMs by latest activity. */
export function sortedChannels(snap: ChatSnapshot, lang: string): { channels: Channel[]; dms: Channel[] } {
  const collator = new Intl.Collator(lang, { sensitivity: 'base', numeric: true });
  const channels = snap.channels.filter((c) => c.kind !== 'dm').sort((a, b) => collator.compare(a.name, b.name));
  const dms = snap.channels
    .filter((c) => c.kind === 'dm')
    .sort((a, b) => (b.last_message_at ?? b.created_at ?? '').localeCompare(a.last_message_at ?? a.created_at ?? ''));
  return { channels, dms };
}

/** One channel or DM link with its unread state and badge. */
export function ChannelLink({
  channel,
  snap,
  active,
  className,
  onNavigate,
}: {
  channel: Channel;
  snap: ChatSnapshot;
  active: boolean;
  className: string;
  onNavigate?: () => void;
}) {
  const { t, tp, lang } = useI18n();
  const { user } = useAuth();
  const myId = user?.id ?? '';
  const counts = snap.counts[channel.id];
  const unread = (counts?.unread ?? 0) > 0 && !channel.muted;
  const dm = channel.kind === 'dm';
  // In a DM every message is for me: the badge is the unread count.
  const mentions = dm ? (counts?.unread ?? 0) : (counts?.mentions ?? 0);
  const others = dm ? dmOthers(channel, myId) : [];
  const title = channelTitle(channel, myId, (names) => new Intl.ListFormat(lang, { type: 'conjunction' }).format(names));
  const status: string[] = [];
  if (mentions > 0) status.push(dm ? tp('chat.nav.unreadMessages', mentions) : tp('chat.nav.mentions', mentions));
  else if (unread) status.push(tp('chat.nav.unreadMessages', counts!.unread));
  if (channel.muted) status.push(t('chat.channel.muted'));
  return (
    <Link
      to={`/chat/c/${encodeURIComponent(channel.id)}`}
      className={`${className}${active ? ' is-active' : ''}${unread || mentions > 0 ? ' is-unread' : ''}${channel.muted ? ' is-muted' : ''}`}
      aria-current={active ? 'page' : undefined}
      aria-label={status.length > 0 ? `${title}, ${status.join(', ')}` : undefined}
      onClick={onNavigate}
      data-channel-id={channel.id}
    >
      <span className="chat-link__icon">
        {dm ? (
          others.length === 1 ? (
            <PresenceDot status={snap.presence[others[0]!.id]} />
          ) : (
            <UsersIcon width={15} height={15} />
          )
        ) : (
          <ChannelGlyph channel={channel} myId={myId} size={15} />
        )}
      </span>
      <span className="chat-link__name">{title}</span>
      {mentions > 0 ? (
        <span className="chat-badge" aria-hidden="true">
          {mentions > 99 ? '99+' : mentions}
        </span>
      ) : unread ? (
        <span className="chat-badge chat-badge--quiet" aria-hidden="true">
          {counts!.unread > 99 ? '99+' : counts!.unread}
        </span>
      ) : null}
    </Link>
  );
}

/** Under "Chat" in the sidebar: my channels, then DMs, each with unread and mention badges. */
export function ChatNavItems({ onNavigate }: { onNavigate?: () => void }) {
  const { t, lang } = useI18n();
  const pathname = usePathname();
  const snap = useChat();
  const { channels, dms } = sortedChannels(snap, lang);
  const activeId = pathname.startsWith('/chat/c/') ? decodeURIComponent(pathname.split('/')[3] ?? '') : null;
  return (
    <>
      {channels.length > 0 ? (
        <ul className="chat-nav__list" aria-label={t('chat.nav.channels')}>
          {channels.map((c) => (
            <li key={c.id}>
              <ChannelLink channel={c} snap={snap} active={c.id === activeId} className="chat-nav__link" onNavigate={onNavigate} />
            </li>
          ))}
        </ul>
      ) : null}
      {dms.length > 0 ? (
        <ul className="chat-nav__list" aria-label={t('chat.nav.dms')}>
          {dms.map((c) => (
            <li key={c.id}>
              <ChannelLink channel={c} snap={snap} active={c.id === activeId} className="chat-nav__link" onNavigate={onNavigate} />
            </li>
          ))}
        </ul>
      ) : null}
    </>
  );
}
