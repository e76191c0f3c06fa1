import { createContext, memo, useContext, useEffect, useLayoutEffect, useRef, useState, type MouseEvent } from 'react';
import { useAuth } from '../auth/AuthContext';
import { ActionMenu, type Action } from '../components/ActionMenu';
import { Avatar } from '../components/Avatar';
import { Dialog } from '../components/Dialog';
import { DownloadIcon } from '../components/Icons';
import { useI18n } from '../i18n';
import { Link, navigate } from '../router';
import { MessageEditor } from './Composer';
import { formatBytes, useChatFormat } from './format';
import { DocumentIcon, FileIcon, PinIcon, ReplyIcon } from './icons';
import { AddReactionButton, ReactionBar } from './Reactions';
import type { Attachment, Message } from './types';

/** What can be done to a message; provided by the channel view and the thread pane. */
export interface MessageActions {
  myId: string;
  /** May delete others' messages and pin (channel admin). */
  canManage: boolean;
  /** Archived channel, or not a member: look, don't touch. */
  readOnly: boolean;
  editingId: string | null;
  highlightId: string | null;
  react: (m: Message, emoji: string) => void;
  openThread?: (m: Message) => void;
  startEdit: (m: Message) => void;
  cancelEdit: () => void;
  saveEdit: (m: Message, body: string) => Promise<void>;
  remove: (m: Message) => void;
  togglePin: (m: Message) => void;
  copyLink: (m: Message) => void;
  promote: (m: Message) => void;
  toggleFollow?: (m: Message) => void;
  /** "Mark as unread" from this message (channel messages of a member). */
  markUnread?: (m: Message) => void;
}

export const MessageActionsContext = createContext<MessageActions | null>(null);

function useActions(): MessageActions {
  const a = useContext(MessageActionsContext);
  if (!a) throw new Error('MessageActionsContext missing');
  return a;
}

/** Same-origin links in rendered messages navigate inside the app. */
export function onRichTextClick(e: MouseEvent<HTMLElement>) {
  if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
  const a = (e.target as HTMLElement).closest('a');
  if (!a || !a.href || (a.target && a.target !== '_self') || a.hasAttribute('download')) return;
  let url: URL;
  try {
    url = new URL(a.href, window.location.href);
  } catch {
    return;
  }
  if (url.origin !== window.location.origin || url.pathname.startsWith('/api/')) return;
  e.preventDefault();
  navigate(url.pathname + url.search + url.hash);
}

/** The message's text: the server's sanitized HTML, with my mentions marked. */
function RichText({ html, body, myId }: { html: string; body: string; myId: string }) {
  const ref = useRef<HTMLDivElement>(null);
  useLayoutEffect(() => {
    ref.current?.querySelectorAll<HTMLElement>('[data-user-id]').forEach((el) => {
      el.classList.toggle('mention--me', el.dataset.userId === myId);
    });
  }, [html, myId]);
  if (!html) {
    return <div className="msg__text msg__text--plain">{body}</div>;
  }
  // The HTML comes from the server's markdown renderer, sanitized there (bluemonday).
  return <div ref={ref} className="msg__text rich" onClick={onRichTextClick} dangerouslySetInnerHTML={{ __html: html }} />;
}

/** Fetches an attachment (or its thumbnail) with the Bearer token and shows it from a blob: URL. */
function useBlobUrl(path: string | null): string | null {
  const { client } = useAuth();
  const [url, setUrl] = useState<string | null>(null);
  useEffect(() => {
    if (!path) return;
    let live = true;
    let made: string | null = null;
    client.blob(path).then(
      ({ blob }) => {
        made = URL.createObjectURL(blob);
        if (live) setUrl(made);
        else URL.revokeObjectURL(made);
      },
      () => undefined,
    );
    return () => {
      live = false;
      if (made) URL.revokeObjectURL(made);
    };
  }, [client, path]);
  return url;
}

async function download(client: ReturnType<typeof useAuth>['client'], a: Attachment) {
  const { blob, filename } = await client.blob(`/api/v1/attachments/${encodeURIComponent(a.id)}/content`);
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = filename ?? a.name;
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

function ImageAttachment({ a }: { a: Attachment }) {
  const { t } = useI18n();
  const [open, setOpen] = useState(false);
  const thumb = useBlobUrl(`/api/v1/attachments/${encodeURIComponent(a.id)}/${a.has_thumbnail === false ? 'content' : 'thumbnail'}`);
  return (
    <>
      <button type="button" className="attachment-image" onClick={() => setOpen(true)} aria-label={t('chat.attachment.openImage', { name: a.name })}>
        {thumb ? <img src={thumb} alt={a.name} loading="lazy" /> : <span className="attachment-image__placeholder" aria-hidden="true" />}
      </button>
      {open ? <ImageDialog a={a} onClose={() => setOpen(false)} /> : null}
    </>
  );
}

function ImageDialog({ a, onClose }: { a: Attachment; onClose: () => void }) {
  const { t } = useI18n();
  const { client } = useAuth();
  const full = useBlobUrl(`/api/v1/attachments/${encodeURIComponent(a.id)}/content`);
  return (
    <Dialog title={a.name} onClose={onClose} size="lg">
      <div className="image-view">{full ? <img src={full} alt={a.name} /> : <span className="spinner" aria-hidden="true" />}</div>
      <div className="dialog__actions">
        <button type="button" className="button" onClick={() => void download(client, a)}>
          <DownloadIcon width={16} height={16} /> {t('chat.attachment.download')}
        </button>
      </div>
    </Dialog>
  );
}

function FileAttachment({ a }: { a: Attachment }) {
  const { t, lang } = useI18n();
  const { client } = useAuth();
  return (
    <div className="attachment-file">
      <FileIcon width={22} height={22} />
      <div className="attachment-file__text">
        <span className="attachment-file__name">{a.name}</span>
        <span className="attachment-file__meta">{formatBytes(a.size, lang)}</span>
      </div>
      <button
        type="button"
        className="icon-button"
        aria-label={t('chat.attachment.downloadNamed', { name: a.name })}
        title={t('chat.attachment.download')}
        onClick={() => void download(client, a)}
      >
        <DownloadIcon width={18} height={18} />
      </button>
    </div>
  );
}

const IMAGE_TYPES = /^image\/(png|jpeg|gif|webp)$/;

function Attachments({ list }: { list: Attachment[] }) {
  if (list.length === 0) return null;
  return (
    <div className="attachments">
      {list.map((a) => (IMAGE_TYPES.test(a.content_type) ? <ImageAttachment key={a.id} a={a} /> : <FileAttachment key={a.id} a={a} />))}
    </div>
  );
}

function Previews({ m }: { m: Message }) {
  const { t } = useI18n();
  if (m.previews.length === 0) return null;
  return (
    <div className="previews">
      {m.previews.map((p) => (
        <Link key={p.id} to={p.url} className="doc-card">
          <DocumentIcon width={20} height={20} />
          <span className="doc-card__text">
            <span className="doc-card__title">{p.title}</span>
            {p.space_name ? <span className="doc-card__space">{t('chat.preview.inSpace', { space: p.space_name })}</span> : null}
            {p.excerpt ? <span className="doc-card__excerpt">{p.excerpt}</span> : null}
          </span>
        </Link>
      ))}
    </div>
  );
}

function ThreadSummary({ m, onOpen }: { m: Message; onOpen: () => void }) {
  const { tp, t } = useI18n();
  const fmt = useChatFormat();
  if (m.reply_count <= 0) return null;
  const people = (m.participants ?? []).filter((p) => p.name).slice(0, 4);
  return (
    <button type="button" className="thread-summary" onClick={onOpen}>
      {people.length > 0 ? (
        <span className="thread-summary__people" aria-hidden="true">
          {people.map((p) => (
            <Avatar key={p.id} name={p.name} url={p.avatar_url} size="sm" />
          ))}
        </span>
      ) : null}
      <span className="thread-summary__count">{tp('chat.thread.replies', m.reply_count)}</span>
      {m.last_reply_at ? <span className="thread-summary__last">{t('chat.thread.lastReply', { time: fmt.short(m.last_reply_at) })}</span> : null}
    </button>
  );
}

/** One message in the history or a thread. */
export const MessageItem = memo(function MessageItem({
  message: m,
  grouped,
  inThread = false,
}: {
  message: Message;
  grouped: boolean;
  inThread?: boolean;
}) {
  const { t } = useI18n();
  const fmt = useChatFormat();
  const a = useActions();
  const mine = m.author.id === a.myId;
  const deleted = !!m.deleted_at;
  const editing = a.editingId === m.id;
  const highlighted = a.highlightId === m.id;
  const isRoot = !m.parent_id;

  const actions: Action[] = [];
  if (!a.readOnly && !deleted) {
    if (mine) actions.push({ label: t('chat.message.edit'), onSelect: () => a.startEdit(m) });
    actions.push({ label: m.pinned_at ? t('chat.message.unpin') : t('chat.message.pin'), onSelect: () => a.togglePin(m) });
  }
  if (isRoot && !inThread && a.markUnread) actions.push({ label: t('chat.message.markUnread'), onSelect: () => a.markUnread!(m) });
  if (!deleted) actions.push({ label: t('chat.message.copyLink'), onSelect: () => a.copyLink(m) });
  if (!deleted && !a.readOnly) actions.push({ label: t('chat.message.promote'), onSelect: () => a.promote(m) });
  if (isRoot && a.toggleFollow && m.reply_count > 0) {
    actions.push({ label: m.following ? t('chat.thread.unfollow') : t('chat.thread.follow'), onSelect: () => a.toggleFollow!(m) });
  }
  if (!a.readOnly && !deleted && (mine || a.canManage)) {
    actions.push({ label: t('chat.message.delete'), onSelect: () => a.remove(m), danger: true });
  }

  const time = m.created_at ? (
    <time className="msg__time" dateTime={m.created_at} title={fmt.full(m.created_at)}>
      {fmt.time(m.created_at)}
    </time>
  ) : null;

  return (
    <div
      className={`msg${grouped ? ' msg--grouped' : ''}${highlighted ? ' msg--highlight' : ''}${editing ? ' msg--editing' : ''}${m.pinned_at ? ' msg--pinned' : ''}`}
      data-message-id={m.id}
      tabIndex={-1}
      role="article"
      aria-label={t('chat.message.label', { name: m.author.name || t('chat.unknownUser'), time: m.created_at ? fmt.full(m.created_at) : '' })}
    >
      <div className="msg__gutter">
        {grouped ? time : <Avatar name={m.author.name || '?'} url={m.author.avatar_url} />}
      </div>
      <div className="msg__main">
        {grouped ? null : (
          <div className="msg__head">
            <span className="msg__author">{m.author.name || t('chat.unknownUser')}</span>
            {time}
            {m.pinned_at ? (
              <span className="msg__flag">
                <PinIcon width={12} height={12} /> {t('chat.message.pinned')}
              </span>
            ) : null}
          </div>
        )}
        {deleted ? (
          <p className="msg__deleted">{t('chat.message.deleted')}</p>
        ) : editing ? (
          <MessageEditor
            initial={m.body}
            label={t('chat.edit.label')}
            onSave={(body) => a.saveEdit(m, body)}
            onCancel={a.cancelEdit}
          />
        ) : (
          <>
            <RichText html={m.html} body={m.body} myId={a.myId} />
            {m.edited_at ? (
              <span className="msg__edited" title={fmt.full(m.edited_at)}>
                {t('chat.message.edited')}
              </span>
            ) : null}
            {grouped && m.pinned_at ? (
              <span className="msg__flag">
                <PinIcon width={12} height={12} /> {t('chat.message.pinned')}
              </span>
            ) : null}
            <Attachments list={m.attachments} />
            <Previews m={m} />
            {m.promoted_document_id ? (
              <Link to={`/kb/doc/${encodeURIComponent(m.promoted_document_id)}`} className="msg__promoted">
                <DocumentIcon width={14} height={14} /> {t('chat.message.promotedLink')}
              </Link>
            ) : null}
            <ReactionBar message={m} readOnly={a.readOnly} onToggle={(e) => a.react(m, e)} />
          </>
        )}
        {!inThread && isRoot && a.openThread ? <ThreadSummary m={m} onOpen={() => a.openThread!(m)} /> : null}
      </div>
      {deleted || editing ? null : (
        <div className="msg__actions" role="toolbar" aria-label={t('chat.message.actions')}>
          {a.readOnly ? null : <AddReactionButton onPick={(e) => a.react(m, e)} />}
          {!inThread && isRoot && a.openThread && !a.readOnly ? (
            <button
              type="button"
              className="icon-button"
              aria-label={t('chat.message.reply')}
              title={t('chat.message.reply')}
              onClick={() => a.openThread!(m)}
            >
              <ReplyIcon width={18} height={18} />
            </button>
          ) : null}
          {actions.length > 0 ? <ActionMenu label={t('chat.message.more')} actions={actions} /> : null}
        </div>
      )}
    </div>
  );
});
