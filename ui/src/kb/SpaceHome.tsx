import { useEffect } from 'react';
import { PlusIcon } from '../components/Icons';
import { useI18n } from '../i18n';
import { Link, navigate } from '../router';
import { DocIcon, ImportIcon, UploadIcon } from './icons';
import { MoreButton } from './PopupMenu';
import { docPath, spacePath, useSpace } from './SpaceShell';
import { buildTree } from './tree';

/** /kb/s/:space: the space's header, actions and its top-level pages. */
export function SpaceHome() {
  const { t, tp } = useI18n();
  const ctx = useSpace();
  const { space, docs } = ctx;

  useEffect(() => {
    if (space) document.title = t('app.titleFormat', { page: space.name });
  }, [space, t]);

  const roots = docs ? buildTree(docs).roots : [];
  const extra = [
    { label: t('kb.space.exportZip'), onSelect: () => ctx.exportSpace() },
    ...(ctx.canEdit ? [{ label: t('kb.actions.import'), onSelect: () => ctx.importInto(null) }] : []),
    { label: t('kb.templates.title'), onSelect: () => navigate(spacePath(ctx.spaceId, '/templates')), separated: true },
    { label: t('kb.trash.title'), onSelect: () => navigate(spacePath(ctx.spaceId, '/trash')) },
    ...(ctx.canManage ? [{ label: t('kb.space.settings'), onSelect: () => navigate(spacePath(ctx.spaceId, '/settings')) }] : []),
  ];

  return (
    <div className="kb-space-home">
      <header className="kb-space-header">
        <span className="kb-space-header__icon" aria-hidden="true">
          {space?.icon || '📘'}
        </span>
        <div className="kb-space-header__text">
          <h1 className="page__title" tabIndex={-1}>
            {space?.name ?? '…'}
          </h1>
          {space?.description ? <p className="page__lead">{space.description}</p> : null}
          <p className="kb-space-header__meta">
            {space?.visibility === 'members' ? <span className="kb-badge">{t('kb.space.visibility.membersShort')}</span> : <span className="kb-badge kb-badge--muted">{t('kb.space.visibility.orgShort')}</span>}
            {space?.archived_at ? <span className="kb-badge kb-badge--warning">{t('kb.space.archived')}</span> : null}
            {docs ? <span>{tp('kb.spaces.docs', docs.length)}</span> : null}
          </p>
        </div>
        <div className="kb-space-header__actions">
          {ctx.canEdit ? (
            <button type="button" className="button button--primary" onClick={() => ctx.newDocument(null)}>
              <PlusIcon width={16} height={16} />
              {t('kb.doc.new')}
            </button>
          ) : null}
          <MoreButton label={t('kb.space.more')} actions={extra} className="button">
            {t('kb.space.moreShort')}
          </MoreButton>
        </div>
      </header>

      {docs && docs.length === 0 ? (
        <div className="card kb-empty">
          <p className="kb-empty__icon" aria-hidden="true">
            📝
          </p>
          <h2 className="card__title">{t('kb.space.emptyTitle')}</h2>
          <p className="muted">{ctx.canEdit ? t('kb.space.empty') : t('kb.space.emptyViewer')}</p>
          {ctx.canEdit ? (
            <div className="row">
              <button type="button" className="button button--primary" onClick={() => ctx.newDocument(null)}>
                <PlusIcon width={16} height={16} />
                {t('kb.doc.new')}
              </button>
              <button type="button" className="button" onClick={() => ctx.importInto(null)}>
                <ImportIcon width={16} height={16} />
                {t('kb.actions.import')}
              </button>
            </div>
          ) : null}
        </div>
      ) : null}

      {roots.length > 0 ? (
        <section aria-labelledby="kb-top-pages">
          <h2 id="kb-top-pages" className="kb-subtitle">
            {t('kb.space.topPages')}
          </h2>
          <ul className="kb-doc-cards">
            {roots.map((n) => (
              <li key={n.doc.id} className="kb-doc-card">
                <DocIcon width={18} height={18} />
                <div className="kb-doc-card__body">
                  <Link to={docPath(n.doc.id)} className="kb-doc-card__title">
                    {n.doc.title || t('kb.doc.untitled')}
                  </Link>
                  <p className="kb-doc-card__meta">
                    {n.doc.status === 'draft' ? <span className="kb-badge kb-badge--draft">{t('kb.status.draft')}</span> : null}
                    {n.children.length > 0 ? <span>{tp('kb.space.subpages', n.children.length)}</span> : null}
                  </p>
                </div>
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      {ctx.canEdit && docs && docs.length > 0 ? (
        <p className="kb-hint">
          <UploadIcon width={14} height={14} /> {t('kb.space.dragHint')}
        </p>
      ) : null}
    </div>
  );
}

