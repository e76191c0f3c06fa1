import { useEffect, useState } from 'react';
import { ConfirmDialog } from '../components/Dialog';
import { ErrorAlert, SelectField, Spinner } from '../components/Form';
import { useToast } from '../components/Toast';
import { useI18n } from '../i18n';
import { useFormat } from '../lib/format';
import { Link, navigate, useSearch } from '../router';
import type { DiffLine, KbDocument, VersionDetail, VersionSummary } from './api';
import { DiffModeToggle, DiffView, useDiffMode } from './DiffView';
import { Breadcrumbs } from './DocumentView';
import { useKbApi, useLoad } from './hooks';
import { RenderedHtml } from './RenderedHtml';
import { docPath, useSpace } from './SpaceShell';

const historyPath = (id: string, rest = '') => `${docPath(id)}/history${rest}`;

/**
 * /kb/doc/:id/history: every published version (author, time, message);
 * compare any two (?from=&to=) side by side or inline; open one (/history/:n);
 * restore one as a new version.
 */
export function HistoryPage({ id, version }: { id: string; version: number | null }) {
  const { t } = useI18n();
  const api = useKbApi();
  const fmt = useFormat();
  const toast = useToast();
  const ctx = useSpace();
  const search = new URLSearchParams(useSearch());
  const doc = useLoad<KbDocument>(`doc:${id}`, (signal) => api.document(id, signal));
  const d = doc.data;
  // Listed once the document is known, and again when it gets a new version.
  const versions = useLoad<VersionSummary[]>(d ? `versions:${id}:${d.version}` : null, () => api.versions(id));
  const [restoring, setRestoring] = useState<number | null>(null);
  const list = [...(versions.data ?? [])].sort((a, b) => b.version - a.version);
  const latest = list[0]?.version ?? d?.version ?? 0;
  const canEdit = d?.access ? d.access.edit : ctx.canEdit;

  const fromParam = Number(search.get('from'));
  const toParam = Number(search.get('to'));
  const comparing = Number.isInteger(fromParam) && fromParam > 0 && Number.isInteger(toParam) && toParam > 0;

  useEffect(() => {
    if (d) document.title = t('app.titleFormat', { page: t('kb.history.docTitle', { title: d.title || t('kb.doc.untitled') }) });
  }, [d, t]);

  const heading = version ? t('kb.history.versionTitle', { n: version }) : comparing ? t('kb.history.compareTitle', { from: fromParam, to: toParam }) : t('kb.history.title');

  return (
    <div className="kb-history">
      {d ? <Breadcrumbs doc={d} current={t('kb.history.title')} /> : null}
      <div className="section-header">
        <div className="section-header__text">
          <h1 className="page__title" tabIndex={-1}>
            {heading}
          </h1>
          {d ? <p className="page__lead">{d.title || t('kb.doc.untitled')}</p> : null}
        </div>
        <div className="section-header__actions">
          {version || comparing ? (
            <Link to={historyPath(id)} className="button button--small">
              {t('kb.history.all')}
            </Link>
          ) : null}
          <Link to={docPath(id)} className="button button--small">
            {t('kb.history.backToDoc')}
          </Link>
        </div>
      </div>
      <ErrorAlert error={doc.error ?? versions.error} />
      {!versions.data && !versions.error && !doc.error ? (
        <div className="pending" role="status" aria-label={t('common.loading')}>
          <Spinner />
        </div>
      ) : null}

      {version ? (
        <VersionPane id={id} n={version} latest={latest} canEdit={canEdit} onRestore={setRestoring} />
      ) : comparing ? (
        <ComparePane id={id} from={fromParam} to={toParam} versions={list} />
      ) : versions.data ? (
        <>
          {list.length > 1 ? <CompareForm id={id} versions={list} /> : null}
          <ol className="kb-versions" aria-label={t('kb.history.list')}>
            {list.map((v, i) => (
              <li key={v.version} className="kb-version">
                <div className="kb-version__main">
                  <p className="kb-version__title">
                    <Link to={historyPath(id, `/${v.version}`)}>{t('kb.history.versionTitle', { n: v.version })}</Link>
                    {v.version === latest ? <span className="kb-badge">{t('kb.history.current')}</span> : null}
                  </p>
                  <p className="kb-version__meta">
                    <span>{v.author?.name || t('kb.doc.someone')}</span>
                    <time dateTime={v.created_at} title={fmt.dateTime(v.created_at)}>
                      {fmt.relative(v.created_at)}
                    </time>
                  </p>
                  {v.message ? <p className="kb-version__message">{v.message}</p> : null}
                </div>
                <div className="kb-version__actions">
                  {list[i + 1] ? (
                    <Link
                      to={historyPath(id, `?from=${list[i + 1]?.version}&to=${v.version}`)}
                      className="button button--small"
                      aria-label={t('kb.history.changesIn', { n: v.version })}
                    >
                      {t('kb.history.changes')}
                    </Link>
                  ) : null}
                  {canEdit && v.version !== latest ? (
                    <button type="button" className="button button--small" onClick={() => setRestoring(v.version)} aria-label={t('kb.history.restoreN', { n: v.version })}>
                      {t('kb.history.restore')}
                    </button>
                  ) : null}
                </div>
              </li>
            ))}
          </ol>
        </>
      ) : null}

      {restoring !== null ? (
        <ConfirmDialog
          title={t('kb.history.restoreTitle', { n: restoring })}
          body={t('kb.history.restoreBody', { n: latest + 1 })}
          confirmLabel={t('kb.history.restore')}
          known={{ conflict: 'kb.history.restoreConflict' }}
          onClose={() => setRestoring(null)}
          onConfirm={async () => {
            try {
              const next = await api.restore(id, restoring, latest);
              ctx.patchDoc({ id, title: next.title, status: next.status });
              toast(t('kb.history.restored', { n: restoring, m: next.version }));
              navigate(docPath(id));
            } catch (err) {
              versions.reload();
              doc.reload();
              throw err;
            }
          }}
        />
      ) : null}
    </div>
  );
}

function CompareForm({ id, versions }: { id: string; versions: VersionSummary[] }) {
  const { t } = useI18n();
  const [from, setFrom] = useState(String(versions[1]?.version ?? ''));
  const [to, setTo] = useState(String(versions[0]?.version ?? ''));
  return (
    <form
      className="kb-compare"
      onSubmit={(e) => {
        e.preventDefault();
        if (from && to && from !== to) navigate(historyPath(id, `?from=${from}&to=${to}`));
      }}
    >
      <SelectField label={t('kb.history.from')} value={from} onChange={(e) => setFrom(e.target.value)}>
        {versions.map((v) => (
          <option key={v.version} value={v.version}>
            {t('kb.history.versionTitle', { n: v.version })}
          </option>
        ))}
      </SelectField>
      <SelectField label={t('kb.history.to')} value={to} onChange={(e) => setTo(e.target.value)}>
        {versions.map((v) => (
          <option key={v.version} value={v.version}>
            {t('kb.history.versionTitle', { n: v.version })}
          </option>
        ))}
      </SelectField>
      <button type="submit" className="button" disabled={!from || !to || from === to}>
        {t('kb.history.compare')}
      </button>
    </form>
  );
}

function ComparePane({ id, from, to, versions }: { id: string; from: number; to: number; versions: VersionSummary[] }) {
  const { t } = useI18n();
  const api = useKbApi();
  const [mode, setMode] = useDiffMode();
  const diff = useLoad<DiffLine[]>(`diff:${id}:${from}:${to}`, () => api.diff(id, from, to));
  const label = (n: number) => {
    const v = versions.find((x) => x.version === n);
    return v?.author?.name ? t('kb.history.versionBy', { n, name: v.author.name }) : t('kb.history.versionTitle', { n });
  };
  return (
    <section className="kb-compare-pane" aria-label={t('kb.history.compareTitle', { from, to })}>
      {versions.length > 1 ? <CompareForm key={`${from}-${to}`} id={id} versions={versions} /> : null}
      <div className="kb-compare-pane__head">
        <p className="muted">{t('kb.history.comparing', { from: label(from), to: label(to) })}</p>
        <DiffModeToggle mode={mode} onChange={setMode} />
      </div>
      <ErrorAlert error={diff.error} />
      {diff.data ? (
        <DiffView lines={diff.data} mode={mode} leftLabel={label(from)} rightLabel={label(to)} />
      ) : !diff.error ? (
        <div className="pending" role="status" aria-label={t('common.loading')}>
          <Spinner />
        </div>
      ) : null}
    </section>
  );
}

function VersionPane({ id, n, latest, canEdit, onRestore }: { id: string; n: number; latest: number; canEdit: boolean; onRestore: (n: number) => void }) {
  const { t } = useI18n();
  const api = useKbApi();
  const fmt = useFormat();
  const v = useLoad<VersionDetail>(`version:${id}:${n}`, () => api.version(id, n));
  return (
    <section className="kb-version-view" aria-label={t('kb.history.versionTitle', { n })}>
      <ErrorAlert error={v.error} />
      {v.data ? (
        <>
          <div className="kb-version-view__bar">
            <p className="kb-version__meta">
              <span>{v.data.author?.name || t('kb.doc.someone')}</span>
              <time dateTime={v.data.created_at}>{fmt.dateTime(v.data.created_at)}</time>
              {v.data.message ? <span>“{v.data.message}”</span> : null}
            </p>
            <div className="row">
              {n > 1 ? (
                <Link to={historyPath(id, `?from=${n - 1}&to=${n}`)} className="button button--small">
                  {t('kb.history.changes')}
                </Link>
              ) : null}
              {n !== latest ? (
                <Link to={historyPath(id, `?from=${n}&to=${latest}`)} className="button button--small">
                  {t('kb.history.compareCurrent')}
                </Link>
              ) : null}
              {canEdit && n !== latest ? (
                <button type="button" className="button button--small button--primary" onClick={() => onRestore(n)}>
                  {t('kb.history.restore')}
                </button>
              ) : null}
            </div>
          </div>
          <h2 className="kb-version-view__title">{v.data.title || t('kb.doc.untitled')}</h2>
          <RenderedHtml html={v.data.html} />
        </>
      ) : !v.error ? (
        <div className="pending" role="status" aria-label={t('common.loading')}>
          <Spinner />
        </div>
      ) : null}
    </section>
  );
}
