import { useEffect, useState } from 'react';
import { errorFrom, type FormError } from '../auth/formErrors';
import { ErrorAlert, Spinner } from '../components/Form';
import { ArrowLeftIcon } from '../components/Icons';
import { useDocumentTitle } from '../components/useDocumentTitle';
import { useI18n } from '../i18n';
import { useFormat } from '../lib/format';
import { Link } from '../router';
import { isMissingEndpoint, type Category, type CategoryPage, type DocSummary, type Tag } from './api';
import { useKbApi, useLoad } from './hooks';
import { DocIcon, FolderIcon, TagIcon } from './icons';
import { docPath } from './SpaceShell';

export interface CategoryNodeView {
  cat: Category;
  depth: number;
}

/** Categories depth first, siblings by name (in the UI language). */
export function orderCategories(list: Category[], lang: string): CategoryNodeView[] {
  const collator = new Intl.Collator(lang, { numeric: true, sensitivity: 'base' });
  const ids = new Set(list.map((c) => c.id));
  const byParent = new Map<string | null, Category[]>();
  for (const c of list) {
    const p = c.parent_id && ids.has(c.parent_id) ? c.parent_id : null;
    byParent.set(p, [...(byParent.get(p) ?? []), c]);
  }
  const out: CategoryNodeView[] = [];
  const seen = new Set<string>();
  const walk = (parent: string | null, depth: number) => {
    for (const c of [...(byParent.get(parent) ?? [])].sort((a, b) => collator.compare(a.name, b.name))) {
      if (seen.has(c.id)) continue;
      seen.add(c.id);
      out.push({ cat: c, depth });
      walk(c.id, depth + 1);
    }
  };
  walk(null, 0);
  return out;
}

function DocList({ docs, label }: { docs: DocSummary[]; label: string }) {
  const { t } = useI18n();
  const fmt = useFormat();
  return (
    <ul className="kb-doc-list" aria-label={label}>
      {docs.map((d) => (
        <li key={d.id} className="kb-doc-list__item">
          <DocIcon width={16} height={16} />
          <Link to={docPath(d.id)} className="kb-doc-list__title">
            {d.title || t('kb.doc.untitled')}
          </Link>
          {d.space_name ? <span className="kb-doc-list__meta">{d.space_name}</span> : null}
          {d.updated_at ? <span className="kb-doc-list__meta">{fmt.relative(d.updated_at)}</span> : null}
        </li>
      ))}
    </ul>
  );
}

/** /kb/categories: the organization's category tree with document counts, and popular tags. */
export function CategoriesPage() {
  const { t, tp, lang } = useI18n();
  const api = useKbApi();
  useDocumentTitle('kb.categories.title');
  const cats = useLoad<Category[]>('categories', () => api.categories());
  const tags = useLoad<Tag[]>('tags:', () => api.tags(''));
  const ordered = orderCategories(cats.data ?? [], lang);

  return (
    <div className="page kb-page">
      <Link to="/kb" className="back-link">
        <ArrowLeftIcon width={16} height={16} />
        {t('kb.backToSpaces')}
      </Link>
      <div className="section-header">
        <div className="section-header__text">
          <h1 className="page__title" tabIndex={-1}>
            {t('kb.categories.title')}
          </h1>
          <p className="page__lead">{t('kb.categories.lead')}</p>
        </div>
      </div>
      <ErrorAlert error={cats.error} />
      {!cats.data && !cats.error ? (
        <div className="pending" role="status" aria-label={t('common.loading')}>
          <Spinner />
        </div>
      ) : null}
      {cats.data && ordered.length === 0 ? <p className="card kb-empty muted">{t('kb.categories.none')}</p> : null}
      {ordered.length > 0 ? (
        <ul className="kb-cat-tree" aria-label={t('kb.categories.title')}>
          {ordered.map(({ cat, depth }) => (
            <li key={cat.id} className="kb-cat-tree__item" style={{ paddingLeft: `${depth * 20 + 12}px` }}>
              <FolderIcon width={16} height={16} />
              <Link to={`/kb/categories/${encodeURIComponent(cat.id)}`}>{cat.name}</Link>
              <span className="kb-count" aria-label={tp('kb.spaces.docs', cat.total)}>
                {cat.total}
              </span>
            </li>
          ))}
        </ul>
      ) : null}
      <section aria-labelledby="kb-tags-title" className="kb-tag-cloud-section">
        <h2 id="kb-tags-title" className="kb-subtitle">
          {t('kb.tags.popular')}
        </h2>
        {tags.data && tags.data.length === 0 ? <p className="muted">{t('kb.tags.none')}</p> : null}
        {tags.data && tags.data.length > 0 ? (
          <ul className="kb-tag-cloud">
            {tags.data.map((tag) => (
              <li key={tag.name}>
                <Link to={`/kb/tags/${encodeURIComponent(tag.name)}`} className="kb-chip">
                  #{tag.name}
                  {tag.count ? <span className="kb-chip__count">{tag.count}</span> : null}
                </Link>
              </li>
            ))}
          </ul>
        ) : null}
      </section>
    </div>
  );
}

/** /kb/categories/:id: a category, its sub-categories and the documents in it (and below). */
export function CategoryPageView({ id }: { id: string }) {
  const { t, tp } = useI18n();
  const api = useKbApi();
  const page = useLoad<CategoryPage>(`category:${id}`, () => api.categoryPage(id));
  const [more, setMore] = useState<DocSummary[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [moreError, setMoreError] = useState<FormError | null>(null);
  const p = page.data;

  useEffect(() => {
    setMore([]);
    setCursor(p?.next_cursor ?? null);
  }, [p]);

  useEffect(() => {
    if (p) document.title = t('app.titleFormat', { page: p.category.name });
  }, [p, t]);

  const loadMore = async () => {
    if (!cursor) return;
    try {
      const next = await api.categoryPage(id, cursor);
      setMore((m) => [...m, ...next.documents]);
      setCursor(next.next_cursor);
    } catch (err) {
      setMoreError(errorFrom(err));
    }
  };

  return (
    <div className="page kb-page">
      <Link to="/kb/categories" className="back-link">
        <ArrowLeftIcon width={16} height={16} />
        {t('kb.categories.all')}
      </Link>
      <div className="section-header">
        <div className="section-header__text">
          <p className="page__eyebrow">{p && p.category.path !== p.category.name ? p.category.path : t('kb.categories.eyebrow')}</p>
          <h1 className="page__title" tabIndex={-1}>
            {p?.category.name ?? '…'}
          </h1>
          {p ? <p className="page__lead">{tp('kb.spaces.docs', p.category.total)}</p> : null}
        </div>
      </div>
      <ErrorAlert error={page.error} />
      {!p && !page.error ? (
        <div className="pending" role="status" aria-label={t('common.loading')}>
          <Spinner />
        </div>
      ) : null}
      {p && p.children.length > 0 ? (
        <ul className="kb-tag-cloud" aria-label={t('kb.categories.sub')}>
          {p.children.map((c) => (
            <li key={c.id}>
              <Link to={`/kb/categories/${encodeURIComponent(c.id)}`} className="kb-chip kb-chip--category">
                {c.name}
                <span className="kb-chip__count">{c.total}</span>
              </Link>
            </li>
          ))}
        </ul>
      ) : null}
      {p && p.documents.length === 0 ? <p className="muted">{t('kb.categories.noDocs')}</p> : null}
      {p && p.documents.length > 0 ? <DocList docs={[...p.documents, ...more]} label={t('kb.categories.docs')} /> : null}
      <ErrorAlert error={moreError} />
      {cursor ? (
        <button type="button" className="button" onClick={() => void loadMore()}>
          {t('common.loadMore')}
        </button>
      ) : null}
    </div>
  );
}

/** /kb/tags/:tag: documents carrying a tag. */
export function TagPage({ tag }: { tag: string }) {
  const { t } = useI18n();
  const api = useKbApi();
  const [unsupported, setUnsupported] = useState(false);
  const docs = useLoad<DocSummary[]>(`tag:${tag}`, () =>
    api.listDocuments({ tag }).catch((err: unknown) => {
      if (isMissingEndpoint(err)) {
        setUnsupported(true);
        return [];
      }
      throw err;
    }),
  );
  useEffect(() => {
    document.title = t('app.titleFormat', { page: `#${tag}` });
  }, [tag, t]);
  return (
    <div className="page kb-page">
      <Link to="/kb/categories" className="back-link">
        <ArrowLeftIcon width={16} height={16} />
        {t('kb.categories.title')}
      </Link>
      <div className="section-header">
        <div className="section-header__text">
          <p className="page__eyebrow">
            <TagIcon width={14} height={14} /> {t('kb.tags.eyebrow')}
          </p>
          <h1 className="page__title" tabIndex={-1}>
            #{tag}
          </h1>
        </div>
      </div>
      <ErrorAlert error={docs.error} />
      {!docs.data && !docs.error ? (
        <div className="pending" role="status" aria-label={t('common.loading')}>
          <Spinner />
        </div>
      ) : null}
      {unsupported ? <p className="muted">{t('kb.tags.listUnavailable')}</p> : null}
      {docs.data && docs.data.length === 0 && !unsupported ? <p className="muted">{t('kb.tags.noDocs')}</p> : null}
      {docs.data && docs.data.length > 0 ? <DocList docs={docs.data} label={t('kb.tags.docs', { tag })} /> : null}
    </div>
  );
}
