import { useRef, useState, type FormEvent } from 'react';
import { ApiError } from '../api/client';
import { useAuth } from '../auth/AuthContext';
import { failureFrom, formErrorText, isEmail, type FormError } from '../auth/formErrors';
import { AuthLayout } from '../components/AuthLayout';
import { FormAlert, PasswordField, Spinner, TextField } from '../components/Form';
import { useDocumentTitle } from '../components/useDocumentTitle';
import { useI18n, type MessageKey } from '../i18n';

type Field = 'email' | 'password';

export function SignInPage() {
  const { t, tp } = useI18n();
  const { login, endReason } = useAuth();
  useDocumentTitle('signIn.docTitle');

  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [formError, setFormError] = useState<FormError | null>(null);
  const [fieldErrors, setFieldErrors] = useState<Partial<Record<Field, MessageKey>>>({});
  const refs = { email: useRef<HTMLInputElement>(null), password: useRef<HTMLInputElement>(null) };

  function validate(): Partial<Record<Field, MessageKey>> {
    const errs: Partial<Record<Field, MessageKey>> = {};
    if (!email.trim()) errs.email = 'validation.emailRequired';
    else if (!isEmail(email)) errs.email = 'validation.emailInvalid';
    if (!password) errs.password = 'validation.passwordRequired';
    return errs;
  }

  function focusFirst(errs: Partial<Record<Field, MessageKey>>) {
    const first = (['email', 'password'] as const).find((f) => errs[f]);
    if (first) refs[first].current?.focus();
  }

  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    if (busy) return;
    const errs = validate();
    setFieldErrors(errs);
    setFormError(null);
    if (Object.keys(errs).length > 0) {
      focusFirst(errs);
      return;
    }
    setBusy(true);
    try {
      await login({ email: email.trim(), password });
      // Signed in: the app frame replaces this page.
    } catch (err) {
      const failure = failureFrom<Field>(err, {
        fields: ['email', 'password'],
        unauthorized: 'errors.incorrectCredentials',
        forbidden: 'errors.accountDisabled',
        fieldMessage: (f) => (f === 'email' ? 'validation.emailInvalid' : 'validation.fieldInvalid'),
      });
      setFormError(failure.form);
      setFieldErrors(failure.fields);
      setBusy(false);
      if (Object.keys(failure.fields).length > 0) focusFirst(failure.fields);
      else if (err instanceof ApiError && err.status === 401) {
        refs.password.current?.focus();
        refs.password.current?.select();
      }
    }
  }

  const showEnded = endReason === 'expired' && !formError;

  return (
    <AuthLayout>
      <h1 className="auth__title">{t('signIn.title')}</h1>
      <p className="auth__lead">{t('signIn.lead')}</p>
      {showEnded ? (
        <p className="notice" role="status">
          {t('errors.sessionEnded')}
        </p>
      ) : null}
      <form className="form" onSubmit={onSubmit} noValidate aria-busy={busy}>
        {formError ? <FormAlert>{formErrorText(formError, t, tp)}</FormAlert> : null}
        <TextField
          label={t('signIn.email')}
          type="email"
          name="email"
          autoComplete="username"
          inputMode="email"
          autoCapitalize="off"
          spellCheck={false}
          required
          value={email}
          onChange={(e) => setEmail(e.target.value)}
          error={fieldErrors.email ? t(fieldErrors.email) : undefined}
          inputRef={refs.email}
          autoFocus
        />
        <PasswordField
          label={t('signIn.password')}
          name="password"
          autoComplete="current-password"
          required
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          error={fieldErrors.password ? t(fieldErrors.password) : undefined}
          inputRef={refs.password}
        />
        <button type="submit" className="button button--primary button--block" aria-disabled={busy || undefined}>
          {busy ? <Spinner /> : null}
          {busy ? t('signIn.submitting') : t('signIn.submit')}
        </button>
      </form>
    </AuthLayout>
  );
}
