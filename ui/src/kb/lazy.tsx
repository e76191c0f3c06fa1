import { lazy, Suspense } from 'react';
import { Spinner } from '../components/Form';
import { useI18n } from '../i18n';

// The knowledge base pages load on first use (their own chunk), so the app
// shell stays small; the sidebar's space list (KbNav) is the only KB code
// in the main bundle. The editor (CodeMirror) is a further chunk.

const Page = lazy(() => import('./KbPage').then((m) => ({ default: m.KbPage })));
const Admin = lazy(() => import('./KbAdminSection').then((m) => ({ default: m.KbAdminSection })));

function Loading() {
  const { t } = useI18n();
  return (
    <div className="pending" role="status" aria-label={t('common.loading')}>
      <Spinner />
    </div>
  );
}

/** /kb/… (see KbPage). */
export function KbPage({ path }: { path: string[] }) {
  return (
    <Suspense fallback={<Loading />}>
      <Page path={path} />
    </Suspense>
  );
}

/** Administration › Knowledge base. */
export function KbAdminSection() {
  return (
    <Suspense fallback={<Loading />}>
      <Admin />
    </Suspense>
  );
}
