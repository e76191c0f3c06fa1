import { Fragment, useEffect, useState } from 'react';
import type { User } from '../../api/client';
import type { AuditEvent, Page } from '../../api/types';
import { useAuth } from '../../auth/AuthContext';
import { errorFrom } from '../../auth/formErrors';
import { downloadBlob } from '../../components/CopyField';
import { ErrorAlert, SelectField, Spinner, TextField, useErrorText } from '../../components/Form';
import { ChevronDownIcon, DownloadIcon } from '../../components/Icons';
import { Panel, SectionHeader } from '../../components/SettingsLayout';
import { useToast } from '../../components/Toast';
import { useDocumentTitle } from '../../components/useDocumentTitle';
import { useI18n } from '../../i18n';
import { useFormat } from '../../lib/format';
import { usePaged, withParams } from '../../lib/usePaged';

/** A yyyy-mm-dd from a date input as the start (or end) of that local day, in RFC 3339. */
export function dayBound(day: string, end: boolean): string | null {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) return null;
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  const at = end ? new Date(y, m - 1, d + 1, 0, 0, 0, 0) : new Date(y, m - 1, d, 0, 0, 0, 0);
  if (end) at.setMilliseconds(-1);
  return at.toISOString();
}

/** The first block of a UUID, enough to tell rows apart (the full ID is in the details). */
function shortId(id: string): string {
  return id.length > 12 ? `${id.slice(0, 8)}…` : id;
}

export function AuditSection() {
  const { t } = useI18n();
  const { client } = useAuth();
  const toast = useToast();
  const errorText = useErrorText();
  const fmt = useFormat();
  useDocumentTitle('admin.audit.docTitle');

  const [actor, setActor] = useState('');
  const [action, setAction] = useState('');
  const [result, setResult] = useState('');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [actions, setActions] = useState<string[]>([]);
  const [people, setPeople] = useState<User[]>([]);
  const [open, setOpen] = useState<string | null>(null);
  const [exporting, setExporting] = useState(false);

  const filters = {
    actor,
    action,
    result,
    from: from ? dayBound(from, false) : null,
    to: to ? dayBound(to, true) : null,
  };
  const events = usePaged<AuditEvent>(withParams('/api/v1/audit', filters));

  useEffect(() => {
    let live = true;
    client.request<string[] | { items: string[] } | { actions: string[] }>('/api/v1/audit/actions').then(
      (res) => {
        if (!live) return;
        const list = Array.isArray(res) ? res : 'items' in res ? res.items : res.actions;
        setActions([...(list ?? [])].sort());
      },
      () => undefined,
    );
    // The actor filter takes a user ID: offer the people by name.
    client.request<Page<User>>('/api/v1/users?limit=200').then(
      (res) => live && setPeople([...res.items].sort((a, b) => a.name.localeCompare(b.name))),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [client]);

  async function exportCsv() {
    if (exporting) return;
    setExporting(true);
    try {
      const { blob, filename } = await client.blob(withParams('/api/v1/audit/export.csv', filters));
      downloadBlob(filename ?? 'nexus-audit.csv', blob);
    } catch (err) {
      toast(errorText(errorFrom(err)), 'error');
    } finally {
      setExporting(false);
    }
  }

  const filtered = Object.values(filters).some((v) => v);

  return (
    <div className="section section--wide">
      <SectionHeader
        title={t('admin.audit.title')}
        lead={t('admin.audit.lead')}
        actions={
          <button type="button" className="button" onClick={() => void exportCsv()} aria-disabled={exporting || undefined}>
            {exporting ? <Spinner /> : <DownloadIcon width={16} height={16} />}
            {t('admin.audit.export')}
          </button>
        }
      />
      <div className="filters filters--audit" role="search" aria-label={t('admin.audit.filters')}>
        <SelectField label={t('admin.audit.actor')} value={actor} onChange={(e) => setActor(e.target.value)}>
          <option value="">{t('admin.audit.anyone')}</option>
          {people.map((p) => (
            <option key={p.id} value={p.id}>
              {p.deleted ? t('admin.users.deletedUser') : `${p.name} · ${p.email}`}
            </option>
          ))}
        </SelectField>
        <SelectField label={t('admin.audit.action')} value={action} onChange={(e) => setAction(e.target.value)}>
          <option value="">{t('admin.audit.anyAction')}</option>
          {actions.map((a) => (
            <option key={a} value={a}>
              {a}
            </option>
          ))}
        </SelectField>
        <SelectField label={t('admin.audit.result')} value={result} onChange={(e) => setResult(e.target.value)}>
          <option value="">{t('admin.audit.anyResult')}</option>
          <option value="success">{t('admin.audit.result.success')}</option>
          <option value="failure">{t('admin.audit.result.failure')}</option>
        </SelectField>
        <TextField label={t('admin.audit.from')} type="date" value={from} max={to || undefined} onChange={(e) => setFrom(e.target.value)} />
        <TextField label={t('admin.audit.to')} type="date" value={to} min={from || undefined} onChange={(e) => setTo(e.target.value)} />
      </div>
      <ErrorAlert error={events.error} />
      <Panel>
        <div className="table-wrap">
          <table className="table table--compact">
            <caption className="visually-hidden">{t('admin.audit.title')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('admin.audit.col.time')}</th>
                <th scope="col">{t('admin.audit.col.actor')}</th>
                <th scope="col">{t('admin.audit.col.action')}</th>
                <th scope="col" className="hide-narrow">
                  {t('admin.audit.col.target')}
                </th>
                <th scope="col">{t('admin.audit.col.result')}</th>
                <th scope="col" className="hide-narrow">
                  {t('admin.audit.col.ip')}
                </th>
                <th scope="col">
                  <span className="visually-hidden">{t('admin.audit.col.details')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {(events.items ?? []).map((ev) => {
                const expanded = open === ev.id;
                const ok = ev.result === 'success' || ev.result === 'ok';
                return (
                  <Fragment key={ev.id}>
                    <tr>
                      <td className="nowrap">
                        <time dateTime={ev.at}>{fmt.dateTime(ev.at)}</time>
                      </td>
                      <td className="cell-email">{ev.actor?.label || ev.actor?.id || t('admin.audit.system')}</td>
                      <td>
                        <code className="action-name">{ev.action}</code>
                      </td>
                      <td className="hide-narrow cell-email">
                        {ev.target_type ? (
                          <span title={ev.target_id ?? undefined}>
                            {ev.target_type}
                            {ev.target_id ? <span className="muted"> · {shortId(ev.target_id)}</span> : null}
                          </span>
                        ) : null}
                      </td>
                      <td>
                        <span className={`status status--${ok ? 'active' : 'failed'}`}>
                          {ok ? t('admin.audit.result.success') : ev.result === 'failure' ? t('admin.audit.result.failure') : ev.result}
                        </span>
                      </td>
                      <td className="hide-narrow nowrap">{ev.ip}</td>
                      <td className="cell-actions">
                        <button
                          type="button"
                          className="icon-button"
                          aria-expanded={expanded}
                          aria-controls={`audit-${ev.id}`}
                          aria-label={t('admin.audit.showDetails')}
                          title={t('admin.audit.showDetails')}
                          onClick={() => setOpen(expanded ? null : ev.id)}
                        >
                          <ChevronDownIcon width={16} height={16} className={expanded ? 'rotate-180' : undefined} />
                        </button>
                      </td>
                    </tr>
                    {expanded ? (
                      <tr className="table__detail" id={`audit-${ev.id}`}>
                        <td colSpan={7}>
                          <dl className="kv">
                            {ev.target_type ? (
                              <div>
                                <dt>{t('admin.audit.col.target')}</dt>
                                <dd>
                                  {ev.target_type} {ev.target_id}
                                </dd>
                              </div>
                            ) : null}
                            <div>
                              <dt>{t('admin.audit.col.ip')}</dt>
                              <dd>{ev.ip || '—'}</dd>
                            </div>
                            <div>
                              <dt>{t('admin.audit.userAgent')}</dt>
                              <dd>{ev.user_agent || '—'}</dd>
                            </div>
                            {ev.details && Object.keys(ev.details).length > 0 ? (
                              <div>
                                <dt>{t('admin.audit.col.details')}</dt>
                                <dd>
                                  <pre className="code">{JSON.stringify(ev.details, null, 2)}</pre>
                                </dd>
                              </div>
                            ) : null}
                          </dl>
                        </td>
                      </tr>
                    ) : null}
                  </Fragment>
                );
              })}
            </tbody>
          </table>
        </div>
        {events.items && events.items.length === 0 ? (
          <p className="empty">{filtered ? t('admin.audit.noMatches') : t('admin.audit.none')}</p>
        ) : null}
        {!events.items && events.loading ? (
          <div className="pending" role="status" aria-label={t('common.loading')}>
            <Spinner />
          </div>
        ) : null}
        {events.hasMore ? (
          <div className="panel__more">
            <button type="button" className="button" onClick={events.loadMore} aria-disabled={events.loading || undefined}>
              {events.loading ? <Spinner /> : null}
              {t('common.loadMore')}
            </button>
          </div>
        ) : null}
      </Panel>
    </div>
  );
}
