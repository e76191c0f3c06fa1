import { useCallback, useEffect, useId, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';
import type { User } from '../api/client';
import { useAuth } from '../auth/AuthContext';
import { LANGS, useI18n } from '../i18n';
import { navigate } from '../router';
import { THEME_PREFERENCES, setThemePreference, useThemePreference, type ThemePreference } from '../theme';
import { Avatar } from './Avatar';
import { CheckIcon, ChevronDownIcon, MonitorIcon, MoonIcon, SettingsIcon, SignOutIcon, SunIcon } from './Icons';
import type { Lang } from '../i18n';

const themeIcons: Record<ThemePreference, typeof SunIcon> = { light: SunIcon, dark: MoonIcon, system: MonitorIcon };

/**
 * The account menu (WAI-ARIA menu button pattern): Enter, Space or ArrowDown
 * opens it on the first item, ArrowUp on the last; arrows, Home and End move;
 * Escape closes and returns focus to the button; Tab closes.
 */
export function UserMenu({ user }: { user: User }) {
  const { t, lang, setLanguage } = useI18n();
  const theme = useThemePreference();
  const { logout, client } = useAuth();

  // Choosing a language here also saves it to the account (best effort), so
  // it follows the user to other devices.
  const chooseLanguage = (l: Lang) => {
    setLanguage(l);
    if (user.language === l) return;
    void client
      .request<User>('/api/v1/me', { method: 'PATCH', body: { language: l, version: user.version } })
      .then((u) => client.updateUser(u))
      .catch(() => undefined);
  };
  const [open, setOpen] = useState(false);
  const buttonRef = useRef<HTMLButtonElement>(null);
  const menuRef = useRef<HTMLDivElement>(null);
  const pendingFocus = useRef<'first' | 'last' | null>(null);
  const id = useId();
  const menuId = `${id}-menu`;
  const buttonId = `${id}-button`;

  const items = () =>
    Array.from(menuRef.current?.querySelectorAll<HTMLElement>('[role="menuitem"], [role="menuitemradio"]') ?? []);

  const close = useCallback((returnFocus: boolean) => {
    setOpen(false);
    if (returnFocus) buttonRef.current?.focus();
  }, []);

  const openMenu = (focus: 'first' | 'last') => {
    pendingFocus.current = focus;
    setOpen(true);
  };

  // Move focus into the menu once it is rendered.
  useEffect(() => {
    if (!open || !pendingFocus.current) return;
    const list = items();
    const target = pendingFocus.current === 'last' ? list[list.length - 1] : list[0];
    pendingFocus.current = null;
    target?.focus();
  }, [open]);

  // Close on a click or focus outside the menu.
  useEffect(() => {
    if (!open) return;
    const onPointer = (e: Event) => {
      const target = e.target as Node;
      if (menuRef.current?.contains(target) || buttonRef.current?.contains(target)) return;
      close(false);
    };
    document.addEventListener('mousedown', onPointer);
    document.addEventListener('focusin', onPointer);
    return () => {
      document.removeEventListener('mousedown', onPointer);
      document.removeEventListener('focusin', onPointer);
    };
  }, [open, close]);

  const onButtonKeyDown = (e: KeyboardEvent<HTMLButtonElement>) => {
    // Enter and Space activate the button natively (onClick opens on the first item).
    if (e.key === 'ArrowDown') {
      e.preventDefault();
      openMenu('first');
    } else if (e.key === 'ArrowUp') {
      e.preventDefault();
      openMenu('last');
    }
  };

  const onMenuKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    const list = items();
    const index = list.indexOf(document.activeElement as HTMLElement);
    const focusAt = (i: number) => list[(i + list.length) % list.length]?.focus();
    switch (e.key) {
      case 'ArrowDown':
        e.preventDefault();
        focusAt(index + 1);
        break;
      case 'ArrowUp':
        e.preventDefault();
        focusAt(index < 0 ? list.length - 1 : index - 1);
        break;
      case 'Home':
        e.preventDefault();
        focusAt(0);
        break;
      case 'End':
        e.preventDefault();
        focusAt(list.length - 1);
        break;
      case 'Escape':
        e.preventDefault();
        close(true);
        break;
      case 'Tab':
        close(false);
        break;
      default:
        // Type-ahead: jump to the next item starting with the typed character.
        if (e.key.length === 1 && !e.ctrlKey && !e.metaKey && !e.altKey && e.key !== ' ') {
          const ch = e.key.toLocaleLowerCase();
          for (let step = 1; step <= list.length; step++) {
            const item = list[(index + step) % list.length];
            if (item?.textContent?.trim().toLocaleLowerCase().startsWith(ch)) {
              item.focus();
              break;
            }
          }
        }
    }
  };

  const choose = (action: () => void) => () => {
    close(true);
    action();
  };

  return (
    <div className="user-menu">
      <button
        ref={buttonRef}
        id={buttonId}
        type="button"
        className="user-menu__button"
        aria-haspopup="menu"
        aria-expanded={open}
        aria-controls={open ? menuId : undefined}
        aria-label={t('userMenu.button', { name: user.name })}
        onClick={() => (open ? close(false) : openMenu('first'))}
        onKeyDown={onButtonKeyDown}
      >
        <Avatar name={user.name} url={user.avatar_url} />
        <span className="user-menu__name" aria-hidden="true">
          {user.name}
        </span>
        <ChevronDownIcon width={16} height={16} className="user-menu__chevron" />
      </button>
      {open ? (
        <div ref={menuRef} className="menu" onKeyDown={onMenuKeyDown}>
          <div className="menu__header">
            <Avatar name={user.name} url={user.avatar_url} size="lg" />
            <div className="menu__who">
              <span className="menu__who-name">{user.name}</span>
              <span className="menu__who-email">{user.email}</span>
            </div>
          </div>
          <div id={menuId} className="menu__list" role="menu" aria-label={t('userMenu.menu')}>
          <MenuItem icon={<SettingsIcon width={18} height={18} />} onSelect={choose(() => navigate('/account/profile'))}>
            {t('userMenu.account')}
          </MenuItem>
          <div className="menu__separator" role="separator" />
          <div role="group" aria-labelledby={`${id}-lang`}>
            <div className="menu__label" id={`${id}-lang`} role="none">
              {t('language.label')}
            </div>
            {LANGS.map((l) => (
              <MenuRadio key={l} checked={lang === l} lang={l} onSelect={choose(() => chooseLanguage(l))}>
                {t(`language.${l}`)}
              </MenuRadio>
            ))}
          </div>
          <div className="menu__separator" role="separator" />
          <div role="group" aria-labelledby={`${id}-theme`}>
            <div className="menu__label" id={`${id}-theme`} role="none">
              {t('theme.label')}
            </div>
            {THEME_PREFERENCES.map((p) => {
              const Icon = themeIcons[p];
              return (
                <MenuRadio
                  key={p}
                  checked={theme === p}
                  icon={<Icon width={18} height={18} />}
                  onSelect={choose(() => setThemePreference(p))}
                >
                  {t(`theme.${p}`)}
                </MenuRadio>
              );
            })}
          </div>
          <div className="menu__separator" role="separator" />
          <MenuItem icon={<SignOutIcon width={18} height={18} />} onSelect={choose(() => void logout().then(() => navigate('/', { replace: true })))}>
            {t('userMenu.signOut')}
          </MenuItem>
          </div>
        </div>
      ) : null}
    </div>
  );
}

function MenuItem({ icon, children, onSelect }: { icon: ReactNode; children: ReactNode; onSelect: () => void }) {
  return (
    <button type="button" role="menuitem" tabIndex={-1} className="menu__item" onClick={onSelect}>
      <span className="menu__icon">{icon}</span>
      <span className="menu__text">{children}</span>
    </button>
  );
}

function MenuRadio({
  checked,
  icon,
  lang,
  children,
  onSelect,
}: {
  checked: boolean;
  icon?: ReactNode;
  lang?: string;
  children: ReactNode;
  onSelect: () => void;
}) {
  return (
    <button
      type="button"
      role="menuitemradio"
      aria-checked={checked}
      tabIndex={-1}
      className="menu__item"
      lang={lang}
      onClick={onSelect}
    >
      <span className="menu__icon">{icon}</span>
      <span className="menu__text">{children}</span>
      <span className="menu__check">{checked ? <CheckIcon width={16} height={16} /> : null}</span>
    </button>
  );
}
