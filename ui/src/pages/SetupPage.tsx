import { useRef, useState, type FormEvent } from 'react';
import { ApiError } from '../api/client';
import { useAuth } from '../auth/AuthContext';
import {
  PASSWORD_MAX,
  PASSWORD_MIN,
  charLength,
  failureFrom,
  formErrorText,
  isEmail,
  type FormError,
} from '../auth/formErrors';
import { AuthLayout } from '../components/AuthLayout';
import { EmailField, FormAlert, PasswordField, Spinner, TextField } from '../components/Form';
import { useDocumentTitle } from '../components/useDocumentTitle';
import { useI18n, type MessageKey } from '../i18n';

type Field = 'name' | 'email' | 'password';
const FIELDS: readonly Field[] = ['name', 'email', 'password'];

/** The server's current name limit, used only to pick the right message after it refuses a name. */
const NAME_MAX_HINT = 100;

function passwordProblem(password: string): MessageKey | undefined {
  if (!password) return 'validation.passwordRequired';
  const n = charLength(password);
  if (n < PASSWORD_MIN) return 'validation.passwordTooShort';
  if (n > PASSWORD_MAX) return 'validation.passwordTooLong';
  return undefined;
}

/** Why the server may have refused a name (it says only which field; its message is English). */
function nameProblem(name: string): MessageKey {
  const n = charLength(name.trim());
  if (n === 0) return 'validation.nameRequired';
  return n > NAME_MAX_HINT ? 'validation.nameTooLong' : 'validation.fieldInvalid';
}

export function SetupPage() {
  const { t, tp } = useI18n();
  const { setup, showSignIn } = useAuth();
  useDocumentTitle('setup.docTitle');

  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [alreadyDone, setAlreadyDone] = useState(false);
  const [formError, setFormError] = useState<FormError | null>(null);
  const [fieldErrors, setFieldErrors] = useState<Partial<Record<Field, MessageKey>>>({});
  const refs = {
    name: useRef<HTMLInputElement>(null),
    email: useRef<HTMLInputElement>(null),
    password: useRef<HTMLInputElement>(null),
  };

  function validate(): Partial<Record<Field, MessageKey>> {
    const errs: Partial<Record<Field, MessageKey>> = {};
    if (!name.trim()) errs.name = 'validation.nameRequired';
    if (!email.trim()) errs.email = 'validation.emailRequired';
    else if (!isEmail(email)) errs.email = 'validation.emailInvalid';
    const pw = passwordProblem(password);
    if (pw) errs.password = pw;
    return errs;
  }

  function focusFirst(errs: Partial<Record<Field, MessageKey>>) {
    const first = FIELDS.find((f) => errs[f]);
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
      await setup({ name: name.trim(), email: email.trim(), password });
    } catch (err) {
      setBusy(false);
      if (err instanceof ApiError && err.status === 409) {
        setAlreadyDone(true);
        return;
      }
      const failure = failureFrom<Field>(err, {
        fields: FIELDS,
        fieldMessage: (f) =>
          f === 'name'
            ? nameProblem(name)
            : f === 'email'
              ? 'validation.emailInvalid'
              : (passwordProblem(password) ?? 'validation.fieldInvalid'),
      });
      setFormError(failure.form);
      setFieldErrors(failure.fields);
      focusFirst(failure.fields);
    }
  }

  const fieldError = (f: Field) => (fieldErrors[f] ? t(fieldErrors[f]) : undefined);

  return (
    <AuthLayout>
      <p className="auth__eyebrow">{t('setup.eyebrow')}</p>
      <h1 className="auth__title">{t('setup.title')}</h1>
      <p className="auth__lead">{t('setup.lead')}</p>
      {alreadyDone ? (
        <div className="form">
          <FormAlert>{t('setup.alreadyDone')}</FormAlert>
          <button type="button" className="button button--primary button--block" onClick={showSignIn}>
            {t('setup.goToSignIn')}
          </button>
        </div>
      ) : (
        <form className="form" onSubmit={onSubmit} noValidate aria-busy={busy}>
          {formError ? <FormAlert>{formErrorText(formError, t, tp)}</FormAlert> : null}
          <TextField
            label={t('setup.name')}
            name="name"
            autoComplete="name"
            placeholder={t('setup.namePlaceholder')}
            required
            value={name}
            onChange={(e) => setName(e.target.value)}
            error={fieldError('name')}
            inputRef={refs.name}
            autoFocus
          />
          <EmailField
            label={t('setup.email')}
            name="email"
            autoComplete="email"
            placeholder="name@example.com"
            required
            value={email}
            onChange={(e) => setEmail(e.target.value)}
            error={fieldError('email')}
            inputRef={refs.email}
          />
          <PasswordField
            label={t('setup.password')}
            name="password"
            autoComplete="new-password"
            hint={t('setup.passwordHint')}
            required
            minLength={PASSWORD_MIN}
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            error={fieldError('password')}
            inputRef={refs.password}
          />
          <button type="submit" className="button button--primary button--block" aria-disabled={busy || undefined}>
            {busy ? <Spinner /> : null}
            {busy ? t('setup.submitting') : t('setup.submit')}
          </button>
        </form>
      )}
    </AuthLayout>
  );
}
