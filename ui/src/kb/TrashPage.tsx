import { useEffect, useState } from 'react';
import { errorFrom } from '../auth/formErrors';
import { ConfirmDialog } from '../components/Dialog';
import { ErrorAlert, Spinner, useErrorText } from '../components/Form';
import { useToast } from '../components/Toast';
import { useI18n } from '../i18n';
import { useFormat } from '../lib/format';
import { Link } from '../router';
import type { TrashItem } from './api';
import { around, useKbApi, useLoad } from './hooks';
import { spacePath, useSpace } from './SpaceShell';

/** /kb/s/:space/trash: deleted documents; restore (editors) or delete for good (managers). */
export function TrashPage() {
  const { t, tp } = useI18n();
  const api = useKbApi();
  const toast = useToast();
  const errorText = useErrorText();
  const fmt = useFormat();
  const ctx = useSpace();
  const trash = useLoad<TrashItem[]>(`trash:${ctx.spaceId}`, () => api.trash(ctx.spaceId));
  const [purging, setPurging] = useState<TrashItem | null>(null);
  const [busy, setBusy] = useState<string | null>(null);

  useEffect(() => {
    document.title = t('app.titleFormat', { page: t('kb.trash.title') });
  }, [t]);

  async function restore(item: TrashItem) {
    setBusy(item.id);
    try {
      await api.restoreTrash(item.id);
      trash.set((list) => (list ?? []).filter((x) => x.id !== item.id));
      ctx.reloadTree();
      toast(t('kb.trash.restored', { title: item.title || t('kb.doc.untitled') }));
    } catch (err) {
      toast(errorText(errorFrom(err, { conflict: 'kb.trash.expired' })), 'error');
    } finally {
      setBusy(null);
    }
  }

  const items = [...(trash.data ?? [])].sort((a, b) => (a.deleted_at < b.deleted_at ? 1 : -1));

  return (
    <div className="kb-trash">
      <div className="section-header">
        <div className="section-header__text">
          <h1 className="page__title" tabIndex={-1}>
            {t('kb.trash.title')}
          </h1>
          <p className="page__lead">{t('kb.trash.lead')}</p>
        </div>
      </div>
      <ErrorAlert error={trash.error} />
      {!trash.data && !trash.error ? (
        <div className="pending" role="status" aria-label={t('common.loading')}>
          <Spinner />
        </div>
      ) : null}
      {trash.data && items.length === 0 ? (
        <div className="card kb-empty">
          <p className="kb-empty__icon" aria-hidden="true">
            🗑️
          </p>
          <p className="muted">{t('kb.trash.empty')}</p>
        </div>
      ) : null}
      {items.length > 0 ? (
        <ul className="kb-cards" aria-label={t('kb.trash.title')}>
          {items.map((item) => (
            <li key={item.id} className="kb-card">
              <div className="kb-card__body">
                <p className="kb-card__title">{item.title || t('kb.doc.untitled')}</p>
                <p className="kb-card__meta">
                  <span>
                    {around(
                      (when) => t('kb.trash.deleted', { name: item.deleted_by?.name || t('kb.doc.someone'), when }),
                      <time key="t" dateTime={item.deleted_at} title={fmt.dateTime(item.deleted_at)}>
                        {fmt.relative(item.deleted_at)}
                      </time>,
                    )}
                  </span>
                  {item.descendants > 0 ? <span>{tp('kb.trash.withChildren', item.descendants)}</span> : null}
                  {item.purge_at ? <span>{t('kb.trash.purgeAt', { date: fmt.date(item.purge_at) })}</span> : null}
                </p>
              </div>
              <div className="kb-card__actions">
                {ctx.canEdit ? (
                  <button
                    type="button"
                    className="button button--small"
                    onClick={() => void restore(item)}
                    aria-disabled={busy === item.id || undefined}
                    aria-label={t('kb.trash.restoreNamed', { title: item.title || t('kb.doc.untitled') })}
                  >
                    {t('kb.trash.restore')}
                  </button>
                ) : null}
                {ctx.canManage ? (
                  <button
                    type="button"
                    className="button button--small button--danger-outline"
                    onClick={() => setPurging(item)}
                    aria-label={t('kb.trash.purgeNamed', { title: item.title || t('kb.doc.untitled') })}
                  >
                    {t('kb.trash.purge')}
                  </button>
                ) : null}
              </div>
            </li>
          ))}
        </ul>
      ) : null}
      <p>
        <Link to={spacePath(ctx.spaceId)}>{t('kb.backToSpace')}</Link>
      </p>
      {purging ? (
        <ConfirmDialog
          danger
          title={t('kb.trash.purgeTitle', { title: purging.title || t('kb.doc.untitled') })}
          body={t('kb.trash.purgeBody')}
          confirmLabel={t('kb.trash.purge')}
          onClose={() => setPurging(null)}
          onConfirm={async () => {
            await api.purge(purging.id);
            trash.set((list) => (list ?? []).filter((x) => x.id !== purging.id));
            toast(t('kb.trash.purged', { title: purging.title || t('kb.doc.untitled') }));
          }}
        />
      ) : null}
    </div>
  );
}

