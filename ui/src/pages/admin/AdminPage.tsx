import { SettingsLayout, type SubNavItem } from '../../components/SettingsLayout';
import { KbAdminSection } from '../../kb/lazy';
import { Redirect } from '../../router';
import { NotFoundPage } from '../NotFoundPage';
import { AuditSection } from './AuditSection';
import { MailMessageSection, MailSection } from './MailSection';
import { SecuritySection } from './SecuritySection';
import { TeamDetailSection, TeamsSection } from './TeamsSection';
import { UsersSection } from './UsersSection';

const ITEMS: readonly SubNavItem[] = [
  { to: '/admin/users', label: 'admin.nav.users' },
  { to: '/admin/teams', label: 'admin.nav.teams' },
  { to: '/admin/audit', label: 'admin.nav.audit' },
  { to: '/admin/mail', label: 'admin.nav.mail' },
  { to: '/admin/security', label: 'admin.nav.security' },
  { to: '/admin/kb', label: 'kb.admin.nav' },
];

/** /admin/<section>[/<id>]: workspace administration (owners and admins). */
export function AdminPage({ path }: { path: string[] }) {
  const [section = '', id, ...rest] = path;
  if (section === '') return <Redirect to="/admin/users" />;
  let content = null;
  if (rest.length === 0) {
    if (section === 'users' && !id) content = <UsersSection />;
    else if (section === 'teams') content = id ? <TeamDetailSection id={id} /> : <TeamsSection />;
    else if (section === 'audit' && !id) content = <AuditSection />;
    else if (section === 'mail') content = id ? <MailMessageSection id={id} /> : <MailSection />;
    else if (section === 'security' && !id) content = <SecuritySection />;
    else if (section === 'kb' && !id) content = <KbAdminSection />;
  }
  if (!content) return <NotFoundPage />;
  return (
    <SettingsLayout label="admin.title" items={ITEMS}>
      {content}
    </SettingsLayout>
  );
}
