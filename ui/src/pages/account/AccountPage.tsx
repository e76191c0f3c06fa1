import { SettingsLayout, type SubNavItem } from '../../components/SettingsLayout';
import { NotificationPrefsSection } from '../../notifications/NotificationPrefsSection';
import { Redirect } from '../../router';
import { NotFoundPage } from '../NotFoundPage';
import { EmailSection } from './EmailSection';
import { PasswordSection } from './PasswordSection';
import { ProfileSection } from './ProfileSection';
import { SessionsSection } from './SessionsSection';
import { TokensSection } from './TokensSection';
import { TwoFactorSection } from './TwoFactorSection';

const ITEMS: readonly SubNavItem[] = [
  { to: '/account/profile', label: 'account.nav.profile' },
  { to: '/account/password', label: 'account.nav.password' },
  { to: '/account/email', label: 'account.nav.email' },
  { to: '/account/two-factor', label: 'account.nav.twoFactor' },
  { to: '/account/sessions', label: 'account.nav.sessions' },
  { to: '/account/tokens', label: 'account.nav.tokens' },
  { to: '/account/notifications', label: 'notifications.prefs.nav' },
];

/** /account/<section>: the signed-in user's own settings. */
export function AccountPage({ section, rest }: { section: string; rest: string[] }) {
  if (section === '') return <Redirect to="/account/profile" />;
  let content;
  if (rest.length > 0) content = null;
  else if (section === 'profile') content = <ProfileSection />;
  else if (section === 'password') content = <PasswordSection />;
  else if (section === 'email') content = <EmailSection />;
  else if (section === 'two-factor') content = <TwoFactorSection />;
  else if (section === 'sessions') content = <SessionsSection />;
  else if (section === 'tokens') content = <TokensSection />;
  else if (section === 'notifications') content = <NotificationPrefsSection />;
  else content = null;
  if (!content) return <NotFoundPage />;
  return (
    <SettingsLayout label="account.title" items={ITEMS}>
      {content}
    </SettingsLayout>
  );
}
