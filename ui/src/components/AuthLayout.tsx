import type { ReactNode } from 'react';
import { useI18n } from '../i18n';
import { LogoMark } from './Logo';
import { Preferences } from './Preferences';

/** The centered card used by the setup, sign-in and connection-problem screens. */
export function AuthLayout({ children, wide = false }: { children: ReactNode; wide?: boolean }) {
  const { t } = useI18n();
  return (
    <div className="auth">
      <main id="main" className="auth__main">
        <div className="auth__brand">
          <LogoMark size={36} />
          <span className="auth__product">{t('app.name')}</span>
        </div>
        <div className={`auth__card${wide ? ' auth__card--wide' : ''}`}>{children}</div>
      </main>
      <footer className="auth__footer">
        <Preferences />
      </footer>
    </div>
  );
}
