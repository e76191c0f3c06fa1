import { useEffect, useRef, useState, type FormEvent } from 'react';
import { ApiError } from '../../api/client';
import type { RecoveryCodes as RecoveryCodesResponse, TotpEnrollment as Enrollment } from '../../api/types';
import { useAuth } from '../../auth/AuthContext';
import { errorFrom, type FormError } from '../../auth/formErrors';
import { copyText, downloadText } from '../../components/CopyField';
import { Checkbox, ErrorAlert, Spinner, SubmitButton, TextField } from '../../components/Form';
import { CheckIcon, CopyIcon, DownloadIcon } from '../../components/Icons';
import { useI18n } from '../../i18n';
import { normalizeCode } from '../auth/MfaStep';

/** "JBSWY3DPEHPK3PXP" → "JBSW Y3DP EHPK 3PXP", easier to type by hand. */
export function groupSecret(secret: string): string {
  return secret.replace(/\s+/g, '').replace(/(.{4})(?=.)/g, '$1 ');
}

/**
 * TOTP enrolment: scan the QR code (or type the key), confirm with a code,
 * then save the recovery codes, shown once. `onDone` runs after the user
 * confirms they saved them.
 */
export function TotpEnrollment({ onDone, onCancel }: { onDone: () => void; onCancel?: () => void }) {
  const { t } = useI18n();
  const { client } = useAuth();
  const [enrollment, setEnrollment] = useState<Enrollment | null>(null);
  const [loadError, setLoadError] = useState<FormError | null>(null);
  const [attempt, setAttempt] = useState(0);
  const [code, setCode] = useState('');
  const [busy, setBusy] = useState(false);
  const [fieldError, setFieldError] = useState<string | undefined>();
  const [error, setError] = useState<FormError | null>(null);
  const [codes, setCodes] = useState<string[] | null>(null);
  const inputRef = useRef<HTMLInputElement>(null);

  useEffect(() => {
    let live = true;
    setLoadError(null);
    client.request<Enrollment>('/api/v1/me/mfa/totp', { method: 'POST' }).then(
      (e) => live && setEnrollment(e),
      (err: unknown) => live && setLoadError(errorFrom(err)),
    );
    return () => {
      live = false;
    };
  }, [client, attempt]);

  async function confirm(e: FormEvent) {
    e.preventDefault();
    if (busy) return;
    const value = normalizeCode(code);
    setError(null);
    if (!/^\d{6}$/.test(value)) {
      setFieldError(t('mfa.step.codeFormat'));
      inputRef.current?.focus();
      return;
    }
    setFieldError(undefined);
    setBusy(true);
    try {
      const res = await client.request<RecoveryCodesResponse>('/api/v1/me/mfa/totp/confirm', {
        method: 'POST',
        body: { code: value },
      });
      setCodes(res.recovery_codes);
    } catch (err) {
      if (err instanceof ApiError && err.status === 400) {
        setFieldError(t(err.details.reason === 'mfa_code_used' ? 'mfa.step.usedCode' : 'mfa.step.wrongCode'));
        inputRef.current?.focus();
        inputRef.current?.select();
      } else {
        setError(errorFrom(err));
      }
    } finally {
      setBusy(false);
    }
  }

  if (codes) return <RecoveryCodes codes={codes} onDone={onDone} />;

  if (loadError) {
    return (
      <div className="stack">
        <ErrorAlert error={loadError} />
        <div className="row">
          <button type="button" className="button" onClick={() => setAttempt((n) => n + 1)}>
            {t('unreachable.retry')}
          </button>
          {onCancel ? (
            <button type="button" className="button button--ghost" onClick={onCancel}>
              {t('common.cancel')}
            </button>
          ) : null}
        </div>
      </div>
    );
  }

  if (!enrollment) {
    return (
      <div className="pending" role="status" aria-label={t('common.loading')}>
        <Spinner />
      </div>
    );
  }

  return (
    <div className="enroll">
      <ol className="enroll__steps">
        <li className="enroll__step">
          <h3 className="enroll__title">{t('mfa.enroll.scanTitle')}</h3>
          <p className="muted">{t('mfa.enroll.scanBody')}</p>
          <div className="enroll__qr-row">
            <img className="enroll__qr" src={enrollment.qr_png} alt={t('mfa.enroll.qrAlt')} width={176} height={176} />
            <div className="enroll__manual">
              <p className="enroll__manual-label" id="totp-secret-label">
                {t('mfa.enroll.manual')}
              </p>
              <code className="secret" aria-labelledby="totp-secret-label" data-testid="totp-secret" translate="no">
                {groupSecret(enrollment.secret)}
              </code>
              <button
                type="button"
                className="button button--small"
                onClick={() => void copyText(enrollment.secret)}
              >
                <CopyIcon width={16} height={16} />
                {t('mfa.enroll.copyKey')}
              </button>
            </div>
          </div>
        </li>
        <li className="enroll__step">
          <h3 className="enroll__title">{t('mfa.enroll.confirmTitle')}</h3>
          <form className="form form--inline-code" onSubmit={confirm} noValidate aria-busy={busy}>
            <ErrorAlert error={error} />
            <TextField
              label={t('mfa.step.code')}
              name="code"
              inputMode="numeric"
              autoComplete="one-time-code"
              pattern="[0-9]*"
              maxLength={9}
              className="field--code"
              value={code}
              onChange={(e) => setCode(e.target.value)}
              error={fieldError}
              inputRef={inputRef}
            />
            <div className="row">
              <SubmitButton busy={busy}>{t('mfa.enroll.confirm')}</SubmitButton>
              {onCancel ? (
                <button type="button" className="button button--ghost" onClick={onCancel}>
                  {t('common.cancel')}
                </button>
              ) : null}
            </div>
          </form>
        </li>
      </ol>
    </div>
  );
}

/** Recovery codes, shown once: copy, download as .txt, and confirm they were saved. */
export function RecoveryCodes({ codes, onDone }: { codes: string[]; onDone: () => void }) {
  const { t } = useI18n();
  const [saved, setSaved] = useState(false);
  const [copied, setCopied] = useState(false);
  const text = `${t('mfa.codes.fileHeader')}\n\n${codes.join('\n')}\n`;
  const headingRef = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    headingRef.current?.focus();
  }, []);
  return (
    <div className="codes">
      <h3 className="enroll__title" tabIndex={-1} ref={headingRef}>
        {t('mfa.codes.title')}
      </h3>
      <p className="muted">{t('mfa.codes.body')}</p>
      <ul className="codes__list" aria-label={t('mfa.codes.title')} translate="no">
        {codes.map((c) => (
          <li key={c}>
            <code>{c}</code>
          </li>
        ))}
      </ul>
      <div className="row">
        <button
          type="button"
          className="button button--small"
          onClick={() => void copyText(codes.join('\n')).then((ok) => setCopied(ok))}
        >
          {copied ? <CheckIcon width={16} height={16} /> : <CopyIcon width={16} height={16} />}
          {copied ? t('common.copied') : t('mfa.codes.copy')}
        </button>
        <button type="button" className="button button--small" onClick={() => downloadText('nexus-recovery-codes.txt', text)}>
          <DownloadIcon width={16} height={16} />
          {t('mfa.codes.download')}
        </button>
      </div>
      <Checkbox label={t('mfa.codes.saved')} checked={saved} onChange={(e) => setSaved(e.target.checked)} />
      <div>
        <button type="button" className="button button--primary" disabled={!saved} onClick={onDone}>
          {t('mfa.codes.done')}
        </button>
      </div>
    </div>
  );
}
