import { useSyncExternalStore } from 'react';
import { useI18n } from '../i18n';
import { Link, usePathname } from '../router';
import { getCurrentSpace, subscribeCurrentSpace } from './cache';
import { sortSpaces, useSpaces } from './hooks';

const MAX = 12;

/** The spaces under "Knowledge base" in the main sidebar. */
export function KbSpacesNav({ onNavigate }: { onNavigate?: () => void }) {
  const { t, lang } = useI18n();
  const pathname = usePathname();
  const { spaces } = useSpaces();
  const current = useSyncExternalStore(subscribeCurrentSpace, getCurrentSpace, getCurrentSpace);
  const inKb = pathname === '/kb' || pathname.startsWith('/kb/');
  const list = sortSpaces((spaces ?? []).filter((s) => !s.archived_at), lang);
  if (list.length === 0) return null;
  return (
    <ul className="sidebar__sub" aria-label={t('kb.nav.spaces')}>
      {list.slice(0, MAX).map((s) => {
        const active = inKb && current === s.id;
        return (
          <li key={s.id}>
            <Link
              to={`/kb/s/${encodeURIComponent(s.id)}`}
              className={`sidebar__sublink${active ? ' is-active' : ''}`}
              aria-current={active && pathname === `/kb/s/${s.id}` ? 'page' : undefined}
              onClick={onNavigate}
            >
              <span className="sidebar__emoji" aria-hidden="true">
                {s.icon || '📘'}
              </span>
              <span className="truncate">{s.name}</span>
            </Link>
          </li>
        );
      })}
      {list.length > MAX ? (
        <li>
          <Link to="/kb" className="sidebar__sublink sidebar__sublink--more" onClick={onNavigate}>
            {t('kb.nav.allSpaces', { count: list.length })}
          </Link>
        </li>
      ) : null}
    </ul>
  );
}
