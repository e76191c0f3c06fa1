import { useCallback, useEffect, useState } from 'react';
import type { Page, SessionInfo } from '../../api/types';
import { useAuth } from '../../auth/AuthContext';
import { errorFrom, type FormError } from '../../auth/formErrors';
import { ConfirmDialog } from '../../components/Dialog';
import { ErrorAlert, Spinner } from '../../components/Form';
import { MonitorIcon } from '../../components/Icons';
import { Panel, SectionHeader } from '../../components/SettingsLayout';
import { useToast } from '../../components/Toast';
import { useDocumentTitle } from '../../components/useDocumentTitle';
import { useI18n } from '../../i18n';
import { useFormat } from '../../lib/format';

/** "Chrome on macOS", else the server's device label. */
export function deviceLabel(s: SessionInfo, t: (k: 'account.sessions.browserOn', p: Record<string, string>) => string): string {
  if (s.browser && s.os) return t('account.sessions.browserOn', { browser: s.browser, os: s.os });
  return s.device || s.browser || s.os || '—';
}

export function SessionsSection() {
  const { t } = useI18n();
  const { client } = useAuth();
  const toast = useToast();
  const fmt = useFormat();
  useDocumentTitle('account.sessions.docTitle');
  const [sessions, setSessions] = useState<SessionInfo[] | null>(null);
  const [error, setError] = useState<FormError | null>(null);
  const [confirm, setConfirm] = useState<SessionInfo | 'others' | null>(null);

  const load = useCallback(async () => {
    setError(null);
    try {
      const res = await client.request<Page<SessionInfo>>('/api/v1/me/sessions');
      // This device first, then the most recently active.
      const items = [...res.items].sort(
        (a, b) => Number(b.current) - Number(a.current) || Date.parse(b.last_used_at) - Date.parse(a.last_used_at),
      );
      setSessions(items);
    } catch (err) {
      setError(errorFrom(err));
    }
  }, [client]);

  useEffect(() => {
    void load();
  }, [load]);

  const others = sessions?.filter((s) => !s.current) ?? [];

  return (
    <div className="section">
      <SectionHeader
        title={t('account.sessions.title')}
        lead={t('account.sessions.lead')}
        actions={
          others.length > 0 ? (
            <button type="button" className="button" onClick={() => setConfirm('others')}>
              {t('account.sessions.endOthers')}
            </button>
          ) : null
        }
      />
      <ErrorAlert error={error} />
      {!sessions && !error ? (
        <div className="pending" role="status" aria-label={t('common.loading')}>
          <Spinner />
        </div>
      ) : null}
      {sessions ? (
        <Panel>
          <ul className="list" aria-label={t('account.sessions.title')}>
            {sessions.map((s) => (
              <li key={s.id} className="list__item">
                <span className="list__icon" aria-hidden="true">
                  <MonitorIcon />
                </span>
                <div className="list__main">
                  <p className="list__title">
                    {deviceLabel(s, t)}
                    {s.current ? <span className="badge badge--success">{t('account.sessions.thisDevice')}</span> : null}
                  </p>
                  <p className="list__meta">
                    <span>{s.ip}</span>
                    <span>{t('account.sessions.created', { date: fmt.dateTime(s.created_at) })}</span>
                    <span>
                      {t('account.sessions.lastActive', { when: fmt.relative(s.last_used_at) })}
                    </span>
                  </p>
                </div>
                {!s.current ? (
                  <button
                    type="button"
                    className="button button--small"
                    aria-label={t('account.sessions.endNamed', { device: deviceLabel(s, t) })}
                    onClick={() => setConfirm(s)}
                  >
                    {t('account.sessions.end')}
                  </button>
                ) : null}
              </li>
            ))}
          </ul>
        </Panel>
      ) : null}
      {confirm === 'others' ? (
        <ConfirmDialog
          danger
          title={t('account.sessions.endOthersTitle')}
          body={t('account.sessions.endOthersBody')}
          confirmLabel={t('account.sessions.endOthers')}
          onClose={() => setConfirm(null)}
          onConfirm={async () => {
            await client.request('/api/v1/me/sessions', { method: 'DELETE' });
            toast(t('account.sessions.endedOthers'));
            void load();
          }}
        />
      ) : confirm ? (
        <ConfirmDialog
          danger
          title={t('account.sessions.endTitle')}
          body={t('account.sessions.endBody', { device: deviceLabel(confirm, t) })}
          confirmLabel={t('account.sessions.end')}
          onClose={() => setConfirm(null)}
          onConfirm={async () => {
            await client.request(`/api/v1/me/sessions/${encodeURIComponent(confirm.id)}`, { method: 'DELETE' });
            toast(t('account.sessions.ended'));
            void load();
          }}
        />
      ) : null}
    </div>
  );
}
