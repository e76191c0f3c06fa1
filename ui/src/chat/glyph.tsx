import { Avatar } from '../components/Avatar';
import { HashIcon, LockIcon } from './icons';
import { dmOthers, type Channel } from './types';

/** The icon in front of a channel's name: # public, a lock for private, a face for DMs. */
export function ChannelGlyph({ channel, myId, size = 16 }: { channel: Channel; myId: string; size?: number }) {
  if (channel.kind === 'public') return <HashIcon width={size} height={size} className="channel-glyph" />;
  if (channel.kind === 'private') return <LockIcon width={size} height={size} className="channel-glyph" />;
  const other = dmOthers(channel, myId)[0];
  return <Avatar name={other?.name || '?'} url={other?.avatar_url} size="sm" />;
}
