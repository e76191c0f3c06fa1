import { useEffect, useState, type FormEvent } from 'react';
import { useAuth } from '../auth/AuthContext';
import { errorFrom, type FormError } from '../auth/formErrors';
import { ErrorAlert, Notice, RadioGroup, Spinner, SubmitButton, Switch } from '../components/Form';
import { Panel, SectionHeader } from '../components/SettingsLayout';
import { useToast } from '../components/Toast';
import { useDocumentTitle } from '../components/useDocumentTitle';
import { useI18n } from '../i18n';
import { Link } from '../router';
import '../chat/chat.css';
import { getPreferences, putPreferences, setMuted } from '../chat/api';
import { useChat, useChatStore } from '../chat/store';
import type { NotificationPreferences } from '../chat/types';
import { desktopEnabled, desktopSupported, setDesktopEnabled } from './desktop';

type Level = NotificationPreferences['notify'];

/** /account/notifications: what creates a notification, desktop notifications, muted channels. */
export function NotificationPrefsSection() {
  const { t } = useI18n();
  const { client } = useAuth();
  const toast = useToast();
  const chat = useChat();
  const store = useChatStore();
  useDocumentTitle('notifications.prefs.docTitle');
  const [saved, setSaved] = useState<Level | null>(null);
  const [level, setLevel] = useState<Level>('all');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<FormError | null>(null);
  const [desktop, setDesktop] = useState(desktopEnabled());
  const [permission, setPermission] = useState(desktopSupported() ? Notification.permission : 'denied');

  useEffect(() => {
    getPreferences(client).then(
      (p) => {
        setSaved(p.notify);
        setLevel(p.notify);
      },
      (err: unknown) => setError(errorFrom(err)),
    );
  }, [client]);

  async function save(e: FormEvent) {
    e.preventDefault();
    if (busy) return;
    setBusy(true);
    setError(null);
    try {
      const p = await putPreferences(client, { notify: level });
      setSaved(p.notify);
      toast(t('notifications.prefs.saved'));
    } catch (err) {
      setError(errorFrom(err));
    } finally {
      setBusy(false);
    }
  }

  const toggleDesktop = async (on: boolean) => {
    if (on && desktopSupported() && Notification.permission === 'default') {
      const p = await Notification.requestPermission();
      setPermission(p);
      if (p !== 'granted') return;
    }
    setDesktopEnabled(on);
    setDesktop(on);
  };

  const muted = chat.channels.filter((c) => c.muted && c.kind !== 'dm');

  return (
    <div className="section">
      <SectionHeader title={t('notifications.prefs.title')} lead={t('notifications.prefs.lead')} />
      <Panel title={t('notifications.prefs.levelTitle')}>
        {saved === null && !error ? (
          <Spinner />
        ) : (
          <form className="form form--panel" onSubmit={save} noValidate aria-busy={busy}>
            <ErrorAlert error={error} />
            <RadioGroup
              legend={t('notifications.prefs.levelLegend')}
              name="notify"
              value={level}
              onChange={setLevel}
              options={[
                { value: 'all', label: t('notifications.prefs.all'), description: t('notifications.prefs.allHint') },
                { value: 'mentions', label: t('notifications.prefs.mentions'), description: t('notifications.prefs.mentionsHint') },
                { value: 'none', label: t('notifications.prefs.none'), description: t('notifications.prefs.noneHint') },
              ]}
            />
            <div className="form__actions">
              <SubmitButton busy={busy} disabled={level === saved && !busy}>
                {t('common.save')}
              </SubmitButton>
            </div>
          </form>
        )}
      </Panel>
      <Panel title={t('notifications.prefs.desktopTitle')} description={t('notifications.prefs.desktopLead')}>
        {!desktopSupported() ? (
          <p className="muted">{t('notifications.prefs.desktopUnsupported')}</p>
        ) : (
          <>
            <Switch
              label={t('notifications.prefs.desktop')}
              description={t('notifications.prefs.desktopHint')}
              checked={desktop && permission === 'granted'}
              disabled={permission === 'denied'}
              onChange={(e) => void toggleDesktop(e.target.checked)}
            />
            {permission === 'denied' ? <Notice tone="warning">{t('notifications.prefs.desktopBlocked')}</Notice> : null}
          </>
        )}
      </Panel>
      <Panel title={t('notifications.prefs.mutedTitle')} description={t('notifications.prefs.mutedLead')}>
        {muted.length === 0 ? (
          <p className="muted">{t('notifications.prefs.mutedNone')}</p>
        ) : (
          <ul className="list muted-list">
            {muted.map((c) => (
              <li key={c.id} className="list__item">
                <div className="list__main">
                  <Link to={`/chat/c/${encodeURIComponent(c.id)}`} className="list__title">
                    #{c.name}
                  </Link>
                </div>
                <button
                  type="button"
                  className="button button--small"
                  onClick={() =>
                    void setMuted(client, c.id, false).then(
                      () => {
                        store.setMutedLocal(c.id, false);
                        toast(t('chat.channel.unmutedToast', { name: `#${c.name}` }));
                      },
                      (err: unknown) => setError(errorFrom(err)),
                    )
                  }
                >
                  {t('notifications.prefs.unmute')}
                </button>
              </li>
            ))}
          </ul>
        )}
      </Panel>
    </div>
  );
}
