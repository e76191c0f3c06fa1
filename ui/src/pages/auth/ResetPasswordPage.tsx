import { useRef, useState, type FormEvent } from 'react';
import { ApiError } from '../../api/client';
import { useAuth } from '../../auth/AuthContext';
import { errorFrom, fieldErrorText, invalidField, passwordProblem, PASSWORD_MIN, type FormError } from '../../auth/formErrors';
import { AuthLayout } from '../../components/AuthLayout';
import { ErrorAlert, FormAlert, PasswordField, SubmitButton } from '../../components/Form';
import { useDocumentTitle } from '../../components/useDocumentTitle';
import { useI18n } from '../../i18n';
import { Link, navigate } from '../../router';

/** /reset-password?token=…: choose a new password with the link from the reset mail. */
export function ResetPasswordPage() {
  const { t } = useI18n();
  const { client } = useAuth();
  useDocumentTitle('reset.docTitle');
  const [token] = useState(() => new URLSearchParams(window.location.search).get('token') ?? '');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [invalidLink, setInvalidLink] = useState(!token);
  const [fieldError, setFieldError] = useState<string | undefined>();
  const [error, setError] = useState<FormError | null>(null);
  const inputRef = useRef<HTMLInputElement>(null);

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (busy) return;
    setError(null);
    const problem = passwordProblem(password);
    setFieldError(problem ? t(problem) : undefined);
    if (problem) {
      inputRef.current?.focus();
      return;
    }
    setBusy(true);
    try {
      await client.publicJson('/api/v1/auth/password/reset', { method: 'POST', body: { token, password } });
      navigate('/signin?notice=password_reset', { replace: true });
    } catch (err) {
      setBusy(false);
      if (err instanceof ApiError && (err.details.reason === 'token_invalid' || err.details.field === 'token' || err.status === 404)) {
        setInvalidLink(true);
        return;
      }
      if (invalidField(err, ['password'] as const)) {
        setFieldError(fieldErrorText(err, t));
        inputRef.current?.focus();
        return;
      }
      setError(errorFrom(err));
    }
  }

  if (invalidLink) {
    return (
      <AuthLayout>
        <h1 className="auth__title">{t('reset.invalidTitle')}</h1>
        <div className="auth__alert">
          <FormAlert>{t('reset.invalidBody')}</FormAlert>
        </div>
        <Link to="/forgot-password" className="button button--primary button--block auth__action">
          {t('reset.requestNew')}
        </Link>
        <p className="auth__switch">
          <Link to="/signin">{t('common.backToSignIn')}</Link>
        </p>
      </AuthLayout>
    );
  }

  return (
    <AuthLayout>
      <h1 className="auth__title">{t('reset.title')}</h1>
      <p className="auth__lead">{t('reset.lead')}</p>
      <form className="form" onSubmit={submit} noValidate aria-busy={busy}>
        <ErrorAlert error={error} />
        <PasswordField
          label={t('reset.password')}
          name="new-password"
          autoComplete="new-password"
          hint={t('setup.passwordHint')}
          minLength={PASSWORD_MIN}
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          error={fieldError}
          inputRef={inputRef}
          autoFocus
        />
        <SubmitButton busy={busy} className="button button--primary button--block">
          {t('reset.submit')}
        </SubmitButton>
      </form>
    </AuthLayout>
  );
}
