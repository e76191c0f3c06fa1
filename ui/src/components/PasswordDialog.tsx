import { useRef, useState, type FormEvent, type ReactNode } from 'react';
import { ApiError } from '../api/client';
import { errorFrom, type FormError, type KnownErrors } from '../auth/formErrors';
import { useI18n } from '../i18n';
import { Dialog, DialogActions } from './Dialog';
import { ErrorAlert, PasswordField, SubmitButton } from './Form';

/** Asks for the account password before a sensitive change (re-authentication). */
export function PasswordDialog({
  title,
  description,
  confirmLabel,
  danger = false,
  onSubmit,
  onClose,
  known,
}: {
  title: string;
  description: ReactNode;
  confirmLabel: string;
  danger?: boolean;
  /** Runs the change; resolve to close, throw to show the error. */
  onSubmit: (password: string) => Promise<void>;
  onClose: () => void;
  known?: KnownErrors;
}) {
  const { t } = useI18n();
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [fieldError, setFieldError] = useState<string | undefined>();
  const [error, setError] = useState<FormError | null>(null);
  const ref = useRef<HTMLInputElement>(null);

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (busy) return;
    setError(null);
    if (!password) {
      setFieldError(t('validation.passwordRequired'));
      ref.current?.focus();
      return;
    }
    setFieldError(undefined);
    setBusy(true);
    try {
      await onSubmit(password);
    } catch (err) {
      setBusy(false);
      if (err instanceof ApiError && err.status === 400 && (err.details.field === 'password' || err.details.field === 'current_password')) {
        setFieldError(t('account.password.wrongCurrent'));
        ref.current?.focus();
        ref.current?.select();
        return;
      }
      setError(errorFrom(err, known));
    }
  }

  return (
    <Dialog title={title} description={description} onClose={onClose} size="sm">
      <form className="form form--dialog" onSubmit={submit} noValidate aria-busy={busy}>
        <ErrorAlert error={error} />
        <PasswordField
          label={t('account.password.current')}
          name="password"
          autoComplete="current-password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          error={fieldError}
          inputRef={ref}
          data-autofocus
        />
        <DialogActions>
          <button type="button" className="button" onClick={onClose}>
            {t('common.cancel')}
          </button>
          <SubmitButton busy={busy} className={`button ${danger ? 'button--danger' : 'button--primary'}`}>
            {confirmLabel}
          </SubmitButton>
        </DialogActions>
      </form>
    </Dialog>
  );
}
