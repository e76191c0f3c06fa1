import { useRef, useState, type FormEvent } from 'react';
import { ApiError } from '../../api/client';
import { useAuth } from '../../auth/AuthContext';
import { errorFrom, type FormError } from '../../auth/formErrors';
import { ErrorAlert, SubmitButton, TextField } from '../../components/Form';
import { useI18n } from '../../i18n';
import { navigate } from '../../router';

/** Reasons that mean the MFA step itself is over (the token expired or was used up). */
const RESTART_REASONS = new Set(['mfa_token_expired', 'mfa_token_invalid', 'token_expired', 'token_invalid', 'expired']);

/** Digits only, so "123 456" and "123-456" work too. */
export function normalizeCode(value: string): string {
  return value.replace(/[\s-]/g, '');
}

/**
 * The second sign-in step: a 6-digit code from an authenticator app, or one
 * of the recovery codes.
 */
export function MfaStep({
  token,
  methods,
  onRestart,
}: {
  token: string;
  methods: string[];
  onRestart: (expired: boolean) => void;
}) {
  const { t } = useI18n();
  const { client } = useAuth();
  const canTotp = methods.includes('totp') || methods.length === 0;
  const canRecovery = methods.includes('recovery_code');
  const [mode, setMode] = useState<'totp' | 'recovery'>(canTotp ? 'totp' : 'recovery');
  const [code, setCode] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<FormError | null>(null);
  const [fieldError, setFieldError] = useState<string | undefined>();
  const inputRef = useRef<HTMLInputElement>(null);

  function switchMode(next: 'totp' | 'recovery') {
    setMode(next);
    setCode('');
    setError(null);
    setFieldError(undefined);
    setTimeout(() => inputRef.current?.focus(), 0);
  }

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (busy) return;
    const value = mode === 'totp' ? normalizeCode(code) : code.trim();
    setError(null);
    if (mode === 'totp' && !/^\d{6}$/.test(value)) {
      setFieldError(t('mfa.step.codeFormat'));
      inputRef.current?.focus();
      return;
    }
    if (mode === 'recovery' && !value) {
      setFieldError(t('mfa.step.recoveryRequired'));
      inputRef.current?.focus();
      return;
    }
    setFieldError(undefined);
    setBusy(true);
    try {
      await client.loginMfa(mode === 'totp' ? { mfa_token: token, code: value } : { mfa_token: token, recovery_code: value });
      if (window.location.pathname === '/signin') navigate('/', { replace: true });
    } catch (err) {
      setBusy(false);
      const reason = err instanceof ApiError ? err.details.reason : undefined;
      if (typeof reason === 'string' && RESTART_REASONS.has(reason)) {
        onRestart(true);
        return;
      }
      if (err instanceof ApiError && (err.status === 401 || err.status === 400)) {
        setFieldError(
          t(mode === 'recovery' ? 'mfa.step.wrongRecovery' : reason === 'mfa_code_used' ? 'mfa.step.usedCode' : 'mfa.step.wrongCode'),
        );
        inputRef.current?.focus();
        inputRef.current?.select();
        return;
      }
      setError(errorFrom(err));
    }
  }

  return (
    <>
      <h1 className="auth__title">{t('mfa.step.title')}</h1>
      <p className="auth__lead">{mode === 'totp' ? t('mfa.step.leadTotp') : t('mfa.step.leadRecovery')}</p>
      <form className="form" onSubmit={submit} noValidate aria-busy={busy}>
        <ErrorAlert error={error} />
        {mode === 'totp' ? (
          <TextField
            key="totp"
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
            autoFocus
          />
        ) : (
          <TextField
            key="recovery"
            label={t('mfa.step.recoveryCode')}
            name="recovery_code"
            autoComplete="off"
            autoCapitalize="off"
            spellCheck={false}
            className="field--code"
            value={code}
            onChange={(e) => setCode(e.target.value)}
            error={fieldError}
            inputRef={inputRef}
            autoFocus
          />
        )}
        <SubmitButton busy={busy} busyLabel={t('mfa.step.verifying')} className="button button--primary button--block">
          {t('mfa.step.verify')}
        </SubmitButton>
      </form>
      <div className="auth__links">
        {mode === 'totp' && canRecovery ? (
          <button type="button" className="link-button" onClick={() => switchMode('recovery')}>
            {t('mfa.step.useRecovery')}
          </button>
        ) : null}
        {mode === 'recovery' && canTotp ? (
          <button type="button" className="link-button" onClick={() => switchMode('totp')}>
            {t('mfa.step.useTotp')}
          </button>
        ) : null}
        <button type="button" className="link-button link-button--muted" onClick={() => onRestart(false)}>
          {t('mfa.step.back')}
        </button>
      </div>
    </>
  );
}
