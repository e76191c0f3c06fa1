import { useEffect, useRef, useState, type ReactNode } from 'react';
import type { User } from '../api/client';
import { useI18n } from '../i18n';
import { ChatNavItems } from '../chat/ChatNav';
import { ChatIcon } from '../chat/icons';
import { BookIcon } from '../kb/icons';
import { KbSpacesNav } from '../kb/KbNav';
import { NotificationBell } from '../notifications/NotificationBell';
import { ConnectionBanner } from '../realtime/ConnectionBanner';
import { Link, usePathname } from '../router';
import { HomeIcon, MenuIcon, ShieldIcon } from './Icons';
import { LogoMark } from './Logo';
import { UserMenu } from './UserMenu';

const NARROW = '(max-width: 767.98px)';

/** Modules shown in the sidebar. Only what exists (and what this user may open) is listed. `Sub`: sub-items under the link. */
const NAV = [
  { to: '/', key: 'nav.home', Icon: HomeIcon, admin: false },
  { to: '/kb', key: 'nav.kb', Icon: BookIcon, admin: false, Sub: KbSpacesNav },
  { to: '/chat', key: 'nav.chat', Icon: ChatIcon, admin: false, Sub: ChatNavItems },
  { to: '/admin', key: 'nav.admin', Icon: ShieldIcon, admin: true },
] as const;

function isActive(pathname: string, to: string): boolean {
  if (to === '/') return pathname === '/';
  return pathname === to || pathname.startsWith(`${to}/`);
}

/** The signed-in frame: skip link, header with the account menu, sidebar navigation and the main region. */
export function AppFrame({ user, children }: { user: User; children: ReactNode }) {
  const { t } = useI18n();
  const pathname = usePathname();
  const [navOpen, setNavOpen] = useState(false);
  const toggleRef = useRef<HTMLButtonElement>(null);
  const navRef = useRef<HTMLElement>(null);
  const mainRef = useRef<HTMLElement>(null);
  const firstRender = useRef(true);

  // After in-app navigation, move focus to the new page's heading so screen
  // readers announce it, and start at the top.
  useEffect(() => {
    if (firstRender.current) {
      firstRender.current = false;
      return;
    }
    setNavOpen(false);
    window.scrollTo?.(0, 0);
    mainRef.current?.querySelector<HTMLElement>('h1')?.focus();
  }, [pathname]);

  // The drawer only exists on narrow screens: close it when the window widens.
  useEffect(() => {
    if (!window.matchMedia) return;
    const mq = window.matchMedia(NARROW);
    const onChange = () => {
      if (!mq.matches) setNavOpen(false);
    };
    mq.addEventListener?.('change', onChange);
    return () => mq.removeEventListener?.('change', onChange);
  }, []);

  // While the drawer is open: Escape closes it and focus starts on its first link.
  useEffect(() => {
    if (!navOpen) return;
    navRef.current?.querySelector<HTMLElement>('a')?.focus();
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') {
        setNavOpen(false);
        toggleRef.current?.focus();
      }
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [navOpen]);

  return (
    <div className={`frame${navOpen ? ' frame--nav-open' : ''}`}>
      <a className="skip-link" href="#main">
        {t('app.skipToContent')}
      </a>
      <header className="topbar">
        <button
          ref={toggleRef}
          type="button"
          className="icon-button topbar__menu"
          aria-label={t('nav.toggle')}
          aria-expanded={navOpen}
          aria-controls="sidebar"
          onClick={() => setNavOpen((o) => !o)}
        >
          <MenuIcon />
        </button>
        <Link to="/" className="topbar__brand" aria-label={t('header.homeLink')}>
          <LogoMark size={26} />
          <span className="topbar__product" aria-hidden="true">
            {t('app.name')}
          </span>
        </Link>
        <div className="topbar__spacer" />
        <ConnectionBanner />
        <NotificationBell />
        <UserMenu user={user} />
      </header>
      <div className="frame__body">
        <nav id="sidebar" ref={navRef} className="sidebar" aria-label={t('nav.label')}>
          <ul className="sidebar__list">
            {NAV.filter((n) => !n.admin || user.role === 'owner' || user.role === 'admin').map((n) => {
              const { to, key, Icon } = n;
              const Sub = 'Sub' in n ? n.Sub : null;
              const active = isActive(pathname, to);
              return (
                <li key={to}>
                  <Link
                    to={to}
                    className={`sidebar__link${active ? ' is-active' : ''}`}
                    aria-current={active ? 'page' : undefined}
                    onClick={() => setNavOpen(false)}
                  >
                    <Icon width={18} height={18} />
                    <span>{t(key)}</span>
                  </Link>
                  {Sub ? <Sub onNavigate={() => setNavOpen(false)} /> : null}
                </li>
              );
            })}
          </ul>
        </nav>
        <div className="frame__scrim" aria-hidden="true" onClick={() => setNavOpen(false)} />
        <main id="main" ref={mainRef} className="main" tabIndex={-1} inert={navOpen ? true : undefined}>
          {children}
        </main>
      </div>
    </div>
  );
}
