import { useRef, useState, type FormEvent } from 'react';
import { useAuth } from '../../auth/AuthContext';
import { errorFrom, isEmail, type FormError } from '../../auth/formErrors';
import { AuthLayout } from '../../components/AuthLayout';
import { EmailField, ErrorAlert, SubmitButton } from '../../components/Form';
import { MailIcon } from '../../components/Icons';
import { useDocumentTitle } from '../../components/useDocumentTitle';
import { useI18n, type MessageKey } from '../../i18n';
import { Link } from '../../router';

/** Asks for a password-reset link. The answer never says whether the account exists. */
export function ForgotPasswordPage() {
  const { t } = useI18n();
  const { client } = useAuth();
  useDocumentTitle('forgot.docTitle');
  const [email, setEmail] = useState('');
  const [busy, setBusy] = useState(false);
  const [sentTo, setSentTo] = useState<string | null>(null);
  const [fieldError, setFieldError] = useState<MessageKey | null>(null);
  const [error, setError] = useState<FormError | null>(null);
  const inputRef = useRef<HTMLInputElement>(null);

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (busy) return;
    const value = email.trim();
    setError(null);
    const problem = !value ? 'validation.emailRequired' : !isEmail(value) ? 'validation.emailInvalid' : null;
    setFieldError(problem);
    if (problem) {
      inputRef.current?.focus();
      return;
    }
    setBusy(true);
    try {
      await client.publicJson('/api/v1/auth/password/forgot', { method: 'POST', body: { email: value } });
      setSentTo(value);
    } catch (err) {
      setError(errorFrom(err));
    } finally {
      setBusy(false);
    }
  }

  if (sentTo) {
    return (
      <AuthLayout>
        <div className="auth__icon" aria-hidden="true">
          <MailIcon width={22} height={22} />
        </div>
        <h1 className="auth__title">{t('forgot.sentTitle')}</h1>
        <p className="auth__lead" role="status">
          {t('forgot.sentBody', { email: sentTo })}
        </p>
        <p className="auth__hint">{t('forgot.sentHint')}</p>
        <Link to="/signin" className="button button--block auth__action">
          {t('common.backToSignIn')}
        </Link>
      </AuthLayout>
    );
  }

  return (
    <AuthLayout>
      <h1 className="auth__title">{t('forgot.title')}</h1>
      <p className="auth__lead">{t('forgot.lead')}</p>
      <form className="form" onSubmit={submit} noValidate aria-busy={busy}>
        <ErrorAlert error={error} />
        <EmailField
          label={t('signIn.email')}
          name="email"
          autoComplete="username"
          value={email}
          onChange={(e) => setEmail(e.target.value)}
          error={fieldError ? t(fieldError) : undefined}
          inputRef={inputRef}
          autoFocus
        />
        <SubmitButton busy={busy} className="button button--primary button--block">
          {t('forgot.submit')}
        </SubmitButton>
      </form>
      <p className="auth__switch">
        <Link to="/signin">{t('common.backToSignIn')}</Link>
      </p>
    </AuthLayout>
  );
}
