// Shapes of the chat API's JSON (docs/api/openapi.yaml, Chat* schemas;
// docs/chat.md), and small helpers that read them defensively: events and
// lists may carry a full object or only its ids.

export type ChannelKind = 'public' | 'private' | 'dm';
export type NotifyLevel = '' | 'all' | 'mentions' | 'none';
export type PresenceStatus = 'online' | 'away' | 'offline';

export interface UserRef {
  id: string;
  name: string;
  /** What to type after @ to mention them (from the server). */
  handle?: string;
  email?: string;
  avatar_url?: string | null;
  deleted?: boolean;
}

export interface Channel {
  id: string;
  kind: ChannelKind;
  name: string;
  topic: string;
  purpose: string;
  archived_at?: string | null;
  created_by?: string;
  created_at: string;
  updated_at: string;
  version: number;
  last_seq?: number;
  last_message_at?: string | null;
  member_count?: number;
  /** Whether the caller is a member (browsable public channels say false). */
  is_member?: boolean;
  /** The caller's channel role, when a member. */
  role?: 'member' | 'admin' | null;
  /** The caller may manage the channel (channel admin, or org owner/admin for public ones). */
  can_manage?: boolean;
  /** The caller may post (a member of a channel that is not archived). */
  can_post?: boolean;
  /** The first unread thread root (0: none), when the server says. */
  first_unread_seq?: number;
  muted?: boolean;
  notify?: NotifyLevel;
  last_read_seq?: number;
  /** DMs: the participants (including the caller). */
  members?: UserRef[];
  pinned_count?: number;
}

export interface Member {
  user: UserRef;
  role: 'member' | 'admin';
  joined_at?: string;
  presence?: PresenceStatus;
}

export interface ReactionSummary {
  emoji: string;
  count: number;
  /** Whether the caller reacted with it. */
  me: boolean;
  /** Who reacted (names for the tooltip), when the server includes them. */
  users?: UserRef[];
}

export interface Attachment {
  id: string;
  name: string;
  content_type: string;
  size: number;
  has_thumbnail?: boolean;
}

export interface DocumentPreview {
  id: string;
  title: string;
  excerpt: string;
  space_name: string;
  url: string;
}

export interface Message {
  id: string;
  channel_id: string;
  seq: number;
  parent_id?: string | null;
  author: UserRef;
  body: string;
  html: string;
  created_at: string;
  edited_at?: string | null;
  deleted_at?: string | null;
  promoted_document_id?: string | null;
  mentions?: string[];
  mentions_channel?: boolean;
  mentions_here?: boolean;
  reply_count: number;
  last_reply_at?: string | null;
  participants?: UserRef[];
  pinned_at?: string | null;
  pinned_by?: string | null;
  reactions: ReactionSummary[];
  attachments: Attachment[];
  previews: DocumentPreview[];
  /** Thread roots: whether the caller follows the thread. */
  following?: boolean;
}

export interface MessagePage {
  items: Message[];
  /** Whether older / newer messages exist beyond this page (when the server says). */
  has_more_before?: boolean;
  has_more_after?: boolean;
  next_cursor?: string | null;
}

export interface UnreadState {
  channel_id: string;
  unread: number;
  mentions: number;
  last_read_seq: number;
  last_seq: number;
  first_unread_seq: number;
  muted: boolean;
}

export interface Notification {
  id: string;
  kind: 'mention' | 'channel' | 'here' | 'dm' | 'reply' | string;
  channel_id?: string | null;
  channel_name?: string;
  channel_kind?: ChannelKind;
  message_id?: string | null;
  parent_id?: string | null;
  actor?: UserRef | null;
  excerpt?: string;
  created_at: string;
  read_at?: string | null;
}

export interface NotificationPreferences {
  /** The default level for channels: every message, mentions only, or nothing. */
  notify: 'all' | 'mentions' | 'none';
}

export interface Space {
  id: string;
  name: string;
  archived_at?: string | null;
}

// ---- defensive readers --------------------------------------------------------

type Raw = Record<string, unknown>;

const str = (v: unknown, d = ''): string => (typeof v === 'string' ? v : d);
const num = (v: unknown, d = 0): number => (typeof v === 'number' && Number.isFinite(v) ? v : d);
const optStr = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

/** A user reference from {id,name,…}, or from an id and an optional name. */
export function readUser(v: unknown, fallbackId = '', fallbackName = ''): UserRef {
  if (v && typeof v === 'object') {
    const r = v as Raw;
    const u: UserRef = { id: str(r.id, fallbackId), name: str(r.name, fallbackName) };
    if (typeof r.email === 'string') u.email = r.email;
    if (typeof r.handle === 'string' && r.handle) u.handle = r.handle;
    if (typeof r.avatar_url === 'string' && r.avatar_url) u.avatar_url = r.avatar_url;
    if (r.deleted === true) u.deleted = true;
    return u;
  }
  return { id: typeof v === 'string' ? v : fallbackId, name: fallbackName };
}

export function readReactions(v: unknown, myId: string): ReactionSummary[] {
  if (!Array.isArray(v)) return [];
  const out: ReactionSummary[] = [];
  for (const item of v) {
    if (!item || typeof item !== 'object') continue;
    const r = item as Raw;
    const emoji = str(r.emoji);
    if (!emoji) continue;
    const rawUsers = Array.isArray(r.users) ? r.users : Array.isArray(r.user_ids) ? r.user_ids : null;
    const users = rawUsers ? rawUsers.map((u) => readUser(u)) : undefined;
    const count = num(r.count, users?.length ?? 0);
    const me = typeof r.me === 'boolean' ? r.me : typeof r.reacted === 'boolean' ? r.reacted : !!users?.some((u) => u.id === myId);
    if (count <= 0) continue;
    out.push(users ? { emoji, count, me, users } : { emoji, count, me });
  }
  return out;
}

function readAttachments(v: unknown): Attachment[] {
  if (!Array.isArray(v)) return [];
  return v
    .filter((a): a is Raw => !!a && typeof a === 'object')
    .map((a) => ({
      id: str(a.id),
      name: str(a.name),
      content_type: str(a.content_type),
      size: num(a.size),
      has_thumbnail: a.has_thumbnail === true || a.has_thumb === true,
    }))
    .filter((a) => a.id);
}

function readPreviews(v: unknown): DocumentPreview[] {
  if (!Array.isArray(v)) return [];
  return v
    .filter((p): p is Raw => !!p && typeof p === 'object')
    .map((p) => {
      const id = str(p.id, str(p.document_id));
      return {
        id,
        title: str(p.title),
        excerpt: str(p.excerpt),
        space_name: str(p.space_name, str(p.space)),
        url: str(p.url, id ? `/kb/doc/${id}` : ''),
      };
    })
    .filter((p) => p.id && p.title);
}

/** Reads a message from the API (or an event payload), filling what is missing with neutral values. */
export function readMessage(v: unknown, myId = ''): Message | null {
  if (!v || typeof v !== 'object') return null;
  const r = v as Raw;
  const id = str(r.id);
  const channelId = str(r.channel_id);
  if (!id || !channelId) return null;
  const author = readUser(r.author ?? r.author_id, str(r.author_id), str(r.author_name));
  const m: Message = {
    id,
    channel_id: channelId,
    seq: num(r.seq),
    parent_id: optStr(r.parent_id),
    author,
    body: str(r.body),
    html: str(r.html),
    created_at: str(r.created_at),
    edited_at: optStr(r.edited_at),
    deleted_at: optStr(r.deleted_at) ?? (r.deleted === true ? str(r.updated_at, str(r.created_at)) || 'deleted' : null),
    promoted_document_id: optStr(r.promoted_document_id),
    reply_count: num(r.reply_count),
    last_reply_at: optStr(r.last_reply_at),
    pinned_at: optStr(r.pinned_at) ?? (r.pinned === true ? 'pinned' : null),
    pinned_by: optStr(r.pinned_by),
    reactions: readReactions(r.reactions, myId),
    attachments: readAttachments(r.attachments),
    previews: readPreviews(r.previews ?? r.document_previews ?? r.link_previews),
  };
  if (Array.isArray(r.mentions)) m.mentions = r.mentions.filter((x): x is string => typeof x === 'string');
  if (typeof r.mentions_channel === 'boolean') m.mentions_channel = r.mentions_channel;
  if (typeof r.mentions_here === 'boolean') m.mentions_here = r.mentions_here;
  if (Array.isArray(r.participants)) m.participants = r.participants.map((p) => readUser(p));
  if (typeof r.following === 'boolean') m.following = r.following;
  return m;
}

/** Reads a channel from the API, keeping unknown fields out. */
export function readChannel(v: unknown): Channel | null {
  if (!v || typeof v !== 'object') return null;
  const r = v as Raw;
  const id = str(r.id);
  if (!id) return null;
  const kind = r.kind === 'dm' || r.kind === 'private' ? r.kind : r.visibility === 'private' ? 'private' : 'public';
  const c: Channel = {
    id,
    kind,
    name: str(r.name),
    topic: str(r.topic),
    purpose: str(r.purpose),
    archived_at: optStr(r.archived_at),
    created_at: str(r.created_at),
    updated_at: str(r.updated_at),
    version: num(r.version, 1),
  };
  if (typeof r.created_by === 'string') c.created_by = r.created_by;
  if (typeof r.last_seq === 'number') c.last_seq = r.last_seq;
  if (typeof r.last_message_at === 'string') c.last_message_at = r.last_message_at;
  if (typeof r.member_count === 'number') c.member_count = r.member_count;
  const membership = r.membership && typeof r.membership === 'object' ? (r.membership as Raw) : null;
  const src = membership ?? r;
  if (typeof r.is_member === 'boolean') c.is_member = r.is_member;
  else if (typeof r.member === 'boolean') c.is_member = r.member;
  else if (membership) c.is_member = true;
  if (src.role === 'admin' || src.role === 'member') c.role = src.role;
  if (typeof r.can_manage === 'boolean') c.can_manage = r.can_manage;
  if (typeof r.can_post === 'boolean') c.can_post = r.can_post;
  if (typeof r.first_unread_seq === 'number') c.first_unread_seq = r.first_unread_seq;
  if (typeof src.muted === 'boolean') c.muted = src.muted;
  if (typeof src.notify === 'string') c.notify = src.notify as NotifyLevel;
  if (typeof src.last_read_seq === 'number') c.last_read_seq = src.last_read_seq;
  if (typeof r.pinned_count === 'number') c.pinned_count = r.pinned_count;
  const people = Array.isArray(r.members) ? r.members : Array.isArray(r.participants) ? r.participants : null;
  if (people) c.members = people.map((p) => readUser(p && typeof p === 'object' && 'user' in (p as Raw) ? (p as Raw).user : p));
  return c;
}

/** Reads one channel's read state from GET /unread (field names vary a little between versions). */
export function readUnread(v: unknown): UnreadState | null {
  if (!v || typeof v !== 'object') return null;
  const r = v as Raw;
  const id = str(r.channel_id);
  if (!id) return null;
  return {
    channel_id: id,
    unread: num(r.unread, num(r.unread_count)),
    mentions: num(r.mentions, num(r.mention_count)),
    last_read_seq: num(r.last_read_seq),
    last_seq: num(r.last_seq),
    first_unread_seq: num(r.first_unread_seq),
    muted: r.muted === true,
  };
}

export function readNotification(v: unknown): Notification | null {
  if (!v || typeof v !== 'object') return null;
  const r = v as Raw;
  const id = str(r.id);
  if (!id) return null;
  const n: Notification = {
    id,
    kind: str(r.kind, 'mention'),
    channel_id: optStr(r.channel_id),
    message_id: optStr(r.message_id),
    parent_id: optStr(r.parent_id),
    created_at: str(r.created_at),
    read_at: optStr(r.read_at),
  };
  if (typeof r.channel_name === 'string') n.channel_name = r.channel_name;
  if (r.channel_kind === 'dm' || r.channel_kind === 'private' || r.channel_kind === 'public') n.channel_kind = r.channel_kind;
  if (r.actor || r.actor_id) n.actor = readUser(r.actor ?? r.actor_id, str(r.actor_id), str(r.actor_name));
  if (typeof r.excerpt === 'string') n.excerpt = r.excerpt;
  return n;
}

/** The people of a DM other than the caller (or the caller alone, for a note-to-self DM). */
export function dmOthers(channel: Channel, myId: string): UserRef[] {
  const people = channel.members ?? [];
  const others = people.filter((p) => p.id !== myId);
  return others.length > 0 ? others : people.slice(0, 1);
}

/** A channel's display name: "general", or for DMs the other people's names. */
export function channelTitle(channel: Channel, myId: string, listFormat?: (names: string[]) => string): string {
  if (channel.kind !== 'dm') return channel.name;
  const names = dmOthers(channel, myId).map((u) => u.name);
  if (names.length === 0) return channel.name || '…';
  return listFormat ? listFormat(names) : names.join(', ');
}

/**
 * The @handle that mentions a user: the server's (the name without spaces
 * when that is a valid handle, else the email's local part), or a guess.
 */
export function mentionHandle(user: UserRef): string {
  if (user.handle) return user.handle;
  const compact = user.name.replace(/\s+/g, '');
  if (/^[\p{L}\p{N}][\p{L}\p{N}._-]*$/u.test(compact)) return compact;
  return user.email?.split('@')[0] ?? compact;
}

/** The message an event carries (data.message, or data itself), if any. */
export function eventMessage(data: unknown, myId: string): Message | null {
  if (!data || typeof data !== 'object') return null;
  const r = data as Raw;
  return readMessage(r.message && typeof r.message === 'object' ? r.message : r, myId);
}

/** The id of the message an event is about (data.message.id, data.message_id, data.root_id). */
export function eventMessageId(data: unknown): string | null {
  if (!data || typeof data !== 'object') return null;
  const r = data as Raw;
  if (r.message && typeof r.message === 'object' && typeof (r.message as Raw).id === 'string') return (r.message as Raw).id as string;
  for (const k of ['message_id', 'root_id']) if (typeof r[k] === 'string' && r[k]) return r[k] as string;
  return null;
}
