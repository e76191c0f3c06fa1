import { useCallback, useEffect, useState } from 'react';
import type { MfaStatus, RecoveryCodes as RecoveryCodesResponse } from '../../api/types';
import { useAuth } from '../../auth/AuthContext';
import { errorFrom, type FormError } from '../../auth/formErrors';
import { Dialog } from '../../components/Dialog';
import { ErrorAlert, Spinner } from '../../components/Form';
import { ShieldIcon } from '../../components/Icons';
import { PasswordDialog } from '../../components/PasswordDialog';
import { Panel, SectionHeader } from '../../components/SettingsLayout';
import { useToast } from '../../components/Toast';
import { useDocumentTitle } from '../../components/useDocumentTitle';
import { useI18n } from '../../i18n';
import { RecoveryCodes, TotpEnrollment } from './TotpEnrollment';

type Modal = null | 'regenerate' | 'disable' | { codes: string[] };

export function TwoFactorSection() {
  const { t, tp } = useI18n();
  const { client } = useAuth();
  const toast = useToast();
  useDocumentTitle('account.twoFactor.docTitle');
  const [status, setStatus] = useState<MfaStatus | null>(null);
  const [loadError, setLoadError] = useState<FormError | null>(null);
  const [enrolling, setEnrolling] = useState(false);
  const [modal, setModal] = useState<Modal>(null);

  const load = useCallback(async () => {
    setLoadError(null);
    try {
      setStatus(await client.request<MfaStatus>('/api/v1/me/mfa'));
    } catch (err) {
      setLoadError(errorFrom(err));
    }
  }, [client]);

  useEffect(() => {
    void load();
  }, [load]);

  const refreshUser = () => void client.me().catch(() => undefined);

  let body;
  if (loadError) {
    body = (
      <Panel>
        <div className="stack">
          <ErrorAlert error={loadError} />
          <div>
            <button type="button" className="button" onClick={() => void load()}>
              {t('unreachable.retry')}
            </button>
          </div>
        </div>
      </Panel>
    );
  } else if (!status) {
    body = (
      <div className="pending" role="status" aria-label={t('common.loading')}>
        <Spinner />
      </div>
    );
  } else if (enrolling) {
    body = (
      <Panel title={t('mfa.enroll.title')} description={t('mfa.enroll.lead')}>
        <TotpEnrollment
          onCancel={() => setEnrolling(false)}
          onDone={() => {
            setEnrolling(false);
            toast(t('mfa.enroll.done'));
            refreshUser();
            void load();
          }}
        />
      </Panel>
    );
  } else if (!status.enabled) {
    body = (
      <Panel>
        <div className="status-row">
          <span className="status-row__icon" aria-hidden="true">
            <ShieldIcon />
          </span>
          <div className="status-row__text">
            <p className="status-row__title">
              {t('mfa.status.offTitle')} <span className="badge badge--muted">{t('mfa.status.off')}</span>
            </p>
            <p className="muted">{t('mfa.status.offBody')}</p>
          </div>
          <button type="button" className="button button--primary" onClick={() => setEnrolling(true)}>
            {t('mfa.status.setUp')}
          </button>
        </div>
      </Panel>
    );
  } else {
    body = (
      <>
        <Panel>
          <div className="status-row">
            <span className="status-row__icon status-row__icon--on" aria-hidden="true">
              <ShieldIcon />
            </span>
            <div className="status-row__text">
              <p className="status-row__title">
                {t('mfa.status.onTitle')} <span className="badge badge--success">{t('mfa.status.on')}</span>
              </p>
              <p className="muted">{t('mfa.status.onBody')}</p>
            </div>
          </div>
        </Panel>
        <Panel
          title={t('mfa.codes.panelTitle')}
          description={tp('mfa.codes.left', status.recovery_codes_left)}
          footer={
            <button type="button" className="button" onClick={() => setModal('regenerate')}>
              {t('mfa.codes.regenerate')}
            </button>
          }
        />
        <Panel
          danger
          title={t('mfa.disable.title')}
          description={t('mfa.disable.lead')}
          footer={
            <button type="button" className="button button--danger-outline" onClick={() => setModal('disable')}>
              {t('mfa.disable.button')}
            </button>
          }
        />
      </>
    );
  }

  return (
    <div className="section">
      <SectionHeader title={t('account.twoFactor.title')} lead={t('account.twoFactor.lead')} />
      {body}
      {modal === 'regenerate' ? (
        <PasswordDialog
          title={t('mfa.codes.regenerateTitle')}
          description={t('mfa.codes.regenerateBody')}
          confirmLabel={t('mfa.codes.regenerate')}
          onClose={() => setModal(null)}
          onSubmit={async (password) => {
            const res = await client.request<RecoveryCodesResponse>('/api/v1/me/mfa/recovery-codes', {
              method: 'POST',
              body: { password },
            });
            setModal({ codes: res.recovery_codes });
            void load();
          }}
        />
      ) : null}
      {modal === 'disable' ? (
        <PasswordDialog
          danger
          title={t('mfa.disable.confirmTitle')}
          description={t('mfa.disable.confirmBody')}
          confirmLabel={t('mfa.disable.button')}
          known={{ mfa_required: 'mfa.disable.required', 'status:403': 'mfa.disable.required' }}
          onClose={() => setModal(null)}
          onSubmit={async (password) => {
            await client.request('/api/v1/me/mfa', { method: 'DELETE', body: { password } });
            setModal(null);
            toast(t('mfa.disable.done'));
            refreshUser();
            void load();
          }}
        />
      ) : null}
      {modal !== null && typeof modal === 'object' ? (
        <Dialog title={t('mfa.codes.newTitle')} onClose={() => setModal(null)}>
          <RecoveryCodes codes={modal.codes} onDone={() => setModal(null)} />
        </Dialog>
      ) : null}
    </div>
  );
}
