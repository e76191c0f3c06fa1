import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { ApiError } from '../../api/client';
import { useUser } from '../../auth/AuthContext';
import { errorFrom, type FormError } from '../../auth/formErrors';
import { CopyField } from '../../components/CopyField';
import { Dialog } from '../../components/Dialog';
import { Checkbox, ErrorAlert, Notice, SelectField, Spinner, SubmitButton, TextField } from '../../components/Form';
import { useToast } from '../../components/Toast';
import { useI18n } from '../../i18n';
import { useFormat } from '../../lib/format';
import { Link } from '../../router';
import type { Share } from '../api';
import { useKbApi } from '../hooks';

const EXPIRY = ['never', '1', '7', '30', 'custom'] as const;
type Expiry = (typeof EXPIRY)[number];

/** The expiry timestamp for a choice ("7" days from now, a custom date at the end of that day, or null). */
export function expiryFor(choice: Expiry, customDate: string, now = new Date()): string | null {
  if (choice === 'never') return null;
  if (choice === 'custom') {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(customDate)) return null;
    const [y, m, d] = customDate.split('-').map(Number) as [number, number, number];
    return new Date(y, m - 1, d, 23, 59, 59).toISOString();
  }
  return new Date(now.getTime() + Number(choice) * 86_400_000).toISOString();
}

const SHARING_OFF = new Set(['public_sharing_disabled', 'sharing_disabled', 'sharing_off']);

function isSharingOff(err: unknown): boolean {
  return err instanceof ApiError && typeof err.details.reason === 'string' && SHARING_OFF.has(err.details.reason);
}

/** Share links for a document: create (with children, expiry), copy, see views, revoke. */
export function ShareDialog({ doc, onClose }: { doc: { id: string; title: string }; onClose: () => void }) {
  const { t, tp } = useI18n();
  const api = useKbApi();
  const me = useUser();
  const toast = useToast();
  const fmt = useFormat();
  const admin = me.role === 'owner' || me.role === 'admin';
  const [shares, setShares] = useState<Share[] | null>(null);
  const [sharingOn, setSharingOn] = useState<boolean | null>(null);
  const [children, setChildren] = useState(false);
  const [expiry, setExpiry] = useState<Expiry>('never');
  const [custom, setCustom] = useState('');
  const [customError, setCustomError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<FormError | null>(null);
  const [fresh, setFresh] = useState<string | null>(null);
  const [revoking, setRevoking] = useState<Share | null>(null);

  const load = useCallback(async () => {
    try {
      const list = await api.shares(doc.id);
      setShares(list.filter((s) => !s.revoked_at));
    } catch (err) {
      setShares([]);
      if (isSharingOff(err)) setSharingOn(false);
      else setError(errorFrom(err));
    }
  }, [api, doc.id]);

  useEffect(() => {
    void load();
    // Only administrators may read the setting; others learn it when creating a link fails.
    if (!admin) return;
    api.settings().then(
      (s) => setSharingOn(s.public_sharing),
      () => setSharingOn((v) => v ?? true),
    );
  }, [api, load, admin]);

  async function create(e: FormEvent) {
    e.preventDefault();
    if (busy) return;
    setError(null);
    const expires = expiryFor(expiry, custom);
    if (expiry === 'custom' && (!expires || Date.parse(expires) <= Date.now())) {
      setCustomError(t('kb.share.customInvalid'));
      return;
    }
    setCustomError(undefined);
    setBusy(true);
    try {
      const share = await api.createShare(doc.id, { include_children: children, expires_at: expires });
      setFresh(share.id);
      setShares((list) => [share, ...(list ?? [])]);
      toast(t('kb.share.created'));
    } catch (err) {
      if (isSharingOff(err)) setSharingOn(false);
      else setError(errorFrom(err));
    } finally {
      setBusy(false);
    }
  }

  async function revoke(s: Share) {
    try {
      await api.revokeShare(s.id);
      setShares((list) => (list ?? []).filter((x) => x.id !== s.id));
      setRevoking(null);
      toast(t('kb.share.revoked'));
    } catch (err) {
      setError(errorFrom(err));
    }
  }

  const title = doc.title || t('kb.doc.untitled');
  return (
    <Dialog title={t('kb.share.title', { title })} description={t('kb.share.lead')} onClose={onClose} size="lg">
        <div className="stack stack--lg">
          {sharingOn === false ? (
            <Notice tone="warning">
              {t('kb.share.off')}{' '}
              {admin ? (
                <Link to="/admin/kb" onClick={onClose}>
                  {t('kb.share.offAdmin')}
                </Link>
              ) : (
                t('kb.share.offAsk')
              )}
            </Notice>
          ) : null}
          <ErrorAlert error={error} />
          <form className="kb-share-form" onSubmit={create} noValidate aria-busy={busy}>
            <Checkbox
              label={t('kb.share.children')}
              description={t('kb.share.childrenHint')}
              checked={children}
              onChange={(e) => setChildren(e.target.checked)}
            />
            <div className="kb-share-form__row">
              <SelectField label={t('kb.share.expiry')} value={expiry} onChange={(e) => setExpiry(e.target.value as Expiry)}>
                <option value="never">{t('kb.share.never')}</option>
                <option value="1">{tp('kb.share.days', 1)}</option>
                <option value="7">{tp('kb.share.days', 7)}</option>
                <option value="30">{tp('kb.share.days', 30)}</option>
                <option value="custom">{t('kb.share.custom')}</option>
              </SelectField>
              {expiry === 'custom' ? (
                <TextField
                  label={t('kb.share.customDate')}
                  type="date"
                  value={custom}
                  onChange={(e) => setCustom(e.target.value)}
                  error={customError}
                  min={new Date().toISOString().slice(0, 10)}
                />
              ) : null}
              <SubmitButton busy={busy} disabled={sharingOn === false}>
                {t('kb.share.create')}
              </SubmitButton>
            </div>
          </form>
          <section aria-labelledby="kb-share-links">
            <h3 id="kb-share-links" className="kb-subtitle">
              {t('kb.share.links')}
            </h3>
            {shares === null ? (
              <div className="pending" role="status" aria-label={t('common.loading')}>
                <Spinner />
              </div>
            ) : shares.length === 0 ? (
              <p className="muted">{t('kb.share.none')}</p>
            ) : (
              <ul className="kb-shares" aria-label={t('kb.share.links')}>
                {shares.map((s) => {
                  const expired = !!s.expires_at && Date.parse(s.expires_at) < Date.now();
                  return (
                    <li key={s.id} className={`kb-share${s.id === fresh ? ' is-new' : ''}`}>
                      {s.url ? (
                        <>
                          <CopyField label={t('kb.share.linkLabel')} value={s.url} />
                          {s.id === fresh ? <p className="kb-share__once">{t('kb.share.copyNow')}</p> : null}
                        </>
                      ) : (
                        <p className="kb-share__hidden">{t('kb.share.hiddenLink')}</p>
                      )}
                      <p className="kb-share__meta">
                        <span>{tp('kb.share.views', s.view_count)}</span>
                        <span>{s.include_children ? t('kb.share.withChildren') : t('kb.share.pageOnly')}</span>
                        <span className={expired ? 'danger-text' : undefined}>
                          {s.expires_at
                            ? expired
                              ? t('kb.share.expired', { date: fmt.dateTime(s.expires_at) })
                              : t('kb.share.expires', { date: fmt.dateTime(s.expires_at) })
                            : t('kb.share.noExpiry')}
                        </span>
                        {s.created_at ? <span>{t('kb.share.createdAt', { date: fmt.relative(s.created_at) })}</span> : null}
                        {revoking?.id !== s.id ? (
                          <button type="button" className="link-button kb-share__revoke" onClick={() => setRevoking(s)}>
                            {t('kb.share.revoke')}
                          </button>
                        ) : null}
                      </p>
                      {revoking?.id === s.id ? (
                        <div className="kb-share__confirm" role="group" aria-label={t('kb.share.revokeTitle')}>
                          <p>{t('kb.share.revokeBody')}</p>
                          <div className="row">
                            <button type="button" className="button button--small" onClick={() => setRevoking(null)} autoFocus>
                              {t('common.cancel')}
                            </button>
                            <button type="button" className="button button--small button--danger" onClick={() => void revoke(s)}>
                              {t('kb.share.revokeConfirm')}
                            </button>
                          </div>
                        </div>
                      ) : null}
                    </li>
                  );
                })}
              </ul>
            )}
          </section>
        </div>
    </Dialog>
  );
}
