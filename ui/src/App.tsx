import { useAuth } from './auth/AuthContext';
import { AppFrame } from './components/AppFrame';
import { LogoMark } from './components/Logo';
import { useI18n } from './i18n';
import { HomePage } from './pages/HomePage';
import { NotFoundPage } from './pages/NotFoundPage';
import { ProfilePage } from './pages/ProfilePage';
import { SetupPage } from './pages/SetupPage';
import { SignInPage } from './pages/SignInPage';
import { UnreachablePage } from './pages/UnreachablePage';
import { usePathname } from './router';

function LoadingScreen() {
  const { t } = useI18n();
  return (
    <div className="loading" role="status" aria-live="polite">
      <LogoMark size={40} />
      <span className="visually-hidden">{t('app.loading')}</span>
    </div>
  );
}

export function App() {
  const { status, user } = useAuth();
  const pathname = usePathname();

  switch (status) {
    case 'booting':
      return <LoadingScreen />;
    case 'unreachable':
      return <UnreachablePage />;
    case 'setup':
      return <SetupPage />;
    case 'signedOut':
      return <SignInPage />;
    case 'signedIn':
      break;
  }
  if (!user) return <LoadingScreen />;

  let page;
  switch (pathname.replace(/\/+$/, '') || '/') {
    case '/':
      page = <HomePage user={user} />;
      break;
    case '/profile':
      page = <ProfilePage user={user} />;
      break;
    default:
      page = <NotFoundPage />;
  }
  return <AppFrame user={user}>{page}</AppFrame>;
}
