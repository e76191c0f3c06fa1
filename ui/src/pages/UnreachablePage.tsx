import { useState } from 'react';
import { useAuth } from '../auth/AuthContext';
import { AuthLayout } from '../components/AuthLayout';
import { Spinner } from '../components/Form';
import { useDocumentTitle } from '../components/useDocumentTitle';
import { useI18n } from '../i18n';

/** Shown when the server could not be reached while starting up. */
export function UnreachablePage() {
  const { t } = useI18n();
  const { boot } = useAuth();
  const [busy, setBusy] = useState(false);
  useDocumentTitle('unreachable.docTitle');
  return (
    <AuthLayout>
      <h1 className="auth__title">{t('unreachable.title')}</h1>
      <p className="auth__lead" role="alert">
        {t('unreachable.body')}
      </p>
      <button
        type="button"
        className="button button--primary button--block"
        disabled={busy}
        onClick={() => {
          setBusy(true);
          void boot().finally(() => setBusy(false));
        }}
      >
        {busy ? <Spinner /> : null}
        {t('unreachable.retry')}
      </button>
    </AuthLayout>
  );
}
