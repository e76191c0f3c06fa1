import type { ReactNode } from 'react';
import type { User } from '../api/client';
import { ArchiveIcon, ShieldIcon, SparkIcon, UserIcon } from '../components/Icons';
import { useDocumentTitle } from '../components/useDocumentTitle';
import { useI18n, type MessageKey } from '../i18n';
import { Link } from '../router';

export type DayPart = 'morning' | 'afternoon' | 'evening';

/** Morning 05–11, afternoon 12–17, evening otherwise. */
export function dayPart(hour: number): DayPart {
  if (hour >= 5 && hour < 12) return 'morning';
  if (hour >= 12 && hour < 18) return 'afternoon';
  return 'evening';
}

export function HomePage({ user, now = new Date() }: { user: User; now?: Date }) {
  const { t, lang } = useI18n();
  useDocumentTitle('home.docTitle');
  const greetingKey = `home.greeting.${dayPart(now.getHours())}` as MessageKey;
  const today = new Intl.DateTimeFormat(lang, { weekday: 'long', month: 'long', day: 'numeric' }).format(now);
  const manages = user.role === 'owner' || user.role === 'admin';

  return (
    <div className="page">
      <div className="page__header">
        <p className="page__eyebrow">{today}</p>
        <h1 className="page__title" tabIndex={-1}>
          {t(greetingKey, { name: user.name })}
        </h1>
        <p className="page__lead">{t('home.lead')}</p>
      </div>

      <section className="card" aria-labelledby="getting-started">
        <div className="card__header">
          <h2 id="getting-started" className="card__title">
            {t('home.start.title')}
          </h2>
          <p className="card__lead">{t('home.start.lead')}</p>
        </div>
        <ul className="steps">
          <Step icon={<SparkIcon />} title={t('home.start.personalize.title')}>
            <p>{t('home.start.personalize.body')}</p>
          </Step>
          <Step icon={<UserIcon />} title={t('home.start.profile.title')}>
            <p>{t('home.start.profile.body')}</p>
            <Link to="/account/profile" className="link-arrow">
              {t('home.start.profile.link')}
            </Link>
          </Step>
          {manages ? (
            <>
              <Step icon={<UserIcon />} title={t('home.start.team.title')}>
                <p>{t('home.start.team.body')}</p>
                <Link to="/admin/users" className="link-arrow">
                  {t('home.start.team.link')}
                </Link>
              </Step>
              <Step icon={<ShieldIcon />} title={t('home.start.security.title')}>
                <p>{t('home.start.security.body')}</p>
                <Link to="/admin/security" className="link-arrow">
                  {t('home.start.security.link')}
                </Link>
              </Step>
              <Step icon={<ArchiveIcon />} title={t('home.start.backup.title')}>
                <p>{t('home.start.backup.body')}</p>
              </Step>
            </>
          ) : null}
        </ul>
      </section>
    </div>
  );
}

function Step({ icon, title, children }: { icon: ReactNode; title: string; children: ReactNode }) {
  return (
    <li className="step">
      <span className="step__icon" aria-hidden="true">
        {icon}
      </span>
      <div className="step__body">
        <h3 className="step__title">{title}</h3>
        {children}
      </div>
    </li>
  );
}
