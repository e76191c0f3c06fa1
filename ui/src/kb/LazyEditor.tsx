import { lazy, Suspense } from 'react';
import { Spinner } from '../components/Form';
import { useI18n } from '../i18n';
import type { MarkdownEditorProps } from './editor/MarkdownEditor';
import { DEFAULT_PLACEHOLDERS, type Placeholders } from './markdown';

// CodeMirror lives in its own chunk, fetched the first time an editor opens.
const MarkdownEditor = lazy(() => import('./editor/MarkdownEditor'));

export type { EditorHandle, MarkdownEditorProps } from './editor/MarkdownEditor';

/** Translated placeholder texts for formatting with nothing selected. */
export function usePlaceholders(): Placeholders {
  const { t } = useI18n();
  return {
    ...DEFAULT_PLACEHOLDERS,
    bold: t('kb.editor.ph.bold'),
    italic: t('kb.editor.ph.italic'),
    strike: t('kb.editor.ph.text'),
    code: t('kb.editor.ph.code'),
    link: t('kb.editor.ph.link'),
    heading: t('kb.editor.ph.heading'),
    column: t('kb.editor.ph.column'),
  };
}

export function LazyMarkdownEditor(props: MarkdownEditorProps) {
  const { t } = useI18n();
  return (
    <Suspense
      fallback={
        <div className="md-editor md-editor--loading" role="status" aria-label={t('kb.editor.loading')}>
          <Spinner />
        </div>
      }
    >
      <MarkdownEditor {...props} />
    </Suspense>
  );
}
