import { useEffect } from 'react';
import { useAuth } from './auth/AuthContext';
import { ChatPage } from './chat/lazy';
import { AppFrame } from './components/AppFrame';
import { LogoMark } from './components/Logo';
import { ToastProvider } from './components/Toast';
import { useI18n } from './i18n';
import { AccountPage } from './pages/account/AccountPage';
import { AdminPage } from './pages/admin/AdminPage';
import { AlreadySignedInPage } from './pages/auth/AlreadySignedInPage';
import { ForgotPasswordPage } from './pages/auth/ForgotPasswordPage';
import { InvitePage } from './pages/auth/InvitePage';
import { MfaEnrollmentRequiredPage } from './pages/auth/MfaEnrollmentRequiredPage';
import { RegisterPage } from './pages/auth/RegisterPage';
import { ResetPasswordPage } from './pages/auth/ResetPasswordPage';
import { KbPage } from './kb/lazy';
import { HomePage } from './pages/HomePage';
import { NotFoundPage } from './pages/NotFoundPage';
import { SetupPage } from './pages/SetupPage';
import { SignInPage } from './pages/SignInPage';
import { UnreachablePage } from './pages/UnreachablePage';
import { navigate, Redirect, segments, usePathname } from './router';

function LoadingScreen() {
  const { t } = useI18n();
  return (
    <div className="loading" role="status" aria-live="polite">
      <LogoMark size={40} />
      <span className="visually-hidden">{t('app.loading')}</span>
    </div>
  );
}

/** Pages for signing in and getting an account; shown to signed-out visitors. */
function publicPage(path: string[]) {
  switch (path[0]) {
    case 'forgot-password':
      return path.length === 1 ? <ForgotPasswordPage /> : null;
    case 'reset-password':
      return path.length === 1 ? <ResetPasswordPage /> : null;
    case 'register':
      return path.length === 1 ? <RegisterPage /> : null;
    case 'invite':
      return path.length === 2 && path[1] ? <InvitePage token={path[1]} /> : null;
    default:
      return null;
  }
}

/** Pages that only make sense signed out: a signed-in visitor goes Home. */
const SIGNED_OUT_ONLY = new Set(['signin', 'register', 'forgot-password']);

export function App() {
  return (
    <ToastProvider>
      <Screen />
    </ToastProvider>
  );
}

function Screen() {
  const { status, user, enrollment } = useAuth();
  const pathname = usePathname();
  const path = segments(pathname);
  const redirectHome = status === 'signedIn' && path.length === 1 && SIGNED_OUT_ONLY.has(path[0] ?? '');

  useEffect(() => {
    if (redirectHome) navigate('/', { replace: true });
  }, [redirectHome]);

  switch (status) {
    case 'booting':
      return <LoadingScreen />;
    case 'unreachable':
      return <UnreachablePage />;
    case 'setup':
      return <SetupPage />;
    case 'signedOut':
      return publicPage(path) ?? <SignInPage />;
    case 'signedIn':
      break;
  }
  if (!user || redirectHome) return <LoadingScreen />;
  // An invitation or reset link opened while signed in: explain instead of mixing accounts.
  if (path[0] === 'invite' || path[0] === 'reset-password') {
    if (publicPage(path)) return <AlreadySignedInPage kind={path[0] === 'invite' ? 'invite' : 'reset'} />;
  }
  if (enrollment === 'unknown') return <LoadingScreen />;
  if (enrollment === 'required') return <MfaEnrollmentRequiredPage />;

  let page;
  switch (path[0] ?? '') {
    case '':
      page = <HomePage user={user} />;
      break;
    case 'profile':
      page = path.length === 1 ? <Redirect to="/account/profile" /> : <NotFoundPage />;
      break;
    case 'account':
      page = <AccountPage section={path[1] ?? ''} rest={path.slice(2)} />;
      break;
    case 'kb':
      page = <KbPage path={path.slice(1)} />;
      break;
    case 'chat':
      page = <ChatPage path={path.slice(1)} />;
      break;
    case 'admin':
      page = user.role === 'owner' || user.role === 'admin' ? <AdminPage path={path.slice(1)} /> : <NotFoundPage />;
      break;
    default:
      page = <NotFoundPage />;
  }
  return <AppFrame user={user}>{page}</AppFrame>;
}
