import { useCallback, useEffect, useId, useRef, useState, type KeyboardEvent } from 'react';
import { useAuth } from '../auth/AuthContext';
import { errorFrom, type FormError } from '../auth/formErrors';
import { ErrorAlert, Spinner } from '../components/Form';
import { CloseIcon } from '../components/Icons';
import { useToast } from '../components/Toast';
import { useI18n } from '../i18n';
import { useRealtime, useRealtimeEvent, useResync } from '../realtime';
import * as api from './api';
import { Composer, type ComposerHandle } from './Composer';
import { applyReaction, applyThread, eventUser, markDeleted, mergeUpdate } from './live';
import { MessageActionsContext, MessageItem } from './Message';
import { useChat } from './store';
import { mergeMessages, upsertMessage } from './timeline';
import { TypingIndicator } from './TypingIndicator';
import { channelTitle, eventMessage, eventMessageId, type Message } from './types';
import { useMessageOps } from './useMessageOps';

/** The side pane with a thread: its root, the replies, and a reply box. */
export function ThreadPane({
  channelId,
  rootId,
  highlightId,
  canPost,
  canManage,
  onClose,
  onRootChanged,
}: {
  channelId: string;
  rootId: string;
  highlightId: string | null;
  canPost: boolean;
  canManage: boolean;
  onClose: () => void;
  onRootChanged: (root: Message) => void;
}) {
  const { t, tp } = useI18n();
  const { client, user } = useAuth();
  const myId = user?.id ?? '';
  const toast = useToast();
  const chat = useChat();
  const rt = useRealtime();
  const headingId = useId();
  const [root, setRoot] = useState<Message | null>(null);
  const [replies, setReplies] = useState<Message[]>([]);
  const [following, setFollowing] = useState<boolean | null>(null);
  const [status, setStatus] = useState<'loading' | 'ready' | 'error'>('loading');
  const [error, setError] = useState<FormError | null>(null);
  const [nonce, setNonce] = useState(0);
  const listRef = useRef<HTMLDivElement>(null);
  const composerRef = useRef<ComposerHandle>(null);
  const stick = useRef(true);
  const rootChanged = useRef(onRootChanged);
  rootChanged.current = onRootChanged;

  useEffect(() => {
    let live = true;
    setStatus('loading');
    api.getThread(client, rootId, myId).then(
      (th) => {
        if (!live) return;
        setRoot(th.root);
        setReplies(th.replies);
        setFollowing(th.following);
        setStatus('ready');
      },
      (err: unknown) => {
        if (!live) return;
        setError(errorFrom(err));
        setStatus('error');
      },
    );
    return () => {
      live = false;
    };
  }, [client, rootId, myId, nonce]);

  useResync(() => setNonce((n) => n + 1));

  // Opening a thread moves focus into it: the reply box, or the heading when replying is not possible.
  const headingRef = useRef<HTMLHeadingElement>(null);
  const focused = useRef(false);
  useEffect(() => {
    if (status !== 'ready' || focused.current) return;
    focused.current = true;
    const frame = requestAnimationFrame(() => {
      if (composerRef.current) composerRef.current.focus();
      else headingRef.current?.focus();
    });
    return () => cancelAnimationFrame(frame);
  }, [status]);

  // Keep the newest reply in view while the reader is at the bottom; show a permalinked reply.
  useEffect(() => {
    const el = listRef.current;
    if (!el || status !== 'ready') return;
    if (highlightId && replies.some((r) => r.id === highlightId)) {
      Array.from(el.querySelectorAll<HTMLElement>('[data-message-id]'))
        .find((n) => n.dataset.messageId === highlightId)
        ?.scrollIntoView?.({ block: 'center' });
      stick.current = false;
    } else if (stick.current) {
      el.scrollTop = el.scrollHeight;
    }
  }, [replies, status, highlightId]);

  const update = useCallback(
    (id: string, fn: (m: Message) => Message) => {
      if (id === rootId) {
        setRoot((r) => {
          if (!r) return r;
          const next = fn(r);
          rootChanged.current(next);
          return next;
        });
      } else {
        setReplies((list) => list.map((m) => (m.id === id ? fn(m) : m)));
      }
    },
    [rootId],
  );
  const upsert = useCallback(
    (m: Message) => {
      if (m.id === rootId) update(rootId, () => m);
      else if (m.parent_id === rootId) setReplies((list) => upsertMessage(list, m));
    },
    [rootId, update],
  );

  const isOurs = (data: unknown) => !!data && typeof data === 'object' && (data as { channel_id?: unknown }).channel_id === channelId;

  useRealtimeEvent('message.*', (e) => {
    if (!isOurs(e.data)) return;
    const data = e.data as Record<string, unknown>;
    if (e.type === 'message.created') {
      const m = eventMessage(data, myId);
      if (m?.parent_id === rootId) setReplies((list) => mergeMessages(list, [m]));
    } else if (e.type === 'message.updated') {
      const m = eventMessage(data, myId);
      if (m && (m.id === rootId || m.parent_id === rootId)) update(m.id, (prev) => mergeUpdate(prev, m));
    } else if (e.type === 'message.deleted') {
      const id = eventMessageId(data);
      if (id) update(id, (prev) => markDeleted(prev));
    }
  });
  useRealtimeEvent('thread.updated', (e) => {
    if (!isOurs(e.data)) return;
    const data = e.data as Record<string, unknown>;
    if (data.root_id === rootId) update(rootId, (m) => applyThread(m, data, chat.users));
  });
  useRealtimeEvent('reaction.*', (e) => {
    if (!isOurs(e.data)) return;
    const data = e.data as Record<string, unknown>;
    const id = eventMessageId(data);
    const who = eventUser(data, chat.users);
    if (!id || !who || typeof data.emoji !== 'string') return;
    if (id !== rootId && data.parent_id !== rootId) return;
    update(id, (m) => applyReaction(m, e.type === 'reaction.added', data.emoji as string, who, myId));
  });
  useRealtimeEvent('pin.*', (e) => {
    if (!isOurs(e.data)) return;
    const id = eventMessageId(e.data);
    if (id) update(id, (m) => ({ ...m, pinned_at: e.type === 'pin.added' ? new Date().toISOString() : null }));
  });

  const toggleFollow = useCallback(() => {
    const next = !following;
    setFollowing(next);
    api.setFollowing(client, rootId, next).then(
      () => {
        toast(next ? t('chat.thread.followed') : t('chat.thread.unfollowed'));
        if (root) rootChanged.current({ ...root, following: next });
      },
      () => setFollowing(!next),
    );
  }, [following, client, rootId, toast, t, root]);

  const { actions, dialogs, editLast } = useMessageOps({
    messages: replies,
    update,
    upsert,
    canManage,
    readOnly: !canPost,
    highlightId,
  });

  const send = async (body: string, attachmentIds: string[]) => {
    const m = await api.postMessage(client, channelId, { body, parent_id: rootId, attachment_ids: attachmentIds.length ? attachmentIds : undefined }, myId);
    stick.current = true;
    setReplies((list) => upsertMessage(list, m));
    setFollowing(true);
  };

  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key === 'Escape' && !e.defaultPrevented && !document.querySelector('.dialog-layer, .menu, .emoji-picker')) {
      e.preventDefault();
      onClose();
    }
  };

  const channel = chat.channels.find((c) => c.id === channelId);
  const where = channel ? (channel.kind === 'dm' ? channelTitle(channel, myId) : `#${channel.name}`) : '';
  const upload = useCallback((file: File) => api.uploadDraft(client, channelId, file), [client, channelId]);
  const discard = useCallback((a: { id: string }) => void api.deleteAttachment(client, a.id).catch(() => undefined), [client]);
  const searchPeople = useCallback((q: string) => api.searchPeople(client, q), [client]);

  return (
    <aside className="chat-pane" aria-labelledby={headingId} onKeyDown={onKeyDown}>
      <div className="chat-pane__header">
        <div className="chat-pane__title">
          <h2 id={headingId} ref={headingRef} tabIndex={-1}>
            {t('chat.thread.title')}
          </h2>
          {where ? <span className="chat-pane__sub">{where}</span> : null}
        </div>
        {following !== null ? (
          <button type="button" className="button button--small" aria-pressed={following} onClick={toggleFollow}>
            {following ? t('chat.thread.following') : t('chat.thread.follow')}
          </button>
        ) : null}
        <button type="button" className="icon-button" aria-label={t('chat.thread.close')} title={t('chat.thread.close')} onClick={onClose}>
          <CloseIcon width={18} height={18} />
        </button>
      </div>
      <div ref={listRef} className="chat-pane__body" onScroll={(e) => {
        const el = e.currentTarget;
        stick.current = el.scrollHeight - el.scrollTop - el.clientHeight < 48;
      }}>
        {status === 'loading' ? (
          <div className="chat-pane__loading">
            <Spinner />
          </div>
        ) : status === 'error' ? (
          <ErrorAlert error={error} />
        ) : (
          <MessageActionsContext.Provider value={actions}>
            {root ? (
              <div className="thread-root">
                <MessageItem message={root} grouped={false} inThread />
              </div>
            ) : null}
            <div className="thread-count" role="separator">
              <span>{replies.length > 0 ? tp('chat.thread.replies', replies.length) : t('chat.thread.noReplies')}</span>
            </div>
            <div role="log" aria-label={t('chat.thread.repliesLabel')} aria-live="polite" aria-relevant="additions">
              {replies.map((m, i) => {
                const prev = replies[i - 1];
                const grouped =
                  !!prev &&
                  prev.author.id === m.author.id &&
                  !prev.deleted_at &&
                  Date.parse(m.created_at) - Date.parse(prev.created_at) < 5 * 60_000;
                return <MessageItem key={m.id} message={m} grouped={grouped} inThread />;
              })}
            </div>
          </MessageActionsContext.Provider>
        )}
      </div>
      <TypingIndicator entries={chat.typing[`${channelId}/${rootId}`]} />
      {canPost && root && !root.deleted_at ? (
        <Composer
          ref={composerRef}
          draftKey={`${channelId}/${rootId}`}
          label={t('chat.thread.replyLabel')}
          placeholder={t('chat.thread.replyPlaceholder')}
          onSend={send}
          onEditLast={editLast}
          onTyping={() => rt.typing(channelId, rootId)}
          upload={upload}
          discard={discard}
          searchPeople={searchPeople}
          allowSpecialMentions={channel?.kind !== 'dm'}
        />
      ) : null}
      {dialogs}
    </aside>
  );
}
