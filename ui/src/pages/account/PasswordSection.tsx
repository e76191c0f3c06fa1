import { useRef, useState, type FormEvent } from 'react';
import { useAuth } from '../../auth/AuthContext';
import { errorFrom, fieldErrorText, invalidField, passwordProblem, PASSWORD_MIN, type FormError } from '../../auth/formErrors';
import { Checkbox, ErrorAlert, PasswordField, SubmitButton } from '../../components/Form';
import { Panel, SectionHeader } from '../../components/SettingsLayout';
import { useToast } from '../../components/Toast';
import { useDocumentTitle } from '../../components/useDocumentTitle';
import { useI18n } from '../../i18n';

type Field = 'current_password' | 'new_password';
const FIELDS: readonly Field[] = ['current_password', 'new_password'];

export function PasswordSection() {
  const { t } = useI18n();
  const { client } = useAuth();
  const toast = useToast();
  useDocumentTitle('account.password.docTitle');
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [signOutOthers, setSignOutOthers] = useState(true);
  const [busy, setBusy] = useState(false);
  const [fields, setFields] = useState<Partial<Record<Field, string>>>({});
  const [error, setError] = useState<FormError | null>(null);
  const refs = { current_password: useRef<HTMLInputElement>(null), new_password: useRef<HTMLInputElement>(null) };

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (busy) return;
    setError(null);
    const errs: Partial<Record<Field, string>> = {};
    if (!current) errs.current_password = t('validation.passwordRequired');
    const pw = passwordProblem(next);
    if (pw) errs.new_password = t(pw);
    else if (next === current) errs.new_password = t('account.password.same');
    setFields(errs);
    const first = FIELDS.find((f) => errs[f]);
    if (first) {
      refs[first].current?.focus();
      return;
    }
    setBusy(true);
    try {
      await client.request('/api/v1/me/password', {
        method: 'POST',
        body: { current_password: current, new_password: next, sign_out_other_sessions: signOutOthers },
      });
      setCurrent('');
      setNext('');
      toast(signOutOthers ? t('account.password.changedSignedOut') : t('account.password.changed'));
    } catch (err) {
      const f = invalidField(err, FIELDS);
      if (f === 'current_password') {
        setFields({ current_password: t('account.password.wrongCurrent') });
        refs.current_password.current?.focus();
        refs.current_password.current?.select();
      } else if (f) {
        setFields({ [f]: fieldErrorText(err, t) });
        refs[f].current?.focus();
      } else {
        setError(errorFrom(err));
      }
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="section">
      <SectionHeader title={t('account.password.title')} lead={t('account.password.lead')} />
      <Panel>
        <form className="form form--panel form--narrow" onSubmit={submit} noValidate aria-busy={busy}>
          <ErrorAlert error={error} />
          {/* Lets password managers pair the new password with this account. */}
          <input type="text" name="username" autoComplete="username" value={client.user?.email ?? ''} readOnly hidden />
          <PasswordField
            label={t('account.password.current')}
            name="current-password"
            autoComplete="current-password"
            value={current}
            onChange={(e) => setCurrent(e.target.value)}
            error={fields.current_password}
            inputRef={refs.current_password}
          />
          <PasswordField
            label={t('account.password.new')}
            name="new-password"
            autoComplete="new-password"
            hint={t('setup.passwordHint')}
            minLength={PASSWORD_MIN}
            value={next}
            onChange={(e) => setNext(e.target.value)}
            error={fields.new_password}
            inputRef={refs.new_password}
          />
          <Checkbox
            label={t('account.password.signOutOthers')}
            description={t('account.password.signOutOthersHint')}
            checked={signOutOthers}
            onChange={(e) => setSignOutOthers(e.target.checked)}
          />
          <div className="form__actions">
            <SubmitButton busy={busy}>{t('account.password.submit')}</SubmitButton>
          </div>
        </form>
      </Panel>
    </div>
  );
}
