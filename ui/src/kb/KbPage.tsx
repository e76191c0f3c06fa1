import '../kb.css';
import { useEffect, useState, useSyncExternalStore, type ReactNode } from 'react';
import { ErrorAlert, Spinner } from '../components/Form';
import { useI18n } from '../i18n';
import { NotFoundPage } from '../pages/NotFoundPage';
import { errorFrom, type FormError } from '../auth/formErrors';
import { ApiError } from '../api/client';
import { docSpace, getDocSpaceVersion, subscribeDocSpace } from './cache';
import { CategoriesPage, CategoryPageView, TagPage } from './CategoriesPage';
import { DocumentEditor } from './DocumentEditor';
import { DocumentView } from './DocumentView';
import { HistoryPage } from './HistoryPage';
import { useKbApi } from './hooks';
import { SpaceHome } from './SpaceHome';
import { SpaceSettingsPage } from './SpaceSettingsPage';
import { SpaceShell } from './SpaceShell';
import { SpacesPage } from './SpacesPage';
import { TemplatesPage } from './TemplatesPage';
import { TrashPage } from './TrashPage';

/**
 * /kb/…: the knowledge base.
 *
 *   /kb                          spaces
 *   /kb/s/:space                 a space: its tree and recent documents
 *   /kb/s/:space/settings        details, members, archive (managers)
 *   /kb/s/:space/templates       the space's templates
 *   /kb/s/:space/trash           deleted documents
 *   /kb/doc/:id                  a document
 *   /kb/doc/:id/edit             the editor
 *   /kb/doc/:id/history[/:n]     versions, a version, ?from=&to= a diff
 *   /kb/templates                organization-wide templates
 *   /kb/categories[/:id]         the category tree, one category
 *   /kb/tags/:tag                documents with a tag
 *
 * Pages of one space share one SpaceShell (its tree stays mounted while
 * moving between them).
 */
export function KbPage({ path }: { path: string[] }) {
  const [section = '', id = '', sub = '', extra, ...rest] = path;

  if (section === '') return path.length === 0 ? <SpacesPage /> : <NotFoundPage />;
  if (section === 'templates' && !id) return <TemplatesPage spaceId={null} />;
  if (section === 'categories') {
    if (!id) return <CategoriesPage />;
    return sub ? <NotFoundPage /> : <CategoryPageView id={id} />;
  }
  if (section === 'tags' && id && !sub) return <TagPage tag={id} />;

  if (section === 's' && id && rest.length === 0 && extra === undefined) {
    let content = null;
    if (sub === '') content = <SpaceHome />;
    else if (sub === 'settings') content = <SpaceSettingsPage />;
    else if (sub === 'templates') content = <TemplatesPage spaceId={id} />;
    else if (sub === 'trash') content = <TrashPage />;
    if (!content) return <NotFoundPage />;
    return (
      <SpaceRoute spaceId={id} docId={null} home={sub === ''}>
        {content}
      </SpaceRoute>
    );
  }

  if (section === 'doc' && id && rest.length === 0) {
    let content = null;
    if (sub === '' && extra === undefined) content = <DocumentView id={id} />;
    else if (sub === 'edit' && extra === undefined) content = <DocumentEditor id={id} />;
    else if (sub === 'history') {
      const n = extra === undefined ? null : Number(extra);
      if (n === null || (Number.isInteger(n) && n > 0)) content = <HistoryPage id={id} version={n} />;
    }
    if (!content) return <NotFoundPage />;
    return (
      <SpaceRoute spaceId={null} docId={id}>
        {content}
      </SpaceRoute>
    );
  }
  return <NotFoundPage />;
}

/**
 * A page inside a space. For a document, the space comes from a tree seen
 * before or from the API. Every space page renders through here, so moving
 * between them keeps the same SpaceShell (and its tree) mounted.
 */
function SpaceRoute({
  spaceId: given,
  docId,
  home = false,
  children,
}: {
  spaceId: string | null;
  docId: string | null;
  home?: boolean;
  children: ReactNode;
}) {
  const { t } = useI18n();
  const api = useKbApi();
  const [found, setFound] = useState<{ doc: string; space: string } | null>(null);
  const [error, setError] = useState<FormError | null>(null);
  const [missing, setMissing] = useState(false);
  // Re-render when a document turns out to live elsewhere (moved meanwhile).
  useSyncExternalStore(subscribeDocSpace, getDocSpaceVersion, getDocSpaceVersion);
  const id = docId ?? '';
  const spaceId = given ?? (docId ? (docSpace.get(docId) ?? (found?.doc === docId ? found.space : null)) : null);

  useEffect(() => {
    if (given || !docId) return;
    const known = docSpace.get(id);
    if (known) return;
    setError(null);
    setMissing(false);
    const ctrl = new AbortController();
    api.document(id, ctrl.signal).then(
      (d) => {
        if (ctrl.signal.aborted) return;
        docSpace.set(id, d.space_id);
        setFound({ doc: id, space: d.space_id });
      },
      (err: unknown) => {
        if (ctrl.signal.aborted) return;
        if (err instanceof ApiError && err.status === 404) setMissing(true);
        else setError(errorFrom(err));
      },
    );
    return () => ctrl.abort();
  }, [api, id, given, docId]);

  if (missing) return <NotFoundPage />;
  if (!spaceId) {
    return (
      <div className="page">
        <ErrorAlert error={error} />
        {!error ? (
          <div className="pending" role="status" aria-label={t('common.loading')}>
            <Spinner />
          </div>
        ) : null}
      </div>
    );
  }
  return (
    <SpaceShell key={spaceId} spaceId={spaceId} activeDocId={docId} home={home}>
      {children}
    </SpaceShell>
  );
}
