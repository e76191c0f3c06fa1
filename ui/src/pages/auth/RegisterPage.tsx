import { useRef, useState, type FormEvent } from 'react';
import { useAuth } from '../../auth/AuthContext';
import { errorFrom, fieldErrorText, invalidField, isEmail, passwordProblem, PASSWORD_MIN, type FormError } from '../../auth/formErrors';
import { AuthLayout } from '../../components/AuthLayout';
import { EmailField, ErrorAlert, FormAlert, PasswordField, Spinner, SubmitButton, TextField } from '../../components/Form';
import { useDocumentTitle } from '../../components/useDocumentTitle';
import { useI18n } from '../../i18n';
import { Link, navigate } from '../../router';
import { useAuthOptions } from '../SignInPage';

type Field = 'name' | 'email' | 'password';
const FIELDS: readonly Field[] = ['name', 'email', 'password'];

/** Self-service sign-up, when the workspace's registration policy is "open" or "domain". */
export function RegisterPage() {
  const { t } = useI18n();
  const { client } = useAuth();
  useDocumentTitle('register.docTitle');
  const options = useAuthOptions();
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [fields, setFields] = useState<Partial<Record<Field, string>>>({});
  const [error, setError] = useState<FormError | null>(null);
  const refs = {
    name: useRef<HTMLInputElement>(null),
    email: useRef<HTMLInputElement>(null),
    password: useRef<HTMLInputElement>(null),
  };

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (busy) return;
    setError(null);
    const errs: Partial<Record<Field, string>> = {};
    if (!name.trim()) errs.name = t('validation.nameRequired');
    if (!email.trim()) errs.email = t('validation.emailRequired');
    else if (!isEmail(email)) errs.email = t('validation.emailInvalid');
    const pw = passwordProblem(password);
    if (pw) errs.password = t(pw);
    setFields(errs);
    const first = FIELDS.find((f) => errs[f]);
    if (first) {
      refs[first].current?.focus();
      return;
    }
    setBusy(true);
    try {
      await client.register({ name: name.trim(), email: email.trim(), password });
      navigate('/', { replace: true });
    } catch (err) {
      setBusy(false);
      const f = invalidField(err, FIELDS);
      if (f) {
        setFields({ [f]: fieldErrorText(err, t) });
        refs[f].current?.focus();
        return;
      }
      setError(errorFrom(err, { conflict: 'errors.emailTaken' }));
    }
  }

  if (!options) {
    return (
      <AuthLayout>
        <div className="auth__pending" role="status" aria-label={t('common.loading')}>
          <Spinner />
        </div>
      </AuthLayout>
    );
  }

  if (options.registration === 'invite' || !options.password_login) {
    return (
      <AuthLayout>
        <h1 className="auth__title">{t('register.title')}</h1>
        <div className="auth__alert">
          <FormAlert>{t('errors.registrationClosed')}</FormAlert>
        </div>
        <p className="auth__switch">
          <Link to="/signin">{t('common.backToSignIn')}</Link>
        </p>
      </AuthLayout>
    );
  }

  return (
    <AuthLayout>
      <h1 className="auth__title">{t('register.title')}</h1>
      <p className="auth__lead">{options.registration === 'domain' ? t('register.leadDomain') : t('register.lead')}</p>
      <form className="form" onSubmit={submit} noValidate aria-busy={busy}>
        <ErrorAlert error={error} />
        <TextField
          label={t('setup.name')}
          name="name"
          autoComplete="name"
          placeholder={t('setup.namePlaceholder')}
          value={name}
          onChange={(e) => setName(e.target.value)}
          error={fields.name}
          inputRef={refs.name}
          autoFocus
        />
        <EmailField
          label={t('setup.email')}
          name="email"
          autoComplete="email"
          placeholder="name@example.com"
          value={email}
          onChange={(e) => setEmail(e.target.value)}
          error={fields.email}
          inputRef={refs.email}
        />
        <PasswordField
          label={t('setup.password')}
          name="password"
          autoComplete="new-password"
          hint={t('setup.passwordHint')}
          minLength={PASSWORD_MIN}
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          error={fields.password}
          inputRef={refs.password}
        />
        <SubmitButton busy={busy} busyLabel={t('setup.submitting')} className="button button--primary button--block">
          {t('register.submit')}
        </SubmitButton>
      </form>
      <p className="auth__switch">
        {t('register.haveAccount')} <Link to="/signin">{t('signIn.submit')}</Link>
      </p>
    </AuthLayout>
  );
}
