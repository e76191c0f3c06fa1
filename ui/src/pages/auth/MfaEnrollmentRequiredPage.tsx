import { useAuth, useUser } from '../../auth/AuthContext';
import { AuthLayout } from '../../components/AuthLayout';
import { ShieldIcon } from '../../components/Icons';
import { useDocumentTitle } from '../../components/useDocumentTitle';
import { useI18n } from '../../i18n';
import { navigate } from '../../router';
import { TotpEnrollment } from '../account/TotpEnrollment';

/**
 * An administrator requires two-factor authentication and this account has
 * none yet: nothing else is reachable until enrolment is done.
 */
export function MfaEnrollmentRequiredPage() {
  const { t } = useI18n();
  const { client, logout } = useAuth();
  const user = useUser();
  useDocumentTitle('mfa.required.docTitle');
  return (
    <AuthLayout wide>
      <div className="auth__icon" aria-hidden="true">
        <ShieldIcon width={22} height={22} />
      </div>
      <h1 className="auth__title">{t('mfa.required.title')}</h1>
      <p className="auth__lead">{t('mfa.required.lead', { email: user.email })}</p>
      <div className="auth__section">
        <TotpEnrollment
          onDone={() => {
            client.setMfaEnrollmentRequired(false);
            void client.me().catch(() => undefined);
          }}
        />
      </div>
      <p className="auth__switch">
        <button type="button" className="link-button link-button--muted" onClick={() => void logout().then(() => navigate('/', { replace: true }))}>
          {t('userMenu.signOut')}
        </button>
      </p>
    </AuthLayout>
  );
}
