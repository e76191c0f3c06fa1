import { useCallback, useEffect, useId, useMemo, useRef, useState, type DragEvent, type KeyboardEvent } from 'react';
import { ApiError } from '../api/client';
import { useAuth } from '../auth/AuthContext';
import { errorFrom, type FormError } from '../auth/formErrors';
import { ErrorAlert, Spinner, useErrorText } from '../components/Form';
import { useToast } from '../components/Toast';
import { useI18n } from '../i18n';
import { navigate, useSearchParam } from '../router';
import { useRealtime, useRealtimeEvent, useResync } from '../realtime';
import * as api from './api';
import { ChannelHeader } from './ChannelHeader';
import { Composer, type ComposerHandle } from './Composer';
import { useChatFormat } from './format';
import { ArrowDownIcon } from './icons';
import { applyReaction, applyThread, eventUser, markDeleted, mergeUpdate } from './live';
import { MessageActionsContext, MessageItem } from './Message';
import { MembersPane } from './MembersPane';
import { PinsPane } from './PinsPane';
import { useChat, useChatStore } from './store';
import { ThreadPane } from './ThreadPane';
import { buildRows, type Row } from './timeline';
import { TypingIndicator } from './TypingIndicator';
import { channelTitle, eventMessage, eventMessageId, type Channel, type Message } from './types';
import { useHistory } from './useHistory';
import { threadHref } from './links';
import { useMessageOps } from './useMessageOps';
import { VirtualList, type Reveal, type VirtualListHandle } from './VirtualList';

function estimate(row: Row): number {
  if (row.kind === 'day') return 44;
  if (row.kind === 'unread') return 34;
  const m = row.message;
  let h = row.grouped ? 26 : 58;
  h += Math.min(6, Math.ceil(m.body.length / 90)) * 20;
  if (m.attachments.length) h += 80;
  if (m.reactions.length) h += 32;
  if (m.reply_count) h += 32;
  return h;
}

const rowKey = (r: Row) => r.key;
const anchorable = (r: Row) => r.kind === 'message';

function isVisible() {
  return typeof document === 'undefined' || document.visibilityState !== 'hidden';
}

/** /chat/c/:id — a channel or DM: header, history, composer, and the side pane (thread, pins, members). */
export function ChannelView({ channelId }: { channelId: string }) {
  const { t, tp } = useI18n();
  const { client, user } = useAuth();
  const myId = user?.id ?? '';
  const toast = useToast();
  const errText = useErrorText();
  const fmt = useChatFormat();
  const store = useChatStore();
  const chat = useChat();
  const rt = useRealtime();
  const around = useSearchParam('m');
  const threadId = useSearchParam('thread');
  const pane = useSearchParam('pane');
  const headingId = useId();

  // The channel: what the sidebar knows at once, then the details (member count, rights).
  const known = chat.channels.find((c) => c.id === channelId) ?? null;
  const [details, setDetails] = useState<Channel | null>(null);
  const [loadError, setLoadError] = useState<FormError | null>(null);
  const [notFound, setNotFound] = useState(false);
  const [detailsNonce, setDetailsNonce] = useState(0);
  useEffect(() => {
    let live = true;
    setLoadError(null);
    setNotFound(false);
    api.getChannel(client, channelId).then(
      (c) => {
        if (!live) return;
        setDetails(c);
        if (c.kind === 'dm' || c.members) store.rememberUsers(c.members ?? []);
      },
      (err: unknown) => {
        if (!live) return;
        if (err instanceof ApiError && (err.status === 404 || err.status === 403)) setNotFound(true);
        else setLoadError(errorFrom(err));
      },
    );
    return () => {
      live = false;
    };
  }, [client, channelId, store, detailsNonce]);
  useEffect(() => setDetails((d) => (d && d.id !== channelId ? null : d)), [channelId]);

  // Names and presence of the members: who is typing, who is online.
  useEffect(() => {
    let live = true;
    api.listMembers(client, channelId).then(
      (list) => {
        if (!live) return;
        store.rememberUsers(list.map((m) => m.user));
        store.rememberPresence(Object.fromEntries(list.filter((m) => m.presence && m.user.id !== myId).map((m) => [m.user.id, m.presence!])));
      },
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [client, channelId, store, myId]);

  const channel: Channel | null = details && details.id === channelId ? { ...details, ...(known ? { muted: known.muted, name: known.name, topic: known.topic, purpose: known.purpose } : {}) } : known;
  const isMember = known !== null || details?.is_member === true || (details?.is_member === undefined && details?.role != null);
  const archived = !!channel?.archived_at;
  const canPost = isMember && !archived && channel?.can_post !== false;
  const canManage = !!channel?.can_manage || channel?.role === 'admin';
  const title = channel ? channelTitle(channel, myId, (names) => new Intl.ListFormat(undefined, { type: 'conjunction' }).format(names)) : '';

  // The history: the newest page, or the page around a permalinked message.
  const history = useHistory(channelId, around);
  const listRef = useRef<VirtualListHandle | null>(null);
  const composerRef = useRef<ComposerHandle>(null);
  const [atBottom, setAtBottom] = useState(true);
  const [newBelow, setNewBelow] = useState(0);
  const [highlight, setHighlight] = useState<string | null>(null);
  // Screen readers hear messages from others as they arrive (the history itself is not a live region:
  // loading older messages must not be read out).
  const [announcement, setAnnouncement] = useState('');
  const [divider, setDivider] = useState<{ channelId: string; afterSeq: number | null } | null>(null);
  // After "mark as unread" the open channel is not read again on view until I leave it or post.
  const [heldUnread, setHeldUnread] = useState<string | null>(null);

  // The "new messages" line: where I had read up to when I opened the channel.
  useEffect(() => {
    setDivider(null);
    setNewBelow(0);
    setHeldUnread(null);
  }, [channelId]);
  useEffect(() => {
    if (history.status !== 'ready' || divider?.channelId === channelId) return;
    // Decide once the read position is known: from the sidebar's counts or the channel's details.
    if (chat.status !== 'ready' && details?.id !== channelId) return;
    const counts = store.counts(channelId);
    const lastRead = details?.id === channelId && details.last_read_seq !== undefined ? details.last_read_seq : counts.lastReadSeq;
    const unread = counts.unread > 0 || (details?.id === channelId && (details.first_unread_seq ?? 0) > 0);
    setDivider({ channelId, afterSeq: unread && isMember ? lastRead : null });
  }, [history.status, history.generation, channelId, divider, details, store, isMember, chat.status]);

  // A permalink: highlight the message for a moment; a reply opens its thread.
  useEffect(() => {
    if (!around || history.status !== 'ready') return;
    if (history.messages.some((m) => m.id === around)) {
      setHighlight(around);
      const timer = setTimeout(() => setHighlight(null), 4000);
      return () => clearTimeout(timer);
    }
    let live = true;
    api.getMessage(client, around, myId).then(
      (m) => {
        if (live && m.parent_id && m.channel_id === channelId && threadId !== m.parent_id) {
          navigate(threadHref(channelId, m.parent_id, around), { replace: true });
        }
      },
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [around, history.status, history.generation, history.messages, client, myId, channelId, threadId]);

  const rows = useMemo(
    () =>
      buildRows(history.messages, {
        myId,
        dividerAfterSeq: divider?.channelId === channelId ? divider.afterSeq : null,
        timeZone: fmt.timeZone,
      }),
    [history.messages, myId, divider, channelId, fmt.timeZone],
  );

  const reveal = useMemo<Reveal | null>(() => {
    if (history.status !== 'ready') return null;
    if (around && rows.some((r) => r.key === around)) return { key: around, align: 'center', token: history.generation };
    if (rows.some((r) => r.kind === 'unread')) return { key: 'unread', align: 'start', token: history.generation };
    return null;
    // Only when a fresh page arrives (or the divider is placed), not on every new message.
  }, [history.generation, history.status, around, divider]);

  // ---- read state -------------------------------------------------------------

  // Read on view, as in Slack and Mattermost: an open channel in a visible
  // tab is read up to its newest message (the "new messages" line stays
  // where it was until you leave). After jumping into the past, the newest
  // position is the channel's, not the page's.
  const live = !history.moreAfter;
  const loadedSeq = history.messages.length ? history.messages[history.messages.length - 1]!.seq : 0;
  const lastSeq = live ? loadedSeq : Math.max(loadedSeq, channel?.last_seq ?? 0);
  const dividerPlaced = divider?.channelId === channelId;
  const held = heldUnread === channelId;
  const markIfSeen = useCallback(() => {
    const seeing = isVisible() && history.status === 'ready';
    store.setActive(channelId, seeing && live && !held);
    // Only once the "new messages" line has been placed from the old read position.
    if (seeing && dividerPlaced && isMember && lastSeq > 0 && !held) store.markRead(channelId, lastSeq);
  }, [live, store, channelId, isMember, lastSeq, history.status, dividerPlaced, held]);

  useEffect(() => {
    markIfSeen();
  }, [markIfSeen]);
  useEffect(() => {
    const on = () => markIfSeen();
    document.addEventListener('visibilitychange', on);
    window.addEventListener('focus', on);
    return () => {
      document.removeEventListener('visibilitychange', on);
      window.removeEventListener('focus', on);
    };
  }, [markIfSeen]);
  useEffect(() => () => store.setActive(null), [store]);
  useEffect(() => {
    if (atBottom) setNewBelow(0);
  }, [atBottom]);

  // ---- live updates ------------------------------------------------------------

  const refreshMessage = useCallback(
    (id: string) => {
      api.getMessage(client, id, myId).then(
        (m) => {
          if (!m.parent_id) history.update(id, () => m);
        },
        () => undefined,
      );
    },
    [client, myId, history],
  );

  const sameChannel = (data: unknown) =>
    !!data && typeof data === 'object' && (data as { channel_id?: unknown }).channel_id === channelId;

  useRealtimeEvent('message.*', (e) => {
    if (!sameChannel(e.data)) return;
    const data = e.data as Record<string, unknown>;
    if (e.type === 'message.created') {
      const m = eventMessage(data, myId);
      if (!m || m.parent_id) return;
      if (!live) {
        setNewBelow((n) => n + 1);
        return;
      }
      // Arrived while the tab was hidden: the line marks where reading stops.
      if (!isVisible() && m.author.id !== myId && divider?.channelId === channelId && divider.afterSeq === null) {
        setDivider({ channelId, afterSeq: lastSeq });
      }
      history.upsert(m);
      if (m.author.id !== myId) {
        const text = Array.from(m.body.replace(/\s+/g, ' ').trim()).slice(0, 140).join('');
        setAnnouncement(t('chat.history.announce', { name: m.author.name || t('chat.unknownUser'), text }));
        if (!listRef.current?.isAtBottom()) setNewBelow((n) => n + 1);
      }
      if (m.previews.length === 0 && (data.message as { has_previews?: boolean } | undefined)?.has_previews) refreshMessage(m.id);
    } else if (e.type === 'message.updated') {
      const m = eventMessage(data, myId);
      if (!m || m.parent_id) return;
      history.update(m.id, (prev) => mergeUpdate(prev, m));
      if ((data.message as { has_previews?: boolean } | undefined)?.has_previews) refreshMessage(m.id);
    } else if (e.type === 'message.deleted') {
      const id = eventMessageId(data);
      if (id) history.update(id, (prev) => markDeleted(prev));
    }
  });

  useRealtimeEvent('reaction.*', (e) => {
    if (!sameChannel(e.data)) return;
    const data = e.data as Record<string, unknown>;
    const id = eventMessageId(data);
    const who = eventUser(data, chat.users);
    if (!id || !who || typeof data.emoji !== 'string' || data.parent_id) return;
    history.update(id, (m) => applyReaction(m, e.type === 'reaction.added', data.emoji as string, who, myId));
  });

  useRealtimeEvent('pin.*', (e) => {
    if (!sameChannel(e.data)) return;
    const data = e.data as Record<string, unknown>;
    const id = eventMessageId(data);
    if (!id) return;
    history.update(id, (m) => ({ ...m, pinned_at: e.type === 'pin.added' ? (typeof data.pinned_at === 'string' ? data.pinned_at : new Date().toISOString()) : null }));
  });

  useRealtimeEvent('thread.updated', (e) => {
    if (!sameChannel(e.data)) return;
    const data = e.data as Record<string, unknown>;
    const id = eventMessageId(data);
    if (!id) return;
    history.update(id, (m) => applyThread(m, data, chat.users));
    // Names and avatars of new participants.
    const ids = Array.isArray(data.participants) ? data.participants : [];
    if (ids.some((p) => typeof p === 'string' && !chat.users[p])) refreshMessage(id);
  });

  useRealtimeEvent('channel.*', (e) => {
    if (!sameChannel(e.data)) return;
    setDetailsNonce((n) => n + 1);
  });
  useRealtimeEvent('member.*', (e) => {
    if (!sameChannel(e.data)) return;
    setDetailsNonce((n) => n + 1);
  });

  useResync(() => {
    history.reload();
    setDetailsNonce((n) => n + 1);
  });

  // ---- actions -------------------------------------------------------------------

  const openThread = useCallback((m: Message) => navigate(threadHref(channelId, m.parent_id ?? m.id)), [channelId]);
  const toggleFollow = useCallback(
    (m: Message) => {
      const follow = !m.following;
      history.update(m.id, (cur) => ({ ...cur, following: follow }));
      api.setFollowing(client, m.id, follow).then(
        () => toast(follow ? t('chat.thread.followed') : t('chat.thread.unfollowed')),
        () => history.update(m.id, (cur) => ({ ...cur, following: !follow })),
      );
    },
    [client, history, toast, t],
  );

  const { actions: baseActions, dialogs, editLast } = useMessageOps({
    messages: history.messages,
    update: history.update,
    upsert: history.upsert,
    canManage,
    readOnly: !canPost,
    highlightId: highlight,
    openThread,
    toggleFollow,
  });

  const markUnread = useCallback(
    (m: Message) => {
      api.markUnread(client, m.id).then(
        (u) => {
          setHeldUnread(channelId);
          store.applyUnread(u);
          setDivider({ channelId, afterSeq: u.last_read_seq });
          toast(t('chat.message.markedUnread'));
        },
        (err: unknown) => toast(errText(errorFrom(err)), 'error'),
      );
    },
    [client, channelId, store, toast, t, errText],
  );
  const actions = useMemo(() => (isMember ? { ...baseActions, markUnread } : baseActions), [baseActions, isMember, markUnread]);

  const send = async (body: string, attachmentIds: string[]) => {
    setHeldUnread(null);
    const m = await api.postMessage(client, channelId, { body, attachment_ids: attachmentIds.length ? attachmentIds : undefined }, myId);
    if (!live || around) {
      // Show the newest messages, where the new one is.
      navigate(`/chat/c/${encodeURIComponent(channelId)}`, { replace: !!around });
      history.reload();
      return;
    }
    history.upsert(m);
    listRef.current?.scrollToBottom();
  };

  const join = async () => {
    try {
      await api.joinChannel(client, channelId);
      const c = await api.getChannel(client, channelId);
      setDetails(c);
      store.upsertChannel({ ...c, is_member: true });
      toast(t('chat.channel.joined', { name: c.name }));
    } catch (err) {
      toast(errText(errorFrom(err)), 'error');
    }
  };

  const upload = useCallback((file: File) => api.uploadDraft(client, channelId, file), [client, channelId]);
  const discard = useCallback((a: { id: string }) => void api.deleteAttachment(client, a.id).catch(() => undefined), [client]);
  const searchPeople = useCallback((q: string) => api.searchPeople(client, q), [client]);
  const typing = useCallback(() => rt.typing(channelId), [rt, channelId]);

  // ---- keyboard: arrows move between messages --------------------------------

  const onListKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    if (e.key !== 'ArrowUp' && e.key !== 'ArrowDown') return;
    const target = e.target as HTMLElement;
    const container = e.currentTarget;
    const items = Array.from(container.querySelectorAll<HTMLElement>('.msg[data-message-id]'));
    if (items.length === 0) return;
    const current = target.closest<HTMLElement>('.msg[data-message-id]');
    if (current && target !== current) return; // inside a message's own controls
    e.preventDefault();
    let next: HTMLElement | undefined;
    if (!current) next = e.key === 'ArrowUp' ? items[items.length - 1] : items[0];
    else {
      const i = items.indexOf(current);
      next = items[e.key === 'ArrowUp' ? i - 1 : i + 1];
      if (!next && e.key === 'ArrowUp' && history.moreBefore) void history.loadBefore();
      if (!next && e.key === 'ArrowDown') composerRef.current?.focus();
    }
    next?.focus();
    next?.scrollIntoView?.({ block: 'nearest' });
  };

  const onDrop = (e: DragEvent) => {
    if (!e.dataTransfer?.files?.length || !canPost) return;
    e.preventDefault();
    composerRef.current?.addFiles(Array.from(e.dataTransfer.files));
  };

  // ---- render ------------------------------------------------------------------

  if (notFound) {
    return (
      <div className="chat-empty">
        <h1 className="page__title" tabIndex={-1}>
          {t('chat.channel.notFoundTitle')}
        </h1>
        <p className="page__lead">{t('chat.channel.notFound')}</p>
        <button type="button" className="button" onClick={() => navigate('/chat')}>
          {t('chat.channel.backToChat')}
        </button>
      </div>
    );
  }

  const paneKind = threadId ? 'thread' : pane === 'pins' || pane === 'members' ? pane : null;
  const closePane = () => {
    navigate(`/chat/c/${encodeURIComponent(channelId)}${around ? `?m=${encodeURIComponent(around)}` : ''}`);
    // Focus would otherwise fall to the page: continue in the channel's box.
    requestAnimationFrame(() => composerRef.current?.focus());
  };
  const typingKey = channelId;
  const placeholder = channel
    ? channel.kind === 'dm'
      ? t('chat.composer.placeholderDm', { name: title })
      : t('chat.composer.placeholder', { name: channel.name })
    : '';

  return (
    <div className={`chat-layout${paneKind ? ' has-pane' : ''}`}>
      <section className="chat-channel" aria-labelledby={headingId} onDragOver={(e) => canPost && e.preventDefault()} onDrop={onDrop}>
        <ChannelHeader
          channel={channel}
          title={title}
          headingId={headingId}
          isMember={isMember}
          canManage={canManage}
          pane={paneKind}
          onChanged={(c) => {
            setDetails(c);
            if (isMember) store.upsertChannel({ ...c, is_member: true });
          }}
        />
        <ErrorAlert error={loadError} />
        {history.status === 'error' ? (
          <div className="chat-notice">
            <ErrorAlert error={history.error} />
            <button type="button" className="button button--small" onClick={history.reload}>
              {t('chat.history.retry')}
            </button>
          </div>
        ) : null}
        <MessageActionsContext.Provider value={actions}>
          {history.status === 'loading' ? (
            <div className="chat-history chat-history--loading" aria-busy="true">
              <Spinner />
              <span className="visually-hidden">{t('chat.history.loading')}</span>
            </div>
          ) : (
            <VirtualList
              key={`${channelId}:${history.generation}`}
              className="chat-history"
              role="log"
              aria-label={t('chat.history.label', { name: title })}
              aria-live="off"
              aria-busy={history.loadingBefore || history.loadingAfter}
              tabIndex={0}
              items={rows}
              itemKey={rowKey}
              estimate={estimate}
              anchorable={anchorable}
              follow={live}
              reveal={reveal}
              handleRef={listRef}
              onAtBottomChange={setAtBottom}
              onStartReached={history.moreBefore ? () => void history.loadBefore() : undefined}
              onEndReached={history.moreAfter ? () => void history.loadAfter() : undefined}
              onKeyDown={onListKeyDown}
              header={
                history.moreBefore ? (
                  <div className="chat-history__more">{history.loadingBefore ? <Spinner /> : null}</div>
                ) : channel ? (
                  <ChannelIntro channel={channel} title={title} />
                ) : null
              }
              footer={history.moreAfter ? <div className="chat-history__more">{history.loadingAfter ? <Spinner /> : null}</div> : null}
              renderItem={(row) =>
                row.kind === 'day' ? (
                  <div className="day-sep" role="separator">
                    <span>{fmt.day(row.at, { today: t('chat.day.today'), yesterday: t('chat.day.yesterday') })}</span>
                  </div>
                ) : row.kind === 'unread' ? (
                  <div className="unread-sep" role="separator">
                    <span>{t('chat.history.newMessages')}</span>
                  </div>
                ) : (
                  <MessageItem message={row.message} grouped={row.grouped} />
                )
              }
            />
          )}
        </MessageActionsContext.Provider>
        {(!atBottom && newBelow > 0) || history.moreAfter ? (
          <button
            type="button"
            className="jump-latest"
            onClick={() => {
              if (history.moreAfter || around) {
                navigate(`/chat/c/${encodeURIComponent(channelId)}`);
                if (!around) history.reload();
              } else {
                listRef.current?.scrollToBottom();
              }
              setNewBelow(0);
            }}
          >
            <ArrowDownIcon width={16} height={16} />
            {newBelow > 0 ? tp('chat.history.newBelow', newBelow) : t('chat.history.jumpLatest')}
          </button>
        ) : null}
        <div className="visually-hidden" aria-live="polite">
          {announcement}
        </div>
        <TypingIndicator entries={chat.typing[typingKey]} />
        {archived ? (
          <div className="chat-bar">{t('chat.channel.archivedNotice')}</div>
        ) : !isMember && channel ? (
          <div className="chat-bar">
            <span>{t('chat.channel.previewing', { name: channel.name })}</span>
            <button type="button" className="button button--primary button--small" onClick={() => void join()}>
              {t('chat.channel.join')}
            </button>
          </div>
        ) : (
          <Composer
            ref={composerRef}
            draftKey={channelId}
            label={channel ? (channel.kind === 'dm' ? t('chat.composer.placeholderDm', { name: title }) : t('chat.composer.label', { name: title })) : t('chat.composer.send')}
            placeholder={placeholder}
            disabled={!channel || !canPost}
            onSend={send}
            onEditLast={editLast}
            onTyping={typing}
            upload={upload}
            discard={discard}
            searchPeople={searchPeople}
            allowSpecialMentions={channel?.kind !== 'dm'}
            autoFocus={!window.matchMedia?.('(pointer: coarse)').matches}
          />
        )}
        {dialogs}
      </section>
      {paneKind === 'thread' && threadId ? (
        <ThreadPane
          key={threadId}
          channelId={channelId}
          rootId={threadId}
          highlightId={around}
          canPost={canPost}
          canManage={canManage}
          onClose={closePane}
          onRootChanged={(m) => history.update(m.id, (cur) => ({ ...cur, reply_count: m.reply_count, last_reply_at: m.last_reply_at, participants: m.participants, following: m.following }))}
        />
      ) : paneKind === 'pins' && channel ? (
        <PinsPane channel={channel} onClose={closePane} />
      ) : paneKind === 'members' && channel ? (
        <MembersPane channel={channel} canManage={canManage} isMember={isMember} onClose={closePane} />
      ) : null}
    </div>
  );
}

function ChannelIntro({ channel, title }: { channel: Channel; title: string }) {
  const { t } = useI18n();
  return (
    <div className="chat-intro">
      <h2 className="chat-intro__title">{channel.kind === 'dm' ? title : `#${channel.name}`}</h2>
      <p className="chat-intro__text">
        {channel.kind === 'dm' ? t('chat.intro.dm', { name: title }) : t('chat.intro.channel', { name: channel.name })}
      </p>
      {channel.purpose ? <p className="chat-intro__purpose">{channel.purpose}</p> : null}
    </div>
  );
}
