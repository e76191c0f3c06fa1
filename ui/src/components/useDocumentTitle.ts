import { useEffect } from 'react';
import { useI18n, type MessageKey } from '../i18n';

/** Sets document.title to "<page> · Nexus" in the current language. */
export function useDocumentTitle(page: MessageKey): void {
  const { t } = useI18n();
  useEffect(() => {
    document.title = t('app.titleFormat', { page: t(page) });
  }, [t, page]);
}
