import { useEffect, useRef, useState, type FormEvent } from 'react';
import { ApiError } from '../../api/client';
import type { InvitationPreview } from '../../api/types';
import { useAuth } from '../../auth/AuthContext';
import { errorFrom, fieldErrorText, invalidField, passwordProblem, PASSWORD_MIN, type FormError } from '../../auth/formErrors';
import { AuthLayout } from '../../components/AuthLayout';
import { ErrorAlert, FormAlert, PasswordField, Spinner, SubmitButton, TextField } from '../../components/Form';
import { useDocumentTitle } from '../../components/useDocumentTitle';
import { useI18n, type MessageKey } from '../../i18n';
import { Link, navigate } from '../../router';

type Field = 'name' | 'password';
const FIELDS: readonly Field[] = ['name', 'password'];

/** Why an invitation link can't be used (404 details.reason). */
const DEAD: Record<string, MessageKey> = {
  expired: 'invite.dead.expired',
  used: 'invite.dead.used',
  accepted: 'invite.dead.used',
  revoked: 'invite.dead.revoked',
  unknown: 'invite.dead.unknown',
};

type State =
  | { kind: 'loading' }
  | { kind: 'ready'; invitation: InvitationPreview }
  | { kind: 'dead'; message: MessageKey }
  | { kind: 'error'; error: FormError };

function deadMessage(err: unknown): MessageKey | null {
  if (!(err instanceof ApiError)) return null;
  if (err.status !== 404 && err.status !== 410 && !(err.status === 400 && err.details.field === 'token')) return null;
  const reason = typeof err.details.reason === 'string' ? err.details.reason : 'unknown';
  return DEAD[reason] ?? 'invite.dead.unknown';
}

/** /invite/:token: see who invited you, then choose a name and password to join. */
export function InvitePage({ token }: { token: string }) {
  const { t } = useI18n();
  const { client } = useAuth();
  useDocumentTitle('invite.docTitle');
  const [state, setState] = useState<State>({ kind: 'loading' });
  const [attempt, setAttempt] = useState(0);
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [fields, setFields] = useState<Partial<Record<Field, string>>>({});
  const [error, setError] = useState<FormError | null>(null);
  const refs = { name: useRef<HTMLInputElement>(null), password: useRef<HTMLInputElement>(null) };

  useEffect(() => {
    let live = true;
    setState({ kind: 'loading' });
    client.publicJson<InvitationPreview>(`/api/v1/invitations/${encodeURIComponent(token)}`).then(
      (invitation) => live && setState({ kind: 'ready', invitation }),
      (err: unknown) => {
        if (!live) return;
        const dead = deadMessage(err);
        setState(dead ? { kind: 'dead', message: dead } : { kind: 'error', error: errorFrom(err) });
      },
    );
    return () => {
      live = false;
    };
  }, [client, token, attempt]);

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (busy) return;
    setError(null);
    const errs: Partial<Record<Field, string>> = {};
    if (!name.trim()) errs.name = t('validation.nameRequired');
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
      await client.acceptInvitation(token, { name: name.trim(), password });
      navigate('/', { replace: true });
    } catch (err) {
      setBusy(false);
      const dead = deadMessage(err);
      if (dead) {
        setState({ kind: 'dead', message: dead });
        return;
      }
      const f = invalidField(err, FIELDS);
      if (f) {
        setFields({ [f]: fieldErrorText(err, t) });
        refs[f].current?.focus();
        return;
      }
      setError(errorFrom(err));
    }
  }

  if (state.kind === 'loading') {
    return (
      <AuthLayout>
        <div className="auth__pending" role="status" aria-label={t('common.loading')}>
          <Spinner />
        </div>
      </AuthLayout>
    );
  }

  if (state.kind === 'dead' || state.kind === 'error') {
    return (
      <AuthLayout>
        <h1 className="auth__title">{t('invite.deadTitle')}</h1>
        <div className="auth__alert">
          {state.kind === 'dead' ? <FormAlert>{t(state.message)}</FormAlert> : <ErrorAlert error={state.error} />}
        </div>
        {state.kind === 'error' ? (
          <button type="button" className="button button--block auth__action" onClick={() => setAttempt((n) => n + 1)}>
            {t('unreachable.retry')}
          </button>
        ) : null}
        <p className="auth__switch">
          <Link to="/signin">{t('common.backToSignIn')}</Link>
        </p>
      </AuthLayout>
    );
  }

  const inv = state.invitation;
  return (
    <AuthLayout>
      <p className="auth__eyebrow">{t('invite.eyebrow')}</p>
      <h1 className="auth__title">{t('invite.title')}</h1>
      <p className="auth__lead">
        {inv.inviter_name
          ? t('invite.lead', { inviter: inv.inviter_name, role: t(`role.${inv.role}`) })
          : t('invite.leadNoInviter', { role: t(`role.${inv.role}`) })}
      </p>
      <form className="form" onSubmit={submit} noValidate aria-busy={busy}>
        <ErrorAlert error={error} />
        <TextField
          label={t('setup.email')}
          type="email"
          name="email"
          autoComplete="username"
          value={inv.email}
          readOnly
          hint={t('invite.emailHint')}
        />
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
        <SubmitButton busy={busy} busyLabel={t('invite.joining')} className="button button--primary button--block">
          {t('invite.submit')}
        </SubmitButton>
      </form>
    </AuthLayout>
  );
}
