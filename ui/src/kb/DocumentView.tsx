import { useCallback, useEffect, useRef, useState } from 'react';
import { useAuth } from '../auth/AuthContext';
import { errorFrom } from '../auth/formErrors';
import { copyText, downloadBlob } from '../components/CopyField';
import { ConfirmDialog } from '../components/Dialog';
import { ErrorAlert, Notice, Spinner, useErrorText } from '../components/Form';
import { DownloadIcon } from '../components/Icons';
import { useToast } from '../components/Toast';
import { useI18n } from '../i18n';
import { useFormat } from '../lib/format';
import { Link } from '../router';
import { attachmentContentPath, attachmentThumbnailPath, isImageType, type Attachment, type Heading, type KbDocument } from './api';
import { setDocSpace } from './cache';
import { around, formatBytes, useKbApi, useLoad } from './hooks';
import { EditIcon, HistoryIcon, LinkIcon, PaperclipIcon, ShareIcon } from './icons';
import { MoreButton } from './PopupMenu';
import { useKbEvents } from './realtime';
import { RenderedHtml, scrollToAnchor, useBlobUrl } from './RenderedHtml';
import { docPath, spacePath, useSpace } from './SpaceShell';

/** Breadcrumbs: the space, then the document's ancestors, then the page itself. */
export function Breadcrumbs({ doc, current }: { doc: Pick<KbDocument, 'id' | 'title' | 'breadcrumbs'>; current?: string }) {
  const { t } = useI18n();
  const { space, spaceId } = useSpace();
  const crumbs = doc.breadcrumbs.filter((c) => c.id !== doc.id);
  return (
    <nav className="kb-crumbs" aria-label={t('kb.doc.breadcrumbs')}>
      <ol>
        <li>
          <Link to={spacePath(spaceId)}>
            <span aria-hidden="true">{space?.icon || '📘'} </span>
            {space?.name ?? t('kb.title')}
          </Link>
        </li>
        {crumbs.map((c) => (
          <li key={c.id}>
            <Link to={docPath(c.id)}>{c.title || t('kb.doc.untitled')}</Link>
          </li>
        ))}
        {current ? (
          <>
            <li>
              <Link to={docPath(doc.id)}>{doc.title || t('kb.doc.untitled')}</Link>
            </li>
            <li aria-current="page">{current}</li>
          </>
        ) : (
          <li aria-current="page">{doc.title || t('kb.doc.untitled')}</li>
        )}
      </ol>
    </nav>
  );
}

/** The table of contents; `active` is the heading in view. */
export function TableOfContents({ toc, active, className }: { toc: Heading[]; active?: string | null; className?: string }) {
  const { t } = useI18n();
  const min = Math.min(...toc.map((h) => h.level));
  return (
    <ul className={`kb-toc__list${className ? ` ${className}` : ''}`}>
      {toc.map((h, i) => (
        <li key={`${h.id}-${i}`} className="kb-toc__item" style={{ paddingLeft: `${(h.level - min) * 12}px` }}>
          <a
            href={`#${encodeURIComponent(h.id)}`}
            className={h.id === active ? 'is-active' : undefined}
            aria-current={h.id === active ? 'location' : undefined}
            onClick={(e) => {
              e.preventDefault();
              if (scrollToAnchor(h.id)) window.history.replaceState(window.history.state, '', `#${encodeURIComponent(h.id)}`);
            }}
          >
            {h.text || t('kb.doc.untitled')}
          </a>
        </li>
      ))}
    </ul>
  );
}

/** Tracks which heading is at the top of the viewport. */
function useActiveHeading(ids: string[], ready: boolean): string | null {
  const [active, setActive] = useState<string | null>(null);
  useEffect(() => {
    if (!ready || ids.length === 0 || typeof IntersectionObserver === 'undefined') return;
    const visible = new Map<string, boolean>();
    const obs = new IntersectionObserver(
      (entries) => {
        for (const e of entries) visible.set(e.target.id, e.isIntersecting);
        const first = ids.find((id) => visible.get(id));
        if (first) setActive(first);
      },
      { rootMargin: '-64px 0px -60% 0px' },
    );
    for (const id of ids) {
      const el = document.getElementById(id);
      if (el) obs.observe(el);
    }
    return () => obs.disconnect();
  }, [ids.join('\n'), ready]);
  return active;
}

function AttachmentItem({ a, canDelete, onDelete }: { a: Attachment; canDelete: boolean; onDelete: (a: Attachment) => void }) {
  const { t, lang } = useI18n();
  const { client } = useAuth();
  const toast = useToast();
  const errorText = useErrorText();
  const image = isImageType(a.content_type);
  const thumb = useBlobUrl(image ? attachmentThumbnailPath(a.id) : null);
  const download = () =>
    client.blob(attachmentContentPath(a.id)).then(
      ({ blob, filename }) => downloadBlob(filename ?? a.name, blob),
      (err: unknown) => toast(errorText(errorFrom(err)), 'error'),
    );
  return (
    <li className="kb-attachment">
      <span className="kb-attachment__thumb" aria-hidden="true">
        {thumb ? <img src={thumb} alt="" /> : <PaperclipIcon width={18} height={18} />}
      </span>
      <div className="kb-attachment__body">
        <span className="kb-attachment__name">{a.name}</span>
        <span className="kb-attachment__meta">{formatBytes(a.size, lang)}</span>
      </div>
      <button type="button" className="button button--small" onClick={() => void download()} aria-label={t('kb.attachments.downloadNamed', { name: a.name })}>
        <DownloadIcon width={16} height={16} />
        <span className="hide-narrow">{t('kb.attachments.download')}</span>
      </button>
      {canDelete ? (
        <button type="button" className="button button--small button--ghost" onClick={() => onDelete(a)} aria-label={t('kb.attachments.deleteNamed', { name: a.name })}>
          {t('kb.attachments.delete')}
        </button>
      ) : null}
    </li>
  );
}

/** /kb/doc/:id: the rendered document with its table of contents, backlinks and attachments. */
export function DocumentView({ id }: { id: string }) {
  const { t, tp } = useI18n();
  const api = useKbApi();
  const toast = useToast();
  const fmt = useFormat();
  const ctx = useSpace();
  const doc = useLoad<KbDocument>(`doc:${id}`, (signal) => api.document(id, signal));
  const [removing, setRemoving] = useState<Attachment | null>(null);
  const scrolled = useRef<string | null>(null);
  const d = doc.data;

  useEffect(() => {
    if (d) document.title = t('app.titleFormat', { page: d.title || t('kb.doc.untitled') });
  }, [d, t]);

  // The document may have moved to another space meanwhile.
  useEffect(() => {
    if (d && d.space_id && d.space_id !== ctx.spaceId) setDocSpace(d.id, d.space_id);
  }, [d, ctx.spaceId]);

  // Keep the tree's title and status in step with what was loaded.
  useEffect(() => {
    if (d) ctx.patchDoc({ id: d.id, title: d.title, status: d.status });
  }, [d?.id, d?.title, d?.status]);

  // Land on the heading in the address (#…) once the content is there.
  useEffect(() => {
    if (!d || scrolled.current === d.id) return;
    scrolled.current = d.id;
    const hash = window.location.hash.slice(1);
    if (!hash) return;
    let target = hash;
    try {
      target = decodeURIComponent(hash);
    } catch {
      /* keep */
    }
    requestAnimationFrame(() => scrollToAnchor(target, false));
  }, [d]);

  useKbEvents(
    useCallback(
      (e) => {
        if (e.type === 'resync' || (e.documentId === id && e.type !== 'document.deleted')) doc.reload();
      },
      [id, doc.reload],
    ),
  );

  const active = useActiveHeading(d?.toc.map((h) => h.id) ?? [], !!d);

  if (doc.error && !d) {
    if (doc.error.kind === 'message' && doc.error.key === 'errors.notFound') {
      return (
        <div className="kb-doc kb-doc--gone">
          <h1 className="page__title" tabIndex={-1}>
            {t('kb.doc.goneTitle')}
          </h1>
          <p className="muted">{t('kb.doc.gone')}</p>
          <Link to={spacePath(ctx.spaceId)} className="button">
            {t('kb.doc.backToSpace')}
          </Link>
        </div>
      );
    }
    return (
      <div className="kb-doc">
        <ErrorAlert error={doc.error} />
        <button type="button" className="button" onClick={doc.reload}>
          {t('unreachable.retry')}
        </button>
      </div>
    );
  }
  if (!d) {
    return (
      <div className="pending" role="status" aria-label={t('common.loading')}>
        <Spinner />
      </div>
    );
  }

  const canEdit = d.access ? d.access.edit : ctx.canEdit;
  const title = d.title || t('kb.doc.untitled');
  const editor = d.updated_by ?? d.created_by;
  const copyLink = () =>
    void copyText(`${window.location.origin}${docPath(d.id)}`).then((ok) => toast(ok ? t('kb.doc.linkCopied') : t('kb.doc.linkCopyFailed'), ok ? 'success' : 'error'));

  return (
    <article className="kb-doc" aria-labelledby="kb-doc-title">
      <Breadcrumbs doc={d} />
      <header className="kb-doc__header">
        <h1 id="kb-doc-title" className="kb-doc__title" tabIndex={-1}>
          {title}
        </h1>
        <div className="kb-doc__actions">
          {canEdit ? (
            <Link to={`${docPath(d.id)}/edit`} className="button button--primary button--small">
              <EditIcon width={16} height={16} />
              {t('kb.doc.edit')}
            </Link>
          ) : null}
          {canEdit ? (
            <button type="button" className="button button--small" onClick={() => ctx.shareDocument(d)} aria-label={t('kb.actions.share')}>
              <ShareIcon width={16} height={16} />
              <span className="hide-narrow">{t('kb.actions.share')}</span>
            </button>
          ) : null}
          <Link to={`${docPath(d.id)}/history`} className="button button--small" aria-label={t('kb.history.title')}>
            <HistoryIcon width={16} height={16} />
            <span className="hide-narrow">{t('kb.history.short')}</span>
          </Link>
          <button type="button" className="icon-button" onClick={copyLink} aria-label={t('kb.doc.copyLink')} title={t('kb.doc.copyLink')}>
            <LinkIcon width={18} height={18} />
          </button>
          <MoreButton label={t('kb.doc.more')} actions={ctx.documentActions(d, { version: d.version, onPage: true })}>
            <svg width="18" height="18" viewBox="0 0 20 20" aria-hidden="true" focusable="false">
              <circle cx="4.75" cy="10" r="1.3" fill="currentColor" />
              <circle cx="10" cy="10" r="1.3" fill="currentColor" />
              <circle cx="15.25" cy="10" r="1.3" fill="currentColor" />
            </svg>
          </MoreButton>
        </div>
        <p className="kb-doc__meta">
          {d.status === 'draft' ? <span className="kb-badge kb-badge--draft">{t('kb.status.draft')}</span> : null}
          {editor ? (
            <span>
              {around(
                (when) => t('kb.doc.edited', { name: editor.name || t('kb.doc.someone'), when }),
                <time key="t" dateTime={d.updated_at} title={fmt.dateTime(d.updated_at)}>
                  {fmt.relative(d.updated_at)}
                </time>,
              )}
            </span>
          ) : null}
          <Link to={`${docPath(d.id)}/history`} className="kb-doc__version">
            {t('kb.doc.version', { n: d.version })}
          </Link>
          {d.category ? (
            <Link to={`/kb/categories/${encodeURIComponent(d.category.id)}`} className="kb-chip kb-chip--category">
              {d.category.path || d.category.name}
            </Link>
          ) : null}
          {d.tags.map((tag) => (
            <Link key={tag} to={`/kb/tags/${encodeURIComponent(tag)}`} className="kb-chip">
              #{tag}
            </Link>
          ))}
        </p>
      </header>

      {d.has_draft && canEdit ? (
        <Notice tone="info">
          {t('kb.doc.hasDraft')}{' '}
          <Link to={`${docPath(d.id)}/edit`}>{t('kb.doc.continueEditing')}</Link>
        </Notice>
      ) : null}

      <div className={`kb-doc__layout${d.toc.length > 1 ? ' kb-doc__layout--toc' : ''}`}>
        <div className="kb-doc__main">
          {d.toc.length > 1 ? (
            <details className="kb-toc kb-toc--inline">
              <summary>{t('kb.doc.toc')}</summary>
              <TableOfContents toc={d.toc} />
            </details>
          ) : null}
          {d.body.trim() === '' && !d.html.trim() ? (
            <div className="kb-doc__empty">
              <p className="muted">{t('kb.doc.empty')}</p>
              {canEdit ? (
                <Link to={`${docPath(d.id)}/edit`} className="button button--small">
                  {t('kb.doc.startWriting')}
                </Link>
              ) : null}
            </div>
          ) : (
            <RenderedHtml html={d.html} />
          )}

          {d.attachments.length > 0 ? (
            <section className="kb-doc__section" aria-labelledby="kb-attachments">
              <h2 id="kb-attachments" className="kb-subtitle">
                {tp('kb.attachments.title', d.attachments.length)}
              </h2>
              <ul className="kb-attachments">
                {d.attachments.map((a) => (
                  <AttachmentItem key={a.id} a={a} canDelete={canEdit} onDelete={setRemoving} />
                ))}
              </ul>
            </section>
          ) : null}

          <section className="kb-doc__section" aria-labelledby="kb-backlinks">
            <h2 id="kb-backlinks" className="kb-subtitle">
              {t('kb.doc.backlinks')}
            </h2>
            {d.backlinks.length === 0 ? (
              <p className="muted kb-doc__none">{t('kb.doc.noBacklinks')}</p>
            ) : (
              <ul className="kb-backlinks">
                {d.backlinks.map((b) => (
                  <li key={b.id}>
                    <Link to={docPath(b.id)}>{b.title || t('kb.doc.untitled')}</Link>
                  </li>
                ))}
              </ul>
            )}
          </section>
        </div>
        {d.toc.length > 1 ? (
          <nav className="kb-toc kb-toc--side" aria-label={t('kb.doc.toc')}>
            <p className="kb-toc__title" aria-hidden="true">
              {t('kb.doc.toc')}
            </p>
            <TableOfContents toc={d.toc} active={active} />
          </nav>
        ) : null}
      </div>
      {removing ? (
        <ConfirmDialog
          danger
          title={t('kb.attachments.deleteTitle', { name: removing.name })}
          body={t('kb.attachments.deleteBody')}
          confirmLabel={t('kb.attachments.delete')}
          onClose={() => setRemoving(null)}
          onConfirm={async () => {
            await api.deleteAttachment(removing.id);
            doc.set((prev) => ({ ...(prev as KbDocument), attachments: (prev?.attachments ?? []).filter((x) => x.id !== removing.id) }));
            toast(t('kb.attachments.deleted', { name: removing.name }));
          }}
        />
      ) : null}
    </article>
  );
}
