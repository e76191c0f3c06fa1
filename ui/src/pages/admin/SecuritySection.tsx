import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { ApiError } from '../../api/client';
import type { AuthOptions, RegistrationPolicy, SecuritySettings } from '../../api/types';
import { useAuth } from '../../auth/AuthContext';
import { errorFrom, invalidField, isConflict, type FormError } from '../../auth/formErrors';
import { ErrorAlert, Notice, RadioGroup, Spinner, SubmitButton, Switch, TextField } from '../../components/Form';
import { Panel, SectionHeader } from '../../components/SettingsLayout';
import { useToast } from '../../components/Toast';
import { useDocumentTitle } from '../../components/useDocumentTitle';
import { useI18n } from '../../i18n';

/** "example.com, Example.org\nfoo.kr" → ["example.com", "example.org", "foo.kr"] */
export function parseDomains(value: string): string[] {
  return [
    ...new Set(
      value
        .split(/[\s,;]+/)
        .map((d) => d.trim().toLowerCase().replace(/^@/, ''))
        .filter(Boolean),
    ),
  ];
}

export function SecuritySection() {
  const { t } = useI18n();
  const { client } = useAuth();
  const toast = useToast();
  useDocumentTitle('admin.security.docTitle');
  const [saved, setSaved] = useState<SecuritySettings | null>(null);
  const [providers, setProviders] = useState<number>(0);
  const [registration, setRegistration] = useState<RegistrationPolicy>('invite');
  const [domains, setDomains] = useState('');
  const [mfaRequired, setMfaRequired] = useState(false);
  const [passwordLogin, setPasswordLogin] = useState(true);
  const [loadError, setLoadError] = useState<FormError | null>(null);
  const [error, setError] = useState<FormError | null>(null);
  const [domainsError, setDomainsError] = useState<string | undefined>();
  const [conflict, setConflict] = useState(false);
  const [busy, setBusy] = useState(false);

  const adopt = useCallback((s: SecuritySettings) => {
    setSaved(s);
    setRegistration(s.registration);
    setDomains((s.registration_domains ?? []).join(', '));
    setMfaRequired(s.mfa_required);
    setPasswordLogin(s.password_login);
  }, []);

  const load = useCallback(async () => {
    setLoadError(null);
    try {
      const [s, o] = await Promise.all([
        client.request<SecuritySettings>('/api/v1/settings/security'),
        client.publicJson<AuthOptions>('/api/v1/auth/options').catch(() => null),
      ]);
      adopt(s);
      setProviders(o?.providers?.length ?? 0);
    } catch (err) {
      setLoadError(errorFrom(err));
    }
  }, [client, adopt]);

  useEffect(() => {
    void load();
  }, [load]);

  const domainList = parseDomains(domains);
  const dirty =
    !!saved &&
    (registration !== saved.registration ||
      mfaRequired !== saved.mfa_required ||
      passwordLogin !== saved.password_login ||
      domainList.join(',') !== (saved.registration_domains ?? []).join(','));

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (busy || !saved) return;
    setError(null);
    setConflict(false);
    if (registration === 'domain' && domainList.length === 0) {
      setDomainsError(t('admin.security.domainsRequired'));
      return;
    }
    setDomainsError(undefined);
    setBusy(true);
    try {
      const next = await client.request<SecuritySettings>('/api/v1/settings/security', {
        method: 'PATCH',
        body: {
          registration,
          registration_domains: domainList,
          mfa_required: mfaRequired,
          password_login: passwordLogin,
          version: saved.version,
        },
      });
      adopt(next);
      toast(t('admin.security.saved'));
    } catch (err) {
      if (isConflict(err)) {
        setConflict(true);
        await load();
      } else if (invalidField(err, ['registration_domains'] as const)) {
        setDomainsError(err instanceof ApiError ? err.message : t('validation.fieldInvalid'));
      } else if (err instanceof ApiError && err.status === 400 && err.details.field === 'password_login') {
        setError({ kind: 'message', key: 'admin.security.passwordNeedsSso' });
      } else {
        setError(errorFrom(err, { no_sso_provider: 'admin.security.passwordNeedsSso' }));
      }
    } finally {
      setBusy(false);
    }
  }

  if (loadError) {
    return (
      <div className="section">
        <SectionHeader title={t('admin.security.title')} lead={t('admin.security.lead')} />
        <ErrorAlert error={loadError} />
        <p>
          <button type="button" className="button" onClick={() => void load()}>
            {t('unreachable.retry')}
          </button>
        </p>
      </div>
    );
  }

  return (
    <div className="section">
      <SectionHeader title={t('admin.security.title')} lead={t('admin.security.lead')} />
      {!saved ? (
        <div className="pending" role="status" aria-label={t('common.loading')}>
          <Spinner />
        </div>
      ) : (
        <form className="stack stack--lg" onSubmit={submit} noValidate aria-busy={busy}>
          {conflict ? <Notice tone="warning">{t('admin.security.conflict')}</Notice> : null}
          <ErrorAlert error={error} />
          <Panel title={t('admin.security.registrationTitle')} description={t('admin.security.registrationLead')}>
            <div className="stack">
              <RadioGroup
                legend={t('admin.security.registrationLegend')}
                name="registration"
                value={registration}
                onChange={setRegistration}
                options={[
                  { value: 'invite', label: t('admin.security.reg.invite'), description: t('admin.security.reg.inviteHint') },
                  { value: 'open', label: t('admin.security.reg.open'), description: t('admin.security.reg.openHint') },
                  { value: 'domain', label: t('admin.security.reg.domain'), description: t('admin.security.reg.domainHint') },
                ]}
              />
              {registration === 'domain' ? (
                <TextField
                  label={t('admin.security.domains')}
                  hint={t('admin.security.domainsHint')}
                  placeholder="example.com, example.co.kr"
                  value={domains}
                  onChange={(e) => setDomains(e.target.value)}
                  error={domainsError}
                  autoComplete="off"
                  spellCheck={false}
                />
              ) : null}
            </div>
          </Panel>
          <Panel title={t('admin.security.signInTitle')}>
            <div className="stack">
              <Switch
                label={t('admin.security.mfaRequired')}
                description={t('admin.security.mfaRequiredHint')}
                checked={mfaRequired}
                onChange={(e) => setMfaRequired(e.target.checked)}
              />
              <Switch
                label={t('admin.security.passwordLogin')}
                description={
                  providers === 0 ? t('admin.security.passwordLoginNoSso') : t('admin.security.passwordLoginHint')
                }
                checked={passwordLogin}
                disabled={providers === 0 && passwordLogin}
                onChange={(e) => setPasswordLogin(e.target.checked)}
              />
            </div>
          </Panel>
          <div className="form__actions">
            <SubmitButton busy={busy} disabled={!dirty && !busy}>
              {t('common.saveChanges')}
            </SubmitButton>
          </div>
        </form>
      )}
    </div>
  );
}
