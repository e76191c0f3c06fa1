import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import type { AccessToken, NewAccessToken, Page, Scope } from '../../api/types';
import { useAuth, useUser } from '../../auth/AuthContext';
import { errorFrom, fieldErrorText, invalidField, type FormError } from '../../auth/formErrors';
import { CopyField } from '../../components/CopyField';
import { ConfirmDialog, Dialog, DialogActions } from '../../components/Dialog';
import { Checkbox, ErrorAlert, Notice, SelectField, Spinner, SubmitButton, TextField } from '../../components/Form';
import { KeyIcon, PlusIcon } from '../../components/Icons';
import { Panel, SectionHeader } from '../../components/SettingsLayout';
import { useToast } from '../../components/Toast';
import { useDocumentTitle } from '../../components/useDocumentTitle';
import { useI18n } from '../../i18n';
import { useFormat } from '../../lib/format';

const EXPIRY_CHOICES = ['30', '90', '365', 'never'] as const;

export function TokensSection() {
  const { t } = useI18n();
  const { client } = useAuth();
  const toast = useToast();
  const fmt = useFormat();
  useDocumentTitle('account.tokens.docTitle');
  const [tokens, setTokens] = useState<AccessToken[] | null>(null);
  const [error, setError] = useState<FormError | null>(null);
  const [creating, setCreating] = useState(false);
  const [revoking, setRevoking] = useState<AccessToken | null>(null);

  const load = useCallback(async () => {
    setError(null);
    try {
      const res = await client.request<Page<AccessToken>>('/api/v1/me/tokens');
      setTokens(res.items);
    } catch (err) {
      setError(errorFrom(err));
    }
  }, [client]);

  useEffect(() => {
    void load();
  }, [load]);

  return (
    <div className="section">
      <SectionHeader
        title={t('account.tokens.title')}
        lead={t('account.tokens.lead')}
        actions={
          <button type="button" className="button button--primary" onClick={() => setCreating(true)}>
            <PlusIcon width={16} height={16} />
            {t('account.tokens.create')}
          </button>
        }
      />
      <ErrorAlert error={error} />
      {!tokens && !error ? (
        <div className="pending" role="status" aria-label={t('common.loading')}>
          <Spinner />
        </div>
      ) : null}
      {tokens && tokens.length === 0 ? (
        <Panel>
          <div className="empty">
            <KeyIcon width={22} height={22} />
            <p>{t('account.tokens.empty')}</p>
          </div>
        </Panel>
      ) : null}
      {tokens && tokens.length > 0 ? (
        <Panel>
          <ul className="list" aria-label={t('account.tokens.title')}>
            {tokens.map((tok) => (
              <li key={tok.id} className="list__item">
                <span className="list__icon" aria-hidden="true">
                  <KeyIcon />
                </span>
                <div className="list__main">
                  <p className="list__title">
                    {tok.name}
                    {tok.scopes.map((s) => (
                      <span key={s} className={`badge badge--scope-${s}`}>
                        {t(`scope.${s}`)}
                      </span>
                    ))}
                  </p>
                  <p className="list__meta">
                    <span>{t('account.tokens.createdOn', { date: fmt.date(tok.created_at) })}</span>
                    <span>
                      {tok.last_used_at
                        ? t('account.tokens.lastUsed', { when: fmt.relative(tok.last_used_at) })
                        : t('account.tokens.neverUsed')}
                    </span>
                    <span>
                      {tok.expires_at
                        ? Date.parse(tok.expires_at) < Date.now()
                          ? t('account.tokens.expired', { date: fmt.date(tok.expires_at) })
                          : t('account.tokens.expires', { date: fmt.date(tok.expires_at) })
                        : t('account.tokens.noExpiry')}
                    </span>
                  </p>
                </div>
                <button
                  type="button"
                  className="button button--small button--danger-outline"
                  aria-label={t('account.tokens.revokeNamed', { name: tok.name })}
                  onClick={() => setRevoking(tok)}
                >
                  {t('account.tokens.revoke')}
                </button>
              </li>
            ))}
          </ul>
        </Panel>
      ) : null}
      {creating ? (
        <CreateTokenDialog
          onClose={() => setCreating(false)}
          onCreated={() => void load()}
        />
      ) : null}
      {revoking ? (
        <ConfirmDialog
          danger
          title={t('account.tokens.revokeTitle')}
          body={t('account.tokens.revokeBody', { name: revoking.name })}
          confirmLabel={t('account.tokens.revoke')}
          onClose={() => setRevoking(null)}
          onConfirm={async () => {
            await client.request(`/api/v1/me/tokens/${encodeURIComponent(revoking.id)}`, { method: 'DELETE' });
            toast(t('account.tokens.revoked', { name: revoking.name }));
            void load();
          }}
        />
      ) : null}
    </div>
  );
}

/** Create a token; on success the same dialog shows the secret once. */
export function CreateTokenDialog({ onClose, onCreated }: { onClose: () => void; onCreated: () => void }) {
  const { t } = useI18n();
  const { client } = useAuth();
  const user = useUser();
  const canAdmin = user.role === 'owner' || user.role === 'admin';
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<Scope[]>(['read']);
  const [expiry, setExpiry] = useState<(typeof EXPIRY_CHOICES)[number]>('90');
  const [busy, setBusy] = useState(false);
  const [nameError, setNameError] = useState<string | undefined>();
  const [scopeError, setScopeError] = useState(false);
  const [error, setError] = useState<FormError | null>(null);
  const [created, setCreated] = useState<NewAccessToken | null>(null);
  const nameRef = useRef<HTMLInputElement>(null);

  const toggle = (s: Scope, on: boolean) =>
    setScopes((list) => (on ? [...list.filter((x) => x !== s), s] : list.filter((x) => x !== s)));

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (busy) return;
    setError(null);
    const noName = !name.trim();
    setNameError(noName ? t('account.tokens.nameRequired') : undefined);
    setScopeError(scopes.length === 0);
    if (noName) {
      nameRef.current?.focus();
      return;
    }
    if (scopes.length === 0) return;
    setBusy(true);
    try {
      const order: Scope[] = ['read', 'write', 'admin'];
      const res = await client.request<NewAccessToken>('/api/v1/me/tokens', {
        method: 'POST',
        body: {
          name: name.trim(),
          scopes: order.filter((s) => scopes.includes(s)),
          expires_in_days: expiry === 'never' ? null : Number(expiry),
        },
      });
      setCreated(res);
      onCreated();
    } catch (err) {
      if (invalidField(err, ['name'] as const)) {
        setNameError(fieldErrorText(err, t));
        nameRef.current?.focus();
      } else {
        setError(errorFrom(err));
      }
    } finally {
      setBusy(false);
    }
  }

  if (created) {
    return (
      <Dialog title={t('account.tokens.createdTitle')} onClose={onClose}>
        <div className="stack">
          <Notice tone="warning">{t('account.tokens.shownOnce')}</Notice>
          <CopyField label={t('account.tokens.newToken', { name: created.name })} value={created.token} />
          <DialogActions>
            <button type="button" className="button button--primary" onClick={onClose}>
              {t('common.done')}
            </button>
          </DialogActions>
        </div>
      </Dialog>
    );
  }

  return (
    <Dialog title={t('account.tokens.createTitle')} description={t('account.tokens.createLead')} onClose={onClose}>
      <form className="form form--dialog" onSubmit={submit} noValidate aria-busy={busy}>
        <ErrorAlert error={error} />
        <TextField
          label={t('account.tokens.name')}
          placeholder={t('account.tokens.namePlaceholder')}
          value={name}
          onChange={(e) => setName(e.target.value)}
          error={nameError}
          inputRef={nameRef}
          autoComplete="off"
          data-autofocus
        />
        <fieldset className="checks">
          <legend className="field__label">{t('account.tokens.scopes')}</legend>
          <Checkbox
            label={t('scope.read')}
            description={t('scope.readHint')}
            checked={scopes.includes('read')}
            onChange={(e) => toggle('read', e.target.checked)}
          />
          <Checkbox
            label={t('scope.write')}
            description={t('scope.writeHint')}
            checked={scopes.includes('write')}
            onChange={(e) => toggle('write', e.target.checked)}
          />
          {canAdmin ? (
            <Checkbox
              label={t('scope.admin')}
              description={t('scope.adminHint')}
              checked={scopes.includes('admin')}
              onChange={(e) => toggle('admin', e.target.checked)}
            />
          ) : null}
          {scopeError ? (
            <p className="field__error" role="alert">
              {t('account.tokens.scopeRequired')}
            </p>
          ) : null}
        </fieldset>
        <SelectField
          label={t('account.tokens.expiry')}
          value={expiry}
          onChange={(e) => setExpiry(e.target.value as (typeof EXPIRY_CHOICES)[number])}
        >
          <option value="30">{t('account.tokens.days', { count: 30 })}</option>
          <option value="90">{t('account.tokens.days', { count: 90 })}</option>
          <option value="365">{t('account.tokens.days', { count: 365 })}</option>
          <option value="never">{t('account.tokens.never')}</option>
        </SelectField>
        <DialogActions>
          <button type="button" className="button" onClick={onClose}>
            {t('common.cancel')}
          </button>
          <SubmitButton busy={busy}>{t('account.tokens.createSubmit')}</SubmitButton>
        </DialogActions>
      </form>
    </Dialog>
  );
}
