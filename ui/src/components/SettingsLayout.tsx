import { useEffect, useRef, type ReactNode } from 'react';
import type { MessageKey } from '../i18n';
import { useI18n } from '../i18n';
import { Link, usePathname } from '../router';

export interface SubNavItem {
  to: string;
  label: MessageKey;
}

/**
 * A settings area: a sub-navigation (a column on wide screens, a scrolling
 * row on phones) beside the current section.
 */
export function SettingsLayout({ label, items, children }: { label: MessageKey; items: readonly SubNavItem[]; children: ReactNode }) {
  const { t } = useI18n();
  const pathname = usePathname();
  const navRef = useRef<HTMLElement>(null);

  // On phones the sub-navigation is a sideways-scrolling row: keep the
  // current section in view (without scrolling the page itself).
  useEffect(() => {
    const nav = navRef.current;
    const active = nav?.querySelector<HTMLElement>('[aria-current="page"]');
    if (!nav || !active || nav.scrollWidth <= nav.clientWidth) return;
    const left = active.offsetLeft - nav.offsetLeft;
    if (left < nav.scrollLeft || left + active.offsetWidth > nav.scrollLeft + nav.clientWidth) {
      nav.scrollLeft = Math.max(0, left - 24);
    }
  }, [pathname]);

  return (
    <div className="settings">
      <nav className="subnav" aria-label={t(label)} ref={navRef}>
        <p className="subnav__title" aria-hidden="true">
          {t(label)}
        </p>
        <ul className="subnav__list">
          {items.map((item) => {
            const active = pathname === item.to || pathname.startsWith(`${item.to}/`);
            return (
              <li key={item.to}>
                <Link to={item.to} className={`subnav__link${active ? ' is-active' : ''}`} aria-current={active ? 'page' : undefined}>
                  {t(item.label)}
                </Link>
              </li>
            );
          })}
        </ul>
      </nav>
      <div className="settings__content">{children}</div>
    </div>
  );
}

/** The heading block of a settings section (its h1 receives focus after navigation). */
export function SectionHeader({ title, lead, actions }: { title: string; lead?: ReactNode; actions?: ReactNode }) {
  return (
    <div className="section-header">
      <div className="section-header__text">
        <h1 className="page__title page__title--section" tabIndex={-1}>
          {title}
        </h1>
        {lead ? <p className="page__lead">{lead}</p> : null}
      </div>
      {actions ? <div className="section-header__actions">{actions}</div> : null}
    </div>
  );
}

/** A titled card inside a settings section. */
export function Panel({
  title,
  description,
  children,
  footer,
  danger = false,
}: {
  title?: string;
  description?: ReactNode;
  children?: ReactNode;
  footer?: ReactNode;
  danger?: boolean;
}) {
  return (
    <section className={`card panel${danger ? ' panel--danger' : ''}`}>
      {title ? (
        <div className="panel__header">
          <h2 className="card__title">{title}</h2>
          {description ? <p className="card__lead">{description}</p> : null}
        </div>
      ) : null}
      {children !== undefined && children !== null ? <div className="panel__body">{children}</div> : null}
      {footer ? <div className="panel__footer">{footer}</div> : null}
    </section>
  );
}
