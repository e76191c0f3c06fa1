import { useRef, useState, type FormEvent } from 'react';
import type { User } from '../../api/client';
import { useAuth, useUser } from '../../auth/AuthContext';
import { errorFrom, fieldErrorText, invalidField, isEmail, type FormError } from '../../auth/formErrors';
import { EmailField, ErrorAlert, PasswordField, SubmitButton } from '../../components/Form';
import { Panel, SectionHeader } from '../../components/SettingsLayout';
import { useToast } from '../../components/Toast';
import { useDocumentTitle } from '../../components/useDocumentTitle';
import { useI18n } from '../../i18n';

type Field = 'email' | 'password';
const FIELDS: readonly Field[] = ['email', 'password'];

export function EmailSection() {
  const { t } = useI18n();
  const { client } = useAuth();
  const user = useUser();
  const toast = useToast();
  useDocumentTitle('account.email.docTitle');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [fields, setFields] = useState<Partial<Record<Field, string>>>({});
  const [error, setError] = useState<FormError | null>(null);
  const refs = { email: useRef<HTMLInputElement>(null), password: useRef<HTMLInputElement>(null) };

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (busy) return;
    setError(null);
    const errs: Partial<Record<Field, string>> = {};
    const value = email.trim();
    if (!value) errs.email = t('validation.emailRequired');
    else if (!isEmail(value)) errs.email = t('validation.emailInvalid');
    else if (value.toLowerCase() === user.email.toLowerCase()) errs.email = t('account.email.same');
    if (!password) errs.password = t('validation.passwordRequired');
    setFields(errs);
    const first = FIELDS.find((f) => errs[f]);
    if (first) {
      refs[first].current?.focus();
      return;
    }
    setBusy(true);
    try {
      const u = await client.request<User>('/api/v1/me/email', { method: 'POST', body: { email: value, password } });
      client.updateUser(u);
      setEmail('');
      setPassword('');
      toast(t('account.email.changed', { email: u.email }));
    } catch (err) {
      const f = invalidField(err, FIELDS);
      if (f === 'password') {
        setFields({ password: t('account.password.wrongCurrent') });
        refs.password.current?.focus();
      } else if (f) {
        setFields({ [f]: fieldErrorText(err, t) });
        refs[f].current?.focus();
      } else {
        setError(errorFrom(err, { conflict: 'errors.emailTaken' }));
      }
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="section">
      <SectionHeader title={t('account.email.title')} lead={t('account.email.lead')} />
      <Panel>
        <form className="form form--panel form--narrow" onSubmit={submit} noValidate aria-busy={busy}>
          <ErrorAlert error={error} />
          <div className="field">
            <span className="field__label">{t('account.email.current')}</span>
            <p className="field__static">{user.email}</p>
          </div>
          <EmailField
            label={t('account.email.new')}
            name="email"
            autoComplete="email"
            value={email}
            onChange={(e) => setEmail(e.target.value)}
            error={fields.email}
            inputRef={refs.email}
          />
          <PasswordField
            label={t('account.email.password')}
            name="password"
            autoComplete="current-password"
            hint={t('account.email.passwordHint')}
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            error={fields.password}
            inputRef={refs.password}
          />
          <div className="form__actions">
            <SubmitButton busy={busy}>{t('account.email.submit')}</SubmitButton>
          </div>
        </form>
      </Panel>
    </div>
  );
}
