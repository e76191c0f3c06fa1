import { useEffect, useState } from 'react';
import type { User } from '../api/client';
import { useAuth } from '../auth/AuthContext';
import { Avatar } from '../components/Avatar';
import { useDocumentTitle } from '../components/useDocumentTitle';
import { useI18n } from '../i18n';

/** The signed-in user's account details (read-only in this release). */
export function ProfilePage({ user }: { user: User }) {
  const { t, lang } = useI18n();
  const { client } = useAuth();
  const [loadFailed, setLoadFailed] = useState(false);
  useDocumentTitle('profile.docTitle');

  // Show what we have at once, then fetch the latest from the server.
  useEffect(() => {
    const ctrl = new AbortController();
    client.me(ctrl.signal).then(
      () => setLoadFailed(false),
      (err: unknown) => {
        if (!ctrl.signal.aborted && !(err instanceof DOMException && err.name === 'AbortError')) setLoadFailed(true);
      },
    );
    return () => ctrl.abort();
  }, [client]);

  const since = new Date(user.created_at);
  const sinceText = Number.isNaN(since.getTime())
    ? user.created_at
    : new Intl.DateTimeFormat(lang, { year: 'numeric', month: 'long', day: 'numeric' }).format(since);

  return (
    <div className="page">
      <div className="page__header">
        <h1 className="page__title" tabIndex={-1}>
          {t('profile.title')}
        </h1>
        <p className="page__lead">{t('profile.lead')}</p>
      </div>
      {loadFailed ? (
        <p className="notice" role="status">
          {t('profile.refreshError')}
        </p>
      ) : null}
      <section className="card profile" aria-label={t('profile.title')}>
        <div className="profile__head">
          <Avatar name={user.name} size="xl" />
          <div>
            <p className="profile__name">{user.name}</p>
            <p className="profile__email">{user.email}</p>
          </div>
        </div>
        <dl className="details">
          <div className="details__row">
            <dt>{t('profile.name')}</dt>
            <dd>{user.name}</dd>
          </div>
          <div className="details__row">
            <dt>{t('profile.email')}</dt>
            <dd>{user.email}</dd>
          </div>
          <div className="details__row">
            <dt>{t('profile.role')}</dt>
            <dd>
              <span className={`badge badge--${user.role}`}>{t(`role.${user.role}`)}</span>
            </dd>
          </div>
          <div className="details__row">
            <dt>{t('profile.memberSince')}</dt>
            <dd>
              <time dateTime={user.created_at}>{sinceText}</time>
            </dd>
          </div>
        </dl>
      </section>
    </div>
  );
}
