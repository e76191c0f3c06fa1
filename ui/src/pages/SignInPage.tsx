import { useEffect, useRef, useState, type FormEvent } from 'react';
import { ApiError } from '../api/client';
import type { AuthOptions } from '../api/types';
import { useAuth } from '../auth/AuthContext';
import { failureFrom, formErrorText, isEmail, type FormError } from '../auth/formErrors';
import { AuthLayout } from '../components/AuthLayout';
import { EmailField, FormAlert, Notice, PasswordField, Spinner } from '../components/Form';
import { useDocumentTitle } from '../components/useDocumentTitle';
import { useI18n, type MessageKey } from '../i18n';
import { Link, navigate } from '../router';
import { MfaStep } from './auth/MfaStep';

type Field = 'email' | 'password';

const DEFAULT_OPTIONS: AuthOptions = { password_login: true, registration: 'invite', providers: [] };

/** Codes the SSO callback puts in /signin?sso_error=… */
const SSO_ERRORS: Record<string, MessageKey> = {
  state_mismatch: 'sso.error.state_mismatch',
  nonce_mismatch: 'sso.error.state_mismatch',
  email_unverified: 'sso.error.email_unverified',
  domain_not_allowed: 'sso.error.domain_not_allowed',
  no_account: 'sso.error.no_account',
  disabled: 'sso.error.disabled',
  provider_error: 'sso.error.provider_error',
};

/** Notices other pages pass along in /signin?notice=… */
const NOTICES: Record<string, MessageKey> = {
  password_reset: 'signIn.notice.passwordReset',
};

interface OneTimeParams {
  ssoError: string | null;
  notice: string | null;
  /** An SSO sign-in that still needs the second factor: the callback puts the challenge in the URL fragment. */
  mfa: { token: string; methods: string[] } | null;
}

/** Reads (and then drops) the one-time parameters, so a reload does not show them again. */
function useOneTimeParams(): OneTimeParams {
  const [params] = useState<OneTimeParams>(() => {
    const q = new URLSearchParams(window.location.search);
    const h = new URLSearchParams(window.location.hash.replace(/^#/, ''));
    const token = h.get('mfa_token');
    const methods = (h.get('methods') ?? 'totp,recovery_code').split(',').filter(Boolean);
    return { ssoError: q.get('sso_error'), notice: q.get('notice'), mfa: token ? { token, methods } : null };
  });
  useEffect(() => {
    if (params.ssoError || params.notice || params.mfa) {
      const q = new URLSearchParams(window.location.search);
      q.delete('sso_error');
      q.delete('notice');
      const rest = q.toString();
      // The fragment only ever carries the MFA challenge: drop it entirely.
      window.history.replaceState(null, '', window.location.pathname + (rest ? `?${rest}` : ''));
    }
  }, [params]);
  return params;
}

/** Sign-in options (SSO providers, password sign-in, registration), with safe defaults if they can't be loaded. */
export function useAuthOptions(): AuthOptions | null {
  const { client } = useAuth();
  const [options, setOptions] = useState<AuthOptions | null>(null);
  useEffect(() => {
    let live = true;
    client.publicJson<AuthOptions>('/api/v1/auth/options').then(
      (o) => live && setOptions({ ...DEFAULT_OPTIONS, ...o, providers: o.providers ?? [] }),
      () => live && setOptions(DEFAULT_OPTIONS),
    );
    return () => {
      live = false;
    };
  }, [client]);
  return options;
}

export function SignInPage() {
  const { t, tp } = useI18n();
  const { login, endReason } = useAuth();
  const options = useAuthOptions();
  const { ssoError, notice, mfa: ssoMfa } = useOneTimeParams();

  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [formError, setFormError] = useState<FormError | null>(null);
  const [fieldErrors, setFieldErrors] = useState<Partial<Record<Field, MessageKey>>>({});
  const [mfa, setMfa] = useState<{ token: string; methods: string[] } | null>(ssoMfa);
  const refs = { email: useRef<HTMLInputElement>(null), password: useRef<HTMLInputElement>(null) };
  useDocumentTitle(mfa ? 'mfa.step.docTitle' : 'signIn.docTitle');

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
      const result = await login({ email: email.trim(), password });
      if (result.kind === 'mfa') {
        setBusy(false);
        setPassword('');
        setMfa({ token: result.token, methods: result.methods });
        return;
      }
      // Signed in: the app replaces this page (and leaves /signin for Home).
      if (window.location.pathname === '/signin') navigate('/', { replace: true });
    } catch (err) {
      const passwordOff = err instanceof ApiError && err.details.reason === 'password_login_disabled';
      const failure = failureFrom<Field>(err, {
        fields: ['email', 'password'],
        unauthorized: 'errors.incorrectCredentials',
        forbidden: passwordOff ? 'errors.passwordLoginDisabled' : 'errors.accountDisabled',
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

  if (mfa) {
    return (
      <AuthLayout>
        <MfaStep
          token={mfa.token}
          methods={mfa.methods}
          onRestart={(expired) => {
            setMfa(null);
            setFormError(expired ? { kind: 'message', key: 'mfa.step.expired' } : null);
          }}
        />
      </AuthLayout>
    );
  }

  const showEnded = endReason === 'expired' && !formError && !ssoError;
  const passwordLogin = options?.password_login !== false;
  const providers = options?.providers ?? [];
  const canRegister = !!options && passwordLogin && options.registration !== 'invite';

  return (
    <AuthLayout>
      <h1 className="auth__title">{t('signIn.title')}</h1>
      <p className="auth__lead">{passwordLogin ? t('signIn.lead') : t('signIn.leadSso')}</p>
      {showEnded ? (
        <p className="notice" role="status">
          {t('errors.sessionEnded')}
        </p>
      ) : null}
      {notice && NOTICES[notice] ? <Notice tone="success">{t(NOTICES[notice])}</Notice> : null}
      {ssoError ? (
        <div className="auth__alert">
          <FormAlert>{t(SSO_ERRORS[ssoError] ?? 'sso.error.generic')}</FormAlert>
        </div>
      ) : null}
      {!options ? (
        <div className="auth__pending" role="status" aria-label={t('common.loading')}>
          <Spinner />
        </div>
      ) : (
        <>
          {providers.length > 0 ? (
            <div className="sso-buttons">
              {providers.map((p) => (
                <a
                  key={p.id}
                  className="button button--block button--sso"
                  href={`/api/v1/auth/sso/${encodeURIComponent(p.id)}/start`}
                >
                  {t('signIn.sso', { provider: p.name })}
                </a>
              ))}
            </div>
          ) : null}
          {providers.length > 0 && passwordLogin ? (
            <div className="divider" role="separator">
              <span>{t('signIn.or')}</span>
            </div>
          ) : null}
          {passwordLogin ? (
            <form className={`form${providers.length > 0 ? ' form--tight' : ''}`} onSubmit={onSubmit} noValidate aria-busy={busy}>
              {formError ? <FormAlert>{formErrorText(formError, t, tp)}</FormAlert> : null}
              <EmailField
                label={t('signIn.email')}
                name="email"
                autoComplete="username"
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
              <div className="form__row-end">
                <Link to="/forgot-password" className="small-link">
                  {t('signIn.forgot')}
                </Link>
              </div>
              <button type="submit" className="button button--primary button--block" aria-disabled={busy || undefined}>
                {busy ? <Spinner /> : null}
                {busy ? t('signIn.submitting') : t('signIn.submit')}
              </button>
            </form>
          ) : formError ? (
            <div className="auth__alert">
              <FormAlert>{formErrorText(formError, t, tp)}</FormAlert>
            </div>
          ) : null}
          {canRegister ? (
            <p className="auth__switch">
              {t('signIn.noAccount')} <Link to="/register">{t('signIn.register')}</Link>
            </p>
          ) : null}
        </>
      )}
    </AuthLayout>
  );
}
