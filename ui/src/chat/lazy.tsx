import { lazy, Suspense } from 'react';
import { Spinner } from '../components/Form';
import { useI18n } from '../i18n';

// The chat pages load on first use (their own chunk). The sidebar entry, the
// notification bell, the connection banner and the realtime client are in
// the main bundle: they work on every page.

const Page = lazy(() => import('./ChatPage').then((m) => ({ default: m.ChatPage })));

function Loading() {
  const { t } = useI18n();
  return (
    <div className="pending" role="status" aria-label={t('common.loading')}>
      <Spinner />
    </div>
  );
}

/** /chat/… (see ChatPage). */
export function ChatPage({ path }: { path: string[] }) {
  return (
    <Suspense fallback={<Loading />}>
      <Page path={path} />
    </Suspense>
  );
}
