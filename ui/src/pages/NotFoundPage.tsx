import { useDocumentTitle } from '../components/useDocumentTitle';
import { useI18n } from '../i18n';
import { Link } from '../router';

export function NotFoundPage() {
  const { t } = useI18n();
  useDocumentTitle('notFound.docTitle');
  return (
    <div className="page page--center">
      <p className="page__eyebrow">{t('notFound.code')}</p>
      <h1 className="page__title" tabIndex={-1}>
        {t('notFound.title')}
      </h1>
      <p className="page__lead">{t('notFound.body')}</p>
      <p>
        <Link to="/" className="button button--primary">
          {t('notFound.home')}
        </Link>
      </p>
    </div>
  );
}
