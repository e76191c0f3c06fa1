import { useState } from 'react';
import { useAuth, useUser } from '../../auth/AuthContext';
import { AuthLayout } from '../../components/AuthLayout';
import { Spinner } from '../../components/Form';
import { useDocumentTitle } from '../../components/useDocumentTitle';
import { useI18n } from '../../i18n';
import { Link } from '../../router';

/** An invitation or password-reset link opened while signed in: offer to sign out first. */
export function AlreadySignedInPage({ kind }: { kind: 'invite' | 'reset' }) {
  const { t } = useI18n();
  const { logout } = useAuth();
  const user = useUser();
  const [busy, setBusy] = useState(false);
  useDocumentTitle(kind === 'invite' ? 'invite.docTitle' : 'reset.docTitle');
  return (
    <AuthLayout>
      <h1 className="auth__title">{t('alreadySignedIn.title')}</h1>
      <p className="auth__lead">
        {t(kind === 'invite' ? 'alreadySignedIn.invite' : 'alreadySignedIn.reset', { name: user.name, email: user.email })}
      </p>
      <div className="auth__actions">
        <button
          type="button"
          className="button button--primary button--block"
          aria-disabled={busy || undefined}
          onClick={() => {
            if (busy) return;
            setBusy(true);
            // Stay on this URL: once signed out, the link's page shows.
            void logout();
          }}
        >
          {busy ? <Spinner /> : null}
          {t('alreadySignedIn.signOut')}
        </button>
        <Link to="/" className="button button--block">
          {t('alreadySignedIn.continue')}
        </Link>
      </div>
    </AuthLayout>
  );
}
